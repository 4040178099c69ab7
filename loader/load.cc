// SPDX-License-Identifier: GPL-2.0-or-later
//
// load_filter(): open -> check -> rodata -> load -> table -> pin; see load.h.
#include "loader/load.h"

#include "common/unique_fd.h"
#include "loader/libbpf_setup.h"
#include "loader/sections.h"
#include "loader/verifier_log.h"

#include <fusebpf/filter_abi.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace fusebpf::loader {

namespace {

struct object_closer {
	void operator()(bpf_object *obj) const { bpf_object__close(obj); }
};
using object_ptr = std::unique_ptr<bpf_object, object_closer>;

std::string errno_text(int e)
{
	return std::strerror(e);
}

constexpr std::string_view build_hint =
    "Build filters with `fusebpf build FILE.bpf.c` (clang -target bpf) or "
    "fusebpf_add_filter() in CMake.";

// Step "open", part 1: a clear message before libbpf's generic one.
status check_bpf_elf(const std::string &path)
{
	unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd) {
		int e = errno;
		return error{"cannot open " + path + ": " + errno_text(e), e};
	}
	std::array<unsigned char, sizeof(Elf64_Ehdr)> hdr{};
	ssize_t n = ::read(fd.get(), hdr.data(), hdr.size());
	if (n < EI_NIDENT || std::memcmp(hdr.data(), ELFMAG, SELFMAG) != 0)
		return error{path + " is not a BPF object: it is not an ELF file. " +
		                 std::string(build_hint),
		             ENOEXEC};
	if (n < static_cast<ssize_t>(sizeof(Elf64_Ehdr)) || hdr[EI_CLASS] != ELFCLASS64)
		return error{path + " is not a BPF object: it is a 32-bit ELF file. " +
		                 std::string(build_hint),
		             ENOEXEC};
	Elf64_Ehdr ehdr;
	std::memcpy(&ehdr, hdr.data(), sizeof(ehdr));
	if (hdr[EI_DATA] != ELFDATA2LSB || ehdr.e_machine != EM_BPF)
		return error{path + " is not a BPF object: it is an ELF file for machine " +
		                 std::to_string(ehdr.e_machine) + " (BPF is " +
		                 std::to_string(EM_BPF) + "). " + std::string(build_hint),
		             ENOEXEC};
	if (ehdr.e_type != ET_REL)
		return error{path + " is not a BPF object file (ELF type " +
		                 std::to_string(ehdr.e_type) + ", expected a relocatable .o). " +
		                 std::string(build_hint),
		             ENOEXEC};
	return done{};
}

// A variable of the object's .rodata: its bytes in the initial image.
struct rodata_var {
	bpf_map *map = nullptr;
	std::size_t offset = 0;
	std::size_t size = 0;
};

bpf_map *find_rodata_map(bpf_object *obj)
{
	bpf_map *map;
	bpf_object__for_each_map(map, obj)
	{
		std::string_view name = bpf_map__name(map);
		if (bpf_map__is_internal(map) && name.ends_with(".rodata"))
			return map;
	}
	return nullptr;
}

std::optional<rodata_var> find_rodata_var(bpf_object *obj, std::string_view var_name)
{
	const struct btf *btf = bpf_object__btf(obj);
	bpf_map *map = find_rodata_map(obj);
	if (!btf || !map)
		return std::nullopt;
	int sec_id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (sec_id < 0)
		return std::nullopt;
	const struct btf_type *sec = btf__type_by_id(btf, static_cast<__u32>(sec_id));
	const struct btf_var_secinfo *vsi = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vsi++) {
		const struct btf_type *var = btf__type_by_id(btf, vsi->type);
		if (var && var_name == btf__name_by_offset(btf, var->name_off))
			return rodata_var{map, vsi->offset, vsi->size};
	}
	return std::nullopt;
}

std::optional<std::string> read_rodata(bpf_object *obj, std::string_view var_name)
{
	auto var = find_rodata_var(obj, var_name);
	if (!var)
		return std::nullopt;
	std::size_t size = 0;
	const void *data = bpf_map__initial_value(var->map, &size);
	if (!data || var->offset + var->size > size)
		return std::nullopt;
	return std::string(static_cast<const char *>(data) + var->offset, var->size);
}

