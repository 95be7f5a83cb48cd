# Shared dependency check, sourced by run.sh and test.sh: installs the
# Debian packages structfit needs when running as root, otherwise prints the
# exact command and stops.
# shellcheck shell=bash
set -euo pipefail

# What building and running the tool needs (run.sh).  libisal-dev brings
# igzip (the header for the build, libisal2, which the tool opens at run
# time), which inflates compressed debug sections twice as fast as zlib;
# without it zlib does.  libbpf-dev reads
# BTF; libdebuginfod-dev brings the header and libdebuginfod1, which the
# tool opens at run time to fetch debug files by build-id.
STRUCTFIT_PACKAGES=(
	gcc make cmake pkg-config binutils
	libdwarf-dev libelf-dev zlib1g-dev libisal-dev libbpf-dev libdebuginfod-dev
)

# Only the test suite needs these: clang for the cross-target oracles and the
# sanitizer build, Criterion for the unit tests, pahole and dwz as peers,
# patch/git apply fix's diffs, valgrind and clang's sanitizer runtime check
# memory, libc6-dbg lets the separate debug-file lookup be tested on the
# real libc, other languages' compilers feed the non-C producer test,
# chromium is the real browser the HTML map test (html_browser) drives,
# debuginfod is the local server the fetch test starts, llvm's objcopy
# edits BPF objects (binutils' does not know EM_BPF) and its llvm-dwp packs
# split DWARF as binutils' dwp does (oracle_split), strace counts the files
# the ignore-marker lookup tries (cli_ignore_dirs).
if [[ -n ${STRUCTFIT_DEPS_FOR_TESTS:-} ]]; then
	STRUCTFIT_PACKAGES+=(
		clang libcriterion-dev dwarves dwz python3 file time
		git patch valgrind libclang-rt-dev libc6-dbg
		g++ gfortran gnat golang-go rustc chromium
		debuginfod llvm strace
	)
fi

# Targets the tests compile fixtures for; Debian's clang has every backend built in.
STRUCTFIT_CLANG_TARGETS=(
	x86_64-linux-gnu i386-linux-gnu armv7-linux-gnueabihf aarch64-linux-gnu
	s390x-linux-gnu powerpc64-linux-gnu riscv64-linux-gnu
)

structfit_missing_packages() {
	local pkg
	for pkg in "${STRUCTFIT_PACKAGES[@]}"; do
		if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
			printf '%s\n' "$pkg"
		fi
	done
}

structfit_check_clang_targets() {
	local target tmp failed=()
	tmp=$(mktemp -d)
	# No headers: a freestanding snippet tests the backend, not a sysroot.
	printf 'struct s { char c; long l; } g;\n' >"$tmp/t.c"
	for target in "${STRUCTFIT_CLANG_TARGETS[@]}"; do
		if ! clang --target="$target" -g -c "$tmp/t.c" -o "$tmp/t.o" 2>/dev/null; then
			failed+=("$target")
		fi
	done
	rm -rf "$tmp"
	if ((${#failed[@]})); then
		echo "structfit: clang cannot compile for: ${failed[*]}" >&2
		echo "structfit: the cross-target tests need a clang with those backends (Debian's has all)" >&2
		return 1
	fi
}

structfit_deps() {
	local missing cmd
	if ! command -v dpkg-query >/dev/null 2>&1; then
		echo "structfit: not a Debian-based system; install by hand: ${STRUCTFIT_PACKAGES[*]}" >&2
		for cmd in cmake cc pkg-config make; do
			command -v "$cmd" >/dev/null 2>&1 || { echo "structfit: '$cmd' not found" >&2; return 1; }
		done
		return 0
	fi
	mapfile -t missing < <(structfit_missing_packages)
	if ((${#missing[@]})); then
		if [[ $(id -u) -eq 0 ]]; then
			echo "structfit: installing ${missing[*]}" >&2
			apt-get update
			DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
		else
			echo "structfit: missing packages; install them with:" >&2
			echo "  sudo apt-get install ${missing[*]}" >&2
			exit 1
		fi
	fi
	if [[ -n ${STRUCTFIT_DEPS_FOR_TESTS:-} ]]; then
		structfit_check_clang_targets || exit 1
	fi
}

structfit_deps
