#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# install_inner.sh PREFIX SCRATCH SOURCE_DIR BUILD_DIR sanitize|plain SELFTESTS:
# what a user does with fusebpf installed under PREFIX, run in a private
# mount namespace (unshare --mount) by install_test.sh (a scratch prefix)
# and by packaging/test-deb.sh (the installed package, PREFIX /usr). It
# hides SOURCE_DIR and BUILD_DIR under empty tmpfs mounts, adds a scratch
# prefix's mount helper to /usr/sbin through a read-only overlay (mount(8)
# runs helpers from /sbin), works in SCRATCH, and runs `fusebpf selftest
# -t SELFTESTS` ("all": every case). PATH, find_package(), pkg-config and
# man look in PREFIX first, so another installed copy (/usr/local) is not
# what runs. Every mount it makes dies with the namespace; the trap also
# unmounts the FUSE mount and kills its daemon.
set -euo pipefail
prefix=$1 scratch=$2 src=$3 build=$4 mode=$5 selftests=$6
mnt=$scratch/mnt
daemon_pid=

cleanup() {
	if mountpoint -q "$mnt" 2>/dev/null; then
		umount "$mnt" || umount -l "$mnt" || true
	fi
	if [[ -n $daemon_pid ]] && kill -0 "$daemon_pid" 2>/dev/null; then
		kill "$daemon_pid" || true
	fi
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

mount -t tmpfs -o ro,size=4k fusebpf-hidden "$src"
if [[ -d $build ]] && [[ -n $(ls -A "$build" 2>/dev/null) ]]; then
	mount -t tmpfs -o ro,size=4k fusebpf-hidden "$build"
fi
[[ -z $(ls -A "$src") ]] || fail "$src is still visible"

export PATH=$prefix/bin:$prefix/sbin:/usr/sbin:/usr/bin:/sbin:/bin
[[ $(command -v fusebpf) == "$prefix/bin/fusebpf" ]] || fail "fusebpf is $(command -v fusebpf)"
unset FUSEBPF_CLI FUSEBPF_SELFTEST_BIN FUSEBPF_EXAMPLES_DIR
work=$scratch/work
mkdir -p "$work"
cd "$work"

echo "== an unknown command is a usage error naming it"
rc=0
out=$(fusebpf bogus 2>&1) || rc=$?
((rc == 2)) || fail "fusebpf bogus exited $rc"
grep -q "^fusebpf: unknown command 'bogus'" <<<"$out" || fail "fusebpf bogus said: $out"
echo "ok"

echo "== fusebpf new + fusebpf build (BPF filter and user filter)"
fusebpf new myro --from readonly >/dev/null
fusebpf build myro/myro.bpf.c
[[ -s myro/myro.bpf.o ]] || fail "fusebpf build made no myro.bpf.o"
fusebpf new myredact --from redact >/dev/null
fusebpf build myredact/myredact_user.cc
[[ -s myredact/myredact_user.so ]] || fail "fusebpf build made no myredact_user.so"
echo "ok"

echo "== a custom tool built with find_package(fusebpf) and with pkg-config"
mkdir -p tool
cat >tool/CMakeLists.txt <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(fusebpf_custom_tool LANGUAGES C CXX)
set(CMAKE_CXX_STANDARD 20)
find_package(fusebpf 0.1 REQUIRED)
fusebpf_add_filter(tool_filter ${CMAKE_CURRENT_SOURCE_DIR}/../myro/myro.bpf.c)
fusebpf_add_user_filter(tool_user ${CMAKE_CURRENT_SOURCE_DIR}/../myredact/myredact_user.cc)
add_executable(tool main.cc)
target_link_libraries(tool PRIVATE fusebpf::daemon tool_filter_skel)
CMAKE
cat >tool/main.cc <<'CC'
// Links the installed daemon and loader libraries and a skeleton made by
// fusebpf_add_filter(): parses mount options, names a build output, and
// opens (without loading) the generated skeleton.
#include "daemon/options.h"
#include "loader/filter_build.h"
#include "tool_filter.skel.h"

#include <cstdio>

int main()
{
	fusebpf::daemon::mount_options o;
	if (auto err = fusebpf::daemon::parse_mount_options("allow_other,ro", o)) {
		std::printf("parse: %s\n", err->c_str());
		return 1;
	}
	tool_filter *skel = tool_filter__open();
	if (!skel) {
		std::printf("skeleton open failed\n");
		return 1;
	}
	tool_filter__destroy(skel);
	std::printf("tool ok %d %d %s\n", o.allow_other, o.read_only,
	            fusebpf::loader::default_build_output("x.bpf.c").c_str());
	return 0;
}
CC
cmake -S tool -B tool/build -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
	-DCMAKE_IGNORE_PREFIX_PATH=/usr/local >tool/configure.log ||
	{ cat tool/configure.log; fail "configuring the custom tool"; }
found=$(sed -n 's/^fusebpf_DIR:PATH=//p' tool/build/CMakeCache.txt)
[[ $found == "$prefix"/lib*/cmake/fusebpf ]] || fail "find_package(fusebpf) found $found"
cmake --build tool/build -j1 >tool/build.log || { cat tool/build.log; fail "building it"; }
[[ $(tool/build/tool) == "tool ok 1 1 x.bpf.o" ]] || fail "the custom tool printed: $(tool/build/tool)"
[[ -f tool/build/tool_user.so ]] || fail "fusebpf_add_user_filter made no tool_user.so"
sanitize=()
[[ $mode == sanitize ]] && sanitize=(-fsanitize=address,undefined)
pcdir=$(dirname "$(find "$prefix"/lib* -maxdepth 3 -name fusebpf.pc -path '*/pkgconfig/*' | head -1)")
[[ $(PKG_CONFIG_PATH=$pcdir pkg-config --variable=prefix fusebpf) -ef $prefix ]] ||
	fail "pkg-config's fusebpf prefix is $(PKG_CONFIG_PATH=$pcdir pkg-config --variable=prefix fusebpf)"
PKG_CONFIG_PATH=$pcdir c++ "${sanitize[@]}" tool/main.cc -Itool/build/tool_filter \
	$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs fusebpf) \
	-o tool/tool-pc || fail "building the tool with pkg-config fusebpf"
