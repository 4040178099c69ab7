// SPDX-License-Identifier: GPL-2.0-or-later
//
// attach: which bindings are attached where on a live mount, and changing
// that without unmounting (`fusebpf attach/detach/status/invalidate`).
//
// An attachment is a directory of the mount (path relative to the mount
// root, "" = the root) whose binding point (filter/binding.h) holds a
// binding of its own. Attaching at a subdirectory walks the path from the
// root through the inode table (plain backing lookups, as root), so the
// nodes exist even if the kernel never looked them up, and keeps one
// lookup reference on every node of the path for as long as the attachment
// exists: the kernel may forget those nodes meanwhile, yet its next lookup
// finds the same node with the same point, so the attachment is not lost.
//
// Attach/replace stores the new binding on the point (ops in flight finish
// with the old one; none fails), then invalidates the kernel's caches of
// every node whose point chain passes through the point (notify.h): the
// entries, attributes and pages the old filters answered. Detach of a
// subdirectory clears the point (the subtree inherits its parent's binding
// again); detach --none stores binding::none() instead (the subtree runs
// with no table even if an ancestor has one). Detach of the root leaves the
// mount with no table. Tables the daemon loaded for --filter are unpinned
// when their attachment is detached or replaced, and at exit.
//
// Threads: commands come from the control thread; a mutex makes them one
// at a time anyway. Ops never take that mutex.
//
// Limits: the recorded path is the one given at attach time (a later
// rename of the directory is not followed by `status`); virtual
// directories (user filter handlers) cannot be attached to; negative
// dentries cached with -o negative_timeout>0 expire on their own.
#pragma once

#include "daemon/control/binding_request.h"
#include "daemon/backing/inode_table.h"
#include "daemon/fuse/notify.h"
#include "loader/result.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace fusebpf::daemon {

class session;

class attach_registry {
public:
	explicit attach_registry(session &s) : s_(s) {}
	// Gives back the lookup references attachments held.
	~attach_registry();
	attach_registry(const attach_registry &) = delete;
	attach_registry &operator=(const attach_registry &) = delete;

	// Attaches spec at path (replacing what is attached there).
	// `invalidate` is false only at mount time (the kernel holds nothing
	// yet). Returns {"path", "binding": describe(), "replaced": bool,
	// "invalidated": {...}} or an error line.
	loader::result<nlohmann::json> attach(const std::string &path, const binding_spec &spec,
	                                      bool invalidate = true);

	// Detaches what is attached at path; with `force_none`, attaches the
	// empty binding instead (also where nothing was attached).
	loader::result<nlohmann::json> detach(const std::string &path, bool force_none);

	// {"root": describe(what the root resolves to),
	//  "attachments": [{"path": "/sub", "binding": {...}, "source": "mount"|
	//                   "attach", "loaded_table": NAME|null, "object": FILE|null,
	//                   "user_filter_library": LIB|null}, ...]}
	nlohmann::json status() const;

	// Invalidates the kernel's caches of every node it holds, or with
	// table_id only of nodes whose binding uses the table with that map ID.
	nlohmann::json invalidate(std::optional<uint32_t> table_id);

	// Normalizes a path relative to the mount root: no empty, "." or ".."
	// components, no leading or trailing '/'. Error for ".." (leaving the
	// mount is not a thing) and for NUL bytes.
	static loader::result<std::string> normalize(const std::string &path);

private:
	struct attachment {
		std::vector<inode_ptr> held; // one lookup reference each (the path)
		std::shared_ptr<filter::binding_point> point;
		made_binding made;
		std::string source; // "mount" or "attach"
	};

	// The nodes of path from the root (root excluded), each with one lookup
	// reference; the last must be a directory.
	loader::result<std::vector<inode_ptr>> walk(const std::string &path);
	void release(std::vector<inode_ptr> &held);
	nlohmann::json invalidate_below(const filter::binding_point *point);
	nlohmann::json entry_json(const std::string &path, const attachment &a) const;

	session &s_;
	mutable std::mutex mutex_;
	std::map<std::string, attachment> entries_; // by normalized path; protected by mutex_
	unsigned attaches_ = 0;                     // protected by mutex_
};

// JSON of invalidation counts.
nlohmann::json to_json(const invalidation_counts &c);

} // namespace fusebpf::daemon
