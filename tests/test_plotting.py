"""Plotting: each function returns the right object, draws what it says, writes atomically."""

import subprocess
import sys

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from PIL import Image

import energynets as en
from energynets import plotting

SHAPE = (4, 3)
N = SHAPE[0] * SHAPE[1]


@pytest.fixture
def spins():
    return en.datasets.random_patterns(5, N, rng=0)


class StandInCapacity:
    """What capacity_figure needs from a CapacityResult: records (and optional settings)."""

    def __init__(self, rules=("hebbian", "storkey"), n_units=100):
        self.records = []
        for rule in rules:
            for p in (2, 10, 20, 40):
                alpha = p / n_units
                bad = min(1.0, alpha * (3.0 if rule == "hebbian" else 1.0))
                self.records.append(
                    {
                        "rule": rule,
                        "n_units": n_units,
                        "n_patterns": p,
                        "alpha": alpha,
                        "one_step_error": 0.1 * bad,
                        "fraction_fixed": 1.0 - bad,
                        "fraction_recalled": 1.0 - bad,
                        "error_after_relax": 0.3 * bad,
                        "n_trials": 1,
                    }
                )
        self.settings = {"flip_fraction": 0.1}

    def column(self, name, rule=None):
        return np.array([r[name] for r in self.records if rule in (None, r["rule"])])


# -- pattern_grid -------------------------------------------------------------------------------


def test_pattern_grid_assembles_one_mosaic_with_gaps_and_titles(spins):
    ax = plotting.pattern_grid(spins, SHAPE, titles="abcde", n_cols=3)
    assert isinstance(ax, Axes)
    mosaic = np.asarray(ax.images[0].get_array())
    # 2 rows of 3 tiles, 1-pixel gaps between tiles, a taller gap between titled rows
    assert mosaic.shape[1] == 3 * SHAPE[1] + 2
    assert mosaic.shape[0] > 2 * SHAPE[0] + 1
    assert np.array_equal(mosaic[: SHAPE[0], : SHAPE[1]], spins[0].reshape(SHAPE))
    assert np.array_equal(
        mosaic[: SHAPE[0], SHAPE[1] + 1 : 2 * SHAPE[1] + 1], spins[1].reshape(SHAPE)
    )
    assert [t.get_text() for t in ax.texts] == list("abcde")
    assert np.isnan(mosaic).sum() > 0  # gaps and the missing sixth tile


def test_pattern_grid_draws_into_a_given_axes_and_takes_one_state(spins):
    fig = Figure()
    ax = fig.add_subplot()
    assert plotting.pattern_grid(spins[0], SHAPE, ax=ax) is ax
    assert np.asarray(ax.images[0].get_array()).shape == SHAPE


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"shape": (5, 3)}, ValueError, "patterns must have height \\* width = 15 columns"),
        ({"shape": (4,)}, TypeError, "shape must be a pair"),
        ({"titles": ["a"]}, ValueError, "titles must have 5 entries"),
        ({"n_cols": 0}, ValueError, "n_cols must be >= 1"),
    ],
)
def test_pattern_grid_errors(spins, kwargs, error, match):
    kwargs = {"shape": SHAPE, **kwargs}
    with pytest.raises(error, match=match):
        plotting.pattern_grid(spins, **kwargs)


def test_pattern_grid_rejects_3d_input(spins):
    with pytest.raises(ValueError, match="patterns must be a 1-D or 2-D array"):
        plotting.pattern_grid(spins.reshape(5, *SHAPE), SHAPE)


# -- recall_figure ------------------------------------------------------------------------------


def test_recall_figure_three_rows_with_overlaps_and_a_verdict(spins):
    corrupted = en.corrupt(spins, 0.25, rng=1)
    recalled = spins.copy()
    recalled[1] *= -1  # a wrong recall (the mirror image)
    fig = plotting.recall_figure(spins, corrupted, recalled, SHAPE, labels="ABCDE")
    assert isinstance(fig, Figure)
    stored_ax, corrupted_ax, recalled_ax = fig.axes
    assert [t.get_text() for t in stored_ax.texts] == list("ABCDE")
    assert corrupted_ax.texts[0].get_text() == "m = 0.50"  # 3 of 12 flipped: 1 - 2 * 3/12
    assert recalled_ax.texts[0].get_text() == "m = 1.00"
    assert recalled_ax.texts[1].get_text() == "m = -1.00"
    assert recalled_ax.texts[0].get_color() != recalled_ax.texts[1].get_color()
    assert recalled_ax.get_ylabel() == "recalled"


