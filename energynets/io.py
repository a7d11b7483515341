"""Saving and loading models as ``.npz`` files, without pickle.

A model file is an ordinary numpy ``.npz`` archive (a zip of ``.npy`` members) that any numpy
can open with ``np.load(path, allow_pickle=False)``. It holds

- the arrays of the model's ``get_params()`` (strings such as a rule's name are stored as 0-d
  unicode arrays, so nothing ever needs pickle);
- ``__format__ = "energynets-model"``, ``__format_version__ = 1`` and ``__class__``, the name
  under which the model's class was registered with :func:`register_model` (e.g.
  ``"HopfieldNetwork"``).

Writes are atomic: :func:`save` writes a temporary file in the destination folder, flushes and
fsyncs it, then renames it over ``path`` with :func:`os.replace`, so a crash or an error
midway leaves an earlier file at ``path`` untouched and no temporary file behind.

Reading trusts nothing: :func:`load` turns any damaged or foreign file (not a zip, truncated,
a plain ``.npz`` without the markers, a newer format version, an unknown class, object arrays,
missing or unexpected arrays, parameters a model refuses) into a one-line ``ValueError`` that
names the file, and refuses a path that is no regular file (a named pipe, a device) unread.
Before reading any data it checks every member's ``.npy`` header: the members' names against
those of the class the file names (registered with :func:`register_model`), their dtypes
(numbers and booleans; short strings where the class has them), the declared bytes against
:data:`~energynets._npz.MAX_ARRAY_BYTES`, and the member's size in the zip against exactly
the header plus the declared array (nothing more, nothing less), so a crafted file cannot make
it allocate more than the arrays of a model it describes, or decompress a zip bomb; every byte
read is checked against the member's CRC-32. Big-endian arrays are read (in the machine's
byte order). Pickled objects are never unpickled, whatever the file says.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

import numpy as np

from energynets import _npz
from energynets._npz import BadFile, one_line
from energynets.models.boltzmann import BoltzmannMachine
from energynets.models.classification_rbm import ClassificationRBM
from energynets.models.continuous import ContinuousHopfield
from energynets.models.dbn import DBN
from energynets.models.dense import DenseAssociativeMemory, ModernHopfield
from energynets.models.eqnet import EnergyNetwork
from energynets.models.hopfield import HopfieldNetwork
from energynets.models.mlp import MLP
from energynets.models.rbm import RBM

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "load", "register_model", "save"]

#: Value of the ``__format__`` marker of every energynets model file.
FORMAT_NAME = "energynets-model"
#: The newest file format version this energynets writes and reads.
FORMAT_VERSION = 1

PathLike = str | os.PathLike[str]
FromParams = Callable[[dict[str, Any]], Any]

_MARKERS = ("__format__", "__format_version__", "__class__")

_REGISTRY: dict[str, tuple[type, FromParams]] = {}
#: For each registered name: the pattern its array names match and the names of its strings
#: (None: any name, any member a string).
_MEMBERS: dict[str, tuple[re.Pattern[str] | None, frozenset[str] | None]] = {}
#: The most bytes a string of a model file may hold (a rule's or an activation's name).
_STRING_BYTES = 4096


# -- the registry ------------------------------------------------------------------------------
def register_model(
    name: str,
    cls: type,
    from_params: FromParams,
    *,
    arrays: str | None = None,
    strings: Collection[str] | None = None,
) -> None:
    """Make a model class savable and loadable.

    Parameters
    ----------
    name : str
        The name stored in the file's ``__class__`` entry, usually ``cls.__name__``. It is part
        of the file format: never rename a registered model.
    cls : type
        The model class. Instances must have a ``get_params()`` method returning a dict of
        numpy arrays (any dtype but object) and strings; keys must not start with ``"__"``.
        Only instances of exactly this class are saved under ``name`` (a subclass registers
        itself).
    from_params : callable
        ``from_params(params) -> model`` rebuilds a model from the dict that ``get_params``
        returned (strings come back as ``str``, arrays as arrays). It should raise
        ``KeyError`` for a missing entry and ``ValueError`` or ``TypeError`` for bad values;
        :func:`load` turns these into a ``ValueError`` naming the file.
    arrays : str, optional
        A regular expression that every key of ``get_params()`` matches in full, e.g.
        ``"weights|bias"``: :func:`load` refuses a file holding any other array before it
        reads any data. None: any key (all the file's arrays are read, ``from_params`` judges).
    strings : collection of str, optional
        The keys whose values are strings (at most 4096 bytes each): :func:`load` refuses a
        string anywhere else before reading it. None: any key may hold one (32 MiB in all).

    Raises
    ------
    ValueError
        If ``name`` is not an identifier, is registered already for a different class
        (registering the same name again with the same class replaces ``from_params``), or
        ``arrays`` is not a valid regular expression.
    TypeError
        If ``cls`` is not a class, ``from_params`` is not callable, ``arrays`` is not a
        string or ``strings`` is not a collection of strings.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be a Python identifier (a class name), got {name!r}")
    if not isinstance(cls, type):
        raise TypeError(f"cls must be a class, got {type(cls).__name__}")
    if not callable(from_params):
        raise TypeError(f"from_params must be callable, got {type(from_params).__name__}")
    if name in _REGISTRY and _REGISTRY[name][0] is not cls:
        raise ValueError(
            f"name {name!r} is already registered for {_REGISTRY[name][0].__qualname__}, "
            f"got another class {cls.__qualname__}"
        )
    _MEMBERS[name] = (_pattern(arrays), _string_names(strings))
    _REGISTRY[name] = (cls, from_params)


def _pattern(arrays: str | None) -> re.Pattern[str] | None:
    """``arrays`` of :func:`register_model`, compiled."""
    if arrays is None:
        return None
    if not isinstance(arrays, str):
        raise TypeError(f"arrays must be a regular expression (a str), got {type(arrays).__name__}")
    try:
        return re.compile(arrays)
    except re.error as exc:
        raise ValueError(f"arrays must be a regular expression, got {arrays!r} ({exc})") from None


def _string_names(strings: Collection[str] | None) -> frozenset[str] | None:
    """``strings`` of :func:`register_model`, checked."""
    if strings is None:
        return None
    if isinstance(strings, str) or not all(isinstance(key, str) for key in strings):
        raise TypeError(f"strings must be a collection of names (str), got {strings!r}")
    return frozenset(strings)


def _registered_name(model: Any) -> str:
    for name, (cls, _) in _REGISTRY.items():
        if type(model) is cls:
            return name
    known = ", ".join(sorted(_REGISTRY))
    raise TypeError(
        f"model must be an instance of a registered model class ({known}), got "
        f"{type(model).__name__}; register its class with energynets.io.register_model"
    )


# -- saving ------------------------------------------------------------------------------------
def _file_arrays(model: Any, class_name: str) -> dict[str, np.ndarray]:
    """The arrays to write: the model's parameters plus the format markers."""
    params = model.get_params()
    if not isinstance(params, Mapping):
        raise TypeError(f"model.get_params() must return a dict, got {type(params).__name__}")
    arrays: dict[str, np.ndarray] = {}
    for key, value in params.items():
        if not isinstance(key, str) or not key or key.startswith("__") or "/" in key:
            raise ValueError(
                f"model.get_params() keys must be non-empty strings without '/' that do not "
                f"start with '__', got {key!r}"
            )
        arr = np.array(value, dtype=np.str_) if isinstance(value, str) else np.asarray(value)
        if arr.dtype.hasobject:
            raise TypeError(
                f"model.get_params()[{key!r}] must be a numeric, boolean or string array "
                f"(files never hold pickled objects), got dtype {arr.dtype}"
            )
        arrays[key] = arr
    arrays["__format__"] = np.array(FORMAT_NAME, dtype=np.str_)
    arrays["__format_version__"] = np.array(FORMAT_VERSION, dtype=np.int64)
    arrays["__class__"] = np.array(class_name, dtype=np.str_)
    return arrays


def save(model: Any, path: PathLike) -> None:
    """Save ``model`` to ``path`` as an ``.npz`` file, atomically and without pickle.

    Parameters
    ----------
    model : a registered model, e.g. :class:`~energynets.HopfieldNetwork`
        Its ``get_params()`` arrays are written as they are (dtype included). Not modified.
    path : str or os.PathLike
        Destination, used exactly as given: unlike :func:`numpy.savez`, no ``".npz"`` is
        appended when it is missing. The folder must exist. An existing file at ``path`` is
        replaced and keeps its permission bits; a symbolic link is written through (the file
        it points to is replaced, the link stays).

    Raises
    ------
    TypeError
        If the model's class is not registered (see :func:`register_model`).
    ValueError
        If ``path`` is a folder, a named pipe, a device or a socket (a
        :class:`~energynets._npz.NotAFileError`; for a folder also an ``IsADirectoryError``),
        before anything is written.
    OSError
        If the file cannot be written; ``path`` then still holds whatever it held before and
        no temporary file is left behind.

    Notes
    -----
    The archive is written to a temporary file ``.<name>.<random>.tmp<suffix>`` in the same
    folder, flushed and fsynced, then renamed over ``path`` with :func:`os.replace` (atomic on
    POSIX and Windows within one file system). Readers therefore see either the old file or
    the complete new one, never a partial write. A temporary that a killed process left (one
    untouched for a minute) is removed by the next save to the same path.

    Examples
    --------
    >>> import os, shutil, tempfile
    >>> import numpy as np
    >>> import energynets as en
    >>> net = en.HopfieldNetwork.from_patterns(np.array([[1.0, -1.0, 1.0, -1.0]]))
    >>> folder = tempfile.mkdtemp()
    >>> en.io.save(net, os.path.join(folder, "net.npz"))
    >>> again = en.io.load(os.path.join(folder, "net.npz"))
    >>> bool(np.array_equal(again.weights, net.weights)), again.rule
    (True, 'hebbian')
    >>> shutil.rmtree(folder)
    """
    arrays = _file_arrays(model, _registered_name(model))
    with _npz.atomic_file(path) as file:
        _npz.write_npz(file, arrays)


# -- loading -----------------------------------------------------------------------------------
def _check_marker_header(key: str, member: _npz.Member) -> None:
    """A marker's dtype, shape and size, from its header (before it is read)."""
    kinds = "iu" if key == "__format_version__" else "U"
    if member.shape != () or member.dtype.kind not in kinds:
        kind = "integer" if kinds == "iu" else "string array"
        raise BadFile(f"{key} must be a 0-d {kind}, got {member.dtype} of shape {member.shape}")
    if member.nbytes > _STRING_BYTES:
        raise BadFile(f"{key} holds {member.nbytes} bytes, more than {_STRING_BYTES}")


def _check_markers(arrays: dict[str, np.ndarray]) -> tuple[str, FromParams]:
    """Check the format markers (their headers checked already); return the registered name
    and its ``from_params``."""
    if "__format__" not in arrays:
        raise BadFile(f"not an energynets model file (no __format__ = {FORMAT_NAME!r} entry)")
    fmt = str(arrays["__format__"][()])
    if fmt != FORMAT_NAME:
        raise BadFile(f"not an energynets model file (__format__ is {fmt!r})")
    if "__format_version__" not in arrays:
        raise BadFile("missing the __format_version__ entry")
    version = int(arrays["__format_version__"])
    if version > FORMAT_VERSION:
        raise BadFile(
            f"written in format version {version} by a newer energynets; this version reads "
            f"format versions up to {FORMAT_VERSION}, upgrade energynets to load it"
        )
    if version < 1:
        raise BadFile(f"invalid format version {version}")
    if "__class__" not in arrays:
        raise BadFile("missing the __class__ entry")
    name = str(arrays["__class__"][()])
    if name not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY))
        raise BadFile(f"unknown model class {name!r} (known classes: {known})")
    return name, _REGISTRY[name][1]


