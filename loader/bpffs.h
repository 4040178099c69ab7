// SPDX-License-Identifier: GPL-2.0-or-later
//
// bpffs: where loaded tables live.  A table NAME is the directory
// <pin root>/NAME (default /sys/fs/bpf/fusebpf/NAME) holding
//   table            the ops table (BPF_MAP_TYPE_PROG_ARRAY)
//   progs/<program>  every program of the object
//   maps/<map>       every map of the object (deny lists, ring buffers, rodata;
//                  '.' in a name becomes '_': bpffs reserves dots)
// The pins hold the kernel objects alive after the loader exits; removing
// the directory (unload) lets the kernel free them once no process holds an
// fd.  This file knows that layout and the file system; nothing about libbpf.
#pragma once

#include "loader/result.h"

#include <string>
#include <string_view>

namespace fusebpf::loader {

inline constexpr std::string_view default_pin_root = "/sys/fs/bpf/fusebpf";
inline constexpr std::string_view bpffs_mount_point = "/sys/fs/bpf";

// Pin paths inside a table directory.
std::string table_dir(std::string_view pin_root, std::string_view name);
std::string table_pin(std::string_view pin_root, std::string_view name);

// Makes sure pin_root exists on a bpffs.  If pin_root is under /sys/fs/bpf
// and no bpffs is mounted there, mounts one (mode 0700), as bpftool does.
status ensure_pin_root(std::string_view pin_root);

// Checks a table name: 1..63 bytes of [A-Za-z0-9_-], not only digits (a map ID).
status check_table_name(std::string_view name);

// bpffs refuses '.' in names: "foo.rodata" is pinned as "foo_rodata".
std::string pin_file_name(std::string_view object_name);

// Removes a table directory and every pin in it.  Missing entries are fine
// (a half-made directory after a failed load); other errors are reported.
status remove_table_dir(const std::string &dir);

} // namespace fusebpf::loader
