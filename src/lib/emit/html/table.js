/* structfit layout map, part 2: the summary table (sort, filter, keyboard). */
"use strict";

SF.columns = [
  { key: "name", title: "struct", text: true },
  { key: "kind", title: "kind", text: true },
  { key: "size", title: "size" },
  { key: "holes", title: "holes" },
  { key: "holeBytes", title: "hole bytes" },
  { key: "padding", title: "padding" },
  { key: "waste", title: "waste" },
  { key: "lines", title: "cache lines" },
  { key: "saves", title: SF.diff ? "findings" : "saving" }
];

/* One row per struct; sums are the library's (sf-report-extra "summary"). */
SF.rows = SF.structs.map(function (s, i) {
  var sum = SF.extra.summary[i];
  return {
    i: i, name: SF.displayName(s), kind: s.kind, size: s.size, holes: sum[0], holeBytes: sum[1],
    padding: sum[2], waste: sum[3], lines: s.cachelines,
    saves: SF.diff ? SF.diffFindings(s).length : s.proposal ? s.proposal.saves : null
  };
});

SF.table = { order: SF.rows.slice(), shown: SF.rows, sortKey: null, sortDir: 0, filter: "", selected: -1,
  first: 0, last: 0 };

SF.compare = function (key, dir, text) {
  return function (a, b) {
    var x = a[key], y = b[key], c;
    if (text) c = String(x).localeCompare(String(y));
    else c = (x === null ? -1 : x) - (y === null ? -1 : y);
    return dir * c || a.i - b.i;
  };
};

SF.ROW = 20; /* px; fixed so the table can draw only the rows in view */

SF.buildTable = function (root) {
  var head = SF.columns.map(function (c, k) {
    return "<th scope=\"col\" aria-sort=\"none\" data-k=\"" + k + "\"><button type=\"button\">" +
      SF.esc(c.title) + "</button></th>";
  }).join("");
  root.innerHTML = "<table id=\"structs\" role=\"grid\" aria-label=\"structs\"><thead><tr>" + head +
    "</tr></thead><tbody></tbody></table>";
  SF.scroller = root;
  SF.tbody = root.querySelector("tbody");
  root.querySelector("thead").addEventListener("click", function (ev) {
    var th = ev.target.closest("th");
    if (th) SF.sortBy(Number(th.dataset.k));
  });
  SF.tbody.addEventListener("click", function (ev) {
    var tr = ev.target.closest("tr[data-pos]");
    if (tr) SF.select(Number(tr.dataset.pos), true);
  });
  SF.tbody.addEventListener("keydown", SF.tableKey);
  var pending = false;
  root.addEventListener("scroll", function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; SF.renderWindow(false); });
  });
  SF.renderRows();
};

SF.rowHtml = function (r, pos) {
  var sel = pos === SF.table.selected;
  return "<tr data-pos=\"" + pos + "\" data-i=\"" + r.i + "\" tabindex=\"" + (sel ? 0 : -1) + "\"" +
    (sel ? " aria-selected=\"true\"" : "") + "><td>" + SF.esc(r.name) +
    "</td><td>" + r.kind + "</td><td>" + r.size + "</td><td>" + r.holes + "</td><td>" + r.holeBytes +
    "</td><td>" + r.padding + "</td><td>" + r.waste + "</td><td>" + r.lines + "</td><td>" +
    (r.saves === null ? "" : r.saves) + "</td></tr>";
};

/*
 * Draws the rows in view and a screenful either side; spacer rows keep
 * the scroll height of the whole list, so a kernel's 7,500 structs cost
 * the layout of a hundred rows.  `force` redraws an unchanged window.
 */
SF.renderWindow = function (force) {
  var t = SF.table, n = t.shown.length, view = Math.ceil((SF.scroller.clientHeight || 600) / SF.ROW);
  var first = Math.max(0, Math.floor(SF.scroller.scrollTop / SF.ROW) - view);
  var last = Math.min(n, first + 3 * view + 1);
  if (!force && first === t.first && last === t.last) return;
  SF.renderRange(first, last);
};

