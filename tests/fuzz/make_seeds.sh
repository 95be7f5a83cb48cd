#!/bin/sh
# Builds the fuzz seed corpus from the fixtures: several targets, DWARF 2-5, compressed sections, type units, archives, BTF, split DWARF.
#
# usage: make_seeds.sh OUTDIR
# Each seed is an object compiled at run time (no binaries are committed).
# Combinations a compiler rejects are skipped silently; at least one seed
# must come out.
set -u

out=${1:?usage: make_seeds.sh OUTDIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

# Small fixtures only: libFuzzer mutates small inputs far more efficiently.
small="$src/fixtures/bounds.c $src/fixtures/pahole_blind_spots.c $src/tests/fuzz/seed_types.c"
count=0

seed() { # NAME COMPILER ARGS...: compile $fixture into OUTDIR/NAME.o
	name=$1
	shift
	if "$@" -w -c "$fixture" -o "$tmp/$name.o" 2>/dev/null; then
		cp "$tmp/$name.o" "$out/$name.o"
		count=$((count + 1))
	fi
}

# NAME PACKER COMPILER ARGS...: compile $fixture with -gsplit-dwarf; its
# .dwo becomes OUTDIR/NAME.dwo and, with a PACKER, its package NAME.dwp.
split_seed() {
	name=$1
	packer=$2
	shift 2
	"$@" -gsplit-dwarf -O0 -w -c "$fixture" -o "$tmp/$name.o" 2>/dev/null && [ -f "$tmp/$name.dwo" ] ||
		return 0
	cp "$tmp/$name.dwo" "$out/$name.dwo"
	count=$((count + 1))
	if [ -n "$packer" ] && command -v "$packer" >/dev/null &&
		timeout 10 "$packer" -o "$tmp/$name.dwp" "$tmp/$name.dwo" >/dev/null 2>&1; then
		cp "$tmp/$name.dwp" "$out/$name.dwp"
		count=$((count + 1))
	fi
}

for fixture in $small; do
	base=$(basename "$fixture" .c)
	for target in x86_64-linux-gnu i386-linux-gnu aarch64-linux-gnu armv7-linux-gnueabihf \
		s390x-linux-gnu powerpc64-linux-gnu riscv64-linux-gnu; do
		seed "$base-$target" clang --target=$target -g -O0
	done
	for v in 2 3 4 5; do
		seed "$base-clang-dwarf$v" clang -gdwarf-$v -O0
		seed "$base-gcc-dwarf$v" gcc -gdwarf-$v -O0
	done
	seed "$base-gz" clang -g -gz=zlib -O0
	seed "$base-gcc-gz" gcc -g -gz=zlib -O0
	seed "$base-types-gcc" gcc -gdwarf-4 -fdebug-types-section -O0
	seed "$base-types-clang" clang -gdwarf-4 -fdebug-types-section -O0
	seed "$base-types5-clang" clang -gdwarf-5 -fdebug-types-section -O0
	seed "$base-O2-gcc" gcc -g -O2
	seed "$base-dwarf64" gcc -g -gdwarf64 -O0
	seed "$base-split" gcc -g -gsplit-dwarf -O0
	# Split DWARF read on its own (issue 15): the .dwo files, and packages
	# by binutils' dwp (DWARF 4) and llvm-dwp (clang's DWARF 5 with type
	# units; llvm-dwp 14 hangs on gcc's DWARF 5).
	split_seed "$base-dwo5-gcc" "" gcc -gdwarf-5
	split_seed "$base-dwo4-gcc" dwp gcc -gdwarf-4
	split_seed "$base-dwo5-clang" llvm-dwp clang -gdwarf-5 -fdebug-types-section
	# BTF (issue 15): raw BTF from pahole, and a BPF object's .BTF alone
	# (its DWARF stripped, so the default format reaches the BTF).
	if gcc -g -w -O0 -c "$fixture" -o "$tmp/$base-btf.o" 2>/dev/null &&
		pahole --btf_encode_detached="$out/$base.btf" "$tmp/$base-btf.o" >/dev/null 2>&1; then
		count=$((count + 1))
	fi
	if clang -target bpf -g -w -O0 -c "$fixture" -o "$tmp/$base-bpf.o" 2>/dev/null &&
		llvm-objcopy --strip-debug "$tmp/$base-bpf.o" "$out/$base-bpf.o" 2>/dev/null; then
		count=$((count + 1))
	fi
done

# An archive of two members.
fixture=$src/fixtures/bounds.c
if gcc -g -w -c "$fixture" -o "$tmp/a.o" 2>/dev/null &&
	clang -g -w -c "$src/tests/fuzz/seed_types.c" -o "$tmp/b.o" 2>/dev/null &&
	ar rcs "$tmp/lib.a" "$tmp/a.o" "$tmp/b.o" 2>/dev/null; then
	cp "$tmp/lib.a" "$out/archive.a"
	count=$((count + 1))
fi

echo "make_seeds: $count seeds in $out"
[ "$count" -gt 0 ]
