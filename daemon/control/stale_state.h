// SPDX-License-Identifier: GPL-2.0-or-later
//
// stale_state: what a daemon leaves on the machine, and how what a dead one
// left is found and removed.
//
// A daemon leaves two kinds of state outside its process:
//   - tables it loaded itself (`--filter`, `attach --filter`), pinned under
//     the loader's pin root. Each has an owner record,
//     /run/fusebpf/tables/<table name>, holding the daemon's pid, written
//     when the table is pinned and removed when the daemon unpins it
//     (owned_table_record, RAII);
//   - its control socket, /run/fusebpf/<connection>.sock;
//   - in the background with no system log, its log file
//     /run/fusebpf/<mount>.log (common/log.h default_log_file()), held with
//     a shared flock for the daemon's whole life (hold_log_file()).
// A daemon that exits cleanly removes all three. One killed (SIGKILL, a
// crash) leaves them; sweep_stale() removes what it can prove dead:
//   - a table whose owner record names a pid that no longer runs, or runs
//     a program other than fusebpf (the pid was reused);
//   - a socket whose connection has no mount any more (no fuse mount with
//     that connection number in /proc/self/mountinfo) and on which nobody
//     listens (connect() is refused);
//   - a log file in /run/fusebpf that is not empty (a starting daemon's is,
//     until it takes its lock) and whose lock nobody holds;
//   - the owner-record directory once it is empty.
// Tables loaded with `fusebpf load` have no owner record and are never
// swept. `fusebpf umount` and every starting daemon sweep.
#pragma once

#include "common/unique_fd.h"

#include <string>
#include <sys/types.h>
#include <vector>

namespace fusebpf::daemon {

// The owner record of a table this daemon pinned, for as long as the
// object lives. Failing to write it is logged, not fatal (the table then
// is only never swept).
class owned_table_record {
public:
	explicit owned_table_record(std::string table);
	~owned_table_record();
	owned_table_record(const owned_table_record &) = delete;
	owned_table_record &operator=(const owned_table_record &) = delete;

private:
	std::string path_;
};

struct swept_state {
	std::vector<std::string> tables;  // unpinned (names)
	std::vector<std::string> sockets; // removed (paths)
	std::vector<std::string> logs;    // removed (paths)
	std::vector<std::string> errors;  // what could not be removed, and why
};

// Removes the state of dead daemons (see above), tables from pin_root.
swept_state sweep_stale(const std::string &pin_root);

// Creates (or appends to) a background daemon's default log file at path
// and holds a shared flock on it until the returned fd is closed, so
// sweep_stale() leaves it alone while the daemon lives. An invalid fd if it
// cannot be opened (the logger then reports why).
unique_fd hold_log_file(const std::string &path);

// Whether pid runs a fusebpf daemon (or CLI) right now.
bool fusebpf_process_alive(pid_t pid);

} // namespace fusebpf::daemon
