// SPDX-License-Identifier: GPL-2.0-or-later
//
// slot_table: ids are never 0, stale ids miss after reuse, fixed ids stay.
#include "daemon/backing/slot_table.h"

#include <gtest/gtest.h>

using fusebpf::daemon::slot_table;

TEST(SlotTable, InsertGetErase)
{
	slot_table<int> t;
	uint64_t a = t.insert(std::make_shared<int>(1));
	uint64_t b = t.insert(std::make_shared<int>(2));
	EXPECT_NE(a, 0u);
	EXPECT_NE(a, b);
	EXPECT_EQ(*t.get(a), 1);
	EXPECT_EQ(*t.get(b), 2);
	EXPECT_EQ(t.size(), 2u);
	EXPECT_EQ(*t.erase(a), 1);
	EXPECT_EQ(t.get(a), nullptr);
	EXPECT_EQ(t.erase(a), nullptr);
	EXPECT_EQ(t.size(), 1u);
}

TEST(SlotTable, ReusedSlotGetsNewGeneration)
{
	slot_table<int> t;
	uint64_t a = t.insert(std::make_shared<int>(1));
	t.erase(a);
	uint64_t c = t.insert(std::make_shared<int>(3));
	EXPECT_EQ(a & 0xffffffffu, c & 0xffffffffu); // same slot
	EXPECT_NE(a, c);                             // other generation
	EXPECT_EQ(t.get(a), nullptr);
	EXPECT_EQ(*t.get(c), 3);
}

TEST(SlotTable, BogusIdsMiss)
{
	slot_table<int> t;
	EXPECT_EQ(t.get(0), nullptr);
	EXPECT_EQ(t.get(12345), nullptr);
	EXPECT_EQ(t.get(~0ull), nullptr);
	uint64_t a = t.insert(std::make_shared<int>(1));
	EXPECT_EQ(t.get(a + (1ull << 32)), nullptr);
}

TEST(SlotTable, FixedIdIsNeverErased)
{
	slot_table<int> t(2);
	t.insert_fixed(1, std::make_shared<int>(7));
	EXPECT_EQ(*t.get(1), 7);
	EXPECT_EQ(t.erase(1), nullptr);
	EXPECT_EQ(*t.get(1), 7);
	uint64_t a = t.insert(std::make_shared<int>(8));
	EXPECT_GE(a & 0xffffffffu, 2u);
	EXPECT_EQ(t.size(), 1u);
}
