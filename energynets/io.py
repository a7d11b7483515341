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
names the file. Before reading any data it checks every member's ``.npy`` header: the declared
size against :data:`MAX_ARRAY_ELEMENTS`, and the member's size in the zip against exactly the
header plus the declared array (nothing more, nothing less), so a crafted file cannot make it
allocate gigabytes or decompress a zip bomb, and every byte read is checked against the
member's CRC-32. Pickled objects are never unpickled, whatever the file says.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Mapping
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


# -- the registry ------------------------------------------------------------------------------
def register_model(name: str, cls: type, from_params: FromParams) -> None:
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

    Raises
    ------
    ValueError
        If ``name`` is not an identifier, or is registered already for a different class
        (registering the same name again with the same class replaces ``from_params``).
    TypeError
        If ``cls`` is not a class or ``from_params`` not callable.
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
    _REGISTRY[name] = (cls, from_params)


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
        replaced.

    Raises
    ------
    TypeError
        If the model's class is not registered (see :func:`register_model`).
    OSError
        If the file cannot be written; ``path`` then still holds whatever it held before and
        no temporary file is left behind.

    Notes
    -----
    The archive is written to a temporary file ``.<name>.<random>.tmp`` in the same folder,
    flushed and fsynced, then renamed over ``path`` with :func:`os.replace` (atomic on POSIX
    and Windows within one file system). Readers therefore see either the old file or the
    complete new one, never a partial write.

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
def _scalar_string(arrays: dict[str, np.ndarray], key: str) -> str:
    value = arrays[key]
    if value.shape != () or value.dtype.kind != "U":
        raise BadFile(f"{key} must be a 0-d string array, got {value.dtype} of shape {value.shape}")
    return str(value[()])


def _check_markers(arrays: dict[str, np.ndarray]) -> tuple[str, FromParams]:
    """Check the format markers; return the registered name and its ``from_params``."""
    if "__format__" not in arrays:
        raise BadFile(f"not an energynets model file (no __format__ = {FORMAT_NAME!r} entry)")
    fmt = _scalar_string(arrays, "__format__")
    if fmt != FORMAT_NAME:
        raise BadFile(f"not an energynets model file (__format__ is {fmt!r})")
    if "__format_version__" not in arrays:
        raise BadFile("missing the __format_version__ entry")
    version_array = arrays["__format_version__"]
    if version_array.shape != () or version_array.dtype.kind not in "iu":
        raise BadFile(
            f"__format_version__ must be a 0-d integer, got {version_array.dtype} "
            f"of shape {version_array.shape}"
        )
    version = int(version_array)
    if version > FORMAT_VERSION:
        raise BadFile(
            f"written in format version {version} by a newer energynets; this version reads "
            f"format versions up to {FORMAT_VERSION}, upgrade energynets to load it"
        )
    if version < 1:
        raise BadFile(f"invalid format version {version}")
    if "__class__" not in arrays:
        raise BadFile("missing the __class__ entry")
    name = _scalar_string(arrays, "__class__")
    if name not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY))
        raise BadFile(f"unknown model class {name!r} (known classes: {known})")
    return name, _REGISTRY[name][1]


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
        (dtype included) to those saved.

    Raises
    ------
    ValueError
        If the file is damaged or is not an energynets model file: not a zip archive,
        truncated, a plain ``.npz`` without the format markers, a newer format version, an
        unknown model class, an object (pickled) array, an array whose declared size exceeds
        ``MAX_ARRAY_ELEMENTS`` or differs from its member's, a compression method numpy does
        not write, missing or invalid parameters; or if ``path`` is not a regular file (a
        named pipe or a device). The message is one line naming the file and the problem.
    OSError
        If the file cannot be opened: ``FileNotFoundError``, ``IsADirectoryError`` for a
        directory, ``PermissionError``.

    Notes
    -----
    The file is opened once; the ``.npy`` headers of all members are checked from the zip
    before ``np.load(file, allow_pickle=False)`` reads any array data.
    """
    source = os.fspath(path)
    mode = os.stat(source).st_mode  # FileNotFoundError (an OSError naming the file) if absent
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "a directory is not a model file", source)
    if not stat.S_ISREG(mode):
        # a FIFO would block open() until a writer comes; a device may never end
        raise ValueError(
            f"cannot load '{source}': not a regular file (a named pipe, device or socket); "
            "a model file is an .npz archive"
        )
    with open(source, "rb") as file:
        try:
            arrays = _npz.read_npz(file)
            name, from_params = _check_markers(arrays)
        except BadFile as exc:
            raise ValueError(f"cannot load '{source}': {exc}") from None
    params: dict[str, Any] = {
        key: str(value[()]) if value.dtype.kind == "U" and value.shape == () else value
        for key, value in arrays.items()
        if key not in _MARKERS
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


register_model("HopfieldNetwork", HopfieldNetwork, _hopfield_from_params)


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


register_model("BoltzmannMachine", BoltzmannMachine, _boltzmann_from_params)
register_model("RBM", RBM, _rbm_from_params)


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


register_model("MLP", MLP, _mlp_from_params)


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


register_model("DenseAssociativeMemory", DenseAssociativeMemory, _dense_from_params)
register_model("ModernHopfield", ModernHopfield, _modern_from_params)
register_model("ContinuousHopfield", ContinuousHopfield, _continuous_from_params)


def _dbn_from_params(params: dict[str, Any]) -> DBN:
    for key in params:
        _array(params, key)
    return DBN.from_arrays(params)


register_model("DBN", DBN, _dbn_from_params)


def _classification_rbm_from_params(params: dict[str, Any]) -> ClassificationRBM:
    return ClassificationRBM.from_rbm(_rbm_from_params(params))


register_model("ClassificationRBM", ClassificationRBM, _classification_rbm_from_params)


def _energy_network_from_params(params: dict[str, Any]) -> EnergyNetwork:
    weights, biases = _layers(params, {"output"})
    return EnergyNetwork.from_params(
        weights, biases, output=str(params["output"]), dtype=weights[0].dtype
    )


register_model("EnergyNetwork", EnergyNetwork, _energy_network_from_params)