struct identity {
	std::uint32_t abi_version;
	std::string table_name;
};

// Step "check": what FUSEBPF_OPS_DEFINE() recorded.
result<identity> read_identity(bpf_object *obj, const std::string &path)
{
	auto version = read_rodata(obj, FUSEBPF_ABI_VERSION_SYMBOL);
	auto name = read_rodata(obj, FUSEBPF_TABLE_NAME_SYMBOL);
	if (!version || version->size() != sizeof(std::uint32_t) || !name)
		return error{path + " records no fusebpf ABI version: the filter must declare its "
		                    "table once with FUSEBPF_OPS_DEFINE(name) from fusebpf.bpf.h "
		                    "(it records the table name and the ABI version the filter "
		                    "was built against).",
		             EINVAL};
	identity id{};
	std::memcpy(&id.abi_version, version->data(), sizeof(id.abi_version));
	id.table_name = name->substr(0, name->find('\0'));
	if (id.abi_version == 0 || id.abi_version > FUSEBPF_ABI_VERSION)
		return error{path + " was built against fusebpf filter ABI version " +
		                 std::to_string(id.abi_version) + ", but this loader speaks ABI " +
		                 "version " + std::to_string(FUSEBPF_ABI_VERSION) +
		                 " (versions 1 to " + std::to_string(FUSEBPF_ABI_VERSION) +
		                 " load). ABI version mismatch: rebuild the filter with this "
		                 "fusebpf's fusebpf.bpf.h, or use the fusebpf it was built for.",
		             EPROTO};
	return id;
}

// Step "rodata": knob values given by the caller.
status apply_rodata(bpf_object *obj, const std::string &path,
                    const std::map<std::string, std::string> &values)
{
	for (const auto &[var_name, bytes] : values) {
		auto var = find_rodata_var(obj, var_name);
		if (!var)
			return error{path + " has no read-only global '" + var_name +
			                 "' (knobs are `const volatile` globals)",
			             ENOENT};
		if (var->size != bytes.size())
			return error{"knob '" + var_name + "' of " + path + " is " +
			                 std::to_string(var->size) + " bytes, the value given is " +
			                 std::to_string(bytes.size()),
			             EINVAL};
		std::size_t size = 0;
		const void *data = bpf_map__initial_value(var->map, &size);
		std::string image(static_cast<const char *>(data), size);
		image.replace(var->offset, var->size, bytes);
		int err = bpf_map__set_initial_value(var->map, image.data(), image.size());
		if (err)
			return error{"cannot set knob '" + var_name + "': " + errno_text(-err),
			             -err};
	}
	return done{};
}

// A program of the object that goes into the table.
struct table_program {
	bpf_program *prog;
	std::uint32_t slot;
	std::unique_ptr<char[]> log; // its verifier log, filled only if it fails to load
};

constexpr std::size_t verifier_log_size = 1 << 20;

// Step "check": section names -> slots.
result<std::vector<table_program>> map_programs(bpf_object *obj, const std::string &path)
{
	std::vector<table_program> programs;
	std::array<const char *, FUSEBPF_SLOT_COUNT> taken{};
	bpf_program *prog;
	bpf_object__for_each_program(prog, obj)
	{
		std::string_view section = bpf_program__section_name(prog);
		const char *name = bpf_program__name(prog);
		if (!section.starts_with(section_prefix))
			continue;
		auto slot = slot_of_section(section, name);
		if (!slot)
			return error{path + ": " + slot.message(), EINVAL};
		if (taken[*slot])
			return error{path + ": programs '" + std::string(taken[*slot]) + "' and '" +
			                 name + "' are both in section " + std::string(section) +
			                 "; a table slot holds one program",
			             EINVAL};
		taken[*slot] = name;
		programs.push_back({prog, *slot, std::make_unique<char[]>(verifier_log_size)});
	}
	if (programs.empty())
		return error{path +
		                 " has no fuse_ops program: put filters in sections "
		                 "fuse_ops/<op>_prefilter, fuse_ops/<op>_postfilter or "
		                 "fuse_ops/default_filter (FUSEBPF_PREFILTER(op), "
		                 "FUSEBPF_POSTFILTER(op), FUSEBPF_DEFAULT_FILTER in fusebpf.bpf.h)",
		             ENOENT};
	return programs;
}

