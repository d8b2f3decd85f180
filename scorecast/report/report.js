// scorecast report: the heatmap (canvas, drawn from the data below) and sortable,
// filterable tables. No network access, no library: everything is in this file.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("report-data").textContent);

  // ------------------------------------------------------------------ heatmap
  const canvas = document.getElementById("heatmap");
  const tooltip = document.getElementById("tooltip");
  const showPredicted = document.getElementById("show-predicted");
  const nModels = data.models.length, nTasks = data.tasks.length;
  const cell = {
    w: Math.max(4, Math.min(22, Math.floor(1000 / Math.max(nTasks, 1)))),
    h: Math.max(3, Math.min(16, Math.floor(2400 / Math.max(nModels, 1)))),
  };
  // Labels as large as the cells allow (none below 8 px: hovering names the cell).
  const labelSize = (size) => Math.min(11, size - 1);
  const modelFont = `${labelSize(cell.h)}px system-ui, sans-serif`;
  const taskFont = `${labelSize(cell.w)}px system-ui, sans-serif`;
  const font = "11px system-ui, sans-serif";
  const ctx = canvas.getContext("2d");
  ctx.font = font;
  const longest = (names) => names.reduce((m, n) => Math.max(m, ctx.measureText(n).width), 0);
  const left = cell.h >= 8 ? Math.min(260, longest(data.models) + 10) : 10;
  const top = cell.w >= 8 ? Math.min(220, longest(data.tasks) * 0.75 + 14) : 10;
  const width = left + nTasks * cell.w + (cell.w >= 8 ? top * 0.6 : 10), height = top + nModels * cell.h + 10;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = width * ratio; canvas.height = height * ratio;
  canvas.style.width = width + "px"; canvas.style.height = height + "px";

  function mix(hex, amount) {  // blend a colour toward white
    const v = parseInt(hex.slice(1), 16);
    const c = [v >> 16, (v >> 8) & 255, v & 255].map((x) => Math.round(x + (255 - x) * amount));
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  }
  const pale = data.palette.map((c) => mix(c, data.paleness));

  function draw() {
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "white"; ctx.fillRect(0, 0, width, height);
    const predicted = showPredicted.checked;
    const cells = data.cells;
    for (let i = 0; i < nModels; i++) {
      for (let j = 0; j < nTasks; j++) {
        const k = i * nTasks + j;
        const x = left + j * cell.w, y = top + i * cell.h;
        if (cells.observed[k]) ctx.fillStyle = data.palette[cells.shade[k]];
        else ctx.fillStyle = predicted ? pale[cells.shade[k]] : "#eeeeee";
        ctx.fillRect(x, y, cell.w - (cell.w > 5 ? 1 : 0), cell.h - (cell.h > 5 ? 1 : 0));
        if (!cells.observed[k] && predicted && cell.w >= 6 && cell.h >= 6) {
          ctx.fillStyle = "white";
          ctx.beginPath();
          ctx.arc(x + cell.w / 2 - 0.5, y + cell.h / 2 - 0.5, Math.min(cell.w, cell.h) / 6, 0,
                  2 * Math.PI);
          ctx.fill();
        }
        if (cells.reason[k] && predicted) {
          ctx.strokeStyle = data.fallbackColor; ctx.lineWidth = 1.5;
          ctx.strokeRect(x + 1, y + 1, cell.w - 3, cell.h - 3);
        }
      }
    }
    ctx.fillStyle = "#1b1b1b";
    if (cell.h >= 8) {
      ctx.font = modelFont;
      ctx.textAlign = "right"; ctx.textBaseline = "middle";
      data.models.forEach((m, i) => ctx.fillText(m, left - 5, top + i * cell.h + cell.h / 2,
                                                 left - 8));
    }
    if (cell.w >= 8) {
      ctx.font = taskFont;
      ctx.textAlign = "left"; ctx.textBaseline = "middle";
      data.tasks.forEach((t, j) => {
        ctx.save();
        ctx.translate(left + j * cell.w + cell.w / 2, top - 5);
        ctx.rotate(-Math.PI / 3);
        ctx.fillText(t, 0, 0, (top - 8) / Math.sin(Math.PI / 3));
        ctx.restore();
      });
    }
  }

  function format(v) {
    const a = Math.abs(v);
    return a >= 100 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
  }

  canvas.addEventListener("mousemove", (event) => {
    const box = canvas.getBoundingClientRect();
    const j = Math.floor((event.clientX - box.left - left) / cell.w);
    const i = Math.floor((event.clientY - box.top - top) / cell.h);
    if (i < 0 || j < 0 || i >= nModels || j >= nTasks) { tooltip.style.display = "none"; return; }
    const k = i * nTasks + j, c = data.cells;
    let text = `<b>${escape(data.models[i])}</b> on <b>${escape(data.tasks[j])}</b><br>`;
    if (c.observed[k]) text += `observed score ${format(c.score[k])}`;
    else {
      text += `predicted ${format(c.score[k])}`;
      if (c.lower[k] !== null)
        text += `, ${data.level}% interval ${format(c.lower[k])} to ${format(c.upper[k])}`;
      if (c.reason[k]) text += `<br>fallback: ${escape(data.reasons[c.reason[k]])}`;
    }
    tooltip.innerHTML = text;
    tooltip.style.display = "block";
    tooltip.style.left = Math.min(event.clientX + 14, window.innerWidth - 380) + "px";
    tooltip.style.top = (event.clientY + 14) + "px";
  });
  canvas.addEventListener("mouseleave", () => { tooltip.style.display = "none"; });
  showPredicted.addEventListener("change", draw);

  function escape(text) {
    return String(text).replace(/[&<>"]/g, (ch) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;",
                                                      '"': "&quot;"}[ch]));
  }
  draw();

  // ------------------------------------------------------------------ tables
  document.querySelectorAll("table.sortable").forEach((table) => {
    const headers = Array.from(table.tHead.rows[0].cells);
    headers.forEach((th, column) => th.addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const body = table.tBodies[0];
      const key = (row) => {
        const td = row.cells[column];
        const v = td.dataset.v;
        return v !== undefined ? parseFloat(v) : td.textContent.trim().toLowerCase();
      };
      const rows = Array.from(body.rows);
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        const order = typeof x === "number" && typeof y === "number" ? x - y
          : String(x).localeCompare(String(y));
        return ascending ? order : -order;
      });
      rows.forEach((row) => body.appendChild(row));
    }));
  });
  document.querySelectorAll("input[data-filter]").forEach((input) => {
    const table = document.getElementById(input.dataset.filter);
    input.addEventListener("input", () => {
      const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      Array.from(table.tBodies[0].rows).forEach((row) => {
        const text = row.textContent.toLowerCase();
        row.hidden = !words.every((w) => text.includes(w));
      });
    });
  });
  // Milliseconds from navigation to a drawn, usable page (read by benchmarks/report_size.py).
  window.scorecastReadyMs = performance.now();
  document.body.dataset.ready = "true";
})();
