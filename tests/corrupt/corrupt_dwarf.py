"""Locating bytes to corrupt in ELF objects: section headers, DIEs, attributes and abbreviations.

A deliberately small reader for the corrupt-input tests: little-endian ELF,
32-bit DWARF 2-5 as gcc and clang write it.  It only finds *where* things
are (file offsets, forms); structfit's own reader is what is under test.
"""

import struct

SHDR_FIELDS64 = {"name": (0, "I"), "type": (4, "I"), "flags": (8, "Q"), "addr": (16, "Q"),
                 "offset": (24, "Q"), "size": (32, "Q"), "link": (40, "I"), "info": (44, "I"),
                 "addralign": (48, "Q"), "entsize": (56, "Q")}
SHDR_FIELDS32 = {"name": (0, "I"), "type": (4, "I"), "flags": (8, "I"), "addr": (12, "I"),
                 "offset": (16, "I"), "size": (20, "I"), "link": (24, "I"), "info": (28, "I"),
                 "addralign": (32, "I"), "entsize": (36, "I")}

TAGS = {"DW_TAG_array_type": 0x01, "DW_TAG_enumeration_type": 0x04, "DW_TAG_member": 0x0d,
        "DW_TAG_pointer_type": 0x0f, "DW_TAG_compile_unit": 0x11, "DW_TAG_structure_type": 0x13,
        "DW_TAG_typedef": 0x16, "DW_TAG_union_type": 0x17, "DW_TAG_subrange_type": 0x21,
        "DW_TAG_base_type": 0x24, "DW_TAG_const_type": 0x26, "DW_TAG_variable": 0x34,
        "DW_TAG_volatile_type": 0x35}
ATTRS = {"DW_AT_sibling": 0x01, "DW_AT_name": 0x03, "DW_AT_byte_size": 0x0b,
         "DW_AT_bit_size": 0x0d, "DW_AT_upper_bound": 0x2f, "DW_AT_count": 0x37,
         "DW_AT_data_member_location": 0x38, "DW_AT_type": 0x49, "DW_AT_data_bit_offset": 0x6b,
         "DW_AT_alignment": 0x88}

# Fixed-size forms (bytes); the others are handled in form_size().
FIXED = {0x0b: 1, 0x05: 2, 0x06: 4, 0x07: 8, 0x0c: 1, 0x11: 1, 0x12: 2, 0x13: 4, 0x14: 8,
         0x0e: 4, 0x1f: 4, 0x10: 4, 0x17: 4, 0x19: 0, 0x20: 8, 0x1e: 16, 0x25: 1, 0x26: 2,
         0x27: 3, 0x28: 4, 0x29: 1, 0x2a: 2, 0x2b: 3, 0x2c: 4, 0x21: 0, 0x1c: 4, 0x1d: 4}
FORM_ADDR, FORM_STRING, FORM_IMPLICIT_CONST = 0x01, 0x08, 0x21
ULEB_FORMS = {0x0f, 0x15, 0x1a, 0x1b, 0x22, 0x23}  # udata, ref_udata, strx, addrx, loclistx, rnglistx
SLEB_FORMS = {0x0d}
BLOCK_FORMS = {0x0a: 1, 0x03: 2, 0x04: 4, 0x09: None, 0x18: None}  # block1/2/4, block, exprloc


def uleb(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7f) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def sleb(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7f) << shift
        shift += 7
        if byte < 0x80:
            if byte & 0x40:
                result -= 1 << shift
            return result, pos


