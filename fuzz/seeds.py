#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Writes the seed corpus of fuse_request_fuzz, control_fuzz and
# map_codec_fuzz (fuzz/corpus/<target>/): one small valid input per op or
# command, so the fuzzer starts from requests the daemon accepts. The
# loader's seeds are real filter objects, copied, not generated.
#   fuzz/seeds.py            rewrite the generated seeds in place
import os
import struct
import sys

top = os.path.dirname(os.path.abspath(__file__))

# The state fuse_request_fuzz prepares (inode and handle ids are
# (generation << 32) | slot, daemon/backing/slot_table.h).
ROOT = 1
F, D, L, G = (1 << 32) | 2, (1 << 32) | 3, (1 << 32) | 4, (1 << 32) | 5
FH = DFH = 1 << 32

OP = dict(LOOKUP=1, FORGET=2, GETATTR=3, SETATTR=4, READLINK=5, SYMLINK=6, MKNOD=8,
          MKDIR=9, UNLINK=10, RMDIR=11, RENAME=12, LINK=13, OPEN=14, READ=15, WRITE=16,
          STATFS=17, RELEASE=18, FSYNC=20, SETXATTR=21, GETXATTR=22, LISTXATTR=23,
          REMOVEXATTR=24, FLUSH=25, INIT=26, OPENDIR=27, READDIR=28, RELEASEDIR=29,
          FSYNCDIR=30, GETLK=31, SETLK=32, SETLKW=33, ACCESS=34, CREATE=35, INTERRUPT=36,
          DESTROY=38, BATCH_FORGET=42, FALLOCATE=43, READDIRPLUS=44, RENAME2=45, LSEEK=46,
          COPY_FILE_RANGE=47)


def req(op, nodeid, args=b"", unique=10):
    hdr = struct.pack("<IIQQIIIHH", 40 + len(args), OP[op], unique, nodeid, 0, 0, 1, 0, 0)
    frame = hdr + args
    return frame + b"\0" * (-len(frame) % 8)


def s(text):
    return text.encode() + b"\0"


read_in = lambda fh, off, size: struct.pack("<QQIIQII", fh, off, size, 0, 0, 0, 0)
open_in = lambda flags: struct.pack("<II", flags, 0)
lk = lambda fh, owner, typ: struct.pack("<QQQQIIII", fh, owner, 0, 99, typ, 1, 0, 0)

