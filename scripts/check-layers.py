#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Checks that daemon/'s layers depend one way (docs/design.md, "The
# daemon's layers"): every #include "daemon/..." of a daemon source must
# name a layer its own layer may use. Exits 1 and names each include that
# runs against the direction, 0 when there is none.
import pathlib
import re
import sys

# Layer of a path below daemon/ (its first folder, or the file's stem).
LAYER_OF = {
    "filter": "filter",
    "options": "options",
    "fuse": "fuse",
    "backing": "backing",
    "session": "session",
    "policy": "policy",
    "ops": "ops",
    "control": "control",
    "daemon": "daemon",
}

# What each layer may include besides itself, lowest first. The filter
# engine and the backing tree know nothing of each other; the transport
# knows neither.
MAY_USE = {
    "filter": set(),
    "options": set(),
    "fuse": {"options"},
    "backing": {"fuse", "options"},
    "session": {"backing", "fuse", "filter", "options"},
    "policy": {"session", "backing", "fuse", "filter", "options"},
    "ops": {"policy", "session", "backing", "fuse", "filter", "options"},
    "control": {"policy", "session", "backing", "fuse", "filter", "options"},
    "daemon": {"control", "ops", "policy", "session", "backing", "fuse", "filter", "options"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"daemon/([^"]+)"')


def layer(rel: str) -> str:
    first = rel.split("/", 1)[0]
    key = first if "/" in rel else pathlib.PurePath(first).stem
    if key not in LAYER_OF:
        raise SystemExit(f"check-layers: daemon/{rel} is in no layer; add it to {__file__}")
    return LAYER_OF[key]


def main() -> int:
    top = pathlib.Path(__file__).resolve().parent.parent
    daemon = top / "daemon"
    bad = []
    files = 0
    for path in sorted(daemon.rglob("*")):
        if path.suffix not in (".h", ".cc") or "tests" in path.relative_to(daemon).parts:
            continue
        files += 1
        own = layer(str(path.relative_to(daemon)))
        for n, line in enumerate(path.read_text().splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            other = layer(m.group(1))
            if other != own and other not in MAY_USE[own]:
                bad.append(f"{path.relative_to(top)}:{n}: includes daemon/{m.group(1)}: "
                           f"layer '{own}' may not use layer '{other}'")
    for b in bad:
        print(b)
    if bad:
        print(f"check-layers: {len(bad)} include(s) against the layers' direction")
        return 1
    print(f"check-layers: {files} daemon files, every include runs down the layers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
