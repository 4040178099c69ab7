// SPDX-License-Identifier: GPL-2.0-or-later
//
// example_table: an example's BPF object loaded as an ops table for one test,
// under a name unique to the test process, and unloaded (unpinned) when the
// object goes out of scope, also when an ASSERT failed.  map_fd() opens one
// of the table's pinned maps, so a test changes a map the way `fusebpf map
// set` or bpftool would (through its pin).
//
// Used by the examples' mount tests (tests/examples/<example>/) together
// with tests/support/mounted_fs (`--ops ID`).  Header-only: each test
// target includes it; the loader library does the work.
#pragma once

#include "common/unique_fd.h"
#include "loader/load.h"
#include "loader/tables.h"

#include <bpf/bpf.h>

#include <string>
#include <unistd.h>

namespace fusebpf::test {

class example_table {
public:
	example_table() = default;
	example_table(const example_table &) = delete;
	example_table &operator=(const example_table &) = delete;
	~example_table() { unload(); }

	// Loads object as "<prefix>_<pid>"; returns "" or why it failed.
	std::string load(const std::string &object, const std::string &prefix)
	{
		loader::load_options o;
		o.name = prefix + "_" + std::to_string(::getpid());
		auto info = loader::load_filter(object, o);
		if (!info)
			return info.message();
		name_ = o.name;
		id_ = info->id;
		return "";
	}

	// Unpins the table (the mount keeps its own fds until it ends).
	std::string unload()
	{
		if (name_.empty())
			return "";
		auto r = loader::unload_table(loader::default_pin_root, name_);
		name_.clear();
		return r ? "" : r.message();
	}

	const std::string &name() const { return name_; }
	unsigned id() const { return id_; }

	// An fd on the pinned map `map` of this table (invalid on failure).
	unique_fd map_fd(const std::string &map) const
	{
		std::string pin =
		    std::string(loader::default_pin_root) + "/" + name_ + "/maps/" + map;
		return unique_fd(bpf_obj_get(pin.c_str()));
	}

private:
	std::string name_;
	unsigned id_ = 0;
};

} // namespace fusebpf::test