def test_recall_figure_compares_several_recalls(spins):
    fig = plotting.recall_figure(spins, spins, {"hebbian": spins, "storkey": spins}, SHAPE)
    assert [ax.get_ylabel() for ax in fig.axes] == ["stored", "corrupted", "hebbian", "storkey"]


def test_recall_figure_rejects_mismatched_rows(spins):
    with pytest.raises(ValueError, match="recalled must have the shape of stored"):
        plotting.recall_figure(spins, spins, spins[:3], SHAPE)
    with pytest.raises(ValueError, match="labels must have 5 entries"):
        plotting.recall_figure(spins, spins, spins, SHAPE, labels="AB")


# -- traces and weights -------------------------------------------------------------------------


def test_energy_trace_one_line_per_probe():
    energies = np.array([[-1.0, -2.0], [-3.0, -2.5], [-4.0, -2.5]])
    ax = plotting.energy_trace(energies, labels=["a", "b"])
    assert isinstance(ax, Axes)
    assert len(ax.lines) == 2
    assert np.array_equal(ax.lines[1].get_ydata(), [-2.0, -2.5, -2.5])
    assert np.array_equal(ax.lines[0].get_xdata(), [0, 1, 2])
    assert ax.get_legend() is not None
    # a single probe, and rows placed at fractions of a sweep
    ax = plotting.energy_trace(energies[:, 0], sweeps=[0.0, 0.5, 1.0])
    assert np.array_equal(ax.lines[0].get_xdata(), [0.0, 0.5, 1.0])


def test_energy_trace_errors():
    with pytest.raises(ValueError, match="energies must be a 1-D or 2-D array"):
        plotting.energy_trace(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="sweeps must have one entry per row \\(3\\)"):
        plotting.energy_trace(np.zeros((3, 2)), sweeps=[0, 1])


def test_overlap_trace_target_and_crosstalk_lines():
    net = en.HopfieldNetwork.from_patterns(en.datasets.random_patterns(3, 40, rng=0))
    res = net.recall(en.corrupt(net.patterns, 0.2, rng=1), rng=2)
    ax = plotting.overlap_trace(res.overlaps, labels=["a", "b", "c"])
    assert isinstance(ax, Axes)
    # per probe: the overlap with its own pattern and the largest other one, plus m = 1 line
    assert len(ax.lines) == 2 * 3 + 1
    assert np.allclose(ax.lines[0].get_ydata(), res.overlaps[:, 0, 0])
    # one probe, all patterns
    ax = plotting.overlap_trace(res.overlaps[:, 0, :])
    assert len(ax.lines) == 3 + 1


def test_overlap_trace_errors():
    with pytest.raises(ValueError, match="overlaps must be a 2-D or 3-D array"):
        plotting.overlap_trace(np.zeros(4))
    with pytest.raises(ValueError, match="targets must lie in \\[0, 1\\]"):
        plotting.overlap_trace(np.zeros((3, 2, 2)), targets=np.array([0, 5]))


def test_weight_matrix_symmetric_scale_and_colorbar():
    w = en.HopfieldNetwork.from_patterns(en.datasets.random_patterns(2, 10, rng=0)).weights
    ax = plotting.weight_matrix(w)
    assert isinstance(ax, Axes)
    low, high = ax.images[0].get_clim()
    assert low == -high == -np.abs(w).max()
    assert len(ax.figure.axes) == 2  # the matrix and its color bar
    assert len(plotting.weight_matrix(np.zeros((3, 3)), colorbar=False).figure.axes) == 1
    with pytest.raises(ValueError, match="weights must be a 2-D array"):
        plotting.weight_matrix(np.zeros(4))


# -- restricted Boltzmann machines -------------------------------------------------------------


