// SPDX-License-Identifier: GPL-2.0-or-later
//
// control_commands: the filter commands of the control socket
// (control_server.h), on top of the attachment registry (attach.h). One
// JSON object per line each way; every reply has "ok" and, when false,
// "error" (one line).
//
//   {"cmd": "attach", "path": "sub/dir" | "",        path relative to the mount
//    "filter": "/abs/x.bpf.o", "name": "NAME",        the daemon loads it, or
//    "ops": "NAME|ID",                               a table `fusebpf load` loaded
//    "user_filter": "/abs/lib.so", "user_filter_arg": "..."}
//     -> {"path": "/sub/dir", "binding": {...describe()...}, "source": "attach",
//         "loaded_table": NAME|null, "object": FILE|null,
//         "user_filter_library": LIB|null, "replaced": bool,
//         "invalidated": {"nodes", "inodes", "entries", "gone", "failed"}}
//   {"cmd": "detach", "path": "sub/dir", "none": false}
//     -> {"path", "detached": DESCRIPTION, "now": {...}, "invalidated": {...}}
//        ("none": true attaches the empty binding instead: reply as attach)
//   {"cmd": "status"}
//     -> {"root": {...}, "attachments": [{"path", "binding", "source", ...}]}
//   {"cmd": "invalidate"} or {"cmd": "invalidate", "table_id": N}
//     -> {"invalidated": {...}}: every node the kernel holds, or only nodes
//        whose binding uses the table with map ID N (`fusebpf map` sends
//        this after changing a filter's map, so the change shows at once)
//
// "describe()" is filter::describe() (filter/binding_source.h):
// {"description", "generation", "table": {"name", "id"} | null,
//  "user_filter": NAME | null, "ops": ["lookup", ...]}.
#pragma once

namespace fusebpf::daemon {

class attach_registry;
class control_server;

void add_filter_commands(control_server &server, attach_registry &attachments);

} // namespace fusebpf::daemon
