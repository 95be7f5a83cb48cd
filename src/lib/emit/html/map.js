/* structfit layout map, part 3: drawing one body's byte map (cells, labels, bits). */
"use strict";

SF.kindText = { m: "member", k: "bitfields", h: "hole", p: "tail padding", u: "unused bits / undescribed" };

SF.pieceLabel = function (pc) {
  if (pc.kind === "h") return "hole " + (pc.end - pc.start);
  if (pc.kind === "p") return "padding " + (pc.end - pc.start);
  if (pc.kind === "u") return "";
  var names = pc.members.map(function (it) { return SF.memberName(it.m); }).join(", ");
  return (pc.kind === "k" ? ":" : "") + names + (pc.crosses ? " \u21B5" : "");
};

/* The line the info bar shows for a piece (hover or focus). */
SF.pieceInfo = function (pc) {
  var len = pc.end - pc.start;
  if (pc.kind === "h" || pc.kind === "p" || pc.kind === "u") {
    return SF.kindText[pc.kind] + ": " + len + " byte" + (len === 1 ? "" : "s") + " at offset " + pc.start;
  }
  return pc.members.map(function (it) {
    var t = SF.memberName(it.m) + ": " + it.m.type + ", offset " + it.offset + ", size " + it.size;
    if (it.bits) t += ", bits " + it.bitOffset + "+" + it.bits;
    if (it.crosses) t += ", straddles a cache line";
    if (it.moved) t += ", moved";
    return t;
  }).join("; ");
};

SF.colour = function (pc) {
  return pc.members.length ? " c" + (pc.members[0].decl % 8) : "";
};

/* Cells of bytes [from, to) of one cache line row, `pieces` drawn into them. */
SF.rowCells = function (pieces, from, to, rowStart, map) {
  var html = [], p = 0;
  for (var b = rowStart; b < rowStart + SF.line; b++) {
    if (b < from || b >= to) { html.push("<div class=\"b o\"></div>"); continue; }
    while (p < pieces.length && pieces[p].end <= b) p++;
    var pc = pieces[p];
    if (!pc || pc.start > b) { html.push("<div class=\"b o\" data-off=\"" + b + "\"></div>"); continue; }
    var first = b === pc.start || b === rowStart || b === from;
    var last = b === pc.end - 1 || b === rowStart + SF.line - 1 || b === to - 1;
    var cls = "b " + pc.kind + SF.colour(pc) + (first ? " s0" : "") + (last ? " s1" : "") +
      (pc.crosses ? " x" : "") + (pc.members.some(function (it) { return it.moved; }) ? " mv" : "");
    var cell = "<div class=\"" + cls + "\" data-off=\"" + b + "\" data-p=\"" + map.id + ":" + pc.idx + "\">";
    if (first) {
      var span = Math.min(pc.end, rowStart + SF.line, to) - b;
      cell += "<span class=\"lbl\" tabindex=\"0\" style=\"width:calc(" + span + " * 100%)\">" +
        SF.esc(SF.pieceLabel(pc)) + "</span>";
    }
    html.push(cell + "</div>");
  }
  return html.join("");
};

/* The zoomed bit row under a cache line holding bitfields. */
SF.bitRow = function (pc, map) {
  var bytes = pc.end - pc.start, first = pc.start * 8, owner = new Array(bytes * 8).fill(null);
  pc.members.forEach(function (it) {
    for (var k = 0; k < it.bits; k++) {
      var at = it.bitOffset - first + k;
      if (at >= 0 && at < owner.length) owner[at] = it;
    }
  });
  var html = "";
  for (var k = 0; k < owner.length; k++) {
    var it = owner[k], start = it && (k === 0 || owner[k - 1] !== it);
    html += "<div class=\"bit " + (it ? "c" + (it.decl % 8) : "u") + (start ? " s0" : "") +
      "\" data-bit=\"" + (first + k) + (it ? "\" data-m=\"" + it.decl : "") + "\" data-p=\"" + map.id + ":" + pc.idx + "\">";
    if (start) {
      var n = 1;
      while (k + n < owner.length && owner[k + n] === it) n++;
      html += "<span class=\"lbl\" style=\"width:calc(" + n + " * 100%)\">" + SF.esc(SF.memberName(it.m)) + "</span>";
    }
    html += "</div>";
  }
  return "<div class=\"bits\"><div class=\"off\">bit " + first +
    "</div><div class=\"bitgrid\" style=\"grid-template-columns:repeat(" + owner.length +
    ",minmax(0,1fr));max-width:" + Math.min(100, Math.max(25, bytes * 8 * 2.2)) + "%\">" + html + "</div></div>";
};

