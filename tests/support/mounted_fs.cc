// SPDX-License-Identifier: GPL-2.0-or-later
//
// mounted_fs implementation: a daemon_process running `fusebpf mount -f`,
// plus fusebpf's own readiness (mount type, control socket).
#include "tests/support/mounted_fs.h"

#include "tests/support/mountinfo.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <unistd.h>

namespace fusebpf::test {

std::string test_transport()
{
	const char *t = std::getenv("FUSEBPF_TEST_TRANSPORT");
	return t ? t : "";
}

std::string test_transport_unavailable()
{
	if (test_transport() != "uring")
		return "";
	static const char param[] = "/sys/module/fuse/parameters/enable_uring";
	std::ifstream in(param);
	if (!in)
		return std::string("FUSE over io_uring is not in this kernel (no ") + param + ")";
	std::string value;
	in >> value;
	if (value == "Y")
		return "";
	std::ofstream out(param);
	out << "Y\n";
	out.close();
	if (!out)
		return std::string("cannot turn FUSE over io_uring on (writing Y to ") + param +
		       ": " + std::strerror(errno) + ")";
	return "";
}

mounted_fs::mounted_fs(std::string backing, std::string mountpoint,
                       std::vector<std::string> extra_args)
    : backing_(std::move(backing)), mountpoint_(std::move(mountpoint)),
      extra_args_(std::move(extra_args))
{}

mounted_fs::~mounted_fs()
{
	stop();
	if (!log_path_.empty() && !std::getenv("FUSEBPF_KEEP_LOGS"))
		::unlink(log_path_.c_str());
}

std::vector<std::string> mounted_fs::command() const
{
	std::vector<std::string> argv{cli_.empty() ? cli_path() : cli_, "mount", "-f"};
	std::string transport = test_transport();
	bool own_transport = false;
	for (const auto &a : extra_args_)
		own_transport = own_transport || a == "--transport" ||
		                a.find("transport=") != std::string::npos;
	if (!transport.empty() && !own_transport)
		argv.insert(argv.end(), {"--transport", transport});
	argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
	argv.push_back(backing_);
	argv.push_back(mountpoint_);
	return argv;
}

std::string mounted_fs::repro() const
{
	return "mkdir -p " + shell_join({backing_, mountpoint_}) + " && " + shell_join(command());
}

std::string mounted_fs::daemon_log() const
{
	return proc_ ? proc_->log() : std::string();
}

std::string mounted_fs::control_socket_path() const
{
	return "/run/fusebpf/" + std::to_string(connection_) + ".sock";
}

bool mounted_fs::is_mounted() const
{
	mount_entry e;
	return find_mount(mountpoint_, &e) && e.fstype == fusebpf_fstype;
}

bool mounted_fs::start(std::string &why, int timeout_ms)
{
	if (pid() > 0) {
		why = "already started";
		return false;
	}
	if (log_path_.empty()) {
		std::string pattern = process_prefix() + "daemon-log.XXXXXX";
		std::vector<char> buf(pattern.begin(), pattern.end());
		buf.push_back('\0');
		int fd = ::mkstemp(buf.data());
		if (fd < 0) {
			why = "mkstemp " + pattern + ": " + std::strerror(errno);
			return false;
		}
		::close(fd);
		log_path_ = buf.data();
	}
	proc_.emplace(command(), mountpoint_, log_path_);
	if (!proc_->spawn(why))
		return false;
	return proc_->wait_until(
	    [this] {
		    mount_entry e;
		    if (connection_ == 0 && find_mount(mountpoint_, &e) &&
		        e.fstype == fusebpf_fstype)
			    connection_ = e.dev_minor;
		    return connection_ != 0 && ::access(control_socket_path().c_str(), F_OK) == 0;
	    },
	    [this] {
		    return connection_ == 0 ? "a fuse.fusebpf mount at " + mountpoint_
		                            : "the control socket " + control_socket_path();
	    },
	    timeout_ms, why);
}

std::string mounted_fs::wait_exit(int timeout_ms)
{
	std::string how = proc_ ? proc_->wait_exit(timeout_ms) : std::string();
	if (!how.empty())
		connection_ = 0;
	return how;
}

std::string mounted_fs::stop(int timeout_ms)
{
	connection_ = 0;
	return proc_ ? proc_->stop(timeout_ms) : std::string();
}

} // namespace fusebpf::test
