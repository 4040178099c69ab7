#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# packaging/test-deb.sh DEB: checks that no file of the package names this
# source tree (or its build trees), installs the package on this machine with
# `apt install ./DEB`, checks it from the installed files (no build or
# source tree involved: /usr/bin/fusebpf finds /usr/share/fusebpf), then
# `apt purge fusebpf` and checks that no file of the package is left. The
# purge also runs when a check fails. Refuses to run when fusebpf is
# installed already (it would remove it). Needs root; the dependencies
# must be installable (they are, after scripts/install-deps.sh).
set -euo pipefail
deb=$(realpath "$1")
top=$(cd "$(dirname "$0")/.." && pwd)
if dpkg-query -W -f='${Status}' fusebpf 2>/dev/null | grep -q installed; then
	echo "test-deb.sh: the fusebpf package is installed already; not touching it" >&2
	exit 1
fi
work=$(mktemp -d /tmp/fusebpf-deb-XXXXXX)
installed=0
cleanup() {
	local rc=$?
	if mountpoint -q "$work/mnt" 2>/dev/null; then umount "$work/mnt" || umount -l "$work/mnt"; fi
	if ((installed)); then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq fusebpf >/dev/null || rc=1
	fi
	rm -rf "$work"
	exit $rc
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

echo "== no file of $deb names $top"
mkdir "$work/contents"
dpkg-deb -x "$deb" "$work/contents"
leaks=$(grep -rlF "$top" "$work/contents" || true)
[[ -z $leaks ]] || fail "these name $top: $leaks"
echo ok

echo "== apt install $deb"
dpkg-deb -f "$deb" Depends
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >"$work/apt.log" 2>&1 ||
	{ cat "$work/apt.log"; fail "apt install"; }
installed=1
dpkg -L fusebpf >"$work/files"

echo "== the installed tools"
cd "$work"
[[ $(command -v fusebpf) == /usr/bin/fusebpf ]] || fail "fusebpf is not /usr/bin/fusebpf"
fusebpf --version
fusebpf new mine --from hide >/dev/null && fusebpf build mine/mine.bpf.c
[[ $(man -w fusebpf) == /usr/share/man/man8/fusebpf.8* ]] || fail "man -w fusebpf: $(man -w fusebpf)"
mkdir -p backing mnt && echo hi >backing/f
mount -t fuse.fusebpf "$work/backing" "$work/mnt" -o "filter=$work/mine/mine.bpf.o,log_file=$work/log"
[[ $(cat mnt/f) == hi ]] || fail "reading through the mount"
umount "$work/mnt"
fusebpf selftest -t 1-3 >selftest.out || { cat selftest.out; fail "fusebpf selftest"; }
echo ok

echo "== apt purge fusebpf"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq fusebpf >/dev/null
installed=0
left=()
while read -r f; do
	# Directories shared with other packages (/usr, /usr/share/man/...) stay.
	[[ -e $f && ! -d $f ]] && left+=("$f")
	[[ -L $f ]] && left+=("$f")
done <"$work/files"
for d in /usr/share/fusebpf /usr/libexec/fusebpf /usr/include/fusebpf /usr/lib/cmake/fusebpf \
	/usr/share/doc/fusebpf; do
	[[ -e $d ]] && left+=("$d")
done
((${#left[@]} == 0)) || fail "left after purge: ${left[*]}"
echo "ok: purged, nothing of its $(wc -l <"$work/files") paths left"
