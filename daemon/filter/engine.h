// SPDX-License-Identifier: GPL-2.0-or-later
//
// engine: the FUSE-BPF filter state machine for one op (docs/design.md §2, the
// patch sets' bpf_fuse_backing()), independent of FUSE replies and of how
// the backing op is done.  The daemon's op handlers call it; the unit tests
// call it with real BPF tables and a lambda as the backing op.
//
// For an op on a node whose binding wants it (binding::wants(op): the fast
// path test, one bit; when false the handler does its plain backing op and
// the engine costs nothing):
//
//   1. prefilter: the table's (op, pre) program with meta.opcode =
//      opcode | FUSE_PREFILTER; a missing program is CALL_DEFAULT, which runs
//      default_filter, or is CONTINUE without one;
//   2. verdict  < 0             -> the op fails with it
//               USER            -> user_filter::handle_<op>() answers it (or
//                                  declines: backing op); no user filter:
//                                  backing op (plain passthrough)
//               USER_PREFILTER  -> user_filter::pre_<op>() (may rewrite the
//                                  inputs; may fail the op), then as CONTINUE
//               CONTINUE        -> backing op, done
//               POSTFILTER      -> backing op, then 3
//               USER_POSTFILTER -> backing op, then 4
//               anything else   -> -EIO (counted, logged)
//   3. backing op (the caller's callable: ctx inputs -> ctx outputs, returns
//      0 or an errno, negative or positive as the daemon's do_<op>() do) -> meta.error_in; the BPF
//      postfilter runs with meta.opcode = opcode | FUSE_POSTFILTER, may rewrite ctx.out; inputs are
//      restored afterwards (read-only).  Its verdict: CONTINUE (keep), USER_POSTFILTER (then 4),
//      CALL_DEFAULT (default_filter decides), a negative errno (replaces the result), else -EIO;
//   4. user_filter::post_<op>() likewise (CONTINUE or a negative errno).
//
// A filter that fails to run (BPF_PROG_RUN error) or a user filter that
// throws fails the op with -EIO; both are counted (filter_stats) and logged
// once per (table, slot) and then at most every 10 s with a count.  meta is
// read-only for every filter: the engine restores it after each one.
//
// The caller fills ctx.meta.nodeid, .unique, .uid, .gid, .pid and .opcode
// (the undecorated FUSE opcode: FUSE_RENAME2, FUSE_READDIRPLUS, FUSE_SETLKW
// tell apart ops that share a context) and the inputs; the engine sets
// abi_version, the decorations and error_in, and hands ctx back with meta as
// the caller set it.
//
// Two ways to call it:
//   int err = eng.run(b, ctx, io, [&](auto &c) { return backing_op(c); });
// or in two phases, for READDIR, whose backing op and postfilters run once
// per batch of FUSEBPF_READDIR_BATCH entries while the prefilter runs once:
//   filter::pass p = eng.begin(b, ctx, io);
//   if (p.done()) -> reply p.result;
//   for each batch: err = fill_batch(ctx); err = eng.finish(p, ctx, io, err);
//
// Threads: an engine is shared by all workers; every method is const or
// touches only atomics (stats) and, on errors, a mutex.
#pragma once

#include "daemon/filter/binding.h"
#include "daemon/filter/filter_stats.h"
#include "daemon/filter/op_traits.h"
#include "daemon/filter/user_filter.h"

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>

namespace fusebpf::filter {

// The state of one op between begin() and finish().
struct pass {
	enum class step : std::uint8_t {
		reply,
		backing
	};
	step next = step::reply;
	int result = 0;         // for step::reply: 0 or -errno
	bool bpf_post = false;  // run the BPF postfilter after the backing op
	bool user_post = false; // run the user postfilter after it
	bool timed = false;     // latency already recorded
	std::uint32_t opcode = 0;
	std::uint64_t start_ns = 0;
	const binding *bound = nullptr;

	bool done() const { return next == step::reply; }
};

class engine {
public:
	explicit engine(filter_stats &stats) : stats_(stats) {}
	engine(const engine &) = delete;
	engine &operator=(const engine &) = delete;

