// SPDX-License-Identifier: GPL-2.0-or-later
//
// handle_filters: whether an op on an open handle (open_file, open_dir) goes
// through the filter engine. node_filters.h filtered() decides for nodes;
// a handle adds one case: it may have no backing fd at all (a virtual node's
// open, or an open a user handler answered, open_files.h), and then no
// do_<op>() fast path may see it: only the engine (and the user filter)
// can serve it.
#pragma once

#include "daemon/policy/node_filters.h"
#include "daemon/backing/open_files.h"

namespace fusebpf::daemon {

template <class Handle>
inline bool filtered_handle(const Handle &h, const filter::binding &b, fusebpf_op op)
{
	return !h.has_backing() || filtered(*h.node, b, op);
}

} // namespace fusebpf::daemon
