#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""gen-filter-guide.py - write the generated sections of docs/filter-guide.md
from include/fusebpf/filter_abi.h, so the guide cannot drift from the ABI.

Sections are delimited in the guide by
    <!-- BEGIN GENERATED: <what> (scripts/gen-filter-guide.py) -->
    <!-- END GENERATED: <what> -->
and <what> is one of:
    verdicts   the BPF_FUSE_* verdicts with their values and comments
    ops        one row per op: number, table slots, FUSE opcodes, context
               struct, its size in bytes (from the C compiler), its fields
    contexts   per op: the header's comment on its context, and its fields

Usage:
    scripts/gen-filter-guide.py            rewrite docs/filter-guide.md in place
    scripts/gen-filter-guide.py --check    exit 1 (with a diff) if it is not
                                           what the header gives; the ctest
                                           filter_guide_up_to_date runs this
Options: --header PATH, --guide PATH, --cc COMPILER (default: $CC or cc).

Only the marked sections are touched; everything else in the guide is prose.
Sizes come from compiling a small C program against the header (sizeof), so
a compiler must be present; the parsing is by regular expressions over the
header's regular layout (one struct per context, a comment before it).
"""
import argparse
import difflib
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def strip_comment(text):
    """The words of a /* ... */ comment, one paragraph."""
    text = re.sub(r"^/\*+|\*/$", "", text.strip())
    lines = [re.sub(r"^\s*\*\s?", "", line).strip() for line in text.splitlines()]
    return " ".join(" ".join(l for l in lines if l).split())


def parse_verdicts(header):
    verdicts = []
    for m in re.finditer(r"#define (BPF_FUSE_\w+) (\d+)\s*/\*(.*?)\*/", header):
        verdicts.append((m.group(1), int(m.group(2)), " ".join(m.group(3).split())))
    return verdicts


def parse_ops(header):
    body = re.search(r"enum fusebpf_op \{(.*?)\};", header, re.S).group(1)
    ops = []
    for m in re.finditer(r"FUSEBPF_OP_(\w+) = (\d+),", body):
        if m.group(1) in ("COUNT",):
            continue
        ops.append((int(m.group(2)), m.group(1).lower()))
    return sorted(ops)


def parse_opcodes(header):
    """op name -> the FUSE opcodes fusebpf_op_of_opcode() maps to it."""
    body = re.search(r"fusebpf_op_of_opcode\(__u32 opcode\)\s*\{(.*?)\n\}", header, re.S).group(1)
    result, pending = {}, []
    for line in body.splitlines():
        m = re.match(r"\s*case (FUSE_\w+):", line)
        if m:
            pending.append(m.group(1))
            continue
        m = re.match(r"\s*return FUSEBPF_OP_(\w+);", line)
        if m and pending:
            result[m.group(1).lower()] = pending
            pending = []
    return result


def parse_fields(body):
    """'meta', 'in: fuse_open_in', 'out: { entry: fuse_entry_out }' ... from a struct body."""
    fields = []
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    pos = 0
    token = re.compile(r"\s*struct\s*\{(.*?)\}\s*(\w+);|\s*(?:struct\s+)?(\w+)\s+(\w+)(\[\w+\])?;", re.S)
    while True:
        m = token.match(body, pos)
        if not m:
            break
        pos = m.end()
        if m.group(2):
            inner = ", ".join(f"{n} ({t})" for t, n in re.findall(r"(?:struct\s+)?(\w+)\s+(\w+)\s*(?:\[\w+\])?;", m.group(1)))
            fields.append((m.group(2), "{ " + inner + " }"))
        else:
            fields.append((m.group(4), m.group(3) + (m.group(5) or "")))
    return fields


def parse_contexts(header):
    """[(op, struct name, comment, fields)] in header order; a struct with no
    comment of its own shares the previous one (open/opendir and the like)."""
    start = header.index("The per-op contexts.")
    end = header.index("Trace events:")
    part = header[start:end]
    contexts, last_comment = [], ""
    pattern = re.compile(r"(/\*(?:(?!\*/).)*?\*/\s*)?struct (fusebpf_(\w+)_ctx) \{(.*?)\n\};", re.S)
    for m in pattern.finditer(part):
        comment = strip_comment(m.group(1)) if m.group(1) else last_comment
        if m.group(1) and "rules common to all ops" in comment:
            comment = last_comment
        last_comment = comment
        contexts.append((m.group(3), m.group(2), comment, parse_fields(m.group(4))))
    return contexts


def context_sizes(header_path, names, cc):
    """sizeof(struct <name>) for each name, by compiling against the header."""
    include = os.path.dirname(os.path.dirname(header_path))
    program = "#include <stdio.h>\n#include <fusebpf/filter_abi.h>\nint main(void)\n{\n"
    for n in names:
        program += f'\tprintf("%s %zu\\n", "{n}", sizeof(struct {n}));\n'
    program += "\treturn 0;\n}\n"
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = os.path.join(tmp, "sizes.c"), os.path.join(tmp, "sizes")
        with open(src, "w") as f:
            f.write(program)
        subprocess.run([cc, "-I", include, src, "-o", exe], check=True)
        out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    return {n: int(s) for n, s in (line.split() for line in out.splitlines())}


def gen_verdicts(header):
    rows = ["| verdict | value | what happens |", "|---|---|---|"]
    for name, value, text in parse_verdicts(header):
        rows.append(f"| `{name}` | {value} | {text} |")
    rows.append("| `-errno` | < 0 | the op fails with that errno (`-ENOENT` hides, `-EACCES` denies) |")
    return "\n".join(rows)


def gen_ops(header, sizes):
    opcodes = parse_opcodes(header)
    rows = ["| # | op | slots (pre, post) | FUSE opcodes | context | bytes |", "|---|---|---|---|---|---|"]
    for number, op in parse_ops(header):
        codes = ", ".join(c.replace("FUSE_", "") for c in opcodes.get(op, []))
        struct = f"fusebpf_{op}_ctx"
        rows.append(f"| {number} | {op} | {1 + 2 * number}, {2 + 2 * number} | {codes} | `{struct}` | {sizes[struct]} |")
    rows.append("| | default_filter | 0 | every op without a program | `fusebpf_default_ctx` | "
                f"{sizes['fusebpf_default_ctx']} |")
    return "\n".join(rows)


def gen_contexts(header):
    out = []
    for op, struct, comment, fields in parse_contexts(header):
        out.append(f"**{op}** (`struct {struct}`): {comment}")
        out.append("")
        for name, kind in fields:
            out.append(f"- `{name}`: {kind}")
        out.append("")
    return "\n".join(out).rstrip()


def render(guide, header, sizes):
    generators = {
        "verdicts": lambda: gen_verdicts(header),
        "ops": lambda: gen_ops(header, sizes),
        "contexts": lambda: gen_contexts(header),
    }
    pattern = re.compile(
        r"(<!-- BEGIN GENERATED: (\w+) \(scripts/gen-filter-guide.py\) -->\n)(.*?)(<!-- END GENERATED: \2 -->)",
        re.S)
    seen = set()

    def replace(m):
        what = m.group(2)
        if what not in generators:
            sys.exit(f"gen-filter-guide: unknown generated section '{what}'")
        seen.add(what)
        return m.group(1) + generators[what]() + "\n" + m.group(4)

    text = pattern.sub(replace, guide)
    missing = set(generators) - seen
    if missing:
        sys.exit(f"gen-filter-guide: the guide lacks the section(s) {', '.join(sorted(missing))}")
    return text


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--header", default=os.path.join(ROOT, "include/fusebpf/filter_abi.h"))
    p.add_argument("--guide", default=os.path.join(ROOT, "docs/filter-guide.md"))
    p.add_argument("--cc", default=os.environ.get("CC", "cc"))
    p.add_argument("--check", action="store_true", help="compare instead of writing")
    args = p.parse_args()
    header = open(args.header).read()
    guide = open(args.guide).read()
    names = [s for _, s, _, _ in parse_contexts(header)]
    sizes = context_sizes(os.path.abspath(args.header), names, args.cc)
    text = render(guide, header, sizes)
    if args.check:
        if text != guide:
            sys.stdout.writelines(difflib.unified_diff(
                guide.splitlines(True), text.splitlines(True), args.guide, "generated"))
            print(f"{args.guide} is out of date: run scripts/gen-filter-guide.py", file=sys.stderr)
            return 1
        return 0
    if text != guide:
        with open(args.guide, "w") as f:
            f.write(text)
        print(f"gen-filter-guide: updated {args.guide}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
