// SPDX-License-Identifier: GPL-2.0-or-later
//
// ops_table: a loaded ops table as the daemon uses it.  Open it by map ID
// (what `fusebpf load` printed) or by name, then for each FUSE request:
//
//	auto table = fusebpf::loader::ops_table::open_by_id(id);   // once
//	if (!table) { log(table.message()); ... }
//
//	struct fusebpf_lookup_ctx ctx = {};                          // per request
//	ctx.meta.nodeid = parent; ctx.meta.opcode = FUSE_LOOKUP | FUSE_PREFILTER; ...
//	if (table->has_program(FUSEBPF_OP_LOOKUP, FUSEBPF_PRE)) {    // no syscall
//		auto verdict = table->run(FUSEBPF_OP_LOOKUP, FUSEBPF_PRE, ctx);
//		if (!verdict) -> fail the op with -EIO, log verdict.message()
//		*verdict is the filter's return value; ctx holds its changes.
//	}
//
// Semantics the caller implements (filter_abi.h, docs/design.md §2): no program ->
// BPF_FUSE_CALL_DEFAULT -> run_default() if has_default(), else CONTINUE.
//
// Lifetime and threads.  open_*() takes a reference on every program in the
// table (one fd per filled slot) and the table itself, so the filters keep
// working even if the table is unloaded meanwhile; the snapshot is the one
// taken at open (tables never change after load).  has_program() is a plain
// array read; run() is one BPF_PROG_RUN syscall (the kernel copies the
// context in, runs the program, copies it back); both are safe to call from
// many threads at once on one const ops_table.
//
// The seam for in-kernel FUSE-BPF: on a kernel whose BTF has a `fuse_ops`
// struct_ops type, a table would be a struct_ops map the kernel calls by
// itself.  That variant would be a second `kind` here, answering
// has_program() from the struct_ops members and leaving run() to the kernel;
// it is not built (no such kernel to test on).
#pragma once

#include "common/unique_fd.h"
#include "loader/bpffs.h"
#include "loader/result.h"

#include <fusebpf/filter_abi.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace fusebpf::loader {

class ops_table {
public:
	enum class kind {
		prog_array, // BPF_PROG_TYPE_SYSCALL programs run by the daemon (stock kernels)
	};

	// Opens the table whose ops table map has this ID.  Checks that it is a
	// fusebpf table (a prog array of syscall programs) this ABI can run.
	static result<ops_table> open_by_id(std::uint32_t map_id);

	// Opens the table pinned as <pin_root>/<name>.
	static result<ops_table> open_by_name(std::string_view name,
	                                      std::string_view pin_root = default_pin_root);

	ops_table(ops_table &&) noexcept = default;
	ops_table &operator=(ops_table &&) noexcept = default;
	ops_table(const ops_table &) = delete;
	ops_table &operator=(const ops_table &) = delete;

	// Whether (op, side) has a program.  No syscall.
	bool has_program(enum fusebpf_op op, enum fusebpf_side side) const noexcept
	{
		return slot_fd(fusebpf_slot(op, side)) >= 0;
	}
	bool has_default() const noexcept { return slot_fd(FUSEBPF_SLOT_DEFAULT) >= 0; }
	// Whether any slot of op (pre or post) is filled.
	bool filters_op(enum fusebpf_op op) const noexcept
	{
		return has_program(op, FUSEBPF_PRE) || has_program(op, FUSEBPF_POST);
	}

	// Runs the (op, side) program on ctx (size bytes, at least the op's
	// context size the program was built for) and returns its verdict; the
	// kernel has written the program's changes into ctx.  Errors: no
	// program in that slot (ENOENT), or BPF_PROG_RUN failed (e.g. EINVAL: ctx
	// shorter than the program reads).
	result<int> run(enum fusebpf_op op, enum fusebpf_side side, void *ctx,
	                std::size_t size) const;
	// The default_filter on a struct fusebpf_default_ctx (or any context:
	// it starts with meta).
	result<int> run_default(void *ctx, std::size_t size) const;

	// Typed forms: run(FUSEBPF_OP_LOOKUP, FUSEBPF_PRE, lookup_ctx).
	template <typename Ctx>
	result<int> run(enum fusebpf_op op, enum fusebpf_side side, Ctx &ctx) const
	{
		static_assert(std::is_trivially_copyable_v<Ctx> && offsetof(Ctx, meta) == 0,
		              "ctx must be a struct fusebpf_<op>_ctx");
		return run(op, side, &ctx, sizeof(ctx));
	}
	template <typename Ctx> result<int> run_default(Ctx &ctx) const
	{
		static_assert(std::is_trivially_copyable_v<Ctx> && offsetof(Ctx, meta) == 0,
		              "ctx must start with struct fusebpf_meta");
		return run_default(&ctx, sizeof(ctx));
	}

	std::uint32_t id() const noexcept { return id_; }
	// Opened by name: the pinned table name (what `fusebpf list` shows and
	// commands take). Opened by ID: the kernel's map name, at most 15
	// characters (open by name where the pin is known).
	const std::string &name() const noexcept { return name_; }
	enum kind kind() const noexcept { return kind_; }
	// The table map's fd (owned by this object).
	int fd() const noexcept { return table_.get(); }

private:
	ops_table() = default;
	int slot_fd(std::uint32_t slot) const noexcept
	{
		return slot < progs_.size() ? progs_[slot].get() : -1;
	}
	result<int> run_slot(std::uint32_t slot, void *ctx, std::size_t size) const;
	// Checks the map is a fusebpf table and takes a reference (fd) on every
	// program in it.
	status snapshot(const std::string &what);

	unique_fd table_;
	std::array<unique_fd, FUSEBPF_SLOT_COUNT> progs_;
	std::uint32_t id_ = 0;
	std::string name_;
	enum kind kind_ = kind::prog_array;
};

// "CONTINUE", "USER", ..., "-ENOENT", or "invalid(7)": for logs and stats.
std::string verdict_name(int verdict);

} // namespace fusebpf::loader
