// SPDX-License-Identifier: GPL-2.0-or-later
//
// node_filters: binding points of nodes and the end of a filtered lookup
// (virtual nodes, backing paths, child tables); see node_filters.h.
#include "daemon/policy/node_filters.h"

#include "daemon/backing/backing.h"
#include "daemon/filter/binding_source.h"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace fusebpf::daemon {
namespace {

// The parent's point (the tree's root for a node placed before points
// existed, which cannot happen after the session set the root's).
std::shared_ptr<filter::binding_point> point_or_root(session &s, const inode &node)
{
	if (auto p = point_of(node))
		return p;
	return s.bindings().root();
}

// Looks up `path`, relative to the backing root and never leaving it, as a
// child of `parent` (one lookup reference). EPERM for a path that leaves
// the root (or crosses a magic link), else the lookup's errno.
int lookup_beneath(session &s, const inode &parent, std::string_view name, const std::string &path,
                   fuse_entry_out &out)
{
	open_how how{};
	how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	pinned_fd root_fd = s.inodes().root()->pin();
	if (!root_fd)
		return root_fd.error();
	long fd = syscall(SYS_openat2, root_fd.get(), path.c_str(), &how, sizeof(how));
	if (fd < 0) {
		int err = errno;
		if (err == EXDEV || err == ELOOP) {
			spdlog::warn(
			    "a lookup handler set backing path '{}' for '{}', which leaves the "
			    "backing root: refused",
			    path, name);
			return EPERM;
		}
		return err;
	}
	return enter_node(s, parent, name, unique_fd(static_cast<int>(fd)), out);
}

// Gives node the table a child decision asked for, on a point of its own.
int apply_table(session &s, const inode &parent, inode &node, const filter::child_decision &d)
{
	if (d.table == filter::child_decision::table_action::inherit)
		return 0;
	auto b = filter::binding_for(d, binding_of(parent)->user_shared());
	if (!b) {
		spdlog::warn("a lookup handler asked for table '{}' for nodeid {}: {}", d.table_ref,
		             node.nodeid, b.message());
		return EIO;
	}
	std::shared_ptr<filter::binding_point> parent_point = point_or_root(s, parent);
	std::shared_ptr<filter::binding_point> own = point_of(node);
	if (!own || own == parent_point) {
		own = s.bindings().make_child(parent_point);
		set_point(node, own);
	}
	own->set(*b);
	return 0;
}

} // namespace

int lookup_backing(session &s, const inode &parent, fusebpf_lookup_ctx &c,
                   std::string_view &used_name, uint64_t &taken, int &backing_err)
{
	if (int e = filter::name_of(c.name, used_name))
		return -e;
	backing_err = parent.is_dir() ? lookup_entry(s, parent, used_name, c.out.entry) : ENOTDIR;
	taken = backing_err ? 0 : c.out.entry.nodeid;
	return -backing_err;
}

int run_lookup_filters(session &s, const inode &parent, const filter::binding &b,
                       std::string_view name, fusebpf_lookup_ctx &ctx, filter::user_io &io,
                       uint64_t &taken, int &backing_err)
{
	taken = 0;
	backing_err = -1;
	if (int err = filter::set_name(ctx.name, name))
		return -err;
	return run_filters(s, parent, b, ctx, io, [&](fusebpf_lookup_ctx &c) {
		std::string_view used;
		return lookup_backing(s, parent, c, used, taken, backing_err);
	});
}

filter::binding_ptr binding_of(const inode &node)
{
	if (auto p = point_of(node))
		return p->resolve();
	return filter::binding::none();
}

void give_point(session &s, const inode &parent, inode &node)
{
	if (point_of(node))
		return;
	std::shared_ptr<filter::binding_point> parent_point = point_or_root(s, parent);
	set_point_if_none(node,
	                  node.is_dir() ? s.bindings().make_child(parent_point) : parent_point);
}

void place_node(session &s, const inode &parent, inode &node, std::string_view name)
{
	node.set_kernel_name(parent.nodeid, name);
	give_point(s, parent, node);
}

int finish_entry(session &s, const inode &parent, std::string_view name, int err, uint64_t taken,
                 const filter::user_io &io, fuse_entry_out &entry)
{
	if (err) {
		if (taken)
			s.inodes().forget(taken, 1); // a postfilter hid or failed it
		return err < 0 ? err : -err;
	}
	const filter::child_decision &d = io.child;
	inode_ptr node;
	if (d.virtual_key) {
		if (taken)
			s.inodes().forget(taken, 1);
		if ((entry.attr.mode & S_IFMT) == 0) {
			spdlog::warn(
			    "a lookup handler answered '{}' as a virtual node without a file "
			    "type in attr.mode",
			    name);
			return -EIO;
		}
		node = s.inodes().add_virtual(d.virtual_key, entry.attr.mode);
		place_node(s, parent, *node, name);
		if (entry.attr.ino == 0)
			entry.attr.ino = d.virtual_key;
	} else if (!d.backing_path.empty()) {
		if (taken)
			s.inodes().forget(taken, 1);
		if (int e = lookup_beneath(s, parent, name, d.backing_path, entry))
			return -e;
		node = s.inodes().get(entry.nodeid);
		if (!node) // cannot happen while we hold the reference
			return -ESTALE;
		give_point(s, parent, *node);
	} else if (taken && d.table == filter::child_decision::table_action::inherit) {
		// The backing entry as the backing step made it: only the ids
		// are the daemon's to restore (no table lookup on this path).
		entry.nodeid = taken;
		entry.generation = taken >> 32;
		return 0;
	} else if (taken) {
		node = s.inodes().get(taken);
		if (!node) // forgotten already: cannot happen while we hold the reference
			return -ESTALE;
	} else if (entry.nodeid == 0) {
		// A handler answered 0 without a node: a negative entry, replied
		// as is (user_filter.h, docs/filters.md §3); the kernel caches it
		// for the handler's entry_valid.
		return 0;
	} else {
		// A handler wrote a nodeid of its own: it cannot hand those out.
		spdlog::warn("a lookup handler answered '{}' with nodeid {} but neither a backing "
		             "entry nor a virtual key",
		             name, entry.nodeid);
		return -EIO;
	}
	// Daemon-owned: the kernel gets the node's ids, whatever a filter wrote.
	entry.nodeid = node->nodeid;
	entry.generation = node->nodeid >> 32;
	if (int e = apply_table(s, parent, *node, d)) {
		s.inodes().forget(node->nodeid, 1);
		return -e;
	}
	return 0;
}

} // namespace fusebpf::daemon
