#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""readme_blocks.py - the README side of run_readme.sh.

  readme_blocks.py script README WORKDIR
      Writes WORKDIR/commands.sh: every ```sh block of README, in order, for
      one `bash -euo pipefail` shell. Each block's output (stdout and stderr,
      what a reader sees) goes to WORKDIR/block-<line>.out and is printed
      after the block, headed by the block's line in README. A ```text block
      that follows a ```sh block with only blank lines between is the output
      README shows for it: it goes to WORKDIR/expect-<line>.txt and the
      output is compared with it (`compare`) right after the block runs.
      Other ```text blocks are samples and are not compared.

  readme_blocks.py compare EXPECTED ACTUAL
      Exit 0 if ACTUAL matches EXPECTED, else 1 with both and the first line
      that differs. Matching is line by line, ignoring trailing blank lines,
      leading and trailing blanks on a line and the width of a run of blanks
      (columns line up differently with other numbers); `...` inside a line
      stands for any text, and a line that is only `...` for any number of
      lines (README uses both where the output varies: dates, times, pids).
"""
import re
import shlex
import sys
from pathlib import Path


def fenced_blocks(lines):
    """(kind, first content line number, content lines, end line number)."""
    blocks = []
    i = 0
    while i < len(lines):
        m = re.match(r"^```(\w*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        kind, start, body = m.group(1), i + 2, []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        if i == len(lines):
            sys.exit(f"unterminated ```{kind} block at line {start - 1}")
        blocks.append((kind, start, body, i + 1))
        i += 1
    return blocks


def write_script(readme, work):
    lines = Path(readme).read_text().splitlines()
    blocks = fenced_blocks(lines)
    if not any(kind == "sh" for kind, *_ in blocks):
        sys.exit("no ```sh block")
    me = shlex.quote(str(Path(__file__).resolve()))
    out = [
        "__shown=",
        "__out=",
        # A failing command ends the shell: show what its block printed.
        'trap \'if [[ -n $__out && $__out != "$__shown" && -f $__out ]]; then cat "$__out"; fi\' EXIT',
    ]
    for n, (kind, start, body, end) in enumerate(blocks):
        if kind != "sh":
            continue
        expect = None
        if n + 1 < len(blocks) and blocks[n + 1][0] == "text":
            between = lines[end : blocks[n + 1][1] - 2]
            if all(not line.strip() for line in between):
                expect = Path(work) / f"expect-{start}.txt"
                expect.write_text("".join(line + "\n" for line in blocks[n + 1][2]))
        result = Path(work) / f"block-{start}.out"
        out.append(f'echo "### {readme}:{start}"')
        out.append(f"__out={shlex.quote(str(result))}")
        out.append("{")
        out.extend(body)
        out.append('} >"$__out" 2>&1')
        out.append('cat "$__out"; __shown=$__out')
        if expect:
            out.append(
                f'python3 {me} compare {shlex.quote(str(expect))} "$__out" || '
                f'{{ echo "FAIL: the output of {readme}:{start} is not what README shows"; exit 1; }}'
            )
    Path(work, "commands.sh").write_text("\n".join(out) + "\n")


def line_regex(expected):
    parts = [re.sub(r"\\ ", " ", re.escape(p)) for p in expected.strip().split("...")]
    parts = [re.sub(r"[ \t]+", r"[ \\t]+", p) for p in parts]
    return re.compile(".*".join(parts))


def matches(expected, actual):
    """expected, actual: lists of lines; `...` lines match any run of lines."""
    if not expected:
        return not actual, 0
    if expected[0].strip() == "...":
        best = 0
        for skip in range(len(actual) + 1):
            ok, at = matches(expected[1:], actual[skip:])
            if ok:
                return True, 0
            best = max(best, skip + at)
        return False, best
    if actual and line_regex(expected[0]).fullmatch(actual[0].strip()):
        ok, at = matches(expected[1:], actual[1:])
        return ok, 1 + at
    return False, 0


def trimmed(path):
    lines = Path(path).read_text(errors="replace").splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def compare(expected_path, actual_path):
    expected, actual = trimmed(expected_path), trimmed(actual_path)
    ok, at = matches(expected, actual)
    if ok:
        return 0
    print("--- README shows ---")
    print("\n".join(expected))
    print("--- the commands printed ---")
    print("\n".join(actual))
    got = actual[at] if at < len(actual) else "(end of output)"
    print(f"--- first difference at output line {at + 1}: {got!r}")
    return 1


def main(argv):
    if len(argv) == 4 and argv[1] == "script":
        write_script(argv[2], argv[3])
        return 0
    if len(argv) == 4 and argv[1] == "compare":
        return compare(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
