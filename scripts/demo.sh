#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# README command (1): installs what is missing, builds fusebpf, then runs the
# quick start non-interactively: builds the hide example, mounts a backing
# directory with it, hides a file by changing the deny list live and brings
# it back, attaches the readonly example to a subdirectory and detaches it,
# shows that file data takes kernel passthrough, and shows a filter the
# verifier rejects. Every step prints the commands it runs and checks what
# it claims: the script exits non-zero as soon as a step does not show it.
# It leaves nothing mounted or pinned. Must run as root.
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
	"$fusebpf" unload demo_broken >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

title() {
	printf '\n== %s\n' "$*"
}
# Prints a command as the user would type it, then runs it.
run() {
	printf '$ %s\n' "$*"
	"$@"
}
# Runs a command that must fail (its error message is the point).
refused() {
	printf '$ %s\n' "$*"
	if "$@"; then
		echo "demo: FAILED: '$*' was not refused" >&2
		exit 1
	fi
}
fail() {
	echo "demo: FAILED: $*" >&2
	exit 1
}
listing() {
	ls "$1" | tr '\n' ' '
}

title "A backing directory with a few files"
printf 'hello from the backing directory\n' >"$backing/hello.txt"
printf 'top secret\n' >"$backing/secret.txt"
mkdir -p "$backing/docs"
printf 'notes\n' >"$backing/docs/notes.md"
run ls -l "$backing"

title "Build the hide example: a deny list map, a lookup prefilter and a readdir postfilter"
cp "$top/examples/hide/hide.bpf.c" "$top/examples/readonly/readonly.bpf.c" "$work/"
run "$fusebpf" build "$work/hide.bpf.c"

title "Mount the backing directory through fusebpf with it (the daemon goes to the background)"
run "$fusebpf" mount --filter "$work/hide.bpf.o" "$backing" "$mnt"
run findmnt -n -o TARGET,SOURCE,FSTYPE "$mnt"
run "$fusebpf" status "$mnt"
hide_table=$("$fusebpf" status --json "$mnt" | python3 -c '
import json, sys
print(json.load(sys.stdin)["root"]["table"]["name"])')
run ls "$mnt"
[[ $(listing "$mnt") == "docs hello.txt secret.txt " ]] || fail "the mount does not mirror the backing directory"
run cat "$mnt/hello.txt"

title "See a file vanish: put secret.txt on the deny list, live"
run "$fusebpf" map set "$mnt" deny_list secret.txt
run ls "$mnt"
[[ $(listing "$mnt") == "docs hello.txt " ]] || fail "secret.txt is still listed"
refused cat "$mnt/secret.txt"
# A hidden name cannot be overwritten or replaced either (docs/filters.md §7).
refused sh -c "echo overwritten > '$mnt/secret.txt'"
run sh -c "echo decoy > '$mnt/decoy.txt'"
refused mv "$mnt/decoy.txt" "$mnt/secret.txt"
run cat "$backing/secret.txt"
[[ $(cat "$backing/secret.txt") == "top secret" ]] || fail "the hidden file was changed"
run rm "$mnt/decoy.txt"
run "$fusebpf" map dump "$mnt" deny_list

title "Update the deny list again: secret.txt comes back, docs vanishes"
run "$fusebpf" map delete "$mnt" deny_list secret.txt
run "$fusebpf" map set "$mnt" deny_list docs
run ls "$mnt"
[[ $(listing "$mnt") == "hello.txt secret.txt " ]] || fail "the listing did not follow the deny list"
run cat "$mnt/secret.txt"
run "$fusebpf" map delete "$mnt" deny_list docs
run ls "$mnt/docs"

title "Attach the readonly example to docs/: writes there are refused, elsewhere not"
run "$fusebpf" build "$work/readonly.bpf.c"
run "$fusebpf" attach "$mnt/docs" --filter "$work/readonly.bpf.o"
run "$fusebpf" status "$mnt"
run cat "$mnt/docs/notes.md"
refused sh -c "echo more >> '$mnt/docs/notes.md'"
refused touch "$mnt/docs/new.md"
refused rm "$mnt/docs/notes.md"
run sh -c "echo 'written through fusebpf' > '$mnt/new.txt'"
run cat "$backing/new.txt"

title "Detach it: docs/ is writable again, at once"
run "$fusebpf" detach "$mnt/docs"
run sh -c "echo more >> '$mnt/docs/notes.md'"
run cat "$backing/docs/notes.md"
[[ $(cat "$backing/docs/notes.md") == $'notes\nmore' ]] || fail "the write after detach did not land"

title "File data takes the kernel's FUSE passthrough: 32 MiB copied, no READ/WRITE reaches the daemon"
run dd if=/dev/urandom of="$mnt/blob" bs=1M count=32 status=none
run cmp "$mnt/blob" "$backing/blob"
counts=$("$fusebpf" stats "$mnt" --json | python3 -c '
import json, sys
ops = json.load(sys.stdin)["ops"]
print(" ".join("%s=%d" % (op, ops[op]["requests"]) for op in ("READ", "WRITE", "LOOKUP", "OPEN")))')
echo "daemon saw $counts"
[[ $counts == "READ=0 WRITE=0 "* ]] || fail "READ/WRITE requests reached the daemon"

title "Unmount: the daemon unloads the tables it loaded, nothing stays pinned"
run "$fusebpf" umount "$mnt"
if mountpoint -q "$mnt"; then fail "$mnt is still mounted"; fi
if [[ -e /sys/fs/bpf/fusebpf/$hide_table ]]; then
	fail "table $hide_table is still pinned"
fi
run "$fusebpf" list

title "A filter the verifier rejects: its own message, and the source line"
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
run "$fusebpf" build "$work/broken.bpf.c"
printf '$ %s\n' "fusebpf load $work/broken.bpf.o"
if "$fusebpf" load "$work/broken.bpf.o" 2>"$work/verifier.txt"; then
	fail "the broken filter loaded, which it must not"
fi
cat "$work/verifier.txt"
grep -q 'at broken.bpf.c:7:' "$work/verifier.txt" || fail "the verifier message has no source line"

echo
echo "demo: done"
