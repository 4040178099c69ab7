// SPDX-License-Identifier: GPL-2.0-or-later
//
// filter_tables: see filter_tables.h.
#include "bench/daemon/filter_tables.h"

#include "loader/load.h"
#include "loader/tables.h"

#include <bpf/bpf.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fusebpf/filter_abi.h>
#include <unistd.h>

#ifndef FUSEBPF_BENCH_CONTINUE_ALL_OBJ
#define FUSEBPF_BENCH_CONTINUE_ALL_OBJ ""
#endif
#ifndef FUSEBPF_BENCH_PRE_POST_OBJ
#define FUSEBPF_BENCH_PRE_POST_OBJ ""
#endif

namespace fusebpf::bench {

namespace {

// A prog array shaped like a loaded ops table, with every slot empty.
class empty_table : public bench_table {
public:
	bool create(std::string &why)
	{
		fd_.reset(::bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "fbench_empty", sizeof(__u32),
		                           sizeof(__u32), FUSEBPF_SLOT_COUNT, nullptr));
		if (!fd_) {
			why = std::string("cannot create an empty ops table (prog array): ") +
			      std::strerror(errno);
			return false;
		}
		bpf_map_info info{};
		__u32 len = sizeof(info);
		if (::bpf_obj_get_info_by_fd(fd_.get(), &info, &len) != 0) {
			why = std::string("cannot read the empty table's map ID: ") +
			      std::strerror(errno);
			return false;
		}
		id_ = info.id;
		return true;
	}
	uint32_t id() const override { return id_; }
	std::string describe() const override
	{
		return "empty ops table, map ID " + std::to_string(id_) + " (no programs)";
	}

private:
	unique_fd fd_;
	uint32_t id_ = 0;
};

// A table loaded from one of bench/filters' objects, unloaded at the end.
class loaded_table : public bench_table {
public:
	~loaded_table() override
	{
		if (name_.empty())
			return;
		auto st = loader::unload_table(loader::default_pin_root, name_);
		if (!st)
			std::fprintf(stderr, "fusebpf-bench: cannot unload table %s: %s\n",
			             name_.c_str(), st.message().c_str());
	}
	bool load(const std::string &object, const std::string &name, std::string &why)
	{
		if (object.empty() || ::access(object.c_str(), R_OK) != 0) {
			why = "BPF object '" + object +
			      "' not found: build the bench_continue_all_bpf / bench_pre_post_bpf "
			      "targets (bench/filters)";
			return false;
		}
		loader::load_options o;
		o.name = name;
		auto info = loader::load_filter(object, o);
		if (!info) {
			why = info.message();
			return false;
		}
		name_ = name;
		id_ = info->id;
		programs_ = info->slots.size();
		return true;
	}
	uint32_t id() const override { return id_; }
	std::string describe() const override
	{
		return "table '" + name_ + "', map ID " + std::to_string(id_) + ", " +
		       std::to_string(programs_) + " programs";
	}

private:
	std::string name_;
	uint32_t id_ = 0;
	size_t programs_ = 0;
};

} // namespace

bool is_table_config(const std::string &base)
{
	return base == "fusebpf-table-empty" || base == "fusebpf-continue-all" ||
	       base == "fusebpf-pre-post";
}

std::unique_ptr<bench_table> make_bench_table(const std::string &base, std::string &why)
{
	std::string pid = std::to_string(::getpid());
	if (base == "fusebpf-table-empty") {
		auto t = std::make_unique<empty_table>();
		return t->create(why) ? std::move(t) : nullptr;
	}
	if (base == "fusebpf-continue-all" || base == "fusebpf-pre-post") {
		bool cont = base == "fusebpf-continue-all";
		auto t = std::make_unique<loaded_table>();
		if (!t->load(cont ? FUSEBPF_BENCH_CONTINUE_ALL_OBJ : FUSEBPF_BENCH_PRE_POST_OBJ,
		             (cont ? "fbench_continue_" : "fbench_prepost_") + pid, why))
			return nullptr;
		return t;
	}
	why = "configuration '" + base + "' has no table";
	return nullptr;
}

} // namespace fusebpf::bench
