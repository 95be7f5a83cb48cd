#!/usr/bin/env bash
# Benchmark of `structfit report` against `pahole -F dwarf` on big real inputs:
# wall time, peak RSS, -j scaling, and a per-struct agreement check.
#
# Usage: scripts/bench.sh [-n] [--btf] [FILE...]
#   Without FILE: the Debian cloud kernel's vmlinux (linux-image-*-cloud-amd64-dbg),
#   libc's and python3.11's debug files, downloaded with apt-get download and
#   unpacked with dpkg -x into $STRUCTFIT_BENCH_CACHE (default
#   ${XDG_CACHE_HOME:-$HOME/.cache}/structfit-bench) unless already there.
#   -n: only print the inputs that would be used and what would be downloaded.
# Times are wall-clock medians; "cpu" is user+sys, which a loaded machine
# disturbs less (the load average is printed before and after).
# Each file is also compared with `pahole -j` (pahole's own threads), and
# the CPU time of `report -j1` is printed as a multiple of the floor: a
# single-threaded walk that decodes every DIE code and skips each attribute
# by its form, building nothing (tests/tools/dwarf_walk.c, built with the
# tests; the line is left out when it is missing), run in pairs with -j1
# runs, as many as the scaling row's.
# Then `report --format-in=btf` against `pahole -F btf` on BTF inputs:
# /sys/kernel/btf/vmlinux when readable, the vmlinux's own .BTF section,
# and that vmlinux's BTF encoded detached by `pahole --btf_encode_detached`
# (made once, cached next to it); with FILEs, those FILEs holding BTF (raw
# BTF files only get this comparison).
#   --btf: only the BTF comparison.
# Environment: STRUCTFIT_BIN (default build/structfit), STRUCTFIT_WALK
#   (default build/tests/dwarf_walk), RUNS (default 3), SCALING_RUNS
#   (pairs of the -j1/-jJOBS row and of the floor row; default RUNS, at
#   least 15: a ratio of two times wants more runs than a time), BTF_RUNS (default 11: a BTF
#   report takes a tenth of a second), JOBS (default: online CPUs),
#   STRUCTFIT_BENCH_CACHE.
set -euo pipefail

dry_run=0
btf_only=0
while [ $# -gt 0 ]; do
	case $1 in
	-n | --dry-run) dry_run=1 ;;
	--btf) btf_only=1 ;;
	*) break ;;
	esac
	shift
done

