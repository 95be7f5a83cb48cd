/* structfit layout map, part 1: the embedded data and the pieces a map draws.
 * Every number shown comes from the library (the report JSON and the
 * placed proposals); this script only arranges them on screen. */
"use strict";

var SF = {};
SF.report = JSON.parse(document.getElementById("sf-report").textContent);
SF.extra = JSON.parse(document.getElementById("sf-report-extra").textContent);
SF.structs = SF.report.structs;
SF.line = SF.report.cacheline || 64;

SF.esc = function (s) {
  return String(s).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
  });
};

SF.displayName = function (s) {
  if (s.name) return s.name;
  if (s.typedef_name) return s.typedef_name;
  return "(anonymous " + s.kind + ")";
};

SF.memberName = function (m) {
  return m.name !== null && m.name !== undefined ? m.name : "(anonymous " + (m.kind || "member") + ")";
};

/* Shell glob (* ? [..]) to a whole-name RegExp; plain text matches as a substring. */
SF.globRegExp = function (text) {
  var t = text.trim();
  if (!/[*?[]/.test(t)) {
    return new RegExp(t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i");
  }
  var out = "^";
  for (var i = 0; i < t.length; i++) {
    var c = t[i];
    if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "[") {
      var end = t.indexOf("]", i + 1);
      if (end < 0) { out += "\\["; continue; }
      var body = t.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\");
      out += "[" + body + "]";
      i = end;
    } else out += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(out + "$");
};

/* Struct index by "kind name" for expanding members of a named struct type. */
SF.byType = null;
SF.findType = function (typeName) {
  if (!SF.byType) {
    SF.byType = new Map();
    SF.structs.forEach(function (s, i) {
      if (s.name && !SF.byType.has(s.kind + " " + s.name)) SF.byType.set(s.kind + " " + s.name, i);
      if (s.typedef_name && !SF.byType.has(s.typedef_name)) SF.byType.set(s.typedef_name, i);
    });
  }
  var i = SF.byType.get(typeName);
  return i === undefined ? -1 : i;
};

/*
 * Items of one body as the map draws them: {start, end (bytes), kind:
 * "m" member, "k" bitfields sharing bytes, "h" hole, "p" tail padding,
 * "u" bytes no member names (unused bits, undescribed), members: [...]}.
 * `members` are {m: JSON member, decl, offset, bitOffset, bits, crosses,
 * moved}; offsets as the library gave them.
 */
SF.pieces = function (members, holes, padding, start, end) {
  var list = members.slice().sort(function (a, b) {
    var ka = a.bits ? a.bitOffset : a.offset * 8, kb = b.bits ? b.bitOffset : b.offset * 8;
    return ka - kb || a.decl - b.decl;
  });
  var out = [], at = start;
  var sortedHoles = holes.slice().sort(function (a, b) { return a[0] - b[0]; });
  /* Bytes [from, to) no member uses: the library's holes, the rest unused bits or undescribed. */
  function gap(from, to) {
    sortedHoles.forEach(function (h) {
      if (h[0] < from || h[0] >= to) return;
      if (h[0] > from) out.push({ start: from, end: h[0], kind: "u", members: [] });
      from = Math.min(h[0] + h[1], to);
      out.push({ start: h[0], end: from, kind: "h", members: [] });
    });
    if (to > from) out.push({ start: from, end: to, kind: "u", members: [] });
  }
  list.forEach(function (it) {
    var s = it.bits ? Math.floor(it.bitOffset / 8) : it.offset;
    var e = it.bits ? Math.ceil((it.bitOffset + it.bits) / 8) : it.offset + it.size;
    if (e > end) e = end;
    var last = out[out.length - 1];
    if (it.bits && last && last.kind === "k" && s < last.end) {
      last.members.push(it);
      last.end = Math.max(last.end, e);
      last.crosses = last.crosses || it.crosses;
      at = Math.max(at, last.end);
      return;
    }
    gap(at, s);
    if (s < at) s = at;
    if (e <= s) {
      if (last && e === s && it.size === 0) last.zero = (last.zero || []).concat([it]);
      return;
    }
    out.push({ start: s, end: e, kind: it.bits ? "k" : "m", members: [it], crosses: it.crosses });
    at = e;
  });
  if (padding > 0 && end - padding >= at) {
    gap(at, end - padding);
    out.push({ start: end - padding, end: end, kind: "p", members: [] });
  } else gap(at, end);
  return out;
};

/* The members of report struct `s` as map items (offsets shifted by `base`). */
SF.currentItems = function (members, base) {
  return members.map(function (m, i) {
    return {
      m: m, decl: i, offset: m.offset + base, size: m.size,
      bitOffset: m.bit_offset === null ? -1 : m.bit_offset + base * 8, bits: m.bit_size || 0,
      crosses: m.crosses_cacheline, moved: false
    };
  });
};

/* The members of a placed proposal as map items, named by the declaration. */
SF.placedItems = function (s, placed) {
  return placed.m.map(function (p) {
    var m = s.members[p[0]];
    return { m: m, decl: p[0], offset: p[1], size: p[2], bitOffset: p[3], bits: p[4],
      crosses: p[5] === 1, moved: p[6] === 1 };
  });
};

/* The body a member expands to, or null: its anonymous body, else its named struct type. */
SF.nestedOf = function (m, offset) {
  if (m.members) {
    return { title: SF.memberName(m) + ": " + (m.type || m.kind), members: SF.currentItems(m.members, 0),
      holes: m.holes, padding: 0, start: offset, end: offset + m.size, union: m.kind === "union" };
  }
  var t = String(m.type || "");
  if (t.indexOf("[") >= 0 || t.indexOf("*") >= 0 || t.indexOf("(") >= 0) return null;
  var i = SF.findType(t.replace(/^(const |volatile )+/, ""));
  if (i < 0) return null;
  var s = SF.structs[i];
  if (s.size !== m.size || !s.members.length) return null;
  return { title: SF.memberName(m) + ": " + t, members: SF.currentItems(s.members, offset),
    holes: s.holes.map(function (h) { return [h.offset + offset, h.size]; }),
    padding: s.padding, start: offset, end: offset + s.size, union: s.kind === "union" };
};