def _check_string(
    name: str, key: str, member: _npz.Member, string_names: frozenset[str] | None
) -> None:
    """A string array only where the class ``name`` has one, and short."""
    if member.dtype.kind != "U" or string_names is None:
        return
    if key not in string_names:
        raise BadFile(
            f"invalid {name} parameters ({key} must be an array of numbers, got strings of "
            f"dtype {member.dtype.str}, shape {member.shape})"
        )
    if member.nbytes > _STRING_BYTES:
        raise BadFile(
            f"invalid {name} parameters ({key} holds {member.nbytes} bytes of strings, more "
            f"than {_STRING_BYTES})"
        )


def _read_model(file: Any) -> tuple[str, FromParams, dict[str, np.ndarray]]:
    """The class name, its ``from_params`` and the parameter arrays of the model file open
    as ``file``: the markers read first, every other member's name and dtype checked against
    the class's before any of their data is read."""
    with _npz.NpzArchive(file) as archive:
        markers = {}
        for key in _MARKERS:
            if key in archive.members:
                _check_marker_header(key, archive.members[key])
                markers[key] = archive.read(key)
        name, from_params = _check_markers(markers)
        pattern, string_names = _MEMBERS[name]
        keys = [key for key in archive.members if key not in _MARKERS]
        unexpected = sorted(k for k in keys if pattern is not None and not pattern.fullmatch(k))
        if unexpected:
            raise BadFile(f"invalid {name} parameters (unexpected arrays {unexpected[:10]})")
        if string_names is None:
            archive.check_strings(None)
        for key in keys:
            _check_string(name, key, archive.members[key], string_names)
        return name, from_params, {key: archive.read(key) for key in keys}


