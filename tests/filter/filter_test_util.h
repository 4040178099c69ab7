// SPDX-License-Identifier: GPL-2.0-or-later
//
// Helpers of the filter engine tests: a loaded test table (unique name and
// pin, unloaded by the destructor whatever the test outcome), contexts with
// names, and an engine with its own stats.
#pragma once

#include "daemon/filter/binding.h"
#include "daemon/filter/engine.h"
#include "loader/load.h"
#include "loader/ops_table.h"
#include "loader/tables.h"

#include <fusebpf/filter_abi.h>

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace fusebpf::filter_test {

// A filter object loaded as "ft_<pid>_<n>_<tag>" and opened by map ID, as
// the daemon does.
class loaded_table {
public:
	loaded_table(const std::string &object, const std::string &tag)
	{
		static std::atomic<int> counter{0};
		name_ = "ft_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
		        tag;
		loader::load_options o;
		o.name = name_;
		auto info = loader::load_filter(object, o);
		if (!info) {
			error_ = info.message();
			return;
		}
		auto t = loader::ops_table::open_by_id(info->id);
		if (!t) {
			error_ = t.message();
			return;
		}
		table_ = std::make_shared<const loader::ops_table>(std::move(*t));
	}
	~loaded_table() { (void)loader::unload_table(loader::default_pin_root, name_); }
	loaded_table(const loaded_table &) = delete;
	loaded_table &operator=(const loaded_table &) = delete;

	// Null if loading failed (then error() says why).
	const std::shared_ptr<const loader::ops_table> &table() const { return table_; }
	const std::string &error() const { return error_; }
	const std::string &name() const { return name_; }

private:
	std::string name_;
	std::string error_;
	std::shared_ptr<const loader::ops_table> table_;
};

inline void set_ctx_name(fusebpf_name &n, std::string_view s)
{
	std::memset(&n, 0, sizeof(n));
	std::memcpy(n.name, s.data(), s.size());
	n.len = static_cast<__u32>(s.size());
}

inline std::string ctx_name(const fusebpf_name &n)
{
	return std::string(n.name, n.len);
}

// A context with meta filled as the daemon would.
template <class Ctx> Ctx make_ctx(std::uint32_t opcode, std::uint64_t nodeid)
{
	Ctx ctx{};
	ctx.meta.nodeid = nodeid;
	ctx.meta.opcode = opcode;
	ctx.meta.unique = 77;
	ctx.meta.uid = 1000;
	ctx.meta.gid = 1000;
	ctx.meta.pid = static_cast<__u32>(::getpid());
	return ctx;
}

inline fusebpf_lookup_ctx lookup_ctx(std::string_view name, std::uint64_t parent = 1)
{
	auto ctx = make_ctx<fusebpf_lookup_ctx>(FUSE_LOOKUP, parent);
	set_ctx_name(ctx.name, name);
	return ctx;
}

} // namespace fusebpf::filter_test
