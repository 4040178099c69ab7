// SPDX-License-Identifier: GPL-2.0-or-later
//
// table_access: find the loaded ops tables a user means, for `fusebpf map`
// and `fusebpf trace`, and tell mounts that a table's maps changed.
//
// A table is named the way every CLI command names it (a pinned name or a
// map ID, loader/tables.h), or by a fusebpf MOUNTPOINT: the daemon's
// `status` control command says which tables are bound there (the root's
// and every attachment's), which is how tables that `fusebpf mount --filter`
// loaded under a generated name are found.  Differs from loader/tables.h,
// which knows only bpffs; this file also asks running daemons.
#pragma once

#include "loader/result.h"
#include "loader/tables.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fusebpf::cli {

// Whether `arg` names a mountpoint rather than a table: it contains a '/'
// or is "." / "..".
bool looks_like_path(const std::string &arg);

// The tables bound on a fusebpf mount: the root's first, then the
// attachments', each once.  An error if `mountpoint` is no fusebpf mount or
// its daemon does not answer.
loader::result<std::vector<loader::table_info>> tables_of_mount(const std::string &mountpoint);

// The table named by NAME, map ID or MOUNTPOINT (the table bound at the
// mount's root).
loader::result<loader::table_info> find_table(const std::string &name_id_or_mountpoint);

// Every fusebpf mount (fuse.fusebpf in /proc/self/mountinfo).
std::vector<std::string> fusebpf_mounts();

// Asks every fusebpf mount to drop the kernel's cached entries and
// attributes of the nodes bound to table `table_id` (control command
// {"cmd":"invalidate","table_id":N}). Returns how many mounts have nodes
// bound to the table (a mount that does not use it answers with no nodes);
// mounts that fail are listed in `warnings`, one line each.
unsigned invalidate_mounts_using(std::uint32_t table_id, std::vector<std::string> &warnings);

// The fusebpf mounts that have table `table_id` bound (at their root or at
// an attachment), asked over their control sockets ("status"); mounts that
// do not answer are listed in `warnings`.
std::vector<std::string> mounts_using(std::uint32_t table_id, std::vector<std::string> &warnings);

} // namespace fusebpf::cli
