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

  // Draw lines (each {values, color}) on a canvas, x = index, y scaled to [ymin, ymax].
  function drawChart(canvas, lines, ymin, ymax, title) {
    const ctx = canvas.getContext("2d");
    const w = canvas.width, h = canvas.height, pad = 30;
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = "#222";
    ctx.font = "12px sans-serif";
    ctx.fillText(title, pad, 12);
    let n = 1;
    for (const line of lines) n = Math.max(n, line.values.length);
    if (!(ymax > ymin)) { ymin -= 1; ymax += 1; }
    const x = (i) => pad + (w - 2 * pad) * (n > 1 ? i / (n - 1) : 0);
    const y = (v) => h - pad + (2 * pad - h) * (v - ymin) / (ymax - ymin);
    ctx.strokeStyle = "#bbb";
    ctx.strokeRect(pad, pad, w - 2 * pad, h - 2 * pad);
    ctx.fillText(ymax.toPrecision(3), 2, pad + 4);
    ctx.fillText(ymin.toPrecision(3), 2, h - pad);
    ctx.fillText(`sweep ${n - 1}`, w - pad - 50, h - 8);
    for (const line of lines) {
      ctx.strokeStyle = line.color;
      ctx.beginPath();
      line.values.forEach((v, i) => (i ? ctx.lineTo(x(i), y(v)) : ctx.moveTo(x(i), y(v))));
      ctx.stroke();
      ctx.fillStyle = line.color; // a dot on each point: a single point shows too
      line.values.forEach((v, i) => ctx.fillRect(x(i) - 2, y(v) - 2, 4, 4));
    }
  }

  return { session, api, drawChart, COLORS, $, say, setStatus, guarded };
})();
