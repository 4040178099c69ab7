// SPDX-License-Identifier: GPL-2.0-or-later
//
// redact: bpf_test_redact_readdir's userspace filter. After each backing
// READDIR batch it drops every other entry of the test's files: those named
// "f<odd number>" ("f001", "f003", ...), so which entries go does not depend
// on how the kernel splits the listing into READDIR calls. "." and ".." and
// other names stay.
#include "daemon/filter/user_filter.h"

#include <string_view>

namespace {

class redact_filter : public fusebpf::filter::user_filter {
public:
	explicit redact_filter(const std::string &) {}
	std::string name() const override { return "selftest_redact"; }

	int post_readdir(fusebpf_readdir_ctx &ctx, fusebpf::filter::user_io &) override
	{
		fusebpf_dirent_batch &b = ctx.out;
		for (std::uint32_t i = 0; i < b.count && i < FUSEBPF_READDIR_BATCH; i++) {
			std::string_view n(b.entries[i].name, b.entries[i].namelen);
			if (n.size() > 1 && n[0] == 'f' && (n.back() - '0') % 2 == 1)
				b.drop_mask |= 1ULL << i;
		}
		return BPF_FUSE_CONTINUE;
	}
};

} // namespace

FUSEBPF_USER_FILTER_EXPORT(redact_filter)
