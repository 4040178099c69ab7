// SPDX-License-Identifier: GPL-2.0-or-later
//
// op_args: the decode steps every op_<op>() repeats, each of which replies
// the error itself when it fails, so that a handler reads as a list of steps
// and replies exactly once:
//
//	const auto *in = fixed_arg<fuse_mkdir_in>(req);   // EINVAL
//	std::string_view name;
//	inode_ptr parent;
//	if (!in || !name_arg(req, name) || !(parent = node_arg(req)))
//		return;                                     // already replied
//	...
//	reply_result(req, do_x(...), out);                  // error or out
//
// The steps keep the order in which the ops decoded before (struct, names,
// node), so the errno a malformed request gets does not change. Differs
// from request.h's arg_reader (the raw reader these wrap: it never replies)
// and from node_filters.h (what a handler does after decoding);
// set_name_arg() is the one step of the filtered path that can fail.
#pragma once

#include "daemon/filter/context.h"
#include "daemon/backing/inode_table.h"
#include "daemon/fuse/request.h"

#include <cerrno>
#include <string_view>

namespace fusebpf::daemon {

// The op's fixed-size input struct, or nullptr after replying EINVAL.
template <class T> const T *fixed_arg(request &req)
{
	const T *in = req.args().get<T>();
	if (!in)
		req.reply_err(EINVAL);
	return in;
}

// The next argument as a validated name (one path component); false after
// replying the error (EINVAL, ENAMETOOLONG, ...).
inline bool name_arg(request &req, std::string_view &name)
{
	if (int err = req.args().name(name)) {
		req.reply_err(err);
		return false;
	}
	return true;
}

// The next argument as a non-empty NUL-terminated string (an xattr name);
// false after replying EINVAL.
inline bool string_arg(request &req, std::string_view &s)
{
	if (!req.args().string(s) || s.empty()) {
		req.reply_err(EINVAL);
		return false;
	}
	return true;
}

// The node the request is on, or nullptr after replying ESTALE.
inline inode_ptr node_arg(request &req)
{
	inode_ptr node = req.node();
	if (!node)
		req.reply_err(ESTALE);
	return node;
}

// Copies a decoded name into a filter context's name (filter::set_name());
// false after replying the error (ENAMETOOLONG for a name longer than a
// filter can see).
inline bool set_name_arg(request &req, fusebpf_name &dst, std::string_view name)
{
	if (int err = filter::set_name(dst, name)) {
		req.reply_err(err);
		return false;
	}
	return true;
}

// Replies err (positive or negative errno) if non-zero, else out.
template <class T> void reply_result(request &req, int err, const T &out)
{
	if (err)
		return req.reply_err(err);
	req.reply(out);
}

} // namespace fusebpf::daemon
