// SPDX-License-Identifier: GPL-2.0-or-later
//
// name_guard: names the kernel believes absent, in directories whose binding
// filters LOOKUP (docs/filters.md §7).
//
// The kernel sends CREATE, and a RENAME onto a name, after its own LOOKUP of
// that name answered ENOENT, and a lookup filter can answer ENOENT (or any
// error) for a name the backing directory has. Run as they come, those ops
// would open, truncate or replace the entry the filter hides. So in such a
// directory they run exclusively on the backing fs (O_EXCL, RENAME_NOREPLACE)
// and, when the backing entry exists, ask the binding's LOOKUP filters about
// it, exactly as a LOOKUP from the same caller would:
//   - the filters show that very backing entry: the name appeared after the
//     kernel's lookup (another writer, an expired negative entry), and the
//     op proceeds as it would natively (opens, replaces);
//   - otherwise (an error, a virtual node, another backing entry): the op
//     fails with EACCES and the backing entry is untouched.
// MKNOD, MKDIR, SYMLINK and LINK need no guard: they are exclusive by
// nature, and the backing fs's EEXIST is what they answer natively.
//
// Cost: nothing for bindings that do not filter LOOKUP (one bit test); in
// those that do, a create or replacing rename of a name that exists costs
// one more backing call and one filtered lookup.
#pragma once

#include "daemon/backing/inode_table.h"

#include <fusebpf/fuse_wire.h>

#include <string_view>

namespace fusebpf::daemon {

class session;

// Whether ops that name an entry in dir (its binding filters LOOKUP) must
// go through the guard.
bool guards_names(const inode &dir);

// dir/name exists on the backing fs although the kernel believed it absent
// (or it was there when an exclusive op ran): whether the binding's LOOKUP
// filters, run as a LOOKUP of dir/name by the caller of the request whose
// header is `caller`, show that same
// backing entry. A name gone meanwhile counts as shown (there is nothing
// left to protect). The lookup reference the probe takes is given back.
bool lookup_shows(session &s, const fuse_in_header &caller, const inode &dir,
                  std::string_view name);

} // namespace fusebpf::daemon
