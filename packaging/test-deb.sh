#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# packaging/test-deb.sh BUILD_DIR: the Debian package made from BUILD_DIR,
# installed on this machine and used from its installed files alone, then
# purged. The ctest `install_deb` (label install) runs it on build-test/;
# `packaging/test-deb.sh build` checks the release package by hand.
#   1. `cpack -G DEB` with BUILD_DIR's CPack config, into a scratch dir
#      (nothing is written to BUILD_DIR);
#   2. no file of the package names the source tree or BUILD_DIR
#      (tests/install/check_no_tree_paths.sh: `strings -a` on binaries);
#   3. `apt-get install ./fusebpf_*.deb` (no network: its dependencies are
#      installed by scripts/install-deps.sh; Recommends are not fetched);
#   4. with the source and build trees hidden (a private mount namespace),
#      tests/install/install_inner.sh on prefix /usr: `fusebpf new` +
#      `build` of a filter and a user filter, a tool built with
#      find_package(fusebpf) and with pkg-config, `mount -a -T FSTAB`
#      (fuse.fusebpf with a filter) and umount, every `fusebpf selftest`
#      case ok, `man -w fusebpf`, the bash completion;
#   5. `apt-get purge fusebpf`, then no path of `dpkg -L fusebpf` is left.
# The purge also runs when a step fails. Runs take turns on a lock. If a
# fusebpf package is installed that a killed run of this script left (its
# marker in /run says so) it is purged first; any other installed fusebpf
# package is left alone and the script exits 77 (ctest: skipped). Needs
# root. Prints each step's seconds.
set -euo pipefail
build=$(realpath "$1")
top=$(cd "$(dirname "$0")/.." && pwd)
inner=$top/tests/install/install_inner.sh
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
[[ $(id -u) -eq 0 ]] || fail "needs root (apt-get install, mount, BPF)"
[[ -f $build/CPackConfig.cmake ]] || fail "$build is not a configured build dir"
mode=plain
grep -q '^FUSEBPF_SANITIZE:BOOL=ON$' "$build/CMakeCache.txt" && mode=sanitize

# One run at a time on this machine: another worktree's suite may run it.
exec 9>/run/lock/fusebpf-test-deb.lock
flock -w 900 9 || fail "another test-deb.sh run holds /run/lock/fusebpf-test-deb.lock"
marker=/run/fusebpf-test-deb.installed
package_present() {
	local s
	s=$(dpkg-query -W -f='${db:Status-Status}' fusebpf 2>/dev/null || true)
	[[ -n $s && $s != not-installed ]]
}
purge() {
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -q -o DPkg::Lock::Timeout=300 fusebpf \
		>"$1" 2>&1
}
if package_present; then
	if [[ ! -e $marker ]]; then
		echo "SKIP: a fusebpf package is installed ($(dpkg-query -W -f='${Version}' fusebpf));" \
			"this test would replace and purge it"
		exit 77
	fi
	echo "== purging the fusebpf package a killed run of this test left"
	purge /dev/null || fail "apt-get purge fusebpf"
	rm -f "$marker"
fi

work=$(mktemp -d /tmp/fusebpf-deb-XXXXXX)
installed=0
cleanup() {
	local rc=$?
	if ((installed)); then
		purge "$work/purge.log" || { cat "$work/purge.log"; rc=1; }
		rm -f "$marker"
	fi
	rm -rf "$work"
	exit $rc
}
trap cleanup EXIT
step() {
	echo "== $* (at ${SECONDS} s)"
}

step "cpack -G DEB from $build"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1 ||
	{ cat "$work/cpack.log"; fail "cpack"; }
debs=("$work"/pkg/fusebpf_*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || fail "cpack made: $(ls "$work/pkg")"
deb=${debs[0]}
echo "$(basename "$deb"): $(du -h "$deb" | cut -f1)"
echo "Depends: $(dpkg-deb -f "$deb" Depends)"

step "no file of the package names $top or $build"
mkdir "$work/contents"
dpkg-deb -x "$deb" "$work/contents"
bash "$top/tests/install/check_no_tree_paths.sh" "$work/contents" "$top" "$build"

step "apt-get install $(basename "$deb")"
touch "$marker"
installed=1
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	-o DPkg::Lock::Timeout=300 "$deb" >"$work/apt.log" 2>&1 ||
	{ cat "$work/apt.log"; fail "apt-get install"; }
dpkg -L fusebpf >"$work/files"
echo "ok: $(wc -l <"$work/files") paths"

step "from the installed files alone (source and build trees hidden)"
# The inner script runs from a copy: the source tree is hidden under it.
cp "$inner" "$work/install_inner.sh"
(cd "$work" && unshare --mount --propagation private bash "$work/install_inner.sh" /usr \
	"$work" "$top" "$build" "$mode" all)

step "apt-get purge fusebpf"
purge "$work/purge.log" || { cat "$work/purge.log"; fail "apt-get purge"; }
installed=0
rm -f "$marker"
left=()
while read -r f; do
	# Directories shared with other packages (/usr, /usr/share/man/...) stay.
	[[ -L $f || (-e $f && ! -d $f) ]] && left+=("$f")
done <"$work/files"
for d in /usr/share/fusebpf /usr/libexec/fusebpf /usr/include/fusebpf /usr/lib/cmake/fusebpf \
	/usr/share/doc/fusebpf; do
	[[ -e $d ]] && left+=("$d")
done
((${#left[@]} == 0)) || fail "left after purge: ${left[*]}"
echo "ok: purged, none of its $(wc -l <"$work/files") paths left"
step "done"
