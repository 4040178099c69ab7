// SPDX-License-Identifier: GPL-2.0-or-later
//
// run_daemon(): one mount from start to end, in the calling process.
//
// Opens the backing root and /dev/fuse, mounts, starts the worker threads
// (one cloned /dev/fuse fd each) and the control socket, reports readiness
// once the kernel's INIT was answered, then serves until SIGTERM/SIGINT/
// SIGHUP (it unmounts, MNT_DETACH) or until the file system is unmounted
// from outside. Daemonizing is the caller's business (cli/cmd_mount.cc):
// this runs the same in the foreground and in a forked child.
#pragma once

#include "daemon/options.h"

#include <functional>
#include <string>

namespace fusebpf::daemon {

// Called exactly once: with an empty string when the mount is up and INIT is
// answered, or with a one-line error if start-up failed.
using ready_fn = std::function<void(const std::string &error)>;

// cfg must have passed check_mount_request() (absolute paths). Returns the
// exit status: 0 when the mount ended normally, 1 if start-up failed.
int run_daemon(const daemon_config &cfg, const ready_fn &ready);

} // namespace fusebpf::daemon
