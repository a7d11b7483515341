// The Hopfield page: draw, store, corrupt and recall. The server stores the patterns, flips
// the pixels and runs every sweep of the dynamics (energynets.HopfieldNetwork); this script
// draws the grid and the traces. The grid's state is in the canvas's data-state attribute, a
// string of '0'/'1' row by row, and the run's status in #status's data-status.
"use strict";

(() => {
  const { api, drawChart, paint, COLORS, $, say, setStatus, guarded } = playground;
  const GLYPHS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const MAX_SWEEPS = 200; // a run with no fixed point (a 2-cycle, T > 0) stops here
  const FRAME_MS = 40;

  const page = {
    height: 16, width: 12, grid: "", patterns: [], stored: false,
    energies: [], overlaps: [], running: false, sweeps: 0,
  };

  // -- messages and status -------------------------------------------------------------
  const sweeps = (n) => `${n} sweep${n === 1 ? "" : "s"}`;
  function setBusy(busy) {
    $("step").disabled = busy || !page.stored;
    $("recall").disabled = busy || !page.stored;
    $("stop").disabled = !busy;
    $("store").disabled = busy || page.patterns.length === 0;
    $("store-more").disabled = busy || !page.stored;
  }

  // -- the grid --------------------------------------------------------------------------
  const canvas = $("grid");
  function cellSize() { return Math.floor(400 / Math.max(page.height, page.width)); }
  function drawGrid() {
    paint(canvas, page.grid, page.height, page.width, cellSize());
    canvas.dataset.state = page.grid;
    canvas.dataset.height = page.height;
    canvas.dataset.width = page.width;
  }
  function setGrid(bits) { page.grid = bits; drawGrid(); }
  function setCell(index, value) {
    page.grid = page.grid.slice(0, index) + value + page.grid.slice(index + 1);
  }
  function cellAt(event) {
    const rect = canvas.getBoundingClientRect(), size = cellSize();
    const j = Math.floor((event.clientX - rect.left) / size);
    const i = Math.floor((event.clientY - rect.top) / size);
    return i >= 0 && i < page.height && j >= 0 && j < page.width ? i * page.width + j : -1;
  }
  let brush = null; // the value a drag paints, set by the cell it starts on
  canvas.addEventListener("pointerdown", (event) => {
    const index = cellAt(event);
    if (index < 0 || page.running) return;
    brush = page.grid[index] === "1" ? "0" : "1";
    setCell(index, brush);
    drawGrid();
  });
  canvas.addEventListener("pointermove", (event) => {
    const index = cellAt(event);
    if (brush === null || index < 0 || page.grid[index] === brush) return;
    setCell(index, brush);
    drawGrid();
  });
  window.addEventListener("pointerup", () => {
    if (brush !== null) { brush = null; guarded(measure); }
  });

  function newGrid() {
    const height = Number($("height").value), width = Number($("width").value);
    if (!(Number.isInteger(height) && Number.isInteger(width) && height >= 2 && width >= 2
          && height <= 64 && width <= 64)) {
      say("height and width must be whole numbers from 2 to 64");
      return;
    }
    Object.assign(page, { height, width, patterns: [], stored: false });
    setGrid("0".repeat(height * width));
    showPatterns();
    resetTraces();
    $("load").textContent = "No patterns stored.";
    setBusy(false);
  }

  // -- patterns --------------------------------------------------------------------------
  function thumbnail(bits) {
    const small = document.createElement("canvas");
    paint(small, bits, page.height, page.width, Math.max(1, Math.floor(48 / page.width)));
    return small;
  }
  function showPatterns() {
    const box = $("patterns");
    box.replaceChildren();
    page.patterns.forEach((pattern, k) => {
      const small = thumbnail(pattern.bits);
      small.dataset.bits = pattern.bits;
      small.dataset.label = pattern.label;
      small.title = `pattern ${k + 1}: ${pattern.label}`;
      small.style.outline = `2px solid ${COLORS[k % COLORS.length]}`;
      small.addEventListener("click", () => { setGrid(pattern.bits); guarded(measure); });
      box.appendChild(small);
    });
    setBusy(page.running);
  }
  function addPattern(bits, label) {
    page.patterns.push({ bits, label });
    page.stored = false;
    showPatterns();
  }
  function showLoad(load) {
    const fixed = load.fixed_points.filter(Boolean).length;
    $("load").textContent =
      `P = ${load.n_patterns} patterns in N = ${load.n_units} units: alpha = P/N = ` +
      `${load.alpha.toFixed(3)}; the theory's alpha_c = ${load.alpha_c.toFixed(3)} ` +
      `(${load.rule}; error-free limit of McEliece et al.: ${load.mceliece_alpha.toFixed(3)}). ` +
      `${fixed} of ${load.n_patterns} patterns are fixed points.`;
    $("load").dataset.alpha = load.alpha;
    $("load").dataset.alphaC = load.alpha_c;
  }
  const grid = () => ({ height: page.height, width: page.width });

  // -- traces ----------------------------------------------------------------------------
  function resetTraces() {
    page.energies = [];
    page.overlaps = [];
    page.sweeps = 0;
    drawTraces();
  }
  function record(answer) {
    page.energies.push(answer.energy);
    answer.overlaps.forEach((m, k) => { (page.overlaps[k] = page.overlaps[k] || []).push(m); });
    drawTraces();
  }
  function drawTraces() {
    const energies = page.energies;
    drawChart($("energy"), [{ values: energies, color: "#23395d" }],
              Math.min(...energies, 0), Math.max(...energies, 0), "energy E(s)");
    const lines = page.overlaps.map((values, k) => ({ values, color: COLORS[k % COLORS.length] }));
    drawChart($("overlaps"), lines, -1, 1, "overlap m = s . xi / N with each pattern");
    $("legend").replaceChildren(...page.patterns.map((p, k) => {
      const span = document.createElement("span");
      span.style.color = COLORS[k % COLORS.length];
      span.textContent = `\u25a0 ${p.label}`;
      return span;
    }));
  }
  async function measure() {
    if (!page.stored) return;
    resetTraces();
    record(await api("hopfield", "measure", { ...grid(), state: page.grid }));
  }

  // -- dynamics --------------------------------------------------------------------------
  function dynamics() {
    return { dynamics: $("dynamics").value, temperature: Number($("temperature").value) };
  }
  async function step() {
    const answer = await api("hopfield", "step", { ...grid(), state: page.grid, ...dynamics() });
    setGrid(answer.state);
    page.sweeps += 1;
    record(answer);
    $("status").dataset.sweeps = page.sweeps;
    return answer;
  }
  async function recall() {
    page.running = true;
    setBusy(true);
    setStatus("running");
    try {
      let done = false;
      while (page.running && !done) {
        const answer = await step();
        const zeroTemperature = $("dynamics").value !== "glauber";
        done = (zeroTemperature && answer.converged) || page.sweeps >= MAX_SWEEPS;
        if (!done) await new Promise((resolve) => setTimeout(resolve, FRAME_MS));
        if (done) {
          setStatus(answer.converged && zeroTemperature ? "converged" : "stopped",
                    answer.converged && zeroTemperature
                      ? `converged after ${sweeps(page.sweeps)}`
                      : `stopped after ${sweeps(page.sweeps)}`);
        }
      }
      if (!done) setStatus("stopped", `stopped after ${sweeps(page.sweeps)}`);
    } finally {
      page.running = false;
      setBusy(false);
    }
  }

  // -- the buttons -----------------------------------------------------------------------
  for (const c of GLYPHS) $("glyph").add(new Option(c, c));
  for (let d = 0; d <= 9; d++) $("digit").add(new Option(String(d), String(d)));
  $("resize").addEventListener("click", newGrid);
  $("add-drawn").addEventListener("click", () => addPattern(page.grid, `drawn ${page.patterns.length + 1}`));
  $("add-glyph").addEventListener("click", () => guarded(async () => {
    const name = $("glyph").value;
    const answer = await api("hopfield", "glyph", { ...grid(), name });
    setGrid(answer.pattern);
    addPattern(answer.pattern, name);
  }));
  $("add-digit").addEventListener("click", () => guarded(async () => {
    const digit = Number($("digit").value), index = Number($("digit-index").value);
    const answer = await api("hopfield", "digit", { ...grid(), digit, index });
    setGrid(answer.pattern);
    addPattern(answer.pattern, `digit ${digit} (${index})`);
  }));
  $("clear").addEventListener("click", () => {
    Object.assign(page, { patterns: [], stored: false });
    showPatterns();
    resetTraces();
    $("load").textContent = "No patterns stored.";
  });
  $("store").addEventListener("click", () => guarded(async () => {
    const load = await api("hopfield", "store", {
      ...grid(), rule: $("rule").value, seed: Number($("seed").value) || 0,
      patterns: page.patterns.map((p) => p.bits),
    });
    page.stored = true;
    showLoad(load);
    setBusy(false);
    await measure();
  }));
  $("store-more").addEventListener("click", () => guarded(async () => {
    const seed = (Number($("seed").value) || 0) + 1000 * page.patterns.length + 1;
    const answer = await api("hopfield", "add_random", { seed });
    page.patterns.push({ bits: answer.pattern, label: `random ${page.patterns.length + 1}` });
    showPatterns();
    page.stored = true;
    showLoad(answer);
    setBusy(false);
    await measure();
  }));
  $("noise").addEventListener("input", () => {
    $("noise-value").textContent = Number($("noise").value).toFixed(2);
  });
  $("temperature").addEventListener("input", () => {
    $("temperature-value").textContent = Number($("temperature").value).toFixed(2);
  });
  $("corrupt").addEventListener("click", () => guarded(async () => {
    const answer = await api("hopfield", "corrupt", {
      ...grid(), state: page.grid, flip_fraction: Number($("noise").value),
      seed: Math.floor(Math.random() * 1e9),
    });
    setGrid(answer.state);
    await measure();
  }));
  $("step").addEventListener("click", () => guarded(async () => {
    const answer = await step();
    setStatus(answer.converged ? "converged" : "idle",
              answer.converged ? "at a fixed point" : `sweep ${page.sweeps}`);
  }));
  $("recall").addEventListener("click", () => guarded(recall));
  $("stop").addEventListener("click", () => { page.running = false; });

  newGrid();
})();