fuse = {
    "lookup": req("LOOKUP", ROOT, s("f")),
    "lookup_sub": req("LOOKUP", D, s("g")),
    "getattr": req("GETATTR", F, struct.pack("<IIQ", 0, 0, 0)),
    "setattr": req("SETATTR", F, struct.pack("<IIQQQQQQIIIIIIII", 1 | 8, 0, 0, 3, 0, 0, 0, 0,
                                             0, 0, 0, 0o100600, 0, 0, 0, 0)),
    "readlink": req("READLINK", L),
    "symlink": req("SYMLINK", D, s("ln") + s("../f")),
    "mknod": req("MKNOD", ROOT, struct.pack("<IIII", 0o100644, 0, 0, 0) + s("n")),
    "mkdir": req("MKDIR", ROOT, struct.pack("<II", 0o755, 0) + s("m")),
    "unlink": req("UNLINK", D, s("g")),
    "rmdir": req("RMDIR", ROOT, s("d")),
    "rename": req("RENAME", ROOT, struct.pack("<Q", D) + s("f") + s("f2")),
    "rename2": req("RENAME2", ROOT, struct.pack("<QII", ROOT, 2, 0) + s("f") + s("l")),
    "link": req("LINK", D, struct.pack("<Q", F) + s("hard")),
    "open": req("OPEN", F, open_in(0)),
    "read": req("READ", F, read_in(FH, 2, 4)),
    "write": req("WRITE", F, struct.pack("<QQIIQII", FH, 1, 3, 0, 0, 0, 0) + b"abc"),
    "statfs": req("STATFS", ROOT),
    "release": req("RELEASE", F, struct.pack("<QIIQ", FH, 0, 0, 0)),
    "fsync": req("FSYNC", F, struct.pack("<QII", FH, 0, 0)),
    "setxattr": req("SETXATTR", F, struct.pack("<IIII", 1, 0, 0, 0) + s("user.a") + b"v"),
    "getxattr": req("GETXATTR", F, struct.pack("<II", 64, 0) + s("user.a")),
    "listxattr": req("LISTXATTR", F, struct.pack("<II", 0, 0)),
    "removexattr": req("REMOVEXATTR", F, s("user.a")),
    "flush": req("FLUSH", F, struct.pack("<QIIQ", FH, 0, 0, 7)),
    "init": req("INIT", 0, struct.pack("<IIIII", 7, 40, 4096, 0xffffffff, 0xffffffff) + b"\0" * 44),
    "opendir": req("OPENDIR", D, open_in(0)),
    "readdir": req("READDIR", D, read_in(DFH, 0, 4096)),
    "readdirplus": req("READDIRPLUS", D, read_in(DFH, 0, 4096)),
    "releasedir": req("RELEASEDIR", D, struct.pack("<QIIQ", DFH, 0, 0, 0)),
    "fsyncdir": req("FSYNCDIR", D, struct.pack("<QII", DFH, 1, 0)),
    "getlk": req("GETLK", F, lk(FH, 5, 1)),
    "setlk": req("SETLK", F, lk(FH, 5, 1)) + req("SETLK", F, lk(FH, 6, 1), 11),
    "access": req("ACCESS", F, struct.pack("<II", 4, 0)),
    "create": req("CREATE", D, struct.pack("<IIII", 0o102, 0o100644, 0o22, 0) + s("c")),
    "interrupt": req("INTERRUPT", 0, struct.pack("<Q", 9)),
    "destroy": req("DESTROY", 0),
    "forget": req("FORGET", G, struct.pack("<Q", 1)),
    "batch_forget": req("BATCH_FORGET", 0, struct.pack("<IIQQQQ", 2, 0, F, 1, G, 1)),
    "fallocate": req("FALLOCATE", F, struct.pack("<QQQII", FH, 0, 4096, 0, 0)),
    "lseek": req("LSEEK", F, struct.pack("<QQII", FH, 0, 4, 0)),
    "copy_file_range": req("COPY_FILE_RANGE", F, struct.pack("<QQQQQQQ", FH, 0, F, FH, 8, 4, 0)),
    # A sequence: create, write through the new handle, read it back, release.
    "create_write_read": req("CREATE", ROOT, struct.pack("<IIII", 0o102, 0o100644, 0, 0) + s("n"))
    + req("WRITE", (1 << 32) | 6, struct.pack("<QQIIQII", (1 << 32) | 1, 0, 2, 0, 0, 0, 0) + b"hi", 11)
    + req("READ", (1 << 32) | 6, read_in((1 << 32) | 1, 0, 2), 12)
    + req("RELEASE", (1 << 32) | 6, struct.pack("<QIIQ", (1 << 32) | 1, 0, 0, 0), 13),
}

control = {
    "stats": b'{"cmd": "stats"}\n',
    "status": b'{"cmd": "status"}\n',
    "invalidate": b'{"cmd": "invalidate"}\n{"cmd": "invalidate", "table_id": 7}\n',
    "detach": b'{"cmd": "detach", "path": "d", "none": true}\n{"cmd": "detach", "path": "d"}\n',
    "attach": b'{"cmd": "attach", "path": "d", "ops": "hide"}\n',
    "attach_filter": b'{"cmd": "attach", "path": "", "filter": "/nonexistent.bpf.o", "name": "x"}\n',
    "bad": b'{"cmd": 3}\n[1,2]\nnot json\n{"cmd": "nope"}\n',
}

codec = {
    "u32": b"\0\4\0" + b"42",
    "s16": b"\0\2\1" + b"-7",
    "hex_u64": b"\0\x08\0" + b"0x10",
    "string": b"\0\x10\4" + b"secret",
    "struct_string": b"\0\x10\6" + b"name",
    "bytes": b"\0\3\0" + b"0a0b0c",
    "enum": b"\0\4\2" + b"3",
}


def write(target, seeds):
    d = os.path.join(top, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


write("fuse_request", fuse)
write("control", control)
write("map_codec", codec)
sys.exit(0)
