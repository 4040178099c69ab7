// SPDX-License-Identifier: GPL-2.0-or-later
//
// parse_mount_options(): known options, values, accumulation, clear errors.
#include "daemon/options.h"

#include <gtest/gtest.h>

#include <sys/mount.h>

using namespace fusebpf::daemon;

TEST(MountOptions, Defaults)
{
	mount_options o;
	EXPECT_FALSE(o.allow_other);
	EXPECT_DOUBLE_EQ(o.entry_timeout, 1.0);
	EXPECT_DOUBLE_EQ(o.attr_timeout, 1.0);
	EXPECT_DOUBLE_EQ(o.negative_timeout, 0.0);
	EXPECT_EQ(o.mount_flags, static_cast<unsigned long>(MS_NOSUID | MS_NODEV));
}

TEST(MountOptions, FlagsAndTimeouts)
{
	mount_options o;
	EXPECT_FALSE(parse_mount_options(
	    "allow_other,default_permissions,ro,entry_timeout=0.5,attr_timeout=0,"
	    "negative_timeout=2",
	    o));
	EXPECT_TRUE(o.allow_other);
	EXPECT_TRUE(o.default_permissions);
	EXPECT_TRUE(o.read_only);
	EXPECT_DOUBLE_EQ(o.entry_timeout, 0.5);
	EXPECT_DOUBLE_EQ(o.attr_timeout, 0.0);
	EXPECT_DOUBLE_EQ(o.negative_timeout, 2.0);
}

TEST(MountOptions, Accumulates)
{
	mount_options o;
	EXPECT_FALSE(parse_mount_options("ro", o));
	EXPECT_FALSE(parse_mount_options("rw,,noexec,suid", o));
	EXPECT_FALSE(o.read_only);
	EXPECT_TRUE(o.mount_flags & MS_NOEXEC);
	EXPECT_FALSE(o.mount_flags & MS_NOSUID);
	EXPECT_TRUE(o.mount_flags & MS_NODEV);
	EXPECT_FALSE(parse_mount_options("timeout=3,fsname=demo", o));
	EXPECT_DOUBLE_EQ(o.entry_timeout, 3.0);
	EXPECT_DOUBLE_EQ(o.attr_timeout, 3.0);
	EXPECT_EQ(o.fsname, "demo");
}

TEST(MountOptions, ErrorsNameTheOption)
{
	mount_options o;
	auto err = parse_mount_options("allow_other,frobnicate", o);
	ASSERT_TRUE(err);
	EXPECT_NE(err->find("frobnicate"), std::string::npos);
	EXPECT_TRUE(parse_mount_options("entry_timeout=abc", o));
	EXPECT_TRUE(parse_mount_options("entry_timeout=-1", o));
	EXPECT_TRUE(parse_mount_options("entry_timeout", o));
	EXPECT_TRUE(parse_mount_options("attr_timeout=nan", o));
	EXPECT_TRUE(parse_mount_options("allow_other=1", o));
	EXPECT_TRUE(parse_mount_options("fsname=a b", o));
}

TEST(MountOptions, MaxFds)
{
	mount_options o;
	EXPECT_EQ(o.max_fds, 0u); // the default: half of RLIMIT_NOFILE
	ASSERT_FALSE(parse_mount_options("max_fds=1000", o));
	EXPECT_EQ(o.max_fds, 1000u);
	for (const char *bad : {"max_fds", "max_fds=", "max_fds=abc", "max_fds=-5", "max_fds=15",
	                        "max_fds=10x", "max_fds=99999999999999999999"}) {
		auto err = parse_mount_options(bad, o);
		ASSERT_TRUE(err) << bad;
		EXPECT_NE(err->find("max_fds"), std::string::npos) << *err;
	}
	EXPECT_EQ(o.max_fds, 1000u);
}

TEST(MountOptions, Transport)
{
	mount_options o;
	EXPECT_EQ(o.transport, transport_kind::automatic);
	EXPECT_FALSE(parse_mount_options("transport=uring", o));
	EXPECT_EQ(o.transport, transport_kind::uring);
	EXPECT_FALSE(parse_mount_options("transport=dev", o));
	EXPECT_EQ(o.transport, transport_kind::dev);
	EXPECT_FALSE(parse_mount_options("transport=auto", o));
	EXPECT_EQ(o.transport, transport_kind::automatic);
	auto err = parse_mount_options("transport=fast", o);
	ASSERT_TRUE(err);
	EXPECT_NE(err->find("auto, uring or dev"), std::string::npos);
	EXPECT_TRUE(parse_mount_options("transport", o));
	for (auto t : {transport_kind::automatic, transport_kind::uring, transport_kind::dev}) {
		transport_kind back = transport_kind::dev;
		EXPECT_TRUE(parse_transport(transport_name(t), back));
		EXPECT_EQ(back, t);
	}
}