def test_rbm_filters_one_tile_per_hidden_unit_each_on_its_own_scale():
    # 12 visible units as 4 x 3 images, 5 hidden units; unit j's column scaled by (j + 1)
    base = np.linspace(-1.0, 1.0, N)
    w = np.stack([(j + 1) * np.roll(base, j) for j in range(5)], axis=1)
    ax = plotting.rbm_filters(w, SHAPE, n_cols=3)
    assert isinstance(ax, Axes)
    mosaic = np.asarray(ax.images[0].get_array())
    # 2 rows of 3 tiles with 1-pixel gaps
    assert mosaic.shape == (2 * SHAPE[0] + 1, 3 * SHAPE[1] + 2)
    # "each": every tile is its column over the column's largest |weight|, so all tiles of
    # these scaled copies reach exactly +-1
    tile_1 = mosaic[: SHAPE[0], SHAPE[1] + 1 : 2 * SHAPE[1] + 1]
    assert np.allclose(tile_1, np.roll(base, 1).reshape(SHAPE))
    tile_4 = mosaic[SHAPE[0] + 1 :, SHAPE[1] + 1 : 2 * SHAPE[1] + 1]
    assert np.allclose(tile_4, np.roll(base, 4).reshape(SHAPE))
    assert np.isnan(mosaic[SHAPE[0] + 1 :, 2 * SHAPE[1] + 2 :]).all()  # no sixth unit
    assert ax.images[0].get_clim() == (-1.0, 1.0)
    # "all": one scale, the largest weight of all (5), so unit 0 stays faint
    shared = np.asarray(plotting.rbm_filters(w, SHAPE, scale="all").images[0].get_array())
    assert np.allclose(shared[: SHAPE[0], : SHAPE[1]], base.reshape(SHAPE) / 5.0)


def test_rbm_filters_draws_into_an_axes_and_keeps_the_first_units():
    w = np.arange(2.0 * N).reshape(N, 2) - N
    fig = Figure()
    ax = fig.add_subplot()
    assert plotting.rbm_filters(w, SHAPE, n_filters=1, ax=ax, title="W") is ax
    assert np.asarray(ax.images[0].get_array()).shape == SHAPE
    assert ax.get_title() == "W"
    assert np.allclose(plotting.rbm_filters(np.zeros((N, 3)), SHAPE).images[0].get_array(), 0)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"shape": (5, 3)}, ValueError, "must have height \\* width = 15 columns"),
        ({"n_filters": 4}, ValueError, "n_filters must be <= n_hidden = 3, got 4"),
        ({"n_filters": 0}, ValueError, "n_filters"),
        ({"scale": "row"}, ValueError, "scale must be 'each' or 'all', got 'row'"),
        ({"weights": np.zeros(N)}, ValueError, "weights must be a 2-D array"),
    ],
)
def test_rbm_filters_errors(kwargs, error, match):
    args = {"weights": np.ones((N, 3)), "shape": SHAPE, **kwargs}
    with pytest.raises(error, match=match):
        plotting.rbm_filters(args.pop("weights"), args.pop("shape"), **args)


def test_learning_curve_training_validation_and_optimum():
    history = {
        "epoch": [0, 1, 2],
        "log_likelihood": [-5.0, -4.0, -3.5],
        "log_likelihood_validation": [-5.5, None, -4.0],  # None: a JSON null
        "reconstruction_error": [0.3, 0.2, 0.1],
    }
    ax = plotting.learning_curve(history, optimum=-np.log(14), optimum_label="best")
    assert isinstance(ax, Axes)
    train, valid, best = ax.lines
    assert list(train.get_xdata()) == [1, 2, 3]  # epochs trained
    assert list(train.get_ydata()) == [-5.0, -4.0, -3.5]
    assert np.isnan(valid.get_ydata()[1]) and valid.get_ydata()[2] == -4.0
    assert best.get_ydata()[0] == pytest.approx(-np.log(14))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training", "validation", "best"]
    assert "log-likelihood" in ax.get_ylabel()
    # another quantity, into a given Axes; without "epoch" the x axis counts from 1
    fig = Figure()
    ax2 = fig.add_subplot()
    del history["epoch"]
    assert plotting.learning_curve(history, "reconstruction_error", ax2) is ax2
    assert len(ax2.lines) == 1 and list(ax2.lines[0].get_xdata()) == [1, 2, 3]
    assert ax2.get_legend() is None


