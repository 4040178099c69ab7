// SPDX-License-Identifier: GPL-2.0-or-later
//
// ops_data_fixture: one fusebpf mount with a table for the ops-data tests:
// by default a variant of the knob-driven test filter (tests/support/
// knobs.bpf.c, through knobs_table). Loads the table under a unique name
// (unloaded in TearDown), mounts with `--ops ID` (mounted_fs unmounts in
// TearDown and in its destructor), and gives the tests small helpers: set
// the knobs of an op, read its call counters, read stats.  Differs from tests/filter_mount (a fixed
// filter without knobs).
#pragma once

#include "tests/support/fs.h"
#include "loader/load.h"
#include "loader/tables.h"
#include "tests/support/knobs_table.h"
#include "tests/support/mounted_fs.h"
#include "tests/support/stats.h"
#include "tests/support/temp_dir.h"

#include <fusebpf/filter_abi.h>

#include <gtest/gtest.h>

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

using test::knob; // tests/support/knobs_table.h

inline void write_file(const std::string &path, const std::string &text)
{
	std::ofstream(path, std::ios::binary) << text;
}

class OpsDataTest : public ::testing::Test {
protected:
	// The BPF object this fixture loads (a subclass picks a variant).
	// The default: every op but LOOKUP, no default filter.
	virtual const char *object() const { return KNOBS_NOLOOKUP_OBJ; }
	// Whether the object is a variant of knobs.bpf.c.
	virtual bool knobs() const { return true; }

	void SetUp() override
	{
		ASSERT_TRUE(dir_) << dir_.error();
		name_ = "opsdata_" + std::to_string(getpid()) + "_" + std::to_string(serial_++);
		if (knobs()) {
			ASSERT_EQ(knobs_.load(object(), name_), "");
			table_id_ = knobs_.id();
		} else {
			loader::load_options o;
			o.name = name_;
			auto info = loader::load_filter(object(), o);
			ASSERT_TRUE(info) << info.message();
			loaded_ = true;
			table_id_ = info->id;
		}
		backing_ = dir_.subdir("backing");
		ASSERT_FALSE(backing_.empty());
	}

	void TearDown() override
	{
		if (fs_)
			fs_->stop();
		EXPECT_EQ(knobs_.unload(), "");
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

	void set(int op, const knob &k) { knobs_.set(static_cast<fusebpf_op>(op), k); }
	void set_pre(int op, int32_t verdict) { knobs_.set(static_cast<fusebpf_op>(op), verdict); }

	// How often the (op, side) program ran; side 0 pre, 1 post.
	uint64_t calls(int op, int side = FUSEBPF_PRE) const
	{
		return knobs_.calls(static_cast<fusebpf_op>(op), static_cast<fusebpf_side>(side));
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
	bool loaded_ = false; // a table the fixture loaded without knobs_
	test::knobs_table knobs_;
	std::unique_ptr<test::mounted_fs> fs_;
	static inline int serial_ = 0;
};

} // namespace fusebpf::ops_data_test