class Elf:
    """Section headers of a little-endian ELF file held in a bytearray."""

    def __init__(self, data):
        if data[:4] != b"\x7fELF" or data[5] != 1:
            raise ValueError("not a little-endian ELF file")
        self.data = data
        self.is64 = data[4] == 2
        if self.is64:
            self.shoff, = struct.unpack_from("<Q", data, 0x28)
            self.shentsize, self.shnum, self.shstrndx = struct.unpack_from("<HHH", data, 0x3a)
            self.fields = SHDR_FIELDS64
            self.address_size = 8
        else:
            self.shoff, = struct.unpack_from("<I", data, 0x20)
            self.shentsize, self.shnum, self.shstrndx = struct.unpack_from("<HHH", data, 0x2e)
            self.fields = SHDR_FIELDS32
            self.address_size = 4
        strtab = self.header(self.shstrndx)
        self.names = {}
        for index in range(self.shnum):
            start = strtab["offset"] + self.header(index)["name"]
            end = data.index(b"\0", start)
            self.names[data[start:end].decode("latin-1")] = index

    def header_offset(self, index):
        return self.shoff + index * self.shentsize

    def header(self, index):
        base = self.header_offset(index)
        return {k: struct.unpack_from("<" + f, self.data, base + off)[0]
                for k, (off, f) in self.fields.items()}

    def section(self, name):
        """(file offset, size) of a section, KeyError when absent."""
        header = self.header(self.names[name])
        return header["offset"], header["size"]

    def field_location(self, name, field):
        off, fmt = self.fields[field]
        return self.header_offset(self.names[name]) + off, struct.calcsize(fmt)


class Die:
    def __init__(self, offset, code_pos, code_len, tag, attrs, unit):
        self.offset = offset        # section offset, as llvm-dwarfdump prints it
        self.code_pos = code_pos    # file offset of the abbreviation code
        self.code_len = code_len
        self.tag = tag
        self.attrs = attrs          # attr -> (form, file offset of the value, size)
        self.unit = unit            # section offset of the unit header
        self.name = None


def parse_abbrevs(data, pos):
    table = {}
    while True:
        code, pos = uleb(data, pos)
        if code == 0:
            return table
        tag, pos = uleb(data, pos)
        has_children = data[pos]
        pos += 1
        specs = []
        while True:
            attr, pos = uleb(data, pos)
            form, pos = uleb(data, pos)
            if form == FORM_IMPLICIT_CONST:
                _, pos = sleb(data, pos)
            if attr == 0 and form == 0:
                break
            specs.append((attr, form))
        table[code] = (tag, has_children, specs)


def value_size(data, pos, form, version, address_size):
    if form == FORM_ADDR:
        return address_size
    if form == 0x10 and version == 2:  # ref_addr was address-sized in DWARF 2
        return address_size
    if form in FIXED:
        return FIXED[form]
    if form == FORM_STRING:
        return data.index(b"\0", pos) - pos + 1
    if form in ULEB_FORMS:
        return uleb(data, pos)[1] - pos
    if form in SLEB_FORMS:
        return sleb(data, pos)[1] - pos
    if form in BLOCK_FORMS:
        width = BLOCK_FORMS[form]
        if width is None:
            length, start = uleb(data, pos)
        else:
            length = int.from_bytes(data[pos:pos + width], "little")
            start = pos + width
        return start - pos + length
    raise ValueError("form 0x%x not handled" % form)


def dies(elf):
    """Every DIE of .debug_info, in order."""
    data = elf.data
    info_off, info_size = elf.section(".debug_info")
    abbrev_off, _ = elf.section(".debug_abbrev")
    str_off = elf.section(".debug_str")[0] if ".debug_str" in elf.names else None
    out = []
    unit = 0
    while unit + 11 <= info_size:
        pos = info_off + unit
        length, version = struct.unpack_from("<IH", data, pos)
        end = pos + 4 + length
        if version >= 5:
            unit_type, address_size, abbrev_rel = struct.unpack_from("<BBI", data, pos + 6)
            pos += 12
            if unit_type in (2, 6):      # type unit: signature and type offset
                pos += 12
            elif unit_type in (4, 5):    # skeleton / split: dwo id
                pos += 8
        else:
            abbrev_rel, address_size = struct.unpack_from("<IB", data, pos + 6)
            pos += 11
        abbrevs = parse_abbrevs(data, abbrev_off + abbrev_rel)
        while pos < end:
            code_pos = pos
            code, pos = uleb(data, pos)
            if code == 0:
                continue
            tag, _, specs = abbrevs[code]
            die = Die(code_pos - info_off, code_pos, pos - code_pos, tag, {}, unit)
            for attr, form in specs:
                size = value_size(data, pos, form, version, address_size)
                die.attrs[attr] = (form, pos, size)
                if attr == ATTRS["DW_AT_name"]:
                    if form == FORM_STRING:
                        die.name = data[pos:pos + size - 1].decode("latin-1")
                    elif form == 0x0e and str_off is not None:
                        s = str_off + int.from_bytes(data[pos:pos + 4], "little")
                        die.name = data[s:data.index(b"\0", s)].decode("latin-1")
                pos += size
            out.append(die)
        unit = end - info_off
    return out


