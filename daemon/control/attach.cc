// SPDX-License-Identifier: GPL-2.0-or-later
//
// attach: the attachment registry of a live mount; see attach.h.
#include "daemon/control/attach.h"

#include "daemon/backing/backing.h"
#include "daemon/filter/binding_source.h"
#include "daemon/policy/node_filters.h"
#include "daemon/session.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace fusebpf::daemon {
namespace {

// Whether `p` is `target` or below it in the binding tree.
bool below(std::shared_ptr<filter::binding_point> p, const filter::binding_point *target)
{
	while (p) {
		if (p.get() == target)
			return true;
		p = p->parent();
	}
	return false;
}

std::string shown(const std::string &path)
{
	return "/" + path;
}

// Ops that resolved the old binding just before the switch may still be
// answering (and so refilling the kernel's caches with old answers) while
// the first invalidation pass runs; a second pass after this delay drops
// what they left. An op slower than this can still leave one stale entry
// until its timeout (documented in attach.h's limits).
constexpr auto second_pass_delay = std::chrono::milliseconds(50);

} // namespace

// What the kernel knows node by, to invalidate it.
static invalidation_target target_of(inode &node)
{
	std::lock_guard lock(node.name_mutex);
	return {node.nodeid, node.parent_nodeid, node.name};
}

nlohmann::json to_json(const invalidation_counts &c)
{
	return {{"nodes", c.nodes},
	        {"inodes", c.inodes},
	        {"entries", c.entries},
	        {"gone", c.gone},
	        {"failed", c.failed}};
}

attach_registry::~attach_registry()
{
	std::lock_guard lock(mutex_);
	for (auto &[path, a] : entries_)
		release(a.held);
}

loader::result<std::string> attach_registry::normalize(const std::string &path)
{
	if (path.find('\0') != std::string::npos)
		return loader::error{"a path with a NUL byte", EINVAL};
	std::string out;
	size_t pos = 0;
	while (pos <= path.size()) {
		size_t end = path.find('/', pos);
		if (end == std::string::npos)
			end = path.size();
		std::string comp = path.substr(pos, end - pos);
		pos = end + 1;
		if (comp.empty() || comp == ".")
			continue;
		if (comp == "..")
			return loader::error{"'" + path +
			                         "': '..' is not allowed (give a directory "
			                         "inside the mount)",
			                     EINVAL};
		if (!out.empty())
			out += '/';
		out += comp;
	}
	return out;
}

void attach_registry::release(std::vector<inode_ptr> &held)
{
	for (const inode_ptr &node : held)
		s_.inodes().forget(node->nodeid, 1);
	held.clear();
}

loader::result<std::vector<inode_ptr>> attach_registry::walk(const std::string &path)
{
	std::vector<inode_ptr> held;
	inode_ptr node = s_.inodes().root();
	size_t pos = 0;
	while (pos < path.size()) {
		size_t end = path.find('/', pos);
		if (end == std::string::npos)
			end = path.size();
		std::string_view name(path.data() + pos, end - pos);
		pos = end + 1;
		if (!node->is_dir()) {
			release(held);
			return loader::error{shown(path) + ": not a directory on the way", ENOTDIR};
		}
		fuse_entry_out out{};
		if (int err = lookup_entry(s_, *node, name, out)) {
			release(held);
			return loader::error{shown(path) + ": " + std::strerror(err) +
			                         " (in the backing directory)",
			                     err};
		}
		inode_ptr child = s_.inodes().get(out.nodeid);
		if (!child) { // cannot happen while we hold the reference
			release(held);
			return loader::error{shown(path) + ": the node vanished", ESTALE};
		}
		give_point(s_, *node, *child);
		held.push_back(child);
		node = std::move(child);
	}
	if (!node->is_dir()) {
		release(held);
		return loader::error{shown(path) + ": not a directory (a table is attached to a "
		                                   "directory; a file uses its directory's)",
		                     ENOTDIR};
	}
	return held;
}

nlohmann::json attach_registry::invalidate_below(const filter::binding_point *point)
{
	auto select = [&] {
		std::vector<invalidation_target> nodes;
		for (inode_ptr &node : s_.inodes().snapshot())
			if (below(point_of(*node), point))
				nodes.push_back(target_of(*node));
		return nodes;
	};
	invalidation_counts c = invalidate_nodes(s_.dev_fd(), select());
	std::this_thread::sleep_for(second_pass_delay);
	invalidation_counts again = invalidate_nodes(s_.dev_fd(), select());
	c.inodes += again.inodes;
	c.entries += again.entries;
	c.failed += again.failed;
	return to_json(c);
}

