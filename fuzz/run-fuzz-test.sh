#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The `fuzz` ctests: runs one fuzz target for a fixed number of inputs,
# starting from its seed corpus, with a fixed seed so a run repeats.
#   run-fuzz-test.sh TARGET SEED_CORPUS RUNS ARTIFACT_DIR
# New inputs go to a temporary corpus (the seed corpus is only read); a
# crashing input is kept in ARTIFACT_DIR and the test fails.
set -euo pipefail
target=$1 seeds=$2 runs=$3 artifacts=$4

work=$(mktemp -d "${TMPDIR:-/tmp}/fusebpf-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir "$work/corpus" "$work/tmp"
mkdir -p "$artifacts"
# The target runs as nobody when started as root (fuzz/scratch.h): let it
# write its corpus, scratch trees and artifacts.
chmod 1777 "$work/corpus" "$work/tmp" "$artifacts"
# Seeds first: every seed runs once, then mutations until RUNS inputs.
TMPDIR=$work/tmp "$target" -runs="$runs" -seed=1 -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$artifacts/" -print_final_stats=1 "$work/corpus" "$seeds"