// Step "load" failed: find the program the verifier rejected and say why.
error load_failure(const std::string &path, const std::vector<table_program> &programs, int err)
{
	for (const auto &p : programs) {
		const char *log = p.log.get();
		if (!log[0])
			continue;
		verifier_summary summary = summarize_verifier_log(log);
		return error{"the kernel verifier rejected program '" +
		                 std::string(bpf_program__name(p.prog)) + "' (section " +
		                 bpf_program__section_name(p.prog) + ") of " + path + ": " +
		                 errno_text(-err) + "\n" + format_verifier_summary(summary) +
		                 "\n  (the whole log: fusebpf load -v " + path + ")",
		             -err};
	}
	return error{"loading " + path + " into the kernel failed: " + errno_text(-err) +
	                 (err == -EPERM ? " (loading filters needs root: CAP_BPF and CAP_SYS_ADMIN)"
	                                : " (run with -v for libbpf's messages)"),
	             -err};
}

// The kernel's name for the table map: [A-Za-z0-9_.], at most 15 bytes.
std::string kernel_map_name(std::string_view table_name)
{
	std::string name;
	for (char c : table_name.substr(0, BPF_OBJ_NAME_LEN - 1))
		name +=
		    (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.') ? c : '_';
	return name;
}

// Removes a half-made table directory unless dismissed.
class pin_dir_guard {
public:
	explicit pin_dir_guard(std::string dir) : dir_(std::move(dir)) {}
	pin_dir_guard(const pin_dir_guard &) = delete;
	pin_dir_guard &operator=(const pin_dir_guard &) = delete;
	~pin_dir_guard()
	{
		if (!dir_.empty())
			(void)remove_table_dir(dir_);
	}
	void dismiss() { dir_.clear(); }

private:
	std::string dir_;
};

status pin_fd(int fd, const std::string &path)
{
	if (bpf_obj_pin(fd, path.c_str()) != 0) {
		int e = errno;
		return error{"cannot pin " + path + ": " + errno_text(e), e};
	}
	return done{};
}

status make_dir(const std::string &path)
{
	if (::mkdir(path.c_str(), 0700) != 0) {
		int e = errno;
		return error{"cannot create " + path + ": " + errno_text(e), e};
	}
	return done{};
}

error already_loaded(std::string_view pin_root, const std::string &name)
{
	std::string id;
	if (auto t = read_table(pin_root, name))
		id = " (map ID " + std::to_string(t->id) + ")";
	return error{"a table named '" + name + "' is already loaded" + id +
	                 ". Unload it first (fusebpf unload " + name +
	                 ") or load this one under another name (--name NAME).",
	             EEXIST};
}

// Steps "open" and "check": everything load_filter() decides before the
// kernel sees the object.
struct checked_object {
	object_ptr obj;
	std::string name;
	std::vector<table_program> programs;
};

result<checked_object> open_and_check(const std::string &path, const load_options &options)
{
	if (int err = setup_libbpf(); err < 0)
		return error{"libbpf refused the fuse_ops/ section handler: " + errno_text(-err),
		             -err};

	// open
	if (status st = check_bpf_elf(path); !st)
		return std::move(st).err();
	bpf_object_open_opts open_opts{};
	open_opts.sz = sizeof(open_opts);
	object_ptr obj(bpf_object__open_file(path.c_str(), &open_opts));
	if (!obj) {
		int e = errno;
		return error{"libbpf cannot open " + path + " as a BPF object: " + errno_text(e) +
		                 " (run with -v for libbpf's messages)",
		             e};
	}

	// check
	auto id = read_identity(obj.get(), path);
	if (!id)
		return std::move(id).err();
	std::string name = options.name.empty() ? id->table_name : options.name;
	if (status st = check_table_name(name); !st)
		return std::move(st).err();
	auto programs = map_programs(obj.get(), path);
	if (!programs)
		return std::move(programs).err();
	return checked_object{std::move(obj), std::move(name), std::move(*programs)};
}

} // namespace

