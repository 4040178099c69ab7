// SPDX-License-Identifier: GPL-2.0-or-later
//
// binding_source: where bindings come from.  The mount's table
// (`fusebpf mount --ops NAME|ID`), `fusebpf attach --ops NAME|ID`, and a user
// lookup handler's child decision all name a table the same way: a map ID
// (all digits, what `fusebpf load` printed; the table need not be pinned
// where this daemon looks) or a table name pinned under the pin root.  This
// file turns those into opened tables and bindings, and describes a binding
// for `fusebpf status`.  Loading an object (`--filter FILE.bpf.o`) is the
// loader's load_filter(); its table ID then goes through open_table().
#pragma once

#include "daemon/filter/binding.h"
#include "daemon/filter/user_filter.h"
#include "loader/bpffs.h"
#include "loader/ops_table.h"
#include "loader/result.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string_view>

namespace fusebpf::filter {

// Opens the table named by ID or name.  Errors are the loader's messages.
loader::result<std::shared_ptr<const loader::ops_table>>
open_table(std::string_view name_or_id, std::string_view pin_root = loader::default_pin_root);

// The binding a child decision asks for: nullptr for `inherit` (keep the
// parent's), binding::none() for `remove`, the named table with `user` for
// `replace`.
loader::result<binding_ptr> binding_for(const child_decision &d, std::shared_ptr<user_filter> user,
                                        std::string_view pin_root = loader::default_pin_root);

// {"description", "generation", "table": {"name", "id"} | null,
//  "user_filter": name | null, "ops": ["lookup", ...]} for `fusebpf status`.
nlohmann::json describe(const binding &b);

} // namespace fusebpf::filter