repo=$(cd "$(dirname "$0")/.." && pwd)
sf=${STRUCTFIT_BIN:-$repo/build/structfit}
walk=${STRUCTFIT_WALK:-$repo/build/tests/dwarf_walk}
runs=${RUNS:-3}
scaling_runs=${SCALING_RUNS:-$((runs > 15 ? runs : 15))}
btf_runs=${BTF_RUNS:-11}
jobs=${JOBS:-$(nproc)}
cache=${STRUCTFIT_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/structfit-bench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

die() { echo "bench.sh: $*" >&2; exit 1; }
if [ $dry_run -eq 0 ]; then
	[ -x "$sf" ] || die "no structfit binary at $sf (build it, or set STRUCTFIT_BIN)"
	command -v pahole >/dev/null || die "pahole not installed (Debian package dwarves)"
	command -v python3 >/dev/null || die "python3 not installed (it times the runs)"
fi

# Downloads Debian package $1 into the cache and unpacks it (once).
fetch() {
	local pkg=$1 dir=$cache/$1
	if [ $dry_run -eq 1 ]; then
		if [ -d "$dir" ]; then
			echo "bench.sh: reusing $dir" >&2
		else
			echo "bench.sh: would download $pkg (apt-get download) and unpack it into $dir" >&2
		fi
		printf '%s\n' "$dir"
		return 0
	fi
	if [ ! -d "$dir" ]; then
		mkdir -p "$cache"
		(cd "$cache" && apt-get download "$pkg" >&2) || die "apt-get download $pkg failed"
		dpkg -x "$cache/${pkg}"_*.deb "$dir.partial" && mv "$dir.partial" "$dir"
		rm -f "$cache/${pkg}"_*.deb
	fi
	printf '%s\n' "$dir"
}

# Debug file of an installed binary by build-id, from /usr/lib/debug or
# from the -dbg package $2 unpacked in the cache.
debug_file_of() {
	local binary=$1 pkg=$2 id dir
	id=$(readelf -n "$binary" 2>/dev/null | awk '/Build ID/ { print $3; exit }')
	[ -n "$id" ] || return 1
	if [ -f "/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug" ]; then
		echo "bench.sh: using the installed /usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug" >&2
		printf '%s\n' "/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug"
		return 0
	fi
	dir=$(fetch "$pkg") || return 1
	[ $dry_run -eq 1 ] || [ -f "$dir/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug" ] || return 1
	printf '%s\n' "$dir/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug"
}

default_inputs() {
	local pkg dir file
	# The newest cloud kernel debug package apt knows, reused if already unpacked.
	file=$(ls "$cache"/linux-image-*-cloud-amd64-dbg/usr/lib/debug/boot/vmlinux-* 2>/dev/null | tail -n 1 || true)
	if [ -n "$file" ]; then
		echo "bench.sh: reusing $file" >&2
	else
		pkg=$(apt-cache search --names-only '^linux-image-[0-9.]+-[0-9]+-cloud-amd64-dbg$' |
		      awk '{ print $1 }' | sort -V | tail -n 1)
		[ -n "$pkg" ] || die "apt-cache knows no linux-image-*-cloud-amd64-dbg (apt-get update?)"
		dir=$(fetch "$pkg")
		file=$(ls "$dir"/usr/lib/debug/boot/vmlinux-* 2>/dev/null | head -n 1 ||
		       echo "$dir/usr/lib/debug/boot/vmlinux-*")
	fi
	printf '%s\n' "$file"
	[ $btf_only -eq 0 ] || return 0
	debug_file_of "$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)" libc6-dbg ||
		echo "bench.sh: skipping libc (no debug file)" >&2
	# Debian's interpreter, which python3.11-dbg matches (not a pyenv shim).
	if [ -x /usr/bin/python3.11 ]; then
		debug_file_of "$(readlink -f /usr/bin/python3.11)" python3.11-dbg ||
			echo "bench.sh: skipping python3.11 (no debug file)" >&2
	fi
}

# Runs a command once; prints "seconds peak_kb cpu_seconds" and keeps stdout
# in $tmp/out.  The figures are the child's own (wait4's rusage, a monotonic
# clock around the spawn and the wait), in milliseconds: /usr/bin/time
# rounds CPU time to 10 ms, as much as a BTF report's difference.  The
# child is spawned (vfork and exec), not forked: a fork of this python
# took 1.8 ms to run /bin/true against 0.7 ms spawned, a millisecond
# every run counted.  Either way the kernel counts the python's resident
# size (10-14 MB) into the child's peak, a floor below every input here.
measure_py='
import os, sys, time
tmp, cmd = sys.argv[1], sys.argv[2:]
flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
out, err = os.open(tmp + "/out", flags, 0o644), os.open(tmp + "/err", flags, 0o644)
start = time.monotonic()
try:
    pid = os.posix_spawnp(cmd[0], cmd, os.environ,
                          file_actions=[(os.POSIX_SPAWN_DUP2, out, 1), (os.POSIX_SPAWN_DUP2, err, 2)])
except OSError as e:
    os.write(err, ("cannot run %s: %s\n" % (cmd[0], e.strerror)).encode())
    sys.exit(1)
_, status, usage = os.wait4(pid, 0)
wall = time.monotonic() - start
if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
    sys.exit(1)
print("%.4f %d %.3f" % (wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime))
'
measure() {
	python3 -c "$measure_py" "$tmp" "$@" || {
		echo "bench.sh: failed: $*" >&2
		cat "$tmp/err" >&2
		return 1
	}
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }

# Alternates the two commands $runs times; prints "sf_s sf_kb pa_s pa_kb" medians.
compare() {
	local -a sf_cmd pa_cmd
	local i line
	local label=$1
	shift
	sf_cmd=()
	while [ "$1" != "--" ]; do sf_cmd+=("$1"); shift; done
	shift
	pa_cmd=("$@")
	: >"$tmp/sf.t"; : >"$tmp/pa.t"
	for ((i = 0; i < runs; i++)); do
		measure "${sf_cmd[@]}" >>"$tmp/sf.t"
		measure "${pa_cmd[@]}" >>"$tmp/pa.t"
	done
	line="$(cut -d' ' -f1 "$tmp/sf.t" | median) $(cut -d' ' -f2 "$tmp/sf.t" | median)"
	line="$line $(cut -d' ' -f1 "$tmp/pa.t" | median) $(cut -d' ' -f2 "$tmp/pa.t" | median)"
	line="$line $(cut -d' ' -f3 "$tmp/sf.t" | median) $(cut -d' ' -f3 "$tmp/pa.t" | median)"
	set -- $line
	printf '%-28s structfit %8.3f s %9d KB | pahole %8.3f s %9d KB | time x%s  rss x%s  (cpu %ss vs %ss, x%s)\n' \
		"$label" "$1" "$2" "$3" "$4" "$(ratio "$1" "$3")" "$(ratio "$2" "$4")" "$5" "$6" "$(ratio "$5" "$6")"
}

# Whether $1 is raw BTF (magic 0xeB9F, either byte order), which has no DWARF.
is_raw_btf() {
	local magic
	magic=$(head -c 2 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')
	[ "$magic" = 9feb ] || [ "$magic" = eb9f ]
}

# Whether $1 holds BTF: raw, or ELF with a .BTF section.
has_btf() {
	is_raw_btf "$1" || readelf -S "$1" 2>/dev/null | grep -q ' \.BTF '
}

# BTF inputs for the defaults: the running kernel's, the vmlinux's .BTF and
# the same vmlinux encoded detached by pahole (once, into the cache).
default_btf_inputs() {
	local vmlinux=$1 detached
	if [ -r /sys/kernel/btf/vmlinux ]; then
		printf '%s\n' /sys/kernel/btf/vmlinux
	else
		echo "bench.sh: no readable /sys/kernel/btf/vmlinux, skipping it" >&2
	fi
	case $(basename "$vmlinux") in vmlinux*) ;; *) return 0 ;; esac
	if [ $dry_run -eq 0 ] && ! has_btf "$vmlinux"; then
		echo "bench.sh: $vmlinux has no .BTF section" >&2
		return 0
	fi
	printf '%s\n' "$vmlinux"
	detached=$cache/$(basename "$vmlinux").btf
	if [ -f "$detached" ]; then
		echo "bench.sh: reusing $detached" >&2
	elif [ $dry_run -eq 1 ]; then
		echo "bench.sh: would encode $detached (pahole --btf_encode_detached)" >&2
	else
		echo "bench.sh: encoding $detached with pahole --btf_encode_detached (once)" >&2
		pahole --btf_encode_detached="$detached.partial" "$vmlinux" >/dev/null 2>"$tmp/encode.err" &&
			mv "$detached.partial" "$detached" || {
			rm -f "$detached.partial"
			echo "bench.sh: pahole could not encode $detached: $(head -n 1 "$tmp/encode.err")" >&2
			return 0
		}
	fi
	printf '%s\n' "$detached"
}

