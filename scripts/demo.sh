#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# README command (1): installs what is missing, builds fusebpf, then mounts a
# demo backing directory through the fusebpf daemon, shows it working and
# unmounts. Every step prints the command it runs, so the output doubles as
# a walkthrough. Must run as root (FUSE passthrough needs CAP_SYS_ADMIN).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

"$top/scripts/install-deps.sh"
"$top/scripts/build.sh"

fusebpf=$top/build/cli/fusebpf
work=$(mktemp -d /tmp/fusebpf-demo.XXXXXX)
backing=$work/backing
mnt=$work/mnt
mkdir -p "$backing" "$mnt"

cleanup() {
	if mountpoint -q "$mnt"; then
		"$fusebpf" umount "$mnt" || umount -l "$mnt"
	fi
	"$fusebpf" unload demo_hide >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

step() {
	printf '\n$ %s\n' "$*"
	"$@"
}

echo "== A backing directory with a few files"
printf 'hello from the backing directory\n' >"$backing/hello.txt"
mkdir -p "$backing/docs"
printf 'notes\n' >"$backing/docs/notes.md"
step ls -l "$backing"

echo
echo "== Mount it through fusebpf (the daemon goes to the background)"
step "$fusebpf" mount "$backing" "$mnt"
step findmnt -n -o TARGET,SOURCE,FSTYPE "$mnt"

echo
echo "== The mount mirrors the backing directory"
step ls -l "$mnt"
step cat "$mnt/hello.txt"

echo
echo "== Writes through the mount land in the backing directory"
step sh -c "echo 'written through fusebpf' > '$mnt/docs/new.txt'"
step cat "$backing/docs/new.txt"

echo
echo "== File data takes the kernel's FUSE passthrough: 32 MiB copied, no READ/WRITE reaches the daemon"
step dd if=/dev/urandom of="$mnt/blob" bs=1M count=32 status=none
step cmp "$mnt/blob" "$backing/blob"
"$fusebpf" stats "$mnt" --json | python3 -c '
import json, sys
ops = json.load(sys.stdin)["ops"]
print("daemon saw " + " ".join("%s=%d" % (op, ops[op]["requests"]) for op in ("READ", "WRITE", "LOOKUP", "OPEN")))'

echo
echo "== Unmount"
step "$fusebpf" umount "$mnt"
echo
echo "== Write a filter, build it, load it: the kernel verifies it and its ops table gets a map ID"
cat >"$work/hide.bpf.c" <<'BPF'
// Hides every name starting with "secret" (lookup prefilter -> -ENOENT).
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(lookup)
int hide_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	if (fusebpf_name_has_prefix(&ctx->name, "secret"))
		return -ENOENT;
	return BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(demo_hide);
char LICENSE[] SEC("license") = "GPL";
BPF
step "$fusebpf" build "$work/hide.bpf.c"
step "$fusebpf" load "$work/hide.bpf.o"
step "$fusebpf" list
step "$fusebpf" inspect demo_hide
id=$("$fusebpf" list --json | python3 -c '
import json, sys
print(next(t["id"] for t in json.load(sys.stdin)["tables"] if t["name"] == "demo_hide"))')
step bpftool map show id "$id"
step "$fusebpf" unload demo_hide

echo
echo "== A filter the verifier rejects: its own message, and the source line"
cat >"$work/broken.bpf.c" <<'BPF'
#include "fusebpf.bpf.h"

FUSEBPF_PREFILTER(lookup)
int broken_lookup_prefilter(struct fusebpf_lookup_ctx *ctx)
{
	/* A variable index into the context: syscall programs may not do this. */
	return ctx->name.name[ctx->name.len & 0xff] == 'x' ? -ENOENT : BPF_FUSE_CONTINUE;
}

FUSEBPF_OPS_DEFINE(demo_broken);
char LICENSE[] SEC("license") = "GPL";
BPF
step "$fusebpf" build "$work/broken.bpf.c"
printf '\n$ %s\n' "$fusebpf load $work/broken.bpf.o"
if "$fusebpf" load "$work/broken.bpf.o"; then
	echo "demo: the broken filter loaded, which it must not" >&2
	exit 1
fi

echo
echo "demo: done"