def load(path: PathLike) -> Any:
    """Load a model saved by :func:`save`.

    Parameters
    ----------
    path : str or os.PathLike
        The file, used exactly as given.

    Returns
    -------
    model
        A new instance of the registered class named in the file, with parameters equal
        (dtype included; big-endian arrays in the machine's byte order) to those saved.

    Raises
    ------
    ValueError
        If the file is damaged or is not an energynets model file: not a zip archive,
        truncated, a plain ``.npz`` without the format markers, a newer format version, an
        unknown model class, an array the class does not have, an object (pickled), record
        or raw-bytes array, a string where the class has a number (or a long one), arrays
        declaring more than ``MAX_ARRAY_BYTES`` or a size other than their member's, a
        compression method numpy does not write, missing or invalid parameters; or if
        ``path`` is not a regular file (a named pipe, a device, a socket: a
        :class:`~energynets._npz.NotAFileError`). The message is one line naming the file
        and the problem.
    OSError
        If the file cannot be opened: ``FileNotFoundError``, ``PermissionError``;
        ``IsADirectoryError`` for a directory (which is also a ``ValueError``).

    Notes
    -----
    The file is opened once; the ``.npy`` headers of all members are checked from the zip
    before any array data is read, and each array is read into an array of exactly its
    declared size.
    """
    source = os.fspath(path)
    with _npz.open_regular(source, "model file", refusal=f"cannot load '{source}'") as file:
        try:
            name, from_params, arrays = _read_model(file)
        except BadFile as exc:
            raise ValueError(f"cannot load '{source}': {exc}") from None
    params: dict[str, Any] = {
        key: str(value[()]) if value.dtype.kind == "U" and value.shape == () else value
        for key, value in arrays.items()
    }
    try:
        return from_params(params)
    except KeyError as exc:
        missing = exc.args[0] if exc.args else "?"
        raise ValueError(
            f"cannot load '{source}': the {name} file is missing the array {missing!r}"
        ) from None
    except Exception as exc:
        # a model's own checks raise ValueError or TypeError; values no check foresaw (an
        # infinite count, an index out of range) may raise anything: still the file's fault
        detail = one_line(exc, with_type=not isinstance(exc, ValueError | TypeError))
        raise ValueError(f"cannot load '{source}': invalid {name} parameters ({detail})") from None


