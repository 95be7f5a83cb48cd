/* structfit layout map, diff pages: the old build's data and the library's findings, by struct. */
"use strict";

SF.diff = null;
(function () {
  var old = document.getElementById("sf-old");
  if (!old) return;
  var report = JSON.parse(old.textContent), byName = new Map(), findings = new Map();
  report.structs.forEach(function (s, i) {
    var key = s.kind + " " + SF.displayName(s);
    if (!byName.has(key)) byName.set(key, i);
  });
  JSON.parse(document.getElementById("sf-findings").textContent).findings.forEach(function (f) {
    var key = f.kind + " " + f.name;
    if (!findings.has(key)) findings.set(key, []);
    findings.get(key).push(f);
  });
  SF.diff = { report: report, extra: JSON.parse(document.getElementById("sf-old-extra").textContent),
    byName: byName, findings: findings };
})();

/* The findings of struct `s` of the new build (empty when unchanged). */
SF.diffFindings = function (s) {
  return SF.diff.findings.get(s.kind + " " + SF.displayName(s)) || [];
};

/* Old and new maps side by side, members a finding names marked in both. */
SF.openDiff = function (det, s, i) {
  var found = SF.diffFindings(s), named = new Set();
  found.forEach(function (f) { if (f.member) named.add(f.member); });
  var oi = SF.diff.byName.get(s.kind + " " + SF.displayName(s)), old = oi === undefined ? null : SF.diff.report.structs[oi];
  var mark = function (items) {
    items.forEach(function (it) { it.moved = named.has(it.m.name); });
    return items;
  };
  det.innerHTML = "<h2>" + SF.esc(s.kind + " " + SF.displayName(s)) + "</h2>" + SF.facts(s, i) +
    SF.legend.replace("moved by the proposal", "named by a finding") + "<ul class=\"findings\">" + (found.length ? found.map(function (f) {
      return "<li class=\"finding\">" + SF.esc(f.level + ": " + f.message + " [" + f.rule + "]") + "</li>";
    }).join("") : "<li>no change</li>") + "</ul><div class=\"maps\">" +
    "<div class=\"map\" id=\"map-old\"><h3>old" + (old ? " (" + old.size + " bytes)" : ": not in the old build") +
    "</h3><div class=\"cells\"></div><div class=\"nestbox\"></div></div>" +
    "<div class=\"map\" id=\"map-current\"><h3>new (" + s.size + " bytes)</h3><div class=\"cells\"></div>" +
    "<div class=\"nestbox\"></div></div></div>";
  if (old) {
    SF.drawMap(det.querySelector("#map-old .cells"), {
      members: mark(SF.currentItems(old.members, 0)), holes: old.holes.map(function (h) { return [h.offset, h.size]; }),
      padding: old.padding, start: 0, end: old.size, union: old.kind === "union"
    });
  }
  SF.drawMap(det.querySelector("#map-current .cells"), {
    members: mark(SF.currentItems(s.members, 0)), holes: s.holes.map(function (h) { return [h.offset, h.size]; }),
    padding: s.padding, start: 0, end: s.size, union: s.kind === "union"
  });
};