	// The whole op: prefilters, backing(ctx) if they ask for it,
	// postfilters.  Returns 0 or -errno; ctx.out (and io.data_out for READ)
	// hold the answer.
	template <filter_ctx Ctx, class Backing>
	int run(const binding &b, Ctx &ctx, user_io &io, Backing &&backing)
	{
		pass p = begin(b, ctx, io);
		if (p.done())
			return p.result;
		return finish(p, ctx, io, std::forward<Backing>(backing)(ctx));
	}

	// Phase 1: the prefilters (and the user handler for USER).
	template <filter_ctx Ctx> pass begin(const binding &b, Ctx &ctx, user_io &io);

	// Phase 2: after the backing op returned backing_result (0 or -errno),
	// the postfilters.  May be called again with the same pass for the next
	// batch of a READDIR; the latency is recorded by the first call.
	template <filter_ctx Ctx> int finish(pass &p, Ctx &ctx, user_io &io, int backing_result);

	// An op on a virtual node (io.virtual_key != 0; user_filter.h): the user
	// handler answers it, nothing else runs.  Declined: 0 for the ops that
	// close or sync, or access; -EOPNOTSUPP for the others.
	template <filter_ctx Ctx> int serve_virtual(const binding &b, Ctx &ctx, user_io &io);

	filter_stats &stats() const { return stats_; }

private:
	enum class failure : std::uint8_t {
		run,
		invalid,
		user_exception
	};

	static std::uint64_t now_ns()
	{
		return static_cast<std::uint64_t>(
		    std::chrono::duration_cast<std::chrono::nanoseconds>(
		        std::chrono::steady_clock::now().time_since_epoch())
		        .count());
	}

	// Runs one BPF program (slot of (op, side), or the default filter when
	// use_default) on ctx with the decorated opcode, restores meta.
	// Returns true with the verdict, or false after counting and logging a
	// run failure.
	template <filter_ctx Ctx>
	bool run_bpf(const binding &b, Ctx &ctx, fusebpf_side side, bool use_default,
	             std::uint32_t opcode, int &verdict);

	// The verdict of (op, side) with CALL_DEFAULT and missing programs
	// resolved; false on a run failure.
	template <filter_ctx Ctx>
	bool bpf_verdict(const binding &b, Ctx &ctx, fusebpf_side side, std::uint32_t opcode,
	                 int &verdict);

	// The pass of an op starting on ctx (counted, meta set for filters).
	template <filter_ctx Ctx> pass start(const binding &b, Ctx &ctx);

	// Calls a user hook, turning an exception into -EIO.
	template <class Fn> int call_user(const binding &b, std::uint32_t opcode, Fn &&fn);

	// Counts and logs (rate-limited, per (table, slot, what)) a failure;
	// returns -EIO.  slot: the table slot that failed, -1 for user filters.
	int fail(const binding &b, std::uint32_t opcode, int slot, failure what, int value,
	         const std::string &detail);

	template <filter_ctx Ctx> static int slot_of(fusebpf_side side)
	{
		return static_cast<int>(fusebpf_slot(op_of<Ctx>, side));
	}

	void record(pass &p);

