// The RBM page: training runs on the server (energynets.learning.contrastive.fit_rbm) in a job
// of this tab; the page follows its reports as server-sent events and draws the monitored
// curve, the filters and the daydreaming chains it receives. The latest report is kept in
// #status's data attributes (data-status, data-epoch) and the chains in #samples's
// data-samples (the pictures as '0'/'1' strings joined by ',').
"use strict";

(() => {
  const { api, drawChart, range, drawPictures, follow, COLORS, $, say, setStatus, guarded } =
    playground;
  const LABELS = {
    log_likelihood: "exact mean log-likelihood of the training patterns (nats)",
    reconstruction_error: "reconstruction error (mean squared, per pixel)",
  };
  const DEFAULTS = {
    bars: { hidden: 8, method: "cd", "learning-rate": 0.1, epochs: 1000, "batch-size": 5 },
    digits: { hidden: 64, method: "pcd", "learning-rate": 0.05, epochs: 30, "batch-size": 10 },
  };
  let training = false;

  function setBusy(busy) {
    training = busy;
    $("train").disabled = busy;
    $("cancel").disabled = !busy;
    $("daydream").disabled = busy || $("samples").dataset.samples === undefined;
  }

  function showPictures(report) {
    const [height, width] = report.shape;
    const scale = Math.max(2, Math.floor(48 / Math.max(height, width)));
    drawPictures($("filters"), report.filters, height, width, scale);
    drawPictures($("samples"), report.samples, height, width, scale);
    $("samples").dataset.samples = report.samples.join(",");
  }

  function show(report) {
    setStatus(report.status);
    $("status").dataset.epoch = report.epoch || 0;
    $("progress").value = report.progress;
    if (report.error) say(report.error);
    if (!report.curve) return;
    const values = report.curve[report.monitor];
    const [low, high] = range(values);
    drawChart($("curve"), [{ values, xs: report.curve.epoch, color: COLORS[0] }], low, high,
      LABELS[report.monitor], "epoch");
    const last = values[values.length - 1];
    $("readout").textContent = `epoch ${report.epoch} of ${report.epochs}, ` +
      `${report.seconds.toFixed(1)} s: ${report.monitor.replace("_", " ")} = ` +
      `${last === null ? "not finite" : last.toFixed(4)}`;
    showPictures(report);
  }

  const number = (id) => Number($(id).value);
  $("dataset").addEventListener("change", () => {
    const preset = DEFAULTS[$("dataset").value];
    for (const [id, value] of Object.entries(preset)) $(id).value = value;
    $("side-label").hidden = $("dataset").value !== "bars";
  });

  $("train").addEventListener("click", () => guarded(async () => {
    setBusy(true);
    try {
      show(await api("rbm", "train", {
        dataset: $("dataset").value, side: number("side"), hidden: number("hidden"),
        method: $("method").value, k: number("k"), learning_rate: number("learning-rate"),
        epochs: number("epochs"), batch_size: number("batch-size"), steps: number("steps"),
        seed: number("seed"),
      }));
      await follow("rbm", show);
      show(await api("rbm", "progress", {}));
    } finally {
      setBusy(false);
    }
  }));

  $("cancel").addEventListener("click", () => guarded(async () => {
    show(await api("rbm", "cancel", {}));
  }));

  $("daydream").addEventListener("click", () => guarded(async () => {
    if (training) return;
    showPictures(await api("rbm", "daydream", { steps: number("steps") }));
  }));
})();