# `structfit report --format-in=btf` against `pahole -F btf` on each BTF input.
bench_btf() {
	local file runs=$btf_runs
	echo
	echo "== BTF: structfit report --format-in=btf FILE vs pahole -F btf FILE (runs=$runs, alternating)"
	for file in "$@"; do
		[ -f "$file" ] || [ -r "$file" ] || die "$file: not found"
		# du says 0 for sysfs files; their size is right.
		compare "$(basename "$file") ($(stat -c %s "$file" | awk '{ printf "%.1f MB", $1 / 1e6 }'))" \
			"$sf" report --format-in=btf "$file" -- pahole -F btf "$file"
	done
}

btf_inputs=()
if [ $# -eq 0 ]; then
	mapfile -t inputs < <(default_inputs)
	mapfile -t btf_inputs < <(default_btf_inputs "${inputs[0]}")
else
	inputs=()
	for file in "$@"; do
		if ! is_raw_btf "$file"; then inputs+=("$file"); fi
		if has_btf "$file"; then btf_inputs+=("$file"); fi
	done
fi
if [ $btf_only -eq 1 ]; then
	inputs=()
fi
if [ $dry_run -eq 1 ]; then
	[ ${#inputs[@]} -eq 0 ] || printf 'would benchmark: %s\n' "${inputs[@]}"
	[ ${#btf_inputs[@]} -eq 0 ] || printf 'would benchmark as BTF: %s\n' "${btf_inputs[@]}"
	exit 0
fi

echo "structfit: $sf ($("$sf" --version 2>/dev/null | head -n 1)); $(pahole --version); runs=$runs scaling_runs=$scaling_runs jobs=$jobs cpus=$(nproc)"
echo "load before: $(uptime | sed 's/.*load average/load average/')"
for file in "${inputs[@]}"; do
	[ -f "$file" ] || die "$file: not found"
	echo
	echo "== $file ($(du -h "$file" | cut -f1))"
	compare "all structs (default -j)" "$sf" report "$file" -- pahole -F dwarf "$file"
	compare "all structs, -j1" "$sf" report -j1 "$file" -- pahole -F dwarf "$file"
	compare "all structs vs pahole -j" "$sf" report "$file" -- pahole -j -F dwarf "$file"

	: >"$tmp/j1.t"; : >"$tmp/jn.t"
	# Each pair in turn starts with -j1 or with -jJOBS, so neither
	# always runs right after the other.
	for ((i = 0; i < scaling_runs; i++)); do
		if ((i % 2 == 0)); then
			measure "$sf" report -j1 "$file" >>"$tmp/j1.t"; cp "$tmp/out" "$tmp/j1.out"
		fi
		measure "$sf" report -j"$jobs" "$file" >>"$tmp/jn.t"; cp "$tmp/out" "$tmp/jn.out"
		if ((i % 2 == 1)); then
			measure "$sf" report -j1 "$file" >>"$tmp/j1.t"; cp "$tmp/out" "$tmp/j1.out"
		fi
	done
	t1=$(cut -d' ' -f1 "$tmp/j1.t" | median)
	tn=$(cut -d' ' -f1 "$tmp/jn.t" | median)
	c1=$(cut -d' ' -f3 "$tmp/j1.t" | median)
	cn=$(cut -d' ' -f3 "$tmp/jn.t" | median)
	# Each -j1 run against the -jJOBS run of its pair: a ratio per pair
	# drifts less with the machine's load than the ratio of medians.
	tp=$(paste -d' ' <(cut -d' ' -f1 "$tmp/j1.t") <(cut -d' ' -f1 "$tmp/jn.t") |
		awk '{ printf "%.6f\n", ($2 > 0 ? $1 / $2 : 0) }' | median)
	same=identical
	cmp -s "$tmp/j1.out" "$tmp/jn.out" || same=DIFFERENT
	printf '%-28s -j1 %8.3f s  -j%s %8.3f s  speedup x%s (per pair x%.3f)  output %s  (cpu %ss vs %ss)\n' "scaling" \
		"$t1" "$jobs" "$tn" "$(ratio "$t1" "$tn")" "$tp" "$same" "$c1" "$cn"

	if [ -x "$walk" ]; then
		# The walk in pairs with -j1 runs of its own, as many as the
		# scaling row's, for a ratio per pair as above; the -j1 CPU is
		# the median of all its runs.
		: >"$tmp/walk.t"; : >"$tmp/walk_j1.t"
		for ((i = 0; i < scaling_runs; i++)); do
			measure "$walk" "$file" >>"$tmp/walk.t"
			cp "$tmp/out" "$tmp/walk.out"
			measure "$sf" report -j1 "$file" >>"$tmp/walk_j1.t"
		done
		cw=$(cut -d' ' -f3 "$tmp/walk.t" | median)
		c1=$(cut -d' ' -f3 "$tmp/j1.t" "$tmp/walk_j1.t" | median)
		fp=$(paste -d' ' <(cut -d' ' -f3 "$tmp/walk_j1.t") <(cut -d' ' -f3 "$tmp/walk.t") |
			awk '{ printf "%.6f\n", ($2 > 0 ? $1 / $2 : 0) }' | median)
		printf '%-28s plain walk cpu %ss (%s)  structfit -j1 cpu %ss = x%s the floor (per pair x%.3f)\n' \
			"floor" "$cw" "$(cat "$tmp/walk.out")" "$c1" "$(ratio "$c1" "$cw")" "$fp"
	else
		echo "floor: no $walk (build the tests, or set STRUCTFIT_WALK)"
	fi

	case $(basename "$file") in
	vmlinux*)
		compare "-C task_struct" "$sf" report -C task_struct "$file" -- pahole -F dwarf -C task_struct "$file"
		;;
	esac

	echo "-- agreement with pahole (tests/oracle/pahole_agreement.py):"
	python3 "$repo/tests/oracle/pahole_agreement.py" --examples 3 --structfit "$sf" "$file" 2>&1 | sed 's/^/   /' | head -n 25
done
if [ ${#btf_inputs[@]} -gt 0 ]; then
	bench_btf "${btf_inputs[@]}"
fi
echo
echo "load after: $(uptime | sed 's/.*load average/load average/')"