result<checked_filter> check_filter(const std::string &path, const load_options &options)
{
	auto checked = open_and_check(path, options);
	if (!checked)
		return std::move(checked).err();
	checked_filter out;
	out.name = checked->name;
	for (const auto &p : checked->programs)
		out.slots.push_back(p.slot);
	return out;
}

result<table_info> load_filter(const std::string &path, const load_options &options)
{
	auto checked = open_and_check(path, options);
	if (!checked)
		return std::move(checked).err();
	object_ptr &obj = checked->obj;
	const std::string &name = checked->name;
	std::vector<table_program> &programs = checked->programs;
	if (status st = ensure_pin_root(options.pin_root); !st)
		return std::move(st).err();
	std::string dir = table_dir(options.pin_root, name);
	struct stat st_dir {};
	if (::stat(dir.c_str(), &st_dir) == 0)
		return already_loaded(options.pin_root, name);

	// rodata
	if (status st = apply_rodata(obj.get(), path, options.rodata); !st)
		return std::move(st).err();

	// load
	for (auto &p : programs) {
		p.log[0] = '\0';
		bpf_program__set_log_buf(p.prog, p.log.get(), verifier_log_size);
	}
	if (int err = bpf_object__load(obj.get()); err)
		return load_failure(path, programs, err);

	// table
	std::string map_name = kernel_map_name(name);
	unique_fd table(bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, map_name.c_str(), sizeof(__u32),
	                               sizeof(__u32), FUSEBPF_SLOT_COUNT, nullptr));
	if (!table) {
		int e = errno;
		return error{"cannot create the ops table (a prog array of " +
		                 std::to_string(FUSEBPF_SLOT_COUNT) + " slots): " + errno_text(e),
		             e};
	}
	for (const auto &p : programs) {
		int prog_fd = bpf_program__fd(p.prog);
		if (bpf_map_update_elem(table.get(), &p.slot, &prog_fd, BPF_ANY) != 0) {
			int e = errno;
			return error{"cannot put program '" +
			                 std::string(bpf_program__name(p.prog)) + "' in slot " +
			                 std::to_string(p.slot) +
			                 " of the ops table: " + errno_text(e),
			             e};
		}
	}

	// pin
	if (::mkdir(dir.c_str(), 0700) != 0) {
		int e = errno;
		if (e == EEXIST)
			return already_loaded(options.pin_root, name);
		return error{"cannot create " + dir + ": " + errno_text(e), e};
	}
	pin_dir_guard guard(dir);
	if (status st = make_dir(dir + "/progs"); !st)
		return std::move(st).err();
	if (status st = make_dir(dir + "/maps"); !st)
		return std::move(st).err();
	bpf_program *prog;
	bpf_object__for_each_program(prog, obj.get())
	{
		if (bpf_program__fd(prog) < 0)
			continue; // autoload off
		if (status st = pin_fd(bpf_program__fd(prog),
		                       dir + "/progs/" + pin_file_name(bpf_program__name(prog)));
		    !st)
			return std::move(st).err();
	}
	bpf_map *map;
	bpf_object__for_each_map(map, obj.get())
	{
		if (bpf_map__fd(map) < 0)
			continue;
		if (status st = pin_fd(bpf_map__fd(map),
		                       dir + "/maps/" + pin_file_name(bpf_map__name(map)));
		    !st)
			return std::move(st).err();
	}
	// The table last: a directory with a table pin is a complete table.
	if (status st = pin_fd(table.get(), table_pin(options.pin_root, name)); !st)
		return std::move(st).err();

	auto info = read_table(options.pin_root, name);
	if (!info)
		return info;
	guard.dismiss();
	spdlog::debug("loaded {} as table '{}' (map ID {}), {} slots filled", path, name, info->id,
	              info->slots.size());
	return info;
}

} // namespace fusebpf::loader