# -- the models of this package ----------------------------------------------------------------
def _hopfield_from_params(params: dict[str, Any]) -> HopfieldNetwork:
    unexpected = sorted(set(params) - {"weights", "bias", "patterns", "rule"})
    if unexpected:
        raise ValueError(f"unexpected arrays {unexpected}")
    weights = params["weights"]
    if not isinstance(weights, np.ndarray):
        raise ValueError(f"weights must be an array, got {type(weights).__name__}")
    return HopfieldNetwork(
        weights,
        params["bias"],
        patterns=params.get("patterns"),
        rule=params.get("rule"),
        dtype=weights.dtype,
    )


register_model(
    "HopfieldNetwork",
    HopfieldNetwork,
    _hopfield_from_params,
    arrays="weights|bias|patterns|rule",
    strings={"rule"},
)


def _array(params: dict[str, Any], key: str) -> np.ndarray:
    value = params.get(key)
    if not isinstance(value, np.ndarray):
        raise ValueError(f"{key} must be an array, got {type(value).__name__}")
    return value


def _boltzmann_from_params(params: dict[str, Any]) -> BoltzmannMachine:
    allowed = {"weights", "bias", "n_visible", "units", "lattice_shape"}
    unexpected = sorted(set(params) - allowed)
    if unexpected:
        raise ValueError(f"unexpected arrays {unexpected}")
    weights = _array(params, "weights")
    shape = None
    if "lattice_shape" in params:
        shape = tuple(int(x) for x in _integers(params, "lattice_shape", ndim=1))
    return BoltzmannMachine(
        weights,
        _array(params, "bias"),
        int(_integers(params, "n_visible", ndim=0)),
        units=str(params.get("units", "spins")),
        dtype=weights.dtype,
        lattice_shape=shape,
    )