def test_learning_curve_of_a_fit_rbm_history_draws_the_pseudo_likelihood():
    data = en.datasets.bars_and_stripes(2)
    _, history = en.fit_rbm(en.RBM(4, 3), data, n_epochs=2, batch_size=3, rng=0)
    ax = plotting.learning_curve(history)  # no log_likelihood: the first present
    assert "pseudo" in ax.get_ylabel()
    assert np.allclose(ax.lines[0].get_ydata(), history["pseudo_likelihood"])
    free = plotting.learning_curve(history, "free_energy")
    assert np.allclose(free.lines[0].get_ydata(), history["free_energy_train"])


def test_learning_curve_errors():
    with pytest.raises(TypeError, match="history must be a mapping"):
        plotting.learning_curve([1, 2])
    with pytest.raises(ValueError, match="history holds none of the quantities"):
        plotting.learning_curve({"epoch": [0]})
    with pytest.raises(ValueError, match="quantity must be one of .* got 'precision'"):
        plotting.learning_curve({"log_likelihood": [1.0]}, "precision")
    with pytest.raises(ValueError, match="no 'pseudo_likelihood' entries"):
        plotting.learning_curve({"log_likelihood": [1.0]}, "pseudo_likelihood")
    with pytest.raises(ValueError, match="one entry per epoch \\(2\\), got 1"):
        plotting.learning_curve({"log_likelihood": [1.0, 2.0], "log_likelihood_validation": [1]})
    with pytest.raises(TypeError, match="history\\['log_likelihood'\\] must be a sequence"):
        plotting.learning_curve({"log_likelihood": ["a"]})


def test_learning_curve_of_a_fit_mlp_history_draws_loss_and_accuracy():
    X, y = en.datasets.load_digits()
    net = en.MLP([64, 8, 10], rng=0)
    _, history = en.fit_mlp(net, X[:200] / 16.0, y[:200], n_epochs=3, validation_data=0.25)
    ax = plotting.learning_curve(history)  # no RBM quantity: the loss
    train, valid = ax.lines
    assert list(train.get_xdata()) == [1, 2, 3]
    assert np.array_equal(train.get_ydata(), history["loss"])
    assert np.array_equal(valid.get_ydata(), history["validation_loss"])
    assert ax.get_ylabel() == "mean loss"
    acc = plotting.learning_curve(history, "accuracy", optimum=0.9, optimum_label="test")
    train, valid, test = acc.lines
    assert np.array_equal(train.get_ydata(), history["accuracy"])
    assert np.array_equal(valid.get_ydata(), history["validation_accuracy"])
    assert test.get_ydata()[0] == 0.9
    assert [t.get_text() for t in acc.get_legend().get_texts()] == [
        "training",
        "validation",
        "test",
    ]


def test_rbm_samples_figure_one_row_per_record_and_a_data_row():
    samples = np.zeros((3, 4, N))
    samples[2, 1] = 1.0
    data = np.ones((6, N))
    fig = plotting.rbm_samples_figure(samples, SHAPE, steps=[1, 10, 100], data=data, title="t")
    assert isinstance(fig, Figure)
    assert [ax.get_ylabel() for ax in fig.axes] == ["data", "step 1", "step 10", "step 100"]
    # bits drawn as spins: 1 -> +1 (ink), 0 -> -1; the data row keeps one image per chain
    last = np.asarray(fig.axes[3].images[0].get_array())
    assert np.allclose(last[:, SHAPE[1] + 1 : 2 * SHAPE[1] + 1], 1.0)
    assert np.allclose(last[:, : SHAPE[1]], -1.0)
    assert np.asarray(fig.axes[0].images[0].get_array()).shape == last.shape
    plain = plotting.rbm_samples_figure(samples[:1], SHAPE)
    assert [ax.get_ylabel() for ax in plain.axes] == ["record 1"]


