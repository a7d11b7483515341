// The EP page: both trainings run on the server (energynets.learning.eqprop.fit_eqprop and
// energynets.learning.backprop.fit_mlp) in a job of this tab, one epoch of each in turn; the
// page follows the job's reports as server-sent events and draws the two learning curves.
// The latest test errors are in #status's data attributes (data-status, data-epoch,
// data-ep-error, data-backprop-error).
"use strict";

(() => {
  const { api, drawChart, range, follow, legend, $, say, setStatus, guarded } = playground;
  const SIDES = [["ep", "equilibrium propagation", "#d62728"],
                 ["backprop", "backprop", "#1f77b4"]];

  legend("legend", SIDES.map(([, name, color]) => [color, name]));

  function setBusy(busy) {
    $("train").disabled = busy;
    $("cancel").disabled = !busy;
  }

  function chart(id, name, title, fromZero) {
    const lines = SIDES.map(([side, , color]) => {
      const values = lastReport.curves[side][name];
      return { values, xs: values.map((_, i) => i + 1), color };
    });
    let [low, high] = range(...lines.map((line) => line.values));
    if (fromZero) low = 0;
    drawChart($(id), lines, low, high, title, "epoch");
  }

  let lastReport = null;
  function show(report) {
    setStatus(report.status);
    $("status").dataset.epoch = report.epoch || 0;
    $("progress").value = report.progress;
    if (report.error) say(report.error);
    if (!report.curves) return;
    lastReport = report;
    chart("test-error", "test_error", `test error (${report.n_test} held-out digits)`, true);
    chart("loss", "loss", "training loss (cross-entropy)", true);
    chart("seconds", "seconds", "seconds of training", true);
    const text = SIDES.map(([side, name]) => {
      const errors = report.curves[side].test_error;
      const error = errors[errors.length - 1];
      $("status").dataset[side === "ep" ? "epError" : "backpropError"] = error;
      return `${name} ${(100 * error).toFixed(1)}%`;
    });
    $("readout").textContent = `epoch ${report.epoch} of ${report.epochs}, test error: ` +
      text.join(", ");
  }

  const number = (id) => Number($(id).value);
  $("train").addEventListener("click", () => guarded(async () => {
    setBusy(true);
    try {
      show(await api("eqprop", "train", {
        hidden: number("hidden"), epochs: number("epochs"), batch_size: number("batch-size"),
        ep_learning_rate: number("ep-learning-rate"), beta: number("beta"),
        n_free: number("n-free"), n_nudged: number("n-nudged"),
        bp_learning_rate: number("bp-learning-rate"), seed: number("seed"),
      }));
      await follow("eqprop", show);
      show(await api("eqprop", "progress", {}));
    } finally {
      setBusy(false);
    }
  }));

  $("cancel").addEventListener("click", () => guarded(async () => {
    show(await api("eqprop", "cancel", {}));
  }));
})();