[[ $(tool/tool-pc) == "tool ok 1 1 x.bpf.o" ]] || fail "the pkg-config tool printed: $(tool/tool-pc)"
echo "ok"

echo "== mount -a -T FSTAB through the installed mount.fuse.fusebpf, then umount"
# mount(8) looks for /sbin/mount.fuse.fusebpf: lay a scratch prefix's over
# /usr/sbin in this namespace only.
if [[ ! $prefix -ef /usr ]]; then
	mkdir -p "$scratch/sbin"
	ln -s "$prefix/sbin/mount.fuse.fusebpf" "$scratch/sbin/mount.fuse.fusebpf"
	mount -t overlay overlay -o "lowerdir=$scratch/sbin:/usr/sbin" /usr/sbin
fi
[[ $(realpath /sbin/mount.fuse.fusebpf) -ef $prefix/bin/fusebpf ]] ||
	fail "/sbin/mount.fuse.fusebpf is $(realpath /sbin/mount.fuse.fusebpf)"
# A table name of this run alone: another test may mount at the same time.
table=install_ro_$$_table
mkdir -p "$scratch/backing" "$mnt"
echo hello >"$scratch/backing/file.txt"
fstab=$scratch/fstab
log=$scratch/log/daemon.log
echo "$scratch/backing $mnt fuse.fusebpf filter=$work/myro/myro.bpf.o,name=$table,log_file=$log,allow_other,default_permissions,nofail,_netdev,x-systemd.requires=network.target 0 0" >"$fstab"
generator=/lib/systemd/system-generators/systemd-fstab-generator
if [[ -x $generator ]]; then
	# The mount unit systemd makes of the line (README: Mounting from fstab).
	mkdir -p "$scratch/units"
	SYSTEMD_FSTAB=$fstab SYSTEMD_PROC_CMDLINE= "$generator" "$scratch/units" "$scratch/units" \
		"$scratch/units" || fail "systemd-fstab-generator failed"
	unit=$scratch/units/$(systemd-escape --path "$mnt").mount
	grep -qx "Type=fuse.fusebpf" "$unit" || fail "no fuse.fusebpf mount unit: $(cat "$unit")"
	grep -q "^Options=filter=$work/myro/myro.bpf.o," "$unit" || fail "unit options: $(cat "$unit")"