def test_rbm_samples_figure_errors():
    with pytest.raises(ValueError, match="samples must be a 3-D array"):
        plotting.rbm_samples_figure(np.zeros((4, N)), SHAPE)
    with pytest.raises(ValueError, match="samples must lie in \\[0, 1\\]"):
        plotting.rbm_samples_figure(-np.ones((1, 2, N)), SHAPE)
    with pytest.raises(ValueError, match="steps must have 2 entries"):
        plotting.rbm_samples_figure(np.zeros((2, 2, N)), SHAPE, steps=[1])
    with pytest.raises(ValueError, match="data must have height \\* width = 12 columns"):
        plotting.rbm_samples_figure(np.zeros((1, 2, N)), SHAPE, data=np.zeros((2, 5)))


# -- capacity -----------------------------------------------------------------------------------


# -- confusion_matrix_plot ----------------------------------------------------------------------


def _cell_texts(ax):
    return {
        (round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts
    }


def test_confusion_matrix_plot_counts_by_hand():
    # true 0 0 0 1 1 2, predicted 0 0 1 1 1 0: C = [[2, 1, 0], [0, 2, 0], [1, 0, 0]]
    y_true = [0, 0, 0, 1, 1, 2]
    y_pred = np.array([0, 0, 1, 1, 1, 0])
    ax = plotting.confusion_matrix_plot(y_true, y_pred)
    assert isinstance(ax, Axes)
    shares = np.asarray(ax.images[0].get_array())
    assert np.allclose(shares, [[2 / 3, 1 / 3, 0], [0, 1, 0], [1, 0, 0]])
    # counts written in the cells; zero cells off the diagonal left blank, the diagonal kept
    assert _cell_texts(ax) == {(0, 0): "2", (0, 1): "1", (1, 1): "2", (2, 0): "1", (2, 2): "0"}
    assert ax.get_title() == "accuracy 66.67% (6 samples)"
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1", "2"]
    assert len(ax.get_figure().axes) == 2  # the color bar
    # inputs untouched
    assert y_pred.tolist() == [0, 0, 1, 1, 1, 0]


def test_confusion_matrix_plot_options_and_a_given_axes():
    fig = Figure()
    ax = fig.add_subplot()
    out = plotting.confusion_matrix_plot(
        [0, 1, 1, 1], [0, 1, 1, 0], ax, n_classes=4, class_names=["cat", "dog", "emu", "yak"],
        normalize=True, title="pets",
    )  # fmt: skip
    assert out is ax
    assert np.asarray(ax.images[0].get_array()).shape == (4, 4)
    texts = _cell_texts(ax)
    assert texts[(1, 1)] == "67" and texts[(1, 0)] == "33" and texts[(0, 0)] == "100"
    assert texts[(3, 3)] == "0"  # a class with no samples: share 0
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "emu", "yak"]
    assert ax.get_title() == "pets"
    quiet = plotting.confusion_matrix_plot([0, 1], [1, 0], annotate=False)
    assert len(quiet.texts) == 0


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (([0, 1], [0]), {}, ValueError, "same length, got 2 and 1"),
        (([[0, 1]], [0, 1]), {}, ValueError, "y_true must be a 1-D array"),
        (([], []), {}, ValueError, "y_true must not be empty"),
        (([0, -1], [0, 1]), {}, ValueError, "y_true must hold class labels >= 0"),
        (([0, 1], [0.5, 1]), {}, ValueError, "y_pred must hold integer class labels"),
        (([0, 1], [True, False]), {}, TypeError, "y_pred must hold integer class labels"),
        (([0, 3], [0, 1]), {"n_classes": 3}, ValueError, "labels reach 3, got n_classes=3"),
        (([0, 1], [0, 1]), {"class_names": ["a"]}, ValueError, "class_names must have 2"),
    ],
)
def test_confusion_matrix_plot_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        plotting.confusion_matrix_plot(*args, **kwargs)


