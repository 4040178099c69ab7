// SPDX-License-Identifier: GPL-2.0-or-later
//
// ops_data_fixture: one fusebpf mount with a data_ops.bpf.c table for the
// ops-data tests.  Loads the table under a unique name (unloaded in
// TearDown), opens its `ctl` and `calls` maps through their pins, mounts
// with `--ops ID` (mounted_fs unmounts in TearDown and in its destructor),
// and gives the tests small helpers: set the verdicts of an op, read its
// call counters, read stats.  Differs from tests/filter_mount (a fixed
// filter without knobs).
#pragma once

#include "tests/support/fs.h"
#include "common/unique_fd.h"
#include "loader/load.h"
#include "loader/tables.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/stats.h"
#include "tests/support/temp_dir.h"

#include <fusebpf/filter_abi.h>

#include <gtest/gtest.h>

#include <bpf/bpf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fusebpf::ops_data_test {

using test::read_text; // tests/support/fs.h

// struct data_ctl of data_ops.bpf.c.
struct data_ctl {
	int32_t pre = BPF_FUSE_CONTINUE;
	int32_t post = BPF_FUSE_CONTINUE;
	int32_t remap_from = 0;
	int32_t remap_to = 0;
	uint64_t arg = 0;
	uint64_t post_arg = 0;
};

// The default filter's slot in `ctl`.
inline constexpr uint32_t default_slot = FUSEBPF_OP_COUNT;

inline void write_file(const std::string &path, const std::string &text)
{
	std::ofstream(path, std::ios::binary) << text;
}

class OpsDataTest : public ::testing::Test {
protected:
	// The BPF object this fixture loads (a subclass picks a variant).
	virtual const char *object() const { return OPS_DATA_MAIN_OBJ; }
	// Whether the object has the `ctl` and `calls` maps of data_ops.bpf.c.
	virtual bool knobs() const { return true; }

	void SetUp() override
	{
		ASSERT_TRUE(dir_) << dir_.error();
		name_ = "opsdata_" + std::to_string(getpid()) + "_" + std::to_string(serial_++);
		loader::load_options o;
		o.name = name_;
		auto info = loader::load_filter(object(), o);
		ASSERT_TRUE(info) << info.message();
		loaded_ = true;
		table_id_ = info->id;
		for (const auto &m : info->maps) {
			if (m.name == "ctl")
				ctl_.reset(bpf_obj_get(m.pin.c_str()));
			else if (m.name == "calls")
				calls_.reset(bpf_obj_get(m.pin.c_str()));
		}
		if (knobs()) {
			ASSERT_GE(ctl_.get(), 0) << "no pinned map 'ctl'";
			ASSERT_GE(calls_.get(), 0) << "no pinned map 'calls'";
		}
		backing_ = dir_.subdir("backing");
		ASSERT_FALSE(backing_.empty());
	}

	void TearDown() override
	{
		if (fs_)
			fs_->stop();
		if (loaded_) {
			auto r = loader::unload_table(loader::default_pin_root, name_);
			EXPECT_TRUE(r) << r.message();
		}
	}

	// Mounts the backing dir with the table and `-o opts`.
	void mount(const std::string &opts = "attr_timeout=0,entry_timeout=0",
	           std::vector<std::string> more = {})
	{
		std::vector<std::string> args{"--ops", std::to_string(table_id_), "-o", opts};
		args.insert(args.end(), more.begin(), more.end());
		fs_ = std::make_unique<test::mounted_fs>(backing_, dir_.subdir("mnt"), args);
		std::string why;
		ASSERT_TRUE(fs_->start(why)) << why;
	}

	std::string mnt(const std::string &rel = "") const
	{
		return rel.empty() ? fs_->mountpoint() : fs_->mountpoint() + "/" + rel;
	}
	std::string back(const std::string &rel) const { return backing_ + "/" + rel; }

	void set(uint32_t slot, const data_ctl &c)
	{
		ASSERT_EQ(bpf_map_update_elem(ctl_.get(), &slot, &c, BPF_ANY), 0) << errno;
	}
	void set_pre(uint32_t op, int32_t verdict)
	{
		data_ctl c;
		c.pre = verdict;
		set(op, c);
	}

	// How often the (op, side) program ran; side 0 pre, 1 post.
	uint64_t calls(uint32_t op, uint32_t side = 0) const
	{
		uint32_t key = op * 2 + side;
		uint64_t n = 0;
		EXPECT_EQ(bpf_map_lookup_elem(calls_.get(), &key, &n), 0);
		return n;
	}

	// Waits (RELEASE is sent asynchronously by the kernel) until pred().
	static bool eventually(const std::function<bool()> &pred, int ms = 3000)
	{
		for (int waited = 0; waited < ms; waited += 10) {
			if (pred())
				return true;
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
		}
		return pred();
	}

	nlohmann::json stats()
	{
		std::string why;
		auto s = test::read_stats(mnt(), why);
		EXPECT_TRUE(s) << why;
		return s ? *s : nlohmann::json::object();
	}
	// stats.ops[op][field], 0 when absent.
	static uint64_t counter(const nlohmann::json &s, const std::string &op,
	                        const std::string &field)
	{
		const auto &ops = s.value("ops", nlohmann::json::object());
		if (!ops.contains(op) || !ops[op].contains(field) || !ops[op][field].is_number())
			return 0;
		return ops[op][field].get<uint64_t>();
	}

	test::temp_dir dir_{"ops_data"};
	std::string name_, backing_;
	uint32_t table_id_ = 0;
	bool loaded_ = false;
	unique_fd ctl_, calls_;
	std::unique_ptr<test::mounted_fs> fs_;
	static inline int serial_ = 0;
};

} // namespace fusebpf::ops_data_test
