// SPDX-License-Identifier: GPL-2.0-or-later
//
// fusebpf_loader_run_helper: the "second process" of the loader tests, in
// the daemon's position.  It opens an ops table by map ID (as a daemon given
// `fusebpf mount --table ID` would), runs the lookup prefilter on NAME and,
// if that asks for it, the lookup postfilter, and prints one JSON object:
//   {"table": ID, "has_lookup_pre": true, "verdict": V, "name": "...",
//    "len": N, "post_verdict": V, "size": S}
// Exit 0 on success; 1 with the library's message on stderr otherwise.
// Usage: fusebpf_loader_run_helper MAP_ID NAME
#include "loader/ops_table.h"

#include <fusebpf/filter_abi.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char **argv)
{
	if (argc != 3) {
		std::fprintf(stderr, "usage: %s MAP_ID NAME\n", argv[0]);
		return 2;
	}
	auto id = static_cast<std::uint32_t>(std::strtoul(argv[1], nullptr, 10));
	std::string name = argv[2];
	auto table = fusebpf::loader::ops_table::open_by_id(id);
	if (!table) {
		std::fprintf(stderr, "%s\n", table.message().c_str());
		return 1;
	}
	nlohmann::json out;
	out["table"] = table->id();
	out["has_lookup_pre"] = table->has_program(FUSEBPF_OP_LOOKUP, FUSEBPF_PRE);
	out["has_open_pre"] = table->has_program(FUSEBPF_OP_OPEN, FUSEBPF_PRE);

	fusebpf_lookup_ctx ctx{};
	ctx.meta.nodeid = FUSE_ROOT_ID;
	ctx.meta.opcode = FUSE_LOOKUP | FUSE_PREFILTER;
	ctx.meta.pid = static_cast<__u32>(getpid());
	ctx.meta.abi_version = FUSEBPF_ABI_VERSION;
	ctx.name.len = static_cast<__u32>(std::min<std::size_t>(name.size(), FUSEBPF_NAME_MAX));
	std::memcpy(ctx.name.name, name.data(), ctx.name.len);
	auto verdict = table->run(FUSEBPF_OP_LOOKUP, FUSEBPF_PRE, ctx);
	if (!verdict) {
		std::fprintf(stderr, "%s\n", verdict.message().c_str());
		return 1;
	}
	out["verdict"] = *verdict;
	out["name"] = std::string(ctx.name.name);
	out["len"] = ctx.name.len;
	if (*verdict == BPF_FUSE_POSTFILTER) {
		ctx.meta.opcode = FUSE_LOOKUP | FUSE_POSTFILTER;
		ctx.out.entry.nodeid = 77;
		auto post = table->run(FUSEBPF_OP_LOOKUP, FUSEBPF_POST, ctx);
		if (!post) {
			std::fprintf(stderr, "%s\n", post.message().c_str());
			return 1;
		}
		out["post_verdict"] = *post;
		out["size"] = ctx.out.entry.attr.size;
		out["nodeid"] = ctx.out.entry.nodeid;
	}
	std::puts(out.dump().c_str());
	return 0;
}
