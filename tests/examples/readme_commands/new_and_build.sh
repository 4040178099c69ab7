#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# new_and_build.sh FUSEBPF_BIN_DIR - the write-a-filter workflow outside the
# source tree: `fusebpf new` from every example builds with `fusebpf build`
# (the BPF object, and the user filter .so where the example has one, which
# must export the factory), and the errors are the documented ones: an
# existing directory, an unknown example (listing the known ones), a C++
# source that does not compile (the compiler's message in the error).
set -euo pipefail
bin_dir=$(cd "$1" && pwd)
export PATH="$bin_dir:$PATH"
work=$(mktemp -d /tmp/fusebpf-new-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "FAIL: $*" >&2; exit 1; }

mapfile -t examples < <(fusebpf new --list)
((${#examples[@]} > 0)) || fail "fusebpf new --list listed no example"
for ex in "${examples[@]}"; do
	name="my-${ex}"
	fusebpf new "$name" --from "$ex" >/dev/null
	(cd "$name" && fusebpf build "$name.bpf.c" >/dev/null) || fail "$name.bpf.c from $ex does not build"
	[[ -s $name/$name.bpf.o ]] || fail "no $name/$name.bpf.o"
	id=${name//-/_}
	grep -q "FUSEBPF_OPS_DEFINE($id)" "$name/$name.bpf.c" || fail "$name.bpf.c: table not renamed to $id"
	grep -q '```sh' "$name/README.md" || fail "$name/README.md has no commands"
	if [[ -f $name/${name}_user.cc ]]; then
		(cd "$name" && fusebpf build "${name}_user.cc" >/dev/null) || fail "${name}_user.cc does not build"
		nm -D "$name/${name}_user.so" | grep -q ' T fusebpf_user_filter_create$' ||
			fail "${name}_user.so does not export fusebpf_user_filter_create"
	fi
	echo "ok: fusebpf new $name --from $ex builds"
done

# The default example is passthrough.
fusebpf new plain >/dev/null
grep -q 'FUSEBPF_OPS_DEFINE(plain)' plain/plain.bpf.c || fail "default example is not passthrough-like"

# Errors: one line each, exit 1.
out=$(fusebpf new plain 2>&1) && fail "an existing directory was accepted"
[[ $out == *"already exists"* ]] || fail "existing dir: $out"
out=$(fusebpf new other --from no-such-example 2>&1) && fail "an unknown example was accepted"
[[ $out == *"passthrough"* ]] || fail "unknown example does not list the known ones: $out"

printf '#include "daemon/filter/user_filter.h"\nint broken( {\n' > broken_user.cc
out=$(fusebpf build broken_user.cc 2>&1) && fail "a broken .cc built"
[[ $out == *"broken_user.cc"*"error"* ]] || fail "the compiler's message is not in the error: $out"
[[ ! -e broken_user.so ]] || fail "a failed build left broken_user.so"
echo "ok: errors"
