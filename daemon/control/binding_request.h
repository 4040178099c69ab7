// SPDX-License-Identifier: GPL-2.0-or-later
//
// binding_request: turns what a user asked to bind (at mount: `fusebpf
// mount --filter/--ops/--user-filter`, live: `fusebpf attach`) into a
// filter::binding, loading what has to be loaded.
//
//   --ops NAME|ID        a table loaded by `fusebpf load`: opened, never
//                        unloaded by the daemon (filter/binding_source.h)
//   --filter FILE.bpf.o  loaded here with loader::load_filter(), pinned as
//                        --name or, by default, as
//                        <file name without .bpf.o>-d<daemon pid>[-<n>]
//                        (n counts live attaches), so two mounts or two
//                        attaches of one object never clash; the
//                        loaded_table guard unpins it when the binding is
//                        detached, replaced or the daemon exits
//   --user-filter LIB.so the library's user filter (with --user-filter-arg);
//                        alone, binding::make(nullptr, user): the filter's
//                        verdict_without_table() decides
//   none                 binding::none(): no table on a subtree
//
// Differs from filter/binding_source.h (which opens tables already loaded):
// this file owns what the daemon loaded itself. Errors are one line, the
// loader's and dlopen's words as they are (a verifier rejection keeps the
// verifier's line).
#pragma once

#include "daemon/filter/binding.h"
#include "daemon/control/stale_state.h"
#include "loader/result.h"

#include <memory>
#include <string>

namespace fusebpf::daemon {

// What to bind. At most one of filter_object / ops; none excludes the rest.
struct binding_spec {
	std::string filter_object;   // --filter FILE.bpf.o (absolute)
	std::string table_name;      // --name (only with filter_object)
	std::string ops;             // --ops NAME|ID
	std::string user_filter;     // --user-filter LIB.so (absolute)
	std::string user_filter_arg; // --user-filter-arg
	bool none = false;           // --none: explicitly no table

	bool empty() const
	{
		return filter_object.empty() && ops.empty() && user_filter.empty() && !none;
	}
};

// A table this daemon loaded: unpinned (loader::unload_table) when the last
// owner lets go. Programs already opened keep running until their ops_table
// is gone (the kernel frees them then).
class loaded_table {
public:
	loaded_table(std::string name, std::string pin_root)
	    : name_(std::move(name)), pin_root_(std::move(pin_root)), owner_(name_)
	{}
	~loaded_table();
	loaded_table(const loaded_table &) = delete;
	loaded_table &operator=(const loaded_table &) = delete;

	const std::string &name() const { return name_; }

private:
	std::string name_;
	std::string pin_root_;
	owned_table_record owner_; // lets sweep_stale() unpin it if this daemon dies
};

// A binding and what keeps its loaded parts loaded.
struct made_binding {
	filter::binding_ptr binding;
	std::shared_ptr<loaded_table> loaded; // null unless the daemon loaded the object
	std::string filter_object;            // what was loaded (for `fusebpf status`)
	std::string user_filter;              // the library's path, if any
};

// The default pin name for a --filter object: see above. `attach_number` 0
// is the mount's table.
std::string default_table_name(const std::string &object_path, unsigned attach_number);

// Loads/opens what spec names and makes the binding.
loader::result<made_binding> make_binding(const binding_spec &spec, unsigned attach_number);

} // namespace fusebpf::daemon