nlohmann::json attach_registry::entry_json(const std::string &path, const attachment &a) const
{
	auto or_null = [](const std::string &s) -> nlohmann::json {
		if (s.empty())
			return nullptr;
		return s;
	};
	return {{"path", shown(path)},
	        {"binding", filter::describe(*a.made.binding)},
	        {"source", a.source},
	        {"loaded_table", a.made.loaded ? nlohmann::json(a.made.loaded->name()) : nullptr},
	        {"object", or_null(a.made.filter_object)},
	        {"user_filter_library", or_null(a.made.user_filter)}};
}

loader::result<nlohmann::json> attach_registry::attach(const std::string &raw_path,
                                                       const binding_spec &spec, bool invalidate)
{
	auto path = normalize(raw_path);
	if (!path)
		return std::move(path).err();
	std::lock_guard lock(mutex_);
	// Find the directory first (a typo must not cost a BPF load), then
	// load what spec names.
	auto it = entries_.find(*path);
	bool replaced = it != entries_.end();
	attachment fresh;
	if (!replaced && path->empty()) {
		fresh.point = s_.bindings().root();
	} else if (!replaced) {
		auto held = walk(*path);
		if (!held)
			return std::move(held).err();
		fresh.held = std::move(*held);
		fresh.point = point_of(*fresh.held.back());
		if (!fresh.point) { // place_node() gives every looked-up node one
			release(fresh.held);
			return loader::error{shown(*path) + ": the node has no binding point", EIO};
		}
	}
	auto made = make_binding(spec, invalidate ? ++attaches_ : 0);
	if (!made) {
		release(fresh.held);
		return std::move(made).err();
	}
	if (!replaced)
		it = entries_.emplace(*path, std::move(fresh)).first;
	attachment &a = it->second;
	a.source = invalidate ? "attach" : "mount";
	// The old binding (and a table the daemon loaded for it) is released
	// after the new one is stored: ops holding it finish with it.
	made_binding old = std::move(a.made);
	a.made = std::move(*made);
	a.point->set(a.made.binding);
	spdlog::info("{} {} at {}", replaced ? "replaced by" : "attached",
	             a.made.binding->description(), shown(*path));
	nlohmann::json reply = entry_json(*path, a);
	reply["replaced"] = replaced;
	if (invalidate)
		reply["invalidated"] = invalidate_below(a.point.get());
	return reply;
}

loader::result<nlohmann::json> attach_registry::detach(const std::string &raw_path, bool force_none)
{
	auto path = normalize(raw_path);
	if (!path)
		return std::move(path).err();
	if (force_none) {
		binding_spec none;
		none.none = true;
		return attach(*path, none);
	}
	std::lock_guard lock(mutex_);
	auto it = entries_.find(*path);
	if (it == entries_.end())
		return loader::error{"nothing is attached at " + shown(*path) +
		                         " (`fusebpf status` lists the attachments)",
		                     ENOENT};
	attachment a = std::move(it->second);
	entries_.erase(it);
	std::string was = a.made.binding->description();
	// The root has no parent to inherit from: clearing it leaves the
	// mount with no table, as binding::none() would.
	a.point->clear();
	spdlog::info("detached {} from {}", was, shown(*path));
	nlohmann::json reply = {{"path", shown(*path)},
	                        {"detached", was},
	                        {"now", filter::describe(*a.point->resolve())}};
	reply["invalidated"] = invalidate_below(a.point.get());
	release(a.held);
	return reply; // a.made goes now: a table the daemon loaded is unpinned
}

nlohmann::json attach_registry::status() const
{
	std::lock_guard lock(mutex_);
	nlohmann::json list = nlohmann::json::array();
	for (const auto &[path, a] : entries_)
		list.push_back(entry_json(path, a));
	return {{"root", filter::describe(*s_.bindings().root()->resolve())},
	        {"attachments", std::move(list)}};
}

nlohmann::json attach_registry::invalidate(std::optional<uint32_t> table_id)
{
	std::vector<invalidation_target> nodes;
	for (inode_ptr &node : s_.inodes().snapshot()) {
		if (table_id) {
			const loader::ops_table *t = binding_of(*node)->table();
			if (!t || t->id() != *table_id)
				continue;
		}
		nodes.push_back(target_of(*node));
	}
	return to_json(invalidate_nodes(s_.dev_fd(), nodes));
}

} // namespace fusebpf::daemon