def _integers(params: dict[str, Any], key: str, *, ndim: int) -> np.ndarray:
    """An integer array of ``ndim`` dimensions (a float, even 1.5, is refused, not truncated)."""
    value = _array(params, key)
    if value.dtype.kind not in "iu" or value.ndim != ndim:
        raise ValueError(
            f"{key} must be a {ndim}-D integer array, got {value.dtype} of shape {value.shape}"
        )
    return value


def _softmax_groups(params: dict[str, Any]) -> list[np.ndarray] | None:
    """The softmax groups of an RBM file: ``softmax_units`` (the groups' visible indices,
    concatenated) split by ``softmax_sizes``; None when the file has neither (no groups, and
    every file written before groups existed)."""
    if "softmax_units" not in params and "softmax_sizes" not in params:
        return None
    missing = [key for key in ("softmax_units", "softmax_sizes") if key not in params]
    if missing:  # one without the other: load reports the file as missing that array
        raise KeyError(missing[0])
    units, sizes = _array(params, "softmax_units"), _array(params, "softmax_sizes")
    for key, value in (("softmax_units", units), ("softmax_sizes", sizes)):
        if value.ndim != 1 or value.dtype.kind not in "iu":
            raise ValueError(
                f"{key} must be a 1-D integer array, got {value.dtype} of shape {value.shape}"
            )
    if np.any(sizes < 0) or int(sizes.sum()) != units.size:
        raise ValueError(
            f"softmax_sizes must be non-negative and add up to the {units.size} entries of "
            f"softmax_units, got {sizes.tolist()[:10]}"
        )
    if sizes.size == 0:
        return []
    return np.split(units.astype(np.int64), np.cumsum(sizes)[:-1])


def _rbm_from_params(params: dict[str, Any]) -> RBM:
    allowed = {
        "weights",
        "visible_bias",
        "hidden_bias",
        "sigma",
        "visible",
        "softmax_units",
        "softmax_sizes",
    }
    unexpected = sorted(set(params) - allowed)
    if unexpected:
        raise ValueError(f"unexpected arrays {unexpected}")
    weights = _array(params, "weights")
    return RBM.from_params(
        weights,
        _array(params, "visible_bias"),
        _array(params, "hidden_bias"),
        visible=str(params.get("visible", "bernoulli")),
        sigma=_array(params, "sigma"),
        dtype=weights.dtype,
        softmax_groups=_softmax_groups(params),
    )


register_model(
    "BoltzmannMachine",
    BoltzmannMachine,
    _boltzmann_from_params,
    arrays="weights|bias|n_visible|units|lattice_shape",
    strings={"units"},
)
#: The arrays of an RBM file (and of a ClassificationRBM's).
_RBM_ARRAYS = "weights|visible_bias|hidden_bias|sigma|visible|softmax_units|softmax_sizes"
register_model("RBM", RBM, _rbm_from_params, arrays=_RBM_ARRAYS, strings={"visible"})


