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
  { key: "saves", title: "saving" }
];

/* One row per struct; sums are the library's (sf-placed "summary"). */
SF.rows = SF.structs.map(function (s, i) {
  var sum = SF.extra.summary[i];
  return {
    i: i, name: SF.displayName(s), kind: s.kind, size: s.size, holes: sum[0], holeBytes: sum[1],
    padding: sum[2], waste: sum[3], lines: s.cachelines,
    saves: s.proposal ? s.proposal.saves : null
  };
});

SF.table = { order: SF.rows.slice(), shown: SF.rows, sortKey: null, sortDir: 0, filter: "", selected: -1 };

SF.compare = function (key, dir, text) {
  return function (a, b) {
    var x = a[key], y = b[key], c;
    if (text) c = String(x).localeCompare(String(y));
    else c = (x === null ? -1 : x) - (y === null ? -1 : y);
    return dir * c || a.i - b.i;
  };
};

SF.buildTable = function (root) {
  var head = SF.columns.map(function (c, k) {
    return "<th scope=\"col\" aria-sort=\"none\" data-k=\"" + k + "\"><button type=\"button\">" +
      SF.esc(c.title) + "</button></th>";
  }).join("");
  root.innerHTML = "<table id=\"structs\" role=\"grid\" aria-label=\"structs\"><thead><tr>" + head +
    "</tr></thead><tbody></tbody></table>";
  SF.tbody = root.querySelector("tbody");
  root.querySelector("thead").addEventListener("click", function (ev) {
    var th = ev.target.closest("th");
    if (th) SF.sortBy(Number(th.dataset.k));
  });
  SF.tbody.addEventListener("click", function (ev) {
    var tr = ev.target.closest("tr");
    if (tr) SF.select(Number(tr.dataset.pos), true);
  });
  SF.tbody.addEventListener("keydown", SF.tableKey);
  SF.renderRows();
};

SF.rowHtml = function (r, pos) {
  return "<tr data-pos=\"" + pos + "\" data-i=\"" + r.i + "\" tabindex=\"-1\"><td>" + SF.esc(r.name) +
    "</td><td>" + r.kind + "</td><td>" + r.size + "</td><td>" + r.holes + "</td><td>" + r.holeBytes +
    "</td><td>" + r.padding + "</td><td>" + r.waste + "</td><td>" + r.lines + "</td><td>" +
    (r.saves === null ? "" : r.saves) + "</td></tr>";
};

SF.renderRows = function () {
  var t = SF.table, parts = new Array(t.shown.length);
  for (var p = 0; p < t.shown.length; p++) parts[p] = SF.rowHtml(t.shown[p], p);
  SF.tbody.innerHTML = parts.join("");
  t.selected = -1;
  var first = SF.tbody.firstElementChild;
  if (first) first.tabIndex = 0;
  document.getElementById("count").textContent = t.shown.length + " of " + SF.rows.length + " structs";
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

/* Highlights row `pos` of the shown rows (roving tabindex); `open` draws its struct. */
SF.select = function (pos, open) {
  var t = SF.table, rows = SF.tbody.children;
  if (pos < 0 || pos >= rows.length) return;
  if (t.selected >= 0 && rows[t.selected]) {
    rows[t.selected].setAttribute("aria-selected", "false");
    rows[t.selected].tabIndex = -1;
  }
  if (rows[0]) rows[0].tabIndex = -1;
  t.selected = pos;
  rows[pos].setAttribute("aria-selected", "true");
  rows[pos].tabIndex = 0;
  rows[pos].focus({ preventScroll: true });
  rows[pos].scrollIntoView({ block: "nearest" });
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