def test_capacity_figure_from_a_stand_in():
    result = StandInCapacity()
    fig = plotting.capacity_figure(result)
    assert isinstance(fig, Figure)
    panels = fig.axes
    assert len(panels) == 4
    xs = [line.get_xdata() for line in panels[0].lines]
    vertical = {float(x[0]) for x in xs if len(x) == 2 and x[0] == x[1]}
    # alpha_c, McEliece 1/(2 ln N) and 1/(4 ln N), Storkey 1/sqrt(2 ln N), at N = 100
    expected = {0.138, 1 / (2 * np.log(100)), 1 / (4 * np.log(100)), 1 / np.sqrt(2 * np.log(100))}
    assert np.allclose(sorted(vertical), sorted(expected))
    # per rule one line of points in every panel; the first panel also has the erfc law
    hebbian = [line for line in panels[2].lines if line.get_label() == "hebbian"]
    assert np.allclose(hebbian[0].get_ydata(), result.column("fraction_recalled", "hebbian"))
    theory = [line for line in panels[0].lines if "erfc" in str(line.get_label())]
    assert len(theory) == 1
    x, y = theory[0].get_data()
    from scipy.special import erfc

    assert np.allclose(y, 0.5 * erfc(np.sqrt(1 / (2 * np.asarray(x)))))
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any("α_c = 0.138" in t for t in labels)
    assert any("Storkey" in t for t in labels) and any("McEliece" in t for t in labels)


def test_capacity_figure_from_run_capacity():
    from energynets.experiments.capacity import run_capacity

    result = run_capacity(n_units=30, alphas=[0.1, 0.3], rules=["hebbian"], rng=0)
    assert isinstance(plotting.capacity_figure(result), Figure)


def test_capacity_figure_errors():
    with pytest.raises(ValueError, match="non-empty list of records"):
        plotting.capacity_figure(object())
    bad = StandInCapacity()
    del bad.records[0]["fraction_fixed"]
    with pytest.raises(ValueError, match="fraction_fixed"):
        plotting.capacity_figure(bad)


# -- files --------------------------------------------------------------------------------------


def test_save_figure_writes_atomically(tmp_path, spins):
    ax = plotting.pattern_grid(spins, SHAPE)
    path = plotting.save_figure(ax.figure, tmp_path / "grid.png", dpi=50)
    assert path == tmp_path / "grid.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["grid.png"]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        plotting.save_figure(ax.figure, tmp_path / "missing" / "grid.png")


def _trajectory():
    from energynets.sampling.dynamics import trajectory

    xi = en.datasets.random_patterns(2, N, rng=0)
    net = en.HopfieldNetwork.from_patterns(xi)
    frames, energies = trajectory(net, en.corrupt(xi[0], 0.25, rng=1), record_every=1, rng=2)
    return xi, frames, energies


def test_recall_animation_writes_a_gif(tmp_path):
    xi, frames, energies = _trajectory()
    path = plotting.recall_animation(
        frames, energies, SHAPE, tmp_path / "a.gif", fps=5, pattern=xi[0], hold=0.0, dpi=40
    )
    assert path == tmp_path / "a.gif"
    with Image.open(path) as gif:
        assert gif.format == "GIF"
        assert gif.is_animated == (len(frames) > 1)
    assert [p.name for p in tmp_path.iterdir()] == ["a.gif"]


def test_recall_animation_errors_leave_no_file(tmp_path):
    xi, frames, energies = _trajectory()
    with pytest.raises(ValueError, match="energies must have one value per frame"):
        plotting.recall_animation(frames, energies[:-1], SHAPE, tmp_path / "a.gif")
    with pytest.raises(ValueError, match="path must end in .gif"):
        plotting.recall_animation(frames, energies, SHAPE, tmp_path / "a.png")
    with pytest.raises(ValueError, match="frames must have height \\* width = 15 columns"):
        plotting.recall_animation(frames, energies, (5, 3), tmp_path / "a.gif")
    with pytest.raises(ValueError, match="pattern must have 12 entries"):
        plotting.recall_animation(frames, energies, SHAPE, tmp_path / "a.gif", pattern=xi[0][:5])
    assert list(tmp_path.iterdir()) == []


def test_recall_animation_failure_keeps_the_old_file(tmp_path, monkeypatch):
    _, frames, energies = _trajectory()
    target = tmp_path / "a.gif"
    target.write_bytes(b"old")

    def broken_save(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        plotting.recall_animation(frames, energies, SHAPE, target, dpi=40)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.gif"]


def test_importing_plotting_does_not_import_matplotlib():
    code = "import sys, energynets.plotting; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
