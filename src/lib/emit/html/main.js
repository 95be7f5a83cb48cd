/* structfit layout map, part 4: the page, one struct's view, and the #selftest mode. */
"use strict";

SF.body = function () {
  var files = SF.report.files.map(function (f) { return f.path; }).join(", ");
  if (SF.diff) files = SF.diff.report.files.map(function (f) { return f.path; }).join(", ") + " \u2192 " + files;
  document.body.insertAdjacentHTML("beforeend",
    "<header><h1>structfit layout map</h1>" +
    "<label>Filter <input id=\"filter\" type=\"search\" placeholder=\"glob, e.g. sk_* (press /)\" " +
    "aria-controls=\"structs\" autocomplete=\"off\"></label><span id=\"count\" class=\"muted\"></span>" +
    "<span class=\"muted\">" + SF.esc(files) + " \u00B7 cache line " + SF.line + " bytes</span></header>" +
    "<div id=\"summary\"></div><section id=\"detail\" aria-live=\"polite\">" +
    "<p class=\"muted\">Choose a struct: click a row, or move with \u2191/\u2193 and press Enter. " +
    "Sort by a column with its heading.</p></section>" +
    "<div id=\"info\" role=\"status\"></div>");
};

SF.legend = "<div class=\"legend\"><span class=\"lh\">hole / tail padding (hatched)</span>" +
  "<span class=\"lk\">:bitfields (bit row below)</span><span class=\"lx\">straddles a cache line \u21B5</span>" +
  "<span class=\"lm\">moved by the proposal</span><em class=\"muted\">one cell per byte, one row per " +
  "cache line; Enter on a member opens a nested struct</em></div>";

SF.facts = function (s, i) {
  var sum = SF.extra.summary[i], site = s.decl_file ? s.decl_file + (s.decl_line ? ":" + s.decl_line : "") : "";
  var plural = function (n, what) { return n + " " + what + (n === 1 ? "" : "s"); };
  var text = plural(s.size, "byte") + ", " + plural(sum[0], "hole") + " (" + plural(sum[1], "byte") + "), " +
    plural(sum[2], "byte") + " tail padding, " + plural(s.cachelines, "cache line");
  if (s.proposal) {
    text += s.proposal.reason ? "; left as is: " + s.proposal.reason :
      "; proposal " + s.proposal.size + " bytes (saves " + s.proposal.saves + "), " + s.proposal.moved + " moved";
  }
  return "<p class=\"facts\">" + SF.esc(text) + (site ? " <span class=\"muted\">" + SF.esc(site) + "</span>" : "") + "</p>";
};

SF.openStruct = function (i) {
  var s = SF.structs[i], placed = SF.extra.placed[i], det = document.getElementById("detail");
  SF.maps = [];
  SF.current = i;
  if (SF.diff) {
    SF.openDiff(det, s, i);
    SF.remember(s);
    return;
  }
  det.innerHTML = "<h2>" + SF.esc(s.kind + " " + SF.displayName(s)) + "</h2>" + SF.facts(s, i) + SF.legend +
    "<div class=\"maps\"><div class=\"map\" id=\"map-current\"><h3>current layout</h3>" +
    (placed ? "<p class=\"moved-list muted\">declaration order</p>" : "") + "<div class=\"cells\"></div>" +
    "<div class=\"nestbox\"></div></div>" +
    (placed ? "<div class=\"map\" id=\"map-proposal\"><h3>proposal (" + s.proposal.size + " bytes, saves " +
      s.proposal.saves + ")</h3><p class=\"moved-list\"></p><div class=\"cells\"></div><div class=\"nestbox\"></div></div>" : "") +
    "</div>";
  SF.drawMap(det.querySelector("#map-current .cells"), {
    members: SF.currentItems(s.members, 0), holes: s.holes.map(function (h) { return [h.offset, h.size]; }),
    padding: s.padding, start: 0, end: s.size, union: s.kind === "union"
  });
  if (placed) {
    var items = SF.placedItems(s, placed);
    SF.drawMap(det.querySelector("#map-proposal .cells"), {
      members: items, holes: placed.h, padding: placed.pad, start: 0, end: s.proposal.size
    });
    var moved = [];
    placed.m.forEach(function (p, pos) {
      if (p[6]) moved.push("<b class=\"moved\">" + SF.esc(SF.memberName(s.members[p[0]])) + "</b> (" + p[0] + " \u2192 " + pos + ")");
    });
    det.querySelector("#map-proposal .moved-list").innerHTML = "moved: " + moved.join(", ");
  }
  SF.remember(s);
};

/* The open struct in the address, so a reload or a shared link shows it again. */
SF.remember = function (s) {
  if (location.hash.indexOf("#selftest") !== 0) history.replaceState(null, "", "#s=" + encodeURIComponent(SF.displayName(s)));
};

SF.init = function () {
  SF.body();
  SF.buildTable(document.getElementById("summary"));
  var filter = document.getElementById("filter"), timer = 0;
  filter.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { SF.table.filter = filter.value; SF.applyFilter(); }, SF.rows.length > 2000 ? 120 : 0);
  });
  filter.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown" || ev.key === "Enter") { ev.preventDefault(); SF.select(0, ev.key === "Enter"); }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "/" && document.activeElement !== filter) { ev.preventDefault(); filter.focus(); }
    if (ev.key === "Escape" && SF.table.selected >= 0) SF.select(SF.table.selected, false);
  });
  var det = document.getElementById("detail");
  det.addEventListener("mouseover", SF.showInfo);
  det.addEventListener("focusin", SF.showInfo);
  det.addEventListener("click", SF.toggleNested);
  det.addEventListener("keydown", SF.toggleNested);
  void document.body.offsetHeight; /* interactive means laid out */
  SF.readyMs = performance.now();
  document.body.dataset.readyMs = SF.readyMs.toFixed(1);
  var m = /^#s=(.*)$/.exec(location.hash);
  if (m) SF.openByName(decodeURIComponent(m[1]));
  if (location.hash.indexOf("#selftest") === 0) SF.selftest(decodeURIComponent(location.hash.slice(10)));
};