def _layers(params: dict[str, Any], extra: set[str]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The arrays ``weights_i`` and ``biases_i`` of a layered network, after checking that
    there is at least one layer and no array but these and ``extra``."""
    n_layers = sum(1 for key in params if key.startswith("weights_"))
    allowed = extra | {f"{kind}_{i}" for kind in ("weights", "biases") for i in range(n_layers)}
    unexpected = sorted(set(params) - allowed)
    if unexpected or n_layers == 0:
        raise ValueError(f"unexpected arrays {unexpected}" if unexpected else "no weights_0")
    weights = [_array(params, f"weights_{i}") for i in range(n_layers)]
    return weights, [_array(params, f"biases_{i}") for i in range(n_layers)]


def _mlp_from_params(params: dict[str, Any]) -> MLP:
    weights, biases = _layers(params, {"activation", "output"})
    return MLP.from_params(
        weights,
        biases,
        activation=str(params["activation"]),
        output=str(params["output"]),
        dtype=weights[0].dtype,
    )


register_model(
    "MLP",
    MLP,
    _mlp_from_params,
    arrays=r"(weights|biases)_\d+|activation|output",
    strings={"activation", "output"},
)


def _scalar(params: dict[str, Any], key: str) -> Any:
    value = _array(params, key)
    if value.shape != ():
        raise ValueError(f"{key} must be a single number, got shape {value.shape}")
    return value.item()


def _dense_from_params(params: dict[str, Any]) -> DenseAssociativeMemory:
    unexpected = sorted(set(params) - {"patterns", "interaction", "degree"})
    if unexpected:
        raise ValueError(f"unexpected arrays {unexpected}")
    return DenseAssociativeMemory(
        _array(params, "patterns"), params["interaction"], _scalar(params, "degree")
    )


def _modern_from_params(params: dict[str, Any]) -> ModernHopfield:
    unexpected = sorted(set(params) - {"patterns", "beta"})
    if unexpected:
        raise ValueError(f"unexpected arrays {unexpected}")
    patterns = _array(params, "patterns")
    return ModernHopfield(patterns, _scalar(params, "beta"), dtype=patterns.dtype)


def _continuous_from_params(params: dict[str, Any]) -> ContinuousHopfield:
    unexpected = sorted(set(params) - {"weights", "bias", "gain", "tau"})
    if unexpected:
        raise ValueError(f"unexpected arrays {unexpected}")
    return ContinuousHopfield(
        _array(params, "weights"),
        _array(params, "bias"),
        gain=_scalar(params, "gain"),
        tau=_scalar(params, "tau"),
    )


register_model(
    "DenseAssociativeMemory",
    DenseAssociativeMemory,
    _dense_from_params,
    arrays="patterns|interaction|degree",
    strings={"interaction"},
)
register_model(
    "ModernHopfield", ModernHopfield, _modern_from_params, arrays="patterns|beta", strings=()
)
register_model(
    "ContinuousHopfield",
    ContinuousHopfield,
    _continuous_from_params,
    arrays="weights|bias|gain|tau",
    strings=(),
)


def _dbn_from_params(params: dict[str, Any]) -> DBN:
    for key in params:
        _array(params, key)
    return DBN.from_arrays(params)


register_model(
    "DBN", DBN, _dbn_from_params, arrays=r"(weights|visible_bias|hidden_bias)_\d+", strings=()
)


def _classification_rbm_from_params(params: dict[str, Any]) -> ClassificationRBM:
    return ClassificationRBM.from_rbm(_rbm_from_params(params))


register_model(
    "ClassificationRBM",
    ClassificationRBM,
    _classification_rbm_from_params,
    arrays=_RBM_ARRAYS,
    strings={"visible"},
)


def _energy_network_from_params(params: dict[str, Any]) -> EnergyNetwork:
    weights, biases = _layers(params, {"output"})
    return EnergyNetwork.from_params(
        weights, biases, output=str(params["output"]), dtype=weights[0].dtype
    )


register_model(
    "EnergyNetwork",
    EnergyNetwork,
    _energy_network_from_params,
    arrays=r"(weights|biases)_\d+|output",
    strings={"output"},
)
