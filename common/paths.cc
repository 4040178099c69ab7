// SPDX-License-Identifier: GPL-2.0-or-later
//
// The layouts of paths.h. FUSEBPF_INSTALL_*DIR are relative directories
// (GNUInstallDirs), compiled in by common/CMakeLists.txt.
#include "common/paths.h"

#include <fstream>
#include <system_error>

#if !defined(FUSEBPF_INSTALL_INCLUDEDIR) || !defined(FUSEBPF_INSTALL_DATADIR) ||                   \
    !defined(FUSEBPF_INSTALL_LIBEXECDIR)
#error "FUSEBPF_INSTALL_{INCLUDE,DATA,LIBEXEC}DIR must be set (common/CMakeLists.txt)"
#endif

namespace fusebpf::paths {

namespace fs = std::filesystem;

namespace {

constexpr const char *build_marker = "fusebpf-source-dir";
constexpr int build_marker_depth = 4;

std::optional<layout> installed_layout(const fs::path &prefix)
{
	std::error_code ec;
	fs::path data = prefix / FUSEBPF_INSTALL_DATADIR / "fusebpf";
	if (!fs::is_directory(data, ec))
		return std::nullopt;
	layout l;
	l.installed = true;
	l.root = prefix;
	fs::path include = prefix / FUSEBPF_INSTALL_INCLUDEDIR;
	l.include_dirs = {include / "fusebpf", include};
	l.examples_dir = data / "examples";
	l.selftest_bin = prefix / FUSEBPF_INSTALL_LIBEXECDIR / "fusebpf" / "fusebpf-selftests";
	return l;
}

std::optional<layout> build_layout(const fs::path &build)
{
	std::ifstream marker(build / build_marker);
	std::string source;
	if (!marker || !std::getline(marker, source) || source.empty())
		return std::nullopt;
	fs::path src = source;
	layout l;
	l.root = build;
	l.include_dirs = {src / "bpf", src / "include", src};
	l.examples_dir = src / "examples";
	l.selftest_bin = build / "selftests" / "fusebpf-selftests";
	return l;
}

} // namespace

fs::path self_exe()
{
	std::error_code ec;
	fs::path exe = fs::read_symlink("/proc/self/exe", ec);
	return ec ? fs::path() : exe;
}

std::optional<layout> find_layout(std::string &why)
{
	fs::path exe = self_exe();
	if (exe.empty()) {
		why = "cannot read /proc/self/exe (is /proc mounted?)";
		return std::nullopt;
	}
	fs::path dir = exe.parent_path();
	// bin/ and sbin/ sit in the prefix, libexec/fusebpf/ one level deeper.
	std::string dirname = dir.filename().string();
	fs::path prefix =
	    dirname == "fusebpf" ? dir.parent_path().parent_path() : dir.parent_path();
	if (auto l = installed_layout(prefix))
		return l;
	fs::path d = dir;
	for (int i = 0; i <= build_marker_depth && !d.empty(); i++, d = d.parent_path()) {
		if (auto l = build_layout(d))
			return l;
		if (d == d.root_path())
			break;
	}
	why = "neither " + (prefix / FUSEBPF_INSTALL_DATADIR / "fusebpf").string() +
	      " (an install) nor a build tree's " + build_marker + " above " + dir.string() +
	      " exists; was " + exe.string() + " moved out of its install prefix?";
	return std::nullopt;
}

} // namespace fusebpf::paths