SF.renderRange = function (first, last) {
  var t = SF.table, n = t.shown.length;
  t.first = first;
  t.last = last;
  var parts = ["<tr class=\"spacer\" style=\"height:" + first * SF.ROW + "px\"></tr>"];
  for (var p = first; p < last; p++) parts.push(SF.rowHtml(t.shown[p], p));
  parts.push("<tr class=\"spacer\" style=\"height:" + (n - last) * SF.ROW + "px\"></tr>");
  var hadFocus = SF.tbody.contains(document.activeElement);
  SF.tbody.innerHTML = parts.join("");
  var row = SF.rowAt(t.selected < 0 ? first : t.selected);
  if (row) row.tabIndex = 0;
  if (hadFocus && row) row.focus({ preventScroll: true });
  /* Fonts decide the real row height: measure it once and redraw with it. */
  var sample = SF.tbody.querySelector("tr[data-pos]");
  if (sample && !SF.rowMeasured && sample.offsetHeight > 0) {
    SF.rowMeasured = true;
    if (sample.offsetHeight !== SF.ROW) { SF.ROW = sample.offsetHeight; SF.renderWindow(true); }
  }
};

SF.rowAt = function (pos) {
  return SF.tbody.querySelector("tr[data-pos=\"" + pos + "\"]");
};

SF.renderRows = function () {
  SF.table.selected = -1;
  SF.scroller.scrollTop = 0;
  SF.renderWindow(true);
  document.getElementById("count").textContent = SF.table.shown.length + " of " + SF.rows.length + " structs";
};

SF.applyFilter = function () {
  var t = SF.table, re = null;
  try { re = t.filter.trim() ? SF.globRegExp(t.filter) : null; } catch (e) { re = null; }
  t.shown = re ? t.order.filter(function (r) { return re.test(r.name); }) : t.order;
  SF.renderRows();
};

SF.sortBy = function (k) {
  var t = SF.table, col = SF.columns[k];
  if (t.sortKey === col.key) t.sortDir = -t.sortDir;
  else { t.sortKey = col.key; t.sortDir = col.text ? 1 : -1; }
  t.order = SF.rows.slice().sort(SF.compare(col.key, t.sortDir, col.text));
  document.querySelectorAll("#structs th").forEach(function (th) {
    th.setAttribute("aria-sort", Number(th.dataset.k) === k ?
      (t.sortDir > 0 ? "ascending" : "descending") : "none");
  });
  SF.applyFilter();
};

/* Selects row `pos` of the shown rows (roving tabindex), scrolled into view; `open` draws its struct. */
SF.select = function (pos, open) {
  var t = SF.table, sc = SF.scroller, head = SF.ROW + 6;
  if (pos < 0 || pos >= t.shown.length) return;
  t.selected = pos;
  if (pos * SF.ROW < sc.scrollTop) sc.scrollTop = pos * SF.ROW;
  else if ((pos + 1) * SF.ROW + head > sc.scrollTop + sc.clientHeight) {
    sc.scrollTop = (pos + 1) * SF.ROW + head - sc.clientHeight;
  }
  SF.renderWindow(true);
  var row = SF.rowAt(pos);
  if (row) row.focus({ preventScroll: true });
  if (open) SF.openStruct(t.shown[pos].i);
};

SF.tableKey = function (ev) {
  var t = SF.table, pos = t.selected < 0 ? 0 : t.selected, page = 20;
  var moves = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
  if (moves[ev.key] !== undefined) {
    SF.select(Math.max(0, Math.min(t.shown.length - 1, pos + moves[ev.key])), false);
  } else if (ev.key === "Home") SF.select(0, false);
  else if (ev.key === "End") SF.select(t.shown.length - 1, false);
  else if (ev.key === "Enter" || ev.key === " ") SF.select(pos, true);
  else return;
  ev.preventDefault();
};

/* Column k of every shown row, read from the drawn table window by window (self-test). */
SF.readColumn = function (k) {
  var t = SF.table, out = new Array(t.shown.length), step = 200;
  for (var top = 0; top < t.shown.length; top += step) {
    SF.renderRange(top, Math.min(t.shown.length, top + step));
    SF.tbody.querySelectorAll("tr[data-pos]").forEach(function (tr) {
      out[Number(tr.dataset.pos)] = tr.children[k].textContent;
    });
  }
  SF.renderWindow(true);
  return out;
};
