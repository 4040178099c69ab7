// SPDX-License-Identifier: GPL-2.0-or-later
//
// readdir: bpf_test_readdir's userspace filter. After the backing OPENDIR it
// checks the open succeeded; after each backing READDIR batch it adds one
// entry, "fake", to the batch that ends the directory. The entry's cookie
// (off) is fake_cookie: a READDIR that resumes from it is past "fake", so it
// is not added twice. Not INT64_MAX: ext4 gives that cookie to its own last
// entry, so the READDIR after the real entries would already carry it.
#include "daemon/filter/user_filter.h"

#include <dirent.h>

#include <cerrno>
#include <cstring>

namespace {

constexpr std::uint64_t fake_cookie = 0x7ffffffffffffffeULL;

class readdir_filter : public fusebpf::filter::user_filter {
public:
	explicit readdir_filter(const std::string &) {}
	std::string name() const override { return "selftest_readdir"; }

	int post_opendir(fusebpf_opendir_ctx &ctx, fusebpf::filter::user_io &) override
	{
		return ctx.meta.error_in == 0 ? BPF_FUSE_CONTINUE : -EBADE;
	}

	int post_readdir(fusebpf_readdir_ctx &ctx, fusebpf::filter::user_io &) override
	{
		fusebpf_dirent_batch &b = ctx.out;
		if (!(b.flags & FUSEBPF_READDIR_EOF) || ctx.in.offset == fake_cookie ||
		    b.count >= FUSEBPF_READDIR_BATCH)
			return BPF_FUSE_CONTINUE;
		fusebpf_dirent &e = b.entries[b.count++];
		e = {};
		e.ino = 0xfa4e;
		e.off = fake_cookie;
		e.type = DT_REG;
		e.namelen = 4;
		std::memcpy(e.name, "fake", 5);
		return BPF_FUSE_CONTINUE;
	}
};

} // namespace

FUSEBPF_USER_FILTER_EXPORT(readdir_filter)
