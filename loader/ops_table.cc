// SPDX-License-Identifier: GPL-2.0-or-later
//
// ops_table: open a loaded table, run its filters; see ops_table.h.
#include "loader/ops_table.h"

#include "loader/sections.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>

namespace fusebpf::loader {

namespace {

std::string errno_text(int e)
{
	return std::strerror(e);
}

} // namespace

result<ops_table> ops_table::open_by_id(std::uint32_t map_id)
{
	unique_fd fd(bpf_map_get_fd_by_id(map_id));
	if (!fd) {
		int e = errno;
		return error{"cannot open ops table map ID " + std::to_string(map_id) + ": " +
		                 errno_text(e) +
		                 (e == ENOENT ? " (no such map: see fusebpf list)" : ""),
		             e};
	}
	ops_table t;
	t.table_ = std::move(fd);
	if (status st = t.snapshot("map ID " + std::to_string(map_id)); !st)
		return std::move(st).err();
	return t;
}

result<ops_table> ops_table::open_by_name(std::string_view name, std::string_view pin_root)
{
	std::string pin = table_pin(pin_root, name);
	unique_fd fd(bpf_obj_get(pin.c_str()));
	if (!fd) {
		int e = errno;
		return error{"cannot open ops table '" + std::string(name) + "' (" + pin +
		                 "): " + errno_text(e) +
		                 (e == ENOENT ? " (not loaded: see fusebpf list)" : ""),
		             e};
	}
	ops_table t;
	t.table_ = std::move(fd);
	if (status st = t.snapshot("table '" + std::string(name) + "'"); !st)
		return std::move(st).err();
	t.name_ = name;
	return t;
}

status ops_table::snapshot(const std::string &what)
{
	bpf_map_info info{};
	__u32 len = sizeof(info);
	if (bpf_obj_get_info_by_fd(table_.get(), &info, &len) != 0) {
		int e = errno;
		return error{"cannot read " + what + ": " + errno_text(e), e};
	}
	if (info.type != BPF_MAP_TYPE_PROG_ARRAY || info.key_size != 4 || info.value_size != 4)
		return error{what + " is not a fusebpf ops table (a prog array of fuse_ops "
		                    "programs made by fusebpf load)",
		             EINVAL};
	if (info.max_entries > FUSEBPF_SLOT_COUNT)
		return error{what + " has " + std::to_string(info.max_entries) +
		                 " slots: it was loaded by a newer fusebpf (filter ABI with more "
		                 "ops); this one knows " +
		                 std::to_string(FUSEBPF_SLOT_COUNT) + " (ABI version " +
		                 std::to_string(FUSEBPF_ABI_VERSION) + ")",
		             EPROTO};
	id_ = info.id;
	name_ = info.name;
	for (__u32 slot = 0; slot < info.max_entries; slot++) {
		__u32 prog_id = 0;
		if (bpf_map_lookup_elem(table_.get(), &slot, &prog_id) != 0)
			continue;
		unique_fd prog(bpf_prog_get_fd_by_id(prog_id));
		if (!prog) {
			int e = errno;
			return error{"cannot open program ID " + std::to_string(prog_id) +
			                 " in slot " + std::to_string(slot) + " (" +
			                 section_of_slot(slot) + ") of " + what + ": " +
			                 errno_text(e),
			             e};
		}
		bpf_prog_info pinfo{};
		__u32 plen = sizeof(pinfo);
		if (bpf_obj_get_info_by_fd(prog.get(), &pinfo, &plen) != 0 ||
		    pinfo.type != BPF_PROG_TYPE_SYSCALL)
			return error{"slot " + std::to_string(slot) + " of " + what +
			                 " does not hold a syscall program",
			             EINVAL};
		progs_[slot] = std::move(prog);
	}
	return done{};
}

result<int> ops_table::run_slot(std::uint32_t slot, void *ctx, std::size_t size) const
{
	int fd = slot_fd(slot);
	if (fd < 0)
		return error{"no program in slot " + std::to_string(slot) + " (" +
		                 section_of_slot(slot) + ")",
		             ENOENT};
	bpf_test_run_opts opts{};
	opts.sz = sizeof(opts);
	opts.ctx_in = ctx;
	opts.ctx_size_in = static_cast<__u32>(size);
	if (bpf_prog_test_run_opts(fd, &opts) != 0) {
		int e = errno;
		return error{"running " + section_of_slot(slot) + " failed: " + errno_text(e) +
		                 (e == EINVAL ? " (is the context shorter than the program "
		                                "expects?)"
		                              : ""),
		             e};
	}
	return static_cast<int>(opts.retval);
}

result<int> ops_table::run(enum fusebpf_op op, enum fusebpf_side side, void *ctx,
                           std::size_t size) const
{
	if (op < 0 || op >= FUSEBPF_OP_COUNT)
		return error{"op " + std::to_string(op) + " is not in filter ABI version " +
		                 std::to_string(FUSEBPF_ABI_VERSION),
		             EINVAL};
	return run_slot(fusebpf_slot(op, side), ctx, size);
}

result<int> ops_table::run_default(void *ctx, std::size_t size) const
{
	return run_slot(FUSEBPF_SLOT_DEFAULT, ctx, size);
}

std::string verdict_name(int verdict)
{
	switch (verdict) {
	case BPF_FUSE_CONTINUE:
		return "CONTINUE";
	case BPF_FUSE_USER:
		return "USER";
	case BPF_FUSE_USER_PREFILTER:
		return "USER_PREFILTER";
	case BPF_FUSE_POSTFILTER:
		return "POSTFILTER";
	case BPF_FUSE_USER_POSTFILTER:
		return "USER_POSTFILTER";
	case BPF_FUSE_CALL_DEFAULT:
		return "CALL_DEFAULT";
	default:
		break;
	}
	if (verdict < 0) {
		const char *name = strerrorname_np(-verdict);
		return "-" + std::string(name ? name : std::to_string(-verdict));
	}
	return "invalid(" + std::to_string(verdict) + ")";
}

} // namespace fusebpf::loader
