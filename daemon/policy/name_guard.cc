// SPDX-License-Identifier: GPL-2.0-or-later
//
// name_guard: the LOOKUP probe behind exclusive creates and renames; see
// name_guard.h.
#include "daemon/policy/name_guard.h"

#include "daemon/policy/node_filters.h"
#include "daemon/session.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <string>

namespace fusebpf::daemon {

bool guards_names(const inode &dir)
{
	return !dir.is_virtual() && binding_of(dir)->wants(FUSEBPF_OP_LOOKUP);
}

bool lookup_shows(session &s, const fuse_in_header &caller, const inode &dir, std::string_view name)
{
	pinned_fd fd = dir.pin();
	if (!fd)
		return false; // cannot tell: keep the entry untouched
	struct stat st;
	if (fstatat(fd.get(), std::string(name).c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
		return true;

	fusebpf_lookup_ctx ctx{};
	filter::fill_meta(ctx.meta, caller);
	ctx.meta.nodeid = dir.nodeid;
	ctx.meta.opcode = FUSE_LOOKUP;
	filter::user_io io;
	uint64_t taken = 0;
	int backing_err = -1;
	int err = run_lookup_filters(s, dir, *binding_of(dir), name, ctx, io, taken, backing_err);
	bool shown = false;
	if (!err && taken && !io.child.virtual_key && io.child.backing_path.empty()) {
		inode_ptr node = s.inodes().get(taken);
		shown = node && node->dev == st.st_dev && node->ino == st.st_ino;
	}
	if (taken)
		s.inodes().forget(taken, 1);
	return shown;
}

} // namespace fusebpf::daemon
