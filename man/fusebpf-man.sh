#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fusebpf-man.sh FUSEBPF VERSION OUT: writes fusebpf(8) to OUT from the CLI's
# own help (`fusebpf --help`, then `fusebpf CMD --help` for every command
# and `fusebpf CMD SUB --help` for every subcommand), so the man page says
# exactly what --help says and cannot drift from it. man/CMakeLists.txt runs
# it whenever the CLI is rebuilt. The hand-written sections (mount helper,
# fstab, files, environment) come from fusebpf.8.in beside this script.
set -euo pipefail
bin=$1 version=$2 out=$3
here=$(dirname "$0")

# roff-safe preformatted text: backslashes escaped, no line starting a request.
roff() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

# The command names listed under "Subcommands:" in a help text.
subcommands() { awk '/^Subcommands:/ {on=1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on=0}'; }

top=$("$bin" --help)
{
	echo ".TH FUSEBPF 8 \"\" \"fusebpf $version\" \"System Administration\""
	echo ".SH NAME"
	echo "fusebpf \\- FUSE-BPF filters for a stacked FUSE file system on stock Linux"
	echo ".SH SYNOPSIS"
	echo ".B fusebpf"
	echo ".I COMMAND"
	echo "[\\fIOPTIONS\\fR] [\\fIARGS\\fR]"
	echo ".br"
	echo ".B mount \\-t fuse.fusebpf"
	echo ".I BACKING_DIR MOUNTPOINT"
	echo "[\\fB\\-o\\fR \\fIOPTION\\fR[,...]]"
	echo ".SH DESCRIPTION"
	echo ".nf"
	sed -n '1,/^Usage:/p' <<<"$top" | sed '$d' | roff
	echo ".fi"
	echo ".PP"
	echo "Exit status: 0 on success, 1 when a command fails, 2 for a usage error"
	echo "(an unknown command or option, a bad value)."
	echo ".SH COMMANDS"
	for cmd in $(subcommands <<<"$top"); do
		help=$("$bin" "$cmd" --help)
		echo ".SS \"fusebpf $cmd\""
		echo ".nf"
		roff <<<"$help"
		echo ".fi"
		for sub in $(subcommands <<<"$help"); do
			echo ".SS \"fusebpf $cmd $sub\""
			echo ".nf"
			"$bin" "$cmd" "$sub" --help | roff
			echo ".fi"
		done
	done
	cat "$here/fusebpf.8.in"
} >"$out.tmp"
mv "$out.tmp" "$out"
