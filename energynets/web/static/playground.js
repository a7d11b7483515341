// The parts every page of the playground shares: the tab's session id, the JSON API, the
// message and status lines, and line charts on a canvas. Pages only draw: every number comes
// from the server.
"use strict";

const playground = (() => {
  function newSessionId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  const session = newSessionId();

  // POST a JSON body to /api/<page>/<action>; resolve with the answer or reject with its
  // message (the server names the field at fault).
  async function api(page, action, fields) {
    const response = await fetch(`/api/${page}/${action}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session, ...fields }),
    });
    const answer = await response.json();
    if (!response.ok) {
      throw new Error(answer.error || `request failed with status ${response.status}`);
    }
    return answer;
  }

  const $ = (id) => document.getElementById(id);

  // The page's #message line, and its #status (the run's state in data-status).
  function say(text) { $("message").textContent = text; }
  function setStatus(status, text) {
    $("status").dataset.status = status;
    $("status").textContent = text || status;
  }
  // Run an action; its error (the server's message) goes to #message.
  async function guarded(work) {
    try { say(""); await work(); } catch (error) { say(error.message); setStatus("error"); }
  }

  const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                  "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

  // Draw lines (each {values, color}, optionally xs) on a canvas, x = index (or xs[index])
  // from 0 (or the smallest x) to the largest, y scaled to [ymin, ymax]; null values are gaps.
  function drawChart(canvas, lines, ymin, ymax, title, xlabel = "sweep") {
    const ctx = canvas.getContext("2d");
    const w = canvas.width, h = canvas.height, pad = 30;
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = "#222";
    ctx.font = "12px sans-serif";
    ctx.fillText(title, pad, 12);
    const xOf = (line, i) => (line.xs ? line.xs[i] : i);
    let x0 = Infinity, x1 = -Infinity;
    for (const line of lines) {
      line.values.forEach((v, i) => {
        x0 = Math.min(x0, xOf(line, i));
        x1 = Math.max(x1, xOf(line, i));
      });
    }
    if (!(x1 > x0)) { x0 = Math.min(x0, 0); x1 = x0 + 1; }
    if (!(ymax > ymin)) { ymin -= 1; ymax += 1; }
    const x = (value) => pad + (w - 2 * pad) * (value - x0) / (x1 - x0);
    const y = (v) => h - pad + (2 * pad - h) * (v - ymin) / (ymax - ymin);
    ctx.strokeStyle = "#bbb";
    ctx.strokeRect(pad, pad, w - 2 * pad, h - 2 * pad);
    ctx.fillText(ymax.toPrecision(3), 2, pad + 4);
    ctx.fillText(ymin.toPrecision(3), 2, h - pad);
    ctx.fillText(`${xlabel} ${Number.isFinite(x1) ? x1 : 0}`, w - pad - 60, h - 8);
    for (const line of lines) {
      ctx.strokeStyle = line.color;
      ctx.fillStyle = line.color; // a dot on each point: a single point shows too
      ctx.beginPath();
      let drawing = false;
      line.values.forEach((v, i) => {
        if (v === null || !Number.isFinite(v)) { drawing = false; return; }
        const px = x(xOf(line, i)), py = y(v);
        if (drawing) ctx.lineTo(px, py); else ctx.moveTo(px, py);
        drawing = true;
        ctx.fillRect(px - 2, py - 2, 4, 4);
      });
      ctx.stroke();
    }
  }

  // A legend: one coloured square and its text per entry [color, text], in the element `box`
  // (styles set through the DOM: the pages' policy allows no inline style).
  function legend(box, entries) {
    $(box).replaceChildren(...entries.map(([color, text]) => {
      const span = document.createElement("span");
      span.style.color = color;
      span.textContent = `\u25a0 ${text}`;
      return span;
    }));
  }

  // The smallest and largest finite values of some arrays (for a chart's y range).
  function range(...arrays) {
    const values = arrays.flat().filter((v) => v !== null && Number.isFinite(v));
    return values.length ? [Math.min(...values), Math.max(...values)] : [0, 1];
  }

  // Paint a picture of height x width cells on a canvas, `size` screen pixels a cell: a
  // string of '0'/'1' row by row (ink on '1') or grey levels 0-255.
  function paint(canvas, picture, height, width, size) {
    canvas.width = width * size;
    canvas.height = height * size;
    const ctx = canvas.getContext("2d");
    for (let i = 0; i < height * width; i++) {
      const level = typeof picture === "string" ? (picture[i] === "1" ? 17 : 255) : picture[i];
      ctx.fillStyle = `rgb(${level},${level},${level})`;
      ctx.fillRect((i % width) * size, Math.floor(i / width) * size, size, size);
    }
  }

  // Paint pictures (see paint) into a container, one small canvas each.
  function drawPictures(container, pictures, height, width, size) {
    while (container.children.length > pictures.length) container.lastChild.remove();
    while (container.children.length < pictures.length) {
      container.appendChild(document.createElement("canvas"));
    }
    pictures.forEach((picture, k) => paint(container.children[k], picture, height, width, size));
  }

  // Follow the tab's job on `page` as server-sent events: onReport(report) for each change;
  // resolves when the job has stopped, rejects if the stream breaks.
  function follow(page, onReport) {
    return new Promise((resolve, reject) => {
      const source = new EventSource(`/api/${page}/events?session=${session}`);
      source.onmessage = (event) => onReport(JSON.parse(event.data));
      source.addEventListener("end", () => { source.close(); resolve(); });
      source.onerror = () => { source.close(); reject(new Error("the event stream broke")); };
    });
  }

  return {
    session, api, drawChart, range, paint, drawPictures, follow, legend, COLORS, $, say,
    setStatus, guarded,
  };
})();
