#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# install_inner.sh SCRATCH SOURCE_DIR BUILD_DIR sanitize|plain: the part of
# install_test.sh that runs in a private mount namespace (unshare --mount).
# It hides SOURCE_DIR and BUILD_DIR, adds the installed mount helper to
# /usr/sbin through a read-only overlay (mount(8) runs helpers from /sbin),
# and uses only SCRATCH/prefix. Every mount it makes dies with the
# namespace; the trap also unmounts the FUSE mount and kills its daemon.
set -euo pipefail
scratch=$1 src=$2 build=$3 mode=$4
prefix=$scratch/prefix
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

export PATH=$prefix/bin:$PATH
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
cmake -S tool -B tool/build -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >tool/configure.log ||
	{ cat tool/configure.log; fail "configuring the custom tool"; }
cmake --build tool/build -j1 >tool/build.log || { cat tool/build.log; fail "building it"; }
[[ $(tool/build/tool) == "tool ok 1 1 x.bpf.o" ]] || fail "the custom tool printed: $(tool/build/tool)"
[[ -f tool/build/tool_user.so ]] || fail "fusebpf_add_user_filter made no tool_user.so"
sanitize=()
[[ $mode == sanitize ]] && sanitize=(-fsanitize=address,undefined)
PKG_CONFIG_PATH=$prefix/lib/pkgconfig c++ "${sanitize[@]}" tool/main.cc -Itool/build/tool_filter \
	$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs fusebpf) \
	-o tool/tool-pc || fail "building the tool with pkg-config fusebpf"
[[ $(tool/tool-pc) == "tool ok 1 1 x.bpf.o" ]] || fail "the pkg-config tool printed: $(tool/tool-pc)"
echo "ok"

echo "== mount -T FSTAB through the installed mount.fuse.fusebpf, then umount"
# mount(8) looks for /sbin/mount.fuse.fusebpf: lay the installed one over
# /usr/sbin in this namespace only.
mkdir -p "$scratch/sbin"
ln -s "$prefix/sbin/mount.fuse.fusebpf" "$scratch/sbin/mount.fuse.fusebpf"
mount -t overlay overlay -o "lowerdir=$scratch/sbin:/usr/sbin" /usr/sbin
mkdir -p "$scratch/backing" "$mnt"
echo hello >"$scratch/backing/file.txt"
fstab=$scratch/fstab
log=$scratch/log/daemon.log
echo "$scratch/backing $mnt fuse.fusebpf filter=$work/myro/myro.bpf.o,name=install_readonly_table,log_file=$log,allow_other,default_permissions,nofail,_netdev,x-systemd.requires=network.target 0 0" >"$fstab"
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
out=$(mount -T "$fstab" "$mnt" 2>&1) || fail "mount -T failed: $out"
echo "$out"
daemon_pid=$(sed -n 's/.*daemon pid \([0-9]*\).*/\1/p' <<<"$out")
[[ -n $daemon_pid ]] || fail "no daemon pid in: $out"
grep -q " $mnt fuse.fusebpf " /proc/mounts || fail "$mnt is not a fuse.fusebpf mount"
[[ $(cat "$mnt/file.txt") == hello ]] || fail "reading through the mount"
if touch "$mnt/new" 2>/dev/null; then fail "the readonly filter let a create through"; fi
status=$(fusebpf status "$mnt")
# The pinned name, not the kernel's 15-character map name (install_readon).
grep -q "table install_readonly_table " <<<"$status" ||
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
[[ $(complete_words fusebpf inspect install_read) == install_readonly_table ]] ||
	fail "completing inspect gave: $(complete_words fusebpf inspect install_read)"
umount "$mnt"
for _ in $(seq 50); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$daemon_pid" 2>/dev/null; then fail "the daemon outlived umount"; fi
daemon_pid=
echo "$scratch/backing $mnt fuse.fusebpf bogus_option 0 0" >"$fstab"
if out=$(mount -T "$fstab" "$mnt" 2>&1); then fail "an unknown option mounted"; fi
grep -q "unknown mount option 'bogus_option'" <<<"$out" || fail "unclear refusal: $out"
! mountpoint -q "$mnt" || fail "mounted despite the refusal"
echo "ok (refused: $out)"

echo "== fusebpf selftest (first 3 cases)"
fusebpf selftest -t 1-3 >selftest.out || { cat selftest.out; fail "fusebpf selftest"; }
[[ $(grep -c '^ok ' selftest.out) -eq 3 ]] || { cat selftest.out; fail "not 3 ok lines"; }
echo "ok"

echo "== man -w with MANPATH, and the man pages render"
export MANPATH=$prefix/share/man
[[ $(man -w fusebpf) == "$prefix/share/man/man8/fusebpf.8" ]] || fail "man -w fusebpf: $(man -w fusebpf)"
[[ $(man -w 7 fusebpf-filter) == "$prefix/share/man/man7/fusebpf-filter.7" ]] ||
	fail "man -w 7 fusebpf-filter: $(man -w 7 fusebpf-filter)"
for page in "$(man -w fusebpf)" "$(man -w 7 fusebpf-filter)"; do
	warnings=$(MANWIDTH=80 man -l "$page" 2>&1 >/dev/null)
	[[ -z $warnings ]] || fail "$page renders with warnings: $warnings"
done
# Every command of `fusebpf --help` has its section (the page is made from it).
for cmd in $(fusebpf --help | awk '/^Subcommands:/ {on=1; next} on && /^  [a-z]/ {print $1}'); do
	grep -q "^\.SS \"fusebpf $cmd\"" "$(man -w fusebpf)" || fail "fusebpf.8 lacks $cmd"
done
echo "ok"

echo "== the bash completion sources cleanly and completes"
completion=$prefix/share/bash-completion/completions/fusebpf
out=$(bash -c 'set -u; source "$1" && complete -p fusebpf && COMP_WORDS=(fusebpf sta) &&
	COMP_CWORD=1 && _fusebpf && echo "${COMPREPLY[*]}"' _ "$completion" 2>&1) ||
	fail "sourcing $completion: $out"
grep -q "^stats status$" <<<"$out" || fail "completing 'fusebpf sta' gave: $out"
echo "ok"
