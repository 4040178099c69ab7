// SPDX-License-Identifier: GPL-2.0-or-later
//
// redact_user.cc - the userspace half of examples/redact: post_read() masks
// every run of 4 or more ASCII digits (card numbers, PINs, phone numbers) in
// the data of reads the BPF filter sent here (redact.bpf.c), replacing each
// digit with '*'.  The length does not change, so sizes, offsets and mmap
// stay consistent with the backing file.
//
// A read sees one chunk of the file, so a digit run cut by the chunk's edge
// may be longer than what this chunk holds: such a run is masked whatever its
// length, unless the edge is the start of the file or its end (a short
// read).  Masking more than needed at a chunk edge is the safe side.
//
// The optional argument (`--user-filter-arg N`) is the shortest run masked.
// Built with `fusebpf build redact_user.cc` (or fusebpf_add_user_filter()).
#include "daemon/filter/user_filter.h"

#include <cstddef>
#include <cstdlib>
#include <string>

namespace {

class redact_filter : public fusebpf::filter::user_filter {
public:
	explicit redact_filter(const std::string &arg)
	{
		if (!arg.empty())
			min_run_ = std::strtoul(arg.c_str(), nullptr, 10);
		if (min_run_ == 0)
			min_run_ = 4;
	}

	std::string name() const override { return "redact"; }

	int post_read(fusebpf_read_ctx &ctx, fusebpf::filter::user_io &io) override
	{
		if (ctx.meta.error_in != 0)
			return BPF_FUSE_CONTINUE;
		size_t n = ctx.out.size < io.data_out.size() ? ctx.out.size : io.data_out.size();
		char *data = reinterpret_cast<char *>(io.data_out.data());
		bool starts_file = ctx.in.offset == 0;
		bool ends_file = ctx.out.size < ctx.in.size;
		for (size_t i = 0; i < n;) {
			if (!is_digit(data[i])) {
				i++;
				continue;
			}
			size_t end = i;
			while (end < n && is_digit(data[end]))
				end++;
			bool cut = (i == 0 && !starts_file) || (end == n && !ends_file);
			if (cut || end - i >= min_run_)
				for (size_t j = i; j < end; j++)
					data[j] = '*';
			i = end;
		}
		return BPF_FUSE_CONTINUE;
	}

private:
	static bool is_digit(char c) { return c >= '0' && c <= '9'; }

	size_t min_run_ = 4;
};

} // namespace

FUSEBPF_USER_FILTER_EXPORT(redact_filter)
