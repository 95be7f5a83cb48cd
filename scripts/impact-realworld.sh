#!/usr/bin/env bash
# The impact pipeline on C programs nobody here wrote (issue 13): Debian
# sources fetched with `apt-get source` into a cache, built with -g -O0,
# run under valgrind DHAT, then `structfit report --summary --sort=impact`.
#   gawk 5.2.1: word frequencies over its own ChangeLogs and NEWS (its
#     NODEs and BUCKETs come from its own pool: 100 per malloc, settled
#     with two --profile-map of the pool's line);
#   cJSON 1.7.15: three programs of its test suite (every cJSON item is
#     one malloc).
# Prints per program the top 10 by impact, the byte-only ranking it
# replaces, the structs whose byte saving the size classes cancel, and
# for cJSON the cache-aware proposal from the profile's member heat.
# Usage: scripts/impact-realworld.sh [STRUCTFIT]
#   STRUCTFIT_IMPACT_CACHE: download/build directory
#   (default ${XDG_CACHE_HOME:-$HOME/.cache}/structfit-impact)
set -euo pipefail

bin=${1:-build/structfit}
[[ $bin == /* ]] || bin="$PWD/$bin"
[[ -x $bin ]] || { echo "impact-realworld: no structfit at $bin" >&2; exit 2; }
for tool in apt-get valgrind gcc make cmake python3; do
	command -v "$tool" >/dev/null || { echo "impact-realworld: $tool not installed" >&2; exit 77; }
done
cache=${STRUCTFIT_IMPACT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/structfit-impact}
mkdir -p "$cache"
tables=$(cd "$(dirname "$0")" && pwd)/impact_tables.py

# fetch PACKAGE DIR: `apt-get source` once into the cache.
fetch() {
	[[ -d $cache/$2 ]] && return
	(cd "$cache" && apt-get source "$1" >"$1.fetch.log" 2>&1) ||
		{ echo "impact-realworld: apt-get source $1 failed: $(tail -3 "$cache/$1.fetch.log")" >&2; exit 3; }
}

# dhat OUT COMMAND...: one deterministic DHAT run.
dhat() {
	local out=$1
	shift
	valgrind -q --tool=dhat --dhat-out-file="$out" "$@" >/dev/null 2>"$out.err" ||
		{ echo "impact-realworld: DHAT run failed: $(head -5 "$out.err")" >&2; exit 3; }
}

# ---- gawk ----------------------------------------------------------------
fetch gawk gawk-5.2.1
g=$cache/gawk-5.2.1
if [[ ! -x $g/gawk ]]; then
	(cd "$g" && ./configure CFLAGS="-g -O0" >configure.log 2>&1 && make -j2 -C support >make.log 2>&1 && make -j2 gawk >>make.log 2>&1) ||
		{ echo "impact-realworld: gawk build failed (see $g/make.log)" >&2; exit 3; }
fi
cat >"$g/wf.awk" <<'AWK'
{ for (i = 1; i <= NF; i++) { w = tolower($i); gsub(/[^a-z]/, "", w); if (w != "") { freq[w]++; len[w] = length(w); last[w] = NR } } }
END { n = asorti(freq, keys); for (k = 1; k <= n; k++) if (freq[keys[k]] > 50) printf "%s %d %d\n", keys[k], freq[keys[k]], len[keys[k]] > "/dev/null"; print n }
AWK
cat "$g"/ChangeLog "$g"/ChangeLog.0 "$g"/ChangeLog.1 "$g"/NEWS "$g"/NEWS.0 "$g"/NEWS.1 >"$g/words.txt"
[[ -s $g/dhat.json ]] || (cd "$g" && dhat dhat.json ./gawk -f wf.awk words.txt)
# The pool's line: one malloc of BLOCKCHUNK (100) NODEs or BUCKETs.
pool=$(grep -n 'emalloc(freep, struct block_item \*, BLOCKCHUNK \* size' "$g/node.c" | cut -d: -f1)
[[ -n $pool ]] || { echo "impact-realworld: gawk's pool line not found in node.c" >&2; exit 3; }
echo "== gawk 5.2.1 (Debian source, -g -O0): gawk -f wf.awk over its ChangeLogs and NEWS ($(wc -w <"$g/words.txt") words)"
echo "   pool line node.c:$pool mapped to exp_node (NODE) and bucket_item (BUCKET): peak counts are pool slots"
(cd "$g" && "$bin" report --summary --sort=impact --profile=dhat.json \
	--profile-map="node.c:$pool=exp_node" --profile-map="node.c:$pool=bucket_item" gawk \
	>impact.txt 2>impact.err)
cat "$g/impact.err"
python3 "$tables" "$g/impact.txt"

# ---- cJSON ---------------------------------------------------------------
fetch cjson cjson-1.7.15
c=$cache/cjson-1.7.15
if [[ ! -x $c/build/tests/json_patch_tests ]]; then
	(cd "$c" && cmake -S . -B build -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="-g -O0" \
		-DENABLE_CJSON_TEST=On -DENABLE_CJSON_UTILS=On -DENABLE_VALGRIND=Off \
		-DENABLE_SANITIZERS=Off >configure.log 2>&1 && cmake --build build -j2 >make.log 2>&1) ||
		{ echo "impact-realworld: cJSON build failed (see $c/make.log)" >&2; exit 3; }
fi
profiles=()
for t in json_patch_tests parse_examples misc_tests; do
	[[ -s $c/dhat.$t.json ]] || (cd "$c/build/tests" && dhat "$c/dhat.$t.json" "./$t")
	profiles+=("--profile=$c/dhat.$t.json")
done
echo
echo "== cJSON 1.7.15 (Debian source, -g -O0): json_patch_tests, parse_examples, misc_tests"
# From tests/, so the test programs' own files are read as sources too.
(cd "$c/tests" && "$bin" report --summary --sort=impact "${profiles[@]}" \
	../build/libcjson.so.1.7.15 ../build/libcjson_utils.so.1.7.15 >"$c/impact.txt" 2>"$c/impact.err")
cat "$c/impact.err"
python3 "$tables" "$c/impact.txt"
echo "-- cache-aware proposal from the profile's member heat (reorder --profile -C cJSON)"
(cd "$c/tests" && "$bin" reorder "${profiles[@]}" -C cJSON ../build/libcjson.so.1.7.15 2>/dev/null) |
	grep -E '^/\* (size|hot members|moved|profile)'