def find_die(elf, tag, name=None, nth=0):
    """The nth DIE with `tag` (and DW_AT_name `name`)."""
    matches = [d for d in dies(elf) if d.tag == TAGS[tag] and (name is None or d.name == name)]
    if len(matches) <= nth:
        raise LookupError("no %s%s #%d" % (tag, ":" + name if name else "", nth))
    return matches[nth]


def put(data, pos, size, value):
    """Writes `value` (truncated to `size` bytes) little-endian at `pos`."""
    data[pos:pos + size] = (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little")


def write_elf(sections, machine=62):
    """A minimal little-endian ELF64 relocatable file holding `sections`
    ([(name, bytes)]), for DWARF crafted byte by byte."""
    names = b"\0" + b"".join(n.encode() + b"\0" for n, _ in sections) + b".shstrtab\0"
    body = bytearray(b"\0" * 64)
    offsets = []
    for _, data in sections + [(".shstrtab", names)]:
        offsets.append(len(body))
        body += data
    while len(body) % 8:
        body.append(0)
    shoff = len(body)
    count = len(sections) + 2
    header = struct.pack("<4sBBBBB7xHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, 1, machine, 1,
                         0, 0, shoff, 0, 64, 0, 0, 64, count, count - 1)
    body[0:64] = header
    body += b"\0" * 64                  # the null section
    name_pos = 1
    for (name, data), off in zip(sections + [(".shstrtab", names)], offsets):
        kind = 3 if name == ".shstrtab" else 1
        body += struct.pack("<IIQQQQIIQQ", name_pos, kind, 0, 0, off, len(data), 0, 0, 1, 0)
        name_pos += len(name) + 1
    return bytes(body)


def uleb_bytes(value):
    out = bytearray()
    while True:
        byte = value & 0x7f
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def crafted_unit(abbrevs, dies):
    """(.debug_abbrev, .debug_info) of one DWARF 4 unit.  `abbrevs` maps
    code -> (tag, has_children, [(attr, form)]); `dies` is the raw DIE bytes."""
    abbrev = bytearray()
    for code, (tag, children, specs) in sorted(abbrevs.items()):
        abbrev += uleb_bytes(code) + uleb_bytes(tag) + bytes([children])
        for attr, form in specs:
            abbrev += uleb_bytes(attr) + uleb_bytes(form)
        abbrev += b"\0\0"
    abbrev += b"\0"
    body = struct.pack("<HIB", 4, 0, 8) + dies
    return bytes(abbrev), struct.pack("<I", len(body)) + body


def line_file_entries(elf):
    """DWARF 5 line table of the first unit: (directory count, [{content type:
    (form, file offset, size)}] per file entry)."""
    data = elf.data
    pos, _ = elf.section(".debug_line")
    version, = struct.unpack_from("<H", data, pos + 4)
    if version < 5:
        raise ValueError("line table version %d has no entry formats" % version)
    address_size = data[pos + 6]
    opcode_base = data[pos + 17]
    pos += 18 + opcode_base - 1

    def entries(pos):
        count = data[pos]
        pos += 1
        fmt = []
        for _ in range(count):
            ctype, pos = uleb(data, pos)
            form, pos = uleb(data, pos)
            fmt.append((ctype, form))
        n, pos = uleb(data, pos)
        out = []
        for _ in range(n):
            entry = {}
            for ctype, form in fmt:
                size = value_size(data, pos, form, 5, address_size)
                entry[ctype] = (form, pos, size)
                pos += size
            out.append(entry)
        return out, pos

    dirs, pos = entries(pos)
    files, _ = entries(pos)
    return len(dirs), files
