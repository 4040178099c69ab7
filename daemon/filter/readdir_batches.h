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
//	        [&](dir_entry &e) { if (e.entry.nodeid) s.inodes().forget(e.entry.nodeid, 1); });
//	-> reply err, or pack entries
//
// Entry is any type with members `std::string name; uint64_t ino; uint32_t
// type; uint64_t next_off` (the daemon's dir_entry has them).  Entries a
// filter drops are erased after `drop(entry)` ran (READDIRPLUS entries hold
// a lookup reference to give back); entries it rewrote get the new name,
// ino and type (an invalid new name drops the entry).  An empty vector is
// the end of the directory: the postfilter sees one empty batch with
// FUSEBPF_READDIR_EOF.  If the result is an error (the backing op's, or a
// postfilter's verdict), every entry is dropped and the error returned.
#pragma once

#include "daemon/filter/context.h"
#include "daemon/filter/engine.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

namespace fusebpf::filter {

template <class Entry, class Drop>
int filter_dir_entries(engine &eng, pass &p, fusebpf_readdir_ctx &ctx, user_io &io,
                       int backing_result, std::vector<Entry> &entries, bool plus, Drop &&drop)
{
	int result = backing_result > 0 ? -backing_result : backing_result;
	std::vector<bool> keep(entries.size(), true);
	std::size_t done = 0;
	do {
		ctx.out = {};
		ctx.out.flags = plus ? FUSEBPF_READDIR_PLUS : 0;
		std::size_t first = done;
		if (result == 0)
			while (done < entries.size() &&
			       dirent_batch_add(ctx.out, entries[done].name, entries[done].ino,
			                        entries[done].type, entries[done].next_off))
				done++;
		if (entries.empty())
			ctx.out.flags |= FUSEBPF_READDIR_EOF;
		result = eng.finish(p, ctx, io, result);
		if (result != 0)
			break;
		for (std::size_t i = first; i < done; i++) {
			auto idx = static_cast<std::uint32_t>(i - first);
			std::string_view name;
			if (!dirent_kept(ctx.out, idx, name)) {
				keep[i] = false;
				continue;
			}
			Entry &e = entries[i];
			if (name != e.name)
				e.name.assign(name);
			e.ino = ctx.out.entries[idx].ino;
			e.type = ctx.out.entries[idx].type;
		}
		// A name too long for a batch cannot be filtered: it is left out.
		if (done < entries.size() && done == first)
			keep[done++] = false;
	} while (done < entries.size());

	if (result != 0)
		std::fill(keep.begin(), keep.end(), false);
	std::size_t out = 0;
	for (std::size_t i = 0; i < entries.size(); i++) {
		if (!keep[i]) {
			drop(entries[i]);
			continue;
		}
		if (out != i)
			entries[out] = std::move(entries[i]);
		out++;
	}
	entries.resize(out);
	return result;
}

} // namespace fusebpf::filter