SF.maps = [];

/* Rows of one set of pieces; rows wholly inside one member become one skip line. */
SF.layerRows = function (html, map, pieces, body, caption) {
  var firstRow = Math.floor(body.start / SF.line) * SF.line, p = 0;
  if (caption) html.push("<div class=\"alt\">" + SF.esc(caption) + "</div>");
  for (var row = firstRow; row < body.end || (row === firstRow && body.end === body.start); row += SF.line) {
    while (p < pieces.length && pieces[p].end <= row) p++;
    var pc = pieces[p];
    /* Rows strictly inside one piece (neither its first nor its last) say nothing new. */
    var inside = function (r) { return pc && pc.start < r && pc.end > r + SF.line; };
    var skip = 0;
    while (inside(row + SF.line * skip)) skip++;
    if (skip >= 2) {
      html.push("<div class=\"skip\">\u22EE " + skip + " cache lines inside " + SF.esc(SF.pieceLabel(pc)) +
        " (+" + row + " to +" + (row + SF.line * skip - 1) + ")</div>");
      row += SF.line * (skip - 1);
      continue;
    }
    html.push("<div class=\"row\"><div class=\"off\">+" + row + "</div><div class=\"grid\" style=\"grid-template-columns:repeat(" +
      SF.line + ",minmax(0,1fr))\">" + SF.rowCells(pieces, body.start, body.end, row, map) + "</div></div>");
    pieces.forEach(function (q) {
      if (q.kind === "k" && q.start >= row && q.start < row + SF.line) html.push(SF.bitRow(q, map));
    });
  }
};

/*
 * Draws `body` ({members, holes, padding, start, end, union}) into `el`:
 * one row per cache line; a union gets one set of rows per member, as its
 * members overlap.
 */
SF.drawMap = function (el, body) {
  var map = { id: SF.maps.length, pieces: [] }, html = [];
  SF.maps.push(map);
  var layers = body.union ? body.members.map(function (it) { return [it]; }) : [body.members];
  layers.forEach(function (members) {
    var pieces = SF.pieces(members, body.holes, body.padding, body.start, body.end);
    pieces.forEach(function (pc) { pc.idx = map.pieces.length; map.pieces.push(pc); });
    SF.layerRows(html, map, pieces, body, body.union ? "member " + SF.memberName(members[0].m) : "");
  });
  el.innerHTML = html.join("");
  el.dataset.map = map.id;
  return map;
};

SF.pieceOf = function (node) {
  var cell = node.closest && node.closest("[data-p]");
  if (!cell) return null;
  var ids = cell.dataset.p.split(":");
  return SF.maps[Number(ids[0])].pieces[Number(ids[1])];
};

SF.showInfo = function (ev) {
  var pc = SF.pieceOf(ev.target);
  if (pc) document.getElementById("info").textContent = SF.pieceInfo(pc);
};

/* Enter or click on a member label opens its nested struct below the map. */
SF.toggleNested = function (ev) {
  if (ev.type === "keydown" && ev.key !== "Enter") return;
  var pc = SF.pieceOf(ev.target);
  if (!pc || pc.kind !== "m") return;
  var it = pc.members[0], box = ev.target.closest(".map").querySelector(".nestbox");
  var key = it.decl + "@" + it.offset, open = box.querySelector("[data-key=\"" + key + "\"]");
  if (open) { open.remove(); return; }
  var body = SF.nestedOf(it.m, it.offset);
  if (!body) return;
  var div = document.createElement("div");
  div.className = "nested";
  div.dataset.key = key;
  div.innerHTML = "<h3>" + SF.esc(body.title) + "</h3><div class=\"nmap\"></div><div class=\"nestbox\"></div>";
  box.appendChild(div);
  SF.drawMap(div.querySelector(".nmap"), body);
};