	filter_stats &stats_;
	std::mutex log_mutex_;
	struct log_state {
		std::uint64_t last_ns = 0;
		std::uint64_t suppressed = 0;
	};
	// (table map ID or 0, slot or -1 for user filters, failure) -> log state.
	std::map<std::tuple<std::uint32_t, int, int>, log_state> logged_; // under log_mutex_
};

// ---------------------------------------------------------------------------
// Implementation (templates).

template <filter_ctx Ctx>
bool engine::run_bpf(const binding &b, Ctx &ctx, fusebpf_side side, bool use_default,
                     std::uint32_t opcode, int &verdict)
{
	const fusebpf_meta saved = ctx.meta;
	ctx.meta.opcode = opcode | (side == FUSEBPF_PRE ? FUSE_PREFILTER : FUSE_POSTFILTER);
	stats_.count_bpf_run(opcode);
	auto r = use_default ? b.table()->run_default(&ctx.meta, sizeof(fusebpf_default_ctx))
	                     : b.table()->run(op_of<Ctx>, side, ctx);
	ctx.meta = saved;
	if (!r) {
		fail(b, opcode, use_default ? FUSEBPF_SLOT_DEFAULT : slot_of<Ctx>(side),
		     failure::run, 0, r.message());
		return false;
	}
	verdict = *r;
	stats_.count_verdict(opcode, kind_of_verdict(verdict));
	return true;
}

template <filter_ctx Ctx>
bool engine::bpf_verdict(const binding &b, Ctx &ctx, fusebpf_side side, std::uint32_t opcode,
                         int &verdict)
{
	constexpr fusebpf_op op = op_of<Ctx>;
	const loader::ops_table *t = b.table();
	if (!t) {
		verdict = side == FUSEBPF_PRE ? b.implicit_verdict(op) : BPF_FUSE_CONTINUE;
		return true;
	}
	if (t->has_program(op, side)) {
		if (!run_bpf(b, ctx, side, false, opcode, verdict))
			return false;
	} else {
		verdict = BPF_FUSE_CALL_DEFAULT; // a missing program, as the patch sets
	}
	if (verdict != BPF_FUSE_CALL_DEFAULT)
		return true;
	if (!t->has_default()) {
		verdict = BPF_FUSE_CONTINUE;
		return true;
	}
	if (!run_bpf(b, ctx, side, true, opcode, verdict))
		return false;
	// The default of the default is CONTINUE (no loop).
	if (verdict == BPF_FUSE_CALL_DEFAULT)
		verdict = BPF_FUSE_CONTINUE;
	return true;
}

template <class Fn> int engine::call_user(const binding &b, std::uint32_t opcode, Fn &&fn)
{
	try {
		return fn();
	} catch (const std::exception &e) {
		return fail(b, opcode, -1, failure::user_exception, 0, e.what());
	} catch (...) {
		return fail(b, opcode, -1, failure::user_exception, 0, "a non-standard exception");
	}
}

template <filter_ctx Ctx> pass engine::start(const binding &b, Ctx &ctx)
{
	pass p;
	p.bound = &b;
	p.opcode = ctx.meta.opcode & FUSE_OPCODE_FILTER;
	p.start_ns = now_ns();
	stats_.count_filtered(p.opcode);
	ctx.meta.opcode = p.opcode;
	ctx.meta.error_in = 0;
	ctx.meta.abi_version = FUSEBPF_ABI_VERSION;
	return p;
}

template <filter_ctx Ctx> pass engine::begin(const binding &b, Ctx &ctx, user_io &io)
{
	pass p = start(b, ctx);

	int verdict = 0;
	if (!bpf_verdict(b, ctx, FUSEBPF_PRE, p.opcode, verdict)) {
		p.result = -EIO;
		record(p);
		return p;
	}
	user_filter *user = b.user();
	switch (verdict) {
	case BPF_FUSE_CONTINUE:
		p.next = pass::step::backing;
		break;
	case BPF_FUSE_POSTFILTER:
		p.next = pass::step::backing;
		p.bpf_post = true;
		break;
	case BPF_FUSE_USER_POSTFILTER:
		p.next = pass::step::backing;
		p.user_post = true;
		break;
	case BPF_FUSE_USER: {
		p.next = pass::step::backing; // no user filter: plain passthrough
		if (!user)
			break;
		stats_.count_user(p.opcode, user_call::handler);
		const fusebpf_meta saved = ctx.meta;
		int r = call_user(b, p.opcode, [&] { return call_handle(*user, ctx, io); });
		ctx.meta = saved;
		if (r == user_filter::declined)
			break;
		p.next = pass::step::reply;
		p.result = r <= 0 ? r
		                  : fail(b, p.opcode, -1, failure::invalid, r,
		                         "handle_" + std::string(op_name(op_of<Ctx>)));
		break;
	}
	case BPF_FUSE_USER_PREFILTER: {
		p.next = pass::step::backing;
		if (!user)
			break;
		stats_.count_user(p.opcode, user_call::prefilter);
		const fusebpf_meta saved = ctx.meta;
		ctx.meta.opcode = p.opcode | FUSE_PREFILTER;
		int r = call_user(b, p.opcode, [&] { return call_pre(*user, ctx, io); });
		ctx.meta = saved;
		if (r == BPF_FUSE_USER_POSTFILTER) {
			p.user_post = true;
		} else if (r != BPF_FUSE_CONTINUE) {
			p.next = pass::step::reply;
			p.result = r < 0 ? r
			                 : fail(b, p.opcode, -1, failure::invalid, r,
			                        "pre_" + std::string(op_name(op_of<Ctx>)));
		}
		break;
	}
	default:
		if (verdict < 0) {
			p.result = verdict;
		} else {
			p.result = fail(b, p.opcode, slot_of<Ctx>(FUSEBPF_PRE), failure::invalid,
			                verdict, std::string(op_name(op_of<Ctx>)) + " prefilter");
		}
		break;
	}
	if (p.done())
		record(p);
	return p;
}

template <filter_ctx Ctx> int engine::finish(pass &p, Ctx &ctx, user_io &io, int backing_result)
{
	const binding &b = *p.bound;
	int result = backing_result > 0 ? -backing_result : backing_result;
	bool user_post = p.user_post;
	// Inputs are read-only for postfilters: keep them to restore.
	alignas(Ctx) std::byte inputs[inputs_size<Ctx>()];
	if (p.bpf_post || user_post)
		std::memcpy(inputs, &ctx, sizeof(inputs));

	if (p.bpf_post) {
		ctx.meta.error_in = result;
		int verdict = 0;
		bool ran = bpf_verdict(b, ctx, FUSEBPF_POST, p.opcode, verdict);
		std::memcpy(&ctx, inputs, sizeof(inputs));
		if (!ran) {
			result = -EIO;
			user_post = false;
		} else if (verdict < 0) {
			result = verdict;
			user_post = false;
		} else if (verdict == BPF_FUSE_USER_POSTFILTER) {
			user_post = true;
		} else if (verdict != BPF_FUSE_CONTINUE) {
			result = fail(b, p.opcode, slot_of<Ctx>(FUSEBPF_POST), failure::invalid,
			              verdict, std::string(op_name(op_of<Ctx>)) + " postfilter");
			user_post = false;
		}
	}
	if (user_post && b.user()) {
		stats_.count_user(p.opcode, user_call::postfilter);
		ctx.meta.error_in = result;
		ctx.meta.opcode = p.opcode | FUSE_POSTFILTER;
		int r = call_user(b, p.opcode, [&] { return call_post(*b.user(), ctx, io); });
		std::memcpy(&ctx, inputs, sizeof(inputs));
		if (r < 0)
			result = r;
		else if (r != BPF_FUSE_CONTINUE)
			result = fail(b, p.opcode, -1, failure::invalid, r,
			              "post_" + std::string(op_name(op_of<Ctx>)));
	}
	ctx.meta.error_in = 0;
	ctx.meta.opcode = p.opcode;
	record(p);
	return result;
}

template <filter_ctx Ctx> int engine::serve_virtual(const binding &b, Ctx &ctx, user_io &io)
{
	constexpr fusebpf_op op = op_of<Ctx>;
	pass p = start(b, ctx);
	int r = user_filter::declined;
	if (user_filter *user = b.user()) {
		stats_.count_user(p.opcode, user_call::handler);
		const fusebpf_meta saved = ctx.meta;
		r = call_user(b, p.opcode, [&] { return call_handle(*user, ctx, io); });
		ctx.meta = saved;
	}
	if (r == user_filter::declined) {
		r = closes_file(op) || op == FUSEBPF_OP_FLUSH || op == FUSEBPF_OP_FSYNC ||
		            op == FUSEBPF_OP_FSYNCDIR || op == FUSEBPF_OP_ACCESS
		        ? 0
		        : -EOPNOTSUPP;
	} else if (r > 0) {
		r = fail(b, p.opcode, -1, failure::invalid, r,
		         "handle_" + std::string(op_name(op)) + " (virtual node)");
	}
	record(p);
	return r;
}

} // namespace fusebpf::filter
