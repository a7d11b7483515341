// The Ising page: a periodic lattice animating under the package's checkerboard sampler. The
// server holds the tab's spins and random generator and runs every sweep
// (energynets.sampling.gibbs.checkerboard); this script asks for one frame at a time, draws the
// spins it receives and the traces. The lattice is in the canvas's data-spins attribute, a
// string of '0'/'1' row by row ('1' is spin +1), with data-magnetisation, data-energy,
// data-temperature and data-frames beside it; the run's status in #status's data-status.
"use strict";

(() => {
  const { api, drawChart, legend, $, say, setStatus, guarded } = playground;
  const MAX_TRACE = 300; // frames shown in the traces
  const BLUE = "#1f77b4", RED = "#d62728", GREEN = "#2ca02c", GREY = "#7f7f7f";

  const page = {
    side: 128, spins: "", running: false, frames: 0, theory: null,
    magnetisations: [], energies: [], last: null,
  };

  function setBusy(busy) {
    $("start").disabled = busy || !page.spins;
    $("stop").disabled = !busy;
    $("randomise").disabled = busy;
    $("all-up").disabled = busy;
  }
  const temperature = () => Number($("temperature").value);

  // -- the lattice -------------------------------------------------------------------------
  const canvas = $("lattice");
  // One canvas pixel per spin, scaled up by the style (pixelated): a 128 x 128 frame is
  // one putImageData.
  function drawLattice() {
    const side = page.side, ctx = canvas.getContext("2d");
    if (canvas.width !== side) canvas.width = canvas.height = side;
    const image = ctx.createImageData(side, side), pixels = image.data;
    for (let k = 0; k < page.spins.length; k++) {
      const up = page.spins[k] === "1";
      pixels[4 * k] = up ? 0x23 : 255;
      pixels[4 * k + 1] = up ? 0x39 : 255;
      pixels[4 * k + 2] = up ? 0x5d : 255;
      pixels[4 * k + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }
  function show(answer) {
    page.side = answer.side;
    page.spins = answer.spins;
    page.last = answer;
    drawLattice();
    Object.assign(canvas.dataset, {
      spins: answer.spins, side: answer.side, magnetisation: answer.magnetisation,
      energy: answer.energy, frames: page.frames, sweeps: answer.sweeps,
      temperature: answer.temperature === undefined ? "" : answer.temperature,
      field: answer.field,
    });
    $("status").dataset.frames = page.frames;
    page.magnetisations.push(answer.magnetisation);
    page.energies.push(answer.energy);
    if (page.magnetisations.length > MAX_TRACE) {
      page.magnetisations.shift();
      page.energies.shift();
    }
    $("readout").textContent =
      `sweep ${answer.sweeps}: m = ${answer.magnetisation.toFixed(3)}, ` +
      `e = ${answer.energy.toFixed(3)} per spin` +
      (answer.temperature === undefined ? "" : answer.exact_energy === null
        ? ` at h = ${answer.field.toFixed(2)} (exact values for h = 0 only)`
        : `; infinite lattice at T = ${answer.temperature.toFixed(2)}: ` +
          `|m| = ${answer.exact_magnetisation.toFixed(3)}, e = ${answer.exact_energy.toFixed(3)}`);
    drawTraces();
  }

  // -- the plots ---------------------------------------------------------------------------
  function dashed(chart, value, ymin, ymax, color) {
    const ctx = chart.getContext("2d"), w = chart.width, h = chart.height, pad = 30;
    const y = h - pad + (2 * pad - h) * (value - ymin) / (ymax - ymin);
    ctx.save();
    ctx.strokeStyle = color;
    ctx.setLineDash([6, 4]);
    ctx.beginPath();
    ctx.moveTo(pad, y);
    ctx.lineTo(w - pad, y);
    ctx.stroke();
    ctx.restore();
  }
  function drawTraces() {
    const last = page.last && page.last.temperature !== undefined ? page.last : null;
    const exact = last && last.exact_energy !== null ? last : null;
    const t = last ? ` (T = ${last.temperature.toFixed(2)}, T_c = 2.269)` : "";
    drawChart($("magnetisation"), [{ values: page.magnetisations, color: BLUE }], -1, 1,
              `magnetisation per spin m, each frame${t}`);
    const low = Math.min(-2, ...page.energies), high = Math.max(0, ...page.energies);
    drawChart($("energy"), [{ values: page.energies, color: BLUE }], low, high,
              `energy per spin e, each frame${t}`);
    if (exact) {
      for (const sign of [1, -1]) dashed($("magnetisation"), sign * exact.exact_magnetisation, -1, 1, RED);
      dashed($("energy"), exact.exact_energy, low, high, RED);
    }
    drawTheory();
  }
  function drawTheory() {
    const chart = $("theory"), theory = page.theory;
    if (!theory) return;
    const ctx = chart.getContext("2d"), w = chart.width, h = chart.height, pad = 30;
    const [t0, t1] = [theory.temperatures[0], theory.temperatures[theory.temperatures.length - 1]];
    const x = (t) => pad + (w - 2 * pad) * (t - t0) / (t1 - t0);
    const y = (v) => h - pad + (2 * pad - h) * (v + 2) / 3; // -2 <= e <= 0 <= |m| <= 1
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = "#222";
    ctx.font = "12px sans-serif";
    ctx.fillText("|m| and e per spin against T (exact: infinite lattice)", pad, 12);
    ctx.strokeStyle = "#bbb";
    ctx.strokeRect(pad, pad, w - 2 * pad, h - 2 * pad);
    ctx.fillText("1", 12, y(1) + 4);
    ctx.fillText("0", 12, y(0) + 4);
    ctx.fillText("-2", 8, y(-2) + 4);
    ctx.fillText(`T = ${t0}`, pad, h - 8);
    ctx.fillText(`${t1}`, w - pad - 10, h - 8);
    for (const values of [theory.magnetisation, theory.energy]) {
      ctx.strokeStyle = GREY;
      ctx.beginPath();
      values.forEach((v, i) => {
        const t = theory.temperatures[i];
        return i ? ctx.lineTo(x(t), y(v)) : ctx.moveTo(x(t), y(v));
      });
      ctx.stroke();
    }
    const tc = theory.critical_temperature;
    ctx.save();
    ctx.strokeStyle = RED;
    ctx.setLineDash([6, 4]);
    ctx.beginPath();
    ctx.moveTo(x(tc), pad);
    ctx.lineTo(x(tc), h - pad);
    ctx.stroke();
    ctx.restore();
    ctx.fillStyle = RED;
    ctx.fillText(`T_c = ${tc.toFixed(3)}`, x(tc) + 4, pad + 12);
    const now = temperature();
    ctx.strokeStyle = "#222";
    ctx.beginPath();
    ctx.moveTo(x(now), pad);
    ctx.lineTo(x(now), h - pad);
    ctx.stroke();
    if (page.last) {
      ctx.fillStyle = BLUE;
      ctx.fillRect(x(now) - 4, y(Math.abs(page.last.magnetisation)) - 4, 8, 8);
      ctx.fillStyle = GREEN;
      ctx.fillRect(x(now) - 4, y(Math.max(-2, page.last.energy)) - 4, 8, 8);
    }
  }

  // -- the chain ---------------------------------------------------------------------------
  async function reset(initial) {
    const side = Number($("side").value);
    if (!(Number.isInteger(side) && side >= 4 && side <= 128 && side % 2 === 0)) {
      say("the side must be an even whole number from 4 to 128");
      return;
    }
    const answer = await api("ising", "reset", {
      side, initial, seed: Number($("seed").value) || 0,
    });
    page.frames = 0;
    page.magnetisations = [];
    page.energies = [];
    show(answer);
    setStatus("idle", initial === "up" ? "all spins up" : "random spins");
    setBusy(false);
  }
  async function animate() {
    page.running = true;
    setBusy(true);
    setStatus("running");
    try {
      while (page.running) {
        const answer = await api("ising", "frame", {
          temperature: temperature(), sweeps: Number($("sweeps").value) || 1,
          rule: $("rule").value, field: Number($("field").value),
        });
        page.frames += 1;
        show(answer);
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      setStatus("stopped", `stopped after ${page.frames} frames`);
    } finally {
      page.running = false;
      setBusy(false);
    }
  }

  legend("traces-legend", [[BLUE, "measured"], [RED, "exact, infinite lattice (Onsager, Yang)"]]);
  legend("theory-legend", [[BLUE, "|m| now"], [GREEN, "e now"],
                           [GREY, "exact curves"], [RED, "T_c"]]);

  // the slider's scale under it, T_c marked (the slider spans the scale's inner width)
  const SLIDER_WIDTH = 360, THUMB = 8;
  $("temperature").style.width = `${SLIDER_WIDTH}px`;
  function drawScale() {
    const chart = $("scale"), ctx = chart.getContext("2d"), slider = $("temperature");
    const t0 = Number(slider.min), t1 = Number(slider.max);
    const x = (t) => THUMB + (chart.width - 2 * THUMB) * (t - t0) / (t1 - t0);
    chart.style.display = "block"; // under the slider, from its left edge
    const margin = Number.parseFloat(chart.style.marginLeft) || 0;
    chart.style.marginLeft = `${slider.offsetLeft - chart.offsetLeft + margin}px`;
    ctx.clearRect(0, 0, chart.width, chart.height);
    ctx.font = "11px sans-serif";
    ctx.fillStyle = "#555";
    for (let t = 1; t <= t1; t++) {
      ctx.fillRect(x(t), 0, 1, 5);
      ctx.fillText(String(t), x(t) - 3, 16);
    }
    const tc = page.theory ? page.theory.critical_temperature : Number($("critical").options[0].value);
    ctx.fillStyle = RED;
    ctx.fillRect(x(tc) - 1, 0, 3, 9);
    ctx.fillText("T_c", x(tc) + 4, 18);
  }
  drawScale();

  $("temperature").addEventListener("input", () => {
    $("temperature-value").textContent = temperature().toFixed(2);
    drawTheory();
  });
  $("field").addEventListener("input", () => {
    $("field-value").textContent = Number($("field").value).toFixed(2);
  });
  $("randomise").addEventListener("click", () => guarded(() => reset("random")));
  $("all-up").addEventListener("click", () => guarded(() => reset("up")));
  $("start").addEventListener("click", () => guarded(animate));
  $("stop").addEventListener("click", () => { page.running = false; });

  guarded(async () => {
    page.theory = await api("ising", "theory", {});
    drawScale();
    await reset("up");
  });
})();