SF.openByName = function (name) {
  for (var p = 0; p < SF.table.shown.length; p++) {
    if (SF.table.shown[p].name === name) { SF.select(p, true); return true; }
  }
  return false;
};

/* Reads back what the map drew: [byte offset, kind, member names] per cell. */
SF.readCells = function (sel) {
  return Array.prototype.map.call(document.querySelectorAll(sel + " > .cells .b[data-off], " + sel + " > .nmap .b[data-off]"), function (c) {
    var pc = SF.pieceOf(c);
    return [Number(c.dataset.off), pc.kind, pc.members.map(function (it) { return SF.memberName(it.m); })];
  });
};

/* Clicks the first member that expands to a nested struct and reads its cells back. */
SF.selftestNested = function () {
  var labels = document.querySelectorAll("#map-current .cells .lbl");
  for (var k = 0; k < labels.length; k++) {
    var pc = SF.pieceOf(labels[k]);
    if (pc.kind !== "m" || !SF.nestedOf(pc.members[0].m, pc.members[0].offset)) continue;
    labels[k].click();
    var box = document.querySelector("#map-current .nested");
    return { member: SF.memberName(pc.members[0].m), title: box.querySelector("h3").textContent,
      cells: SF.readCells("#map-current .nested") };
  }
  return null;
};

/* Exercises the page as a user would and writes what it saw into the DOM for tests. */
SF.selftest = function (name) {
  var out = { errors: SF.errors, structs: SF.structs.length, readyMs: SF.readyMs,
    drawnRows: SF.tbody.querySelectorAll("tr[data-pos]").length };
  var col = SF.readColumn;
  out.rows = col(0).filter(function (x) { return x !== undefined; }).length;
  var heads = document.querySelectorAll("#structs th button"), t0 = performance.now();
  heads[2].click();
  void document.body.offsetHeight; /* count the layout in, as a user waits for it */
  out.sortMs = performance.now() - t0;
  out.sizeDesc = col(2).map(Number);
  heads[2].click();
  out.sizeAsc = col(2).map(Number);
  heads[0].click();
  out.nameAsc = col(0);
  var filter = document.getElementById("filter"), glob = name ? name.slice(0, 3) + "*" : "*";
  filter.value = glob;
  SF.table.filter = glob;
  t0 = performance.now();
  SF.applyFilter();
  out.filterMs = performance.now() - t0;
  out.filter = glob;
  out.filtered = col(0);
  filter.value = "";
  SF.table.filter = "";
  SF.applyFilter();
  if (name) {
    filter.focus();
    filter.value = name;
    SF.table.filter = name;
    SF.applyFilter();
    filter.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    /* A plain name filters by substring: walk down to the exact one as a user would. */
    for (var p = 0; p < SF.table.shown.length && SF.table.shown[p].name !== name; p++) {
      SF.tbody.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    }
    t0 = performance.now();
    SF.tbody.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    void document.body.offsetHeight;
    out.openMs = performance.now() - t0;
    out.opened = SF.current === undefined ? null : SF.displayName(SF.structs[SF.current]);
    out.current = SF.readCells("#map-current");
    out.proposal = document.getElementById("map-proposal") ? SF.readCells("#map-proposal") : null;
    out.movedShown = Array.prototype.map.call(document.querySelectorAll(".moved-list .moved"), function (b) { return b.textContent; });
    out.findings = Array.prototype.map.call(document.querySelectorAll(".finding"), function (li) { return li.textContent; });
    out.old = document.getElementById("map-old") ? SF.readCells("#map-old") : null;
    out.markedCells = Array.prototype.map.call(document.querySelectorAll(".cells .b.mv.s0"), function (c) {
      return [c.closest(".map").id, Number(c.dataset.off)];
    });
    out.movedCells = Array.prototype.map.call(document.querySelectorAll("#map-proposal .b.mv.s0"), function (c) { return Number(c.dataset.off); });
    var firstLabel = document.querySelector("#map-current .cells .lbl");
    if (firstLabel) {
      firstLabel.focus();
      /* A headless window without input focus may set the active element
       * without sending focus events: send the one the page listens to. */
      if (!document.hasFocus()) firstLabel.dispatchEvent(new FocusEvent("focusin", { bubbles: true }));
    }
    out.info = document.getElementById("info").textContent;
    out.nested = SF.selftestNested();
    var st = SF.structs[SF.current];
    out.bits = Array.prototype.map.call(document.querySelectorAll("#map-current .bit"), function (c) {
      return [Number(c.dataset.bit), c.dataset.m === undefined ? null : SF.memberName(st.members[Number(c.dataset.m)])];
    });
  }
  out.errors = SF.errors;
  var pre = document.createElement("pre");
  pre.id = "selftest-result";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
  document.title = "selftest done";
};

SF.errors = [];
window.addEventListener("error", function (ev) { SF.errors.push(String(ev.message)); });
document.addEventListener("securitypolicyviolation", function (ev) { SF.errors.push("CSP: " + ev.blockedURI); });
SF.init();