fi
out=$(mount -a -T "$fstab" 2>&1) || fail "mount -a -T failed: $out"
echo "$out"
daemon_pid=$(sed -n 's/.*daemon pid \([0-9]*\).*/\1/p' <<<"$out")
[[ -n $daemon_pid ]] || fail "no daemon pid in: $out"
grep -q " $mnt fuse.fusebpf " /proc/mounts || fail "$mnt is not a fuse.fusebpf mount"
[[ $(cat "$mnt/file.txt") == hello ]] || fail "reading through the mount"
if touch "$mnt/new" 2>/dev/null; then fail "the readonly filter let a create through"; fi
status=$(fusebpf status "$mnt")
# The pinned name, not the kernel's 15-character map name (install_ro_NNN).
grep -q "table $table " <<<"$status" ||
	fail "status does not name the table: $status"
grep -q "log    $log" <<<"$status" || fail "status does not show the log file: $status"
[[ -s $log ]] || fail "the daemon wrote nothing to $log"
# The completion offers the mount point and the table while they exist.
complete_words() {
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _fusebpf
		echo "${COMPREPLY[*]}"' _ "$prefix/share/bash-completion/completions/fusebpf" "$@"
}
[[ $(complete_words fusebpf umount "$scratch/m") == "$mnt" ]] ||
	fail "completing umount gave: $(complete_words fusebpf umount "$scratch/m")"
[[ $(complete_words fusebpf inspect "${table%able}") == "$table" ]] ||
	fail "completing inspect gave: $(complete_words fusebpf inspect "${table%able}")"
umount "$mnt"
for _ in $(seq 50); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$daemon_pid" 2>/dev/null; then fail "the daemon outlived umount"; fi
daemon_pid=
echo "$scratch/backing $mnt fuse.fusebpf bogus_option 0 0" >"$fstab"
if out=$(mount -T "$fstab" "$mnt" 2>&1); then fail "an unknown option mounted"; fi
grep -q "unknown mount option 'bogus_option'" <<<"$out" || fail "unclear refusal: $out"
! mountpoint -q "$mnt" || fail "mounted despite the refusal"
echo "ok (refused: $out)"

echo "== fusebpf selftest -t $selftests"
select=(-t "$selftests")
[[ $selftests == all ]] && select=()
fusebpf selftest "${select[@]}" >selftest.out || { cat selftest.out; fail "fusebpf selftest"; }
cases=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' selftest.out)
[[ -n $cases && $(grep -c '^ok ' selftest.out) -eq $cases ]] ||
	{ cat selftest.out; fail "not $cases ok lines"; }
echo "ok: $cases cases"

echo "== man -w with MANPATH, and the man pages render"
export MANPATH=$prefix/share/man
[[ $(man -w fusebpf) == "$prefix/share/man/man8/fusebpf.8"* ]] || fail "man -w fusebpf: $(man -w fusebpf)"
[[ $(man -w 7 fusebpf-filter) == "$prefix/share/man/man7/fusebpf-filter.7"* ]] ||
	fail "man -w 7 fusebpf-filter: $(man -w 7 fusebpf-filter)"
for page in "$(man -w fusebpf)" "$(man -w 7 fusebpf-filter)"; do
	warnings=$(MANWIDTH=80 man -l "$page" 2>&1 >/dev/null)
	[[ -z $warnings ]] || fail "$page renders with warnings: $warnings"
done
# Every command of `fusebpf --help` has its section (the page is made from it).
for cmd in $(fusebpf --help | awk '/^Subcommands:/ {on=1; next} on && /^  [a-z]/ {print $1}'); do
	man -w fusebpf | xargs zcat -f | grep -q "^\.SS \"fusebpf $cmd\"" || fail "fusebpf.8 lacks $cmd"
done
echo "ok"

echo "== the bash completion sources cleanly and completes"
completion=$prefix/share/bash-completion/completions/fusebpf
out=$(bash -c 'set -u; source "$1" && complete -p fusebpf && COMP_WORDS=(fusebpf sta) &&
	COMP_CWORD=1 && _fusebpf && echo "${COMPREPLY[*]}"' _ "$completion" 2>&1) ||
	fail "sourcing $completion: $out"
grep -q "^stats status$" <<<"$out" || fail "completing 'fusebpf sta' gave: $out"
echo "ok"
