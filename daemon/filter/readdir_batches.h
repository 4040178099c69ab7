// SPDX-License-Identifier: GPL-2.0-or-later
//
// readdir_batches: the READDIR/READDIRPLUS postfilter loop, between the
// daemon's backing readdir (a vector of entries) and its packing into the
// reply.  Filters see the entries FUSEBPF_READDIR_BATCH (32) at a time, one
// BPF call per batch, never one per entry.
//
//	filter::pass p = eng.begin(*b, ctx, io);          // prefilter, once
//	if (p.done()) -> reply p.result
//	std::vector<dir_entry> entries;
//	int err = do_readdir(s, ctx.in, plus, entries);    // backing op
//	err = filter::filter_dir_entries(eng, p, ctx, io, err, entries, plus,
//	        [&](dir_entry &e) { if (e.entry.nodeid) s.inodes().forget(e.entry.nodeid, 1); },
//	        [&](dir_entry &e) { /* renamed: likewise, then e.entry.nodeid = 0 */ });
//	-> reply err, or pack entries
//
// Entry is any type with members `std::string name; uint64_t ino; uint32_t
// type; uint64_t next_off` (the daemon's dir_entry has them), default
// constructible.  Entries a filter drops are erased after `drop(entry)` ran
// (READDIRPLUS entries hold a lookup reference to give back); entries it
// rewrote get the new name, ino and type (an invalid new name drops the
// entry); `renamed(entry)` (optional) then runs for each renamed one: with
// READDIRPLUS its lookup reference was taken for the old name, so the
// daemon's hook gives it back and sends the entry with nodeid 0 (the kernel
// looks the new name up itself).
// Entries a filter appends to a batch (count grown past what the daemon
// put in, a user postfilter adding a virtual entry to a real listing) are
// inserted after that batch's entries, with the filter's name, ino, type
// and off (next_off: the cookie the kernel passes back to continue after
// it) and no lookup reference.  An empty vector is the end of the
// directory: the postfilter sees one empty batch with FUSEBPF_READDIR_EOF
// (and may append entries to it).  If the result is an error (the backing
// op's, or a postfilter's verdict), every entry is dropped and the error
// returned.
#pragma once

#include "daemon/filter/context.h"
#include "daemon/filter/engine.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace fusebpf::filter {

template <class Entry, class Drop, class Renamed>
int filter_dir_entries(engine &eng, pass &p, fusebpf_readdir_ctx &ctx, user_io &io,
                       int backing_result, std::vector<Entry> &entries, bool plus, Drop &&drop,
                       Renamed &&renamed)
{
	int result = backing_result > 0 ? -backing_result : backing_result;
	std::vector<Entry> kept;
	kept.reserve(entries.size());
	std::size_t done = 0;  // entries put into a batch so far
	std::size_t first = 0; // the current batch's first entry
	do {
		ctx.out = {};
		ctx.out.flags = plus ? FUSEBPF_READDIR_PLUS : 0;
		first = done;
		if (result == 0)
			while (done < entries.size() &&
			       dirent_batch_add(ctx.out, entries[done].name, entries[done].ino,
			                        entries[done].type, entries[done].next_off))
				done++;
		if (entries.empty())
			ctx.out.flags |= FUSEBPF_READDIR_EOF;
		const std::uint32_t given = ctx.out.count;
		result = eng.finish(p, ctx, io, result);
		if (result != 0)
			break;
		for (std::size_t i = first; i < done; i++) {
			auto idx = static_cast<std::uint32_t>(i - first);
			Entry &e = entries[i];
			std::string_view name;
			if (!dirent_kept(ctx.out, idx, name)) {
				drop(e);
				continue;
			}
			if (name != e.name) {
				e.name.assign(name);
				renamed(e);
			}
			e.ino = ctx.out.entries[idx].ino;
			e.type = ctx.out.entries[idx].type;
			kept.push_back(std::move(e));
		}
		const std::uint32_t count =
		    std::min<std::uint32_t>(ctx.out.count, FUSEBPF_READDIR_BATCH);
		for (std::uint32_t idx = given; idx < count; idx++) {
			std::string_view name;
			if (!dirent_kept(ctx.out, idx, name) || name == "." || name == "..")
				continue;
			Entry e{};
			e.name.assign(name);
			e.ino = ctx.out.entries[idx].ino;
			e.type = ctx.out.entries[idx].type;
			e.next_off = ctx.out.entries[idx].off;
			kept.push_back(std::move(e));
		}
		// A name too long for a batch cannot be filtered: it is left out.
		if (done < entries.size() && done == first)
			drop(entries[done++]);
		first = done;
	} while (done < entries.size());

	if (result != 0) {
		for (std::size_t i = first; i < entries.size(); i++)
			drop(entries[i]);
		for (Entry &e : kept)
			drop(e);
		kept.clear();
	}
	entries = std::move(kept);
	return result;
}

template <class Entry, class Drop>
int filter_dir_entries(engine &eng, pass &p, fusebpf_readdir_ctx &ctx, user_io &io,
                       int backing_result, std::vector<Entry> &entries, bool plus, Drop &&drop)
{
	return filter_dir_entries(eng, p, ctx, io, backing_result, entries, plus,
	                          std::forward<Drop>(drop), [](Entry &) {});
}

} // namespace fusebpf::filter
