// SPDX-License-Identifier: GPL-2.0-or-later
//
// user_filter_library: dlopen a user filter; see user_filter_library.h.
#include "daemon/filter/user_filter_library.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <exception>

namespace fusebpf::filter {

namespace {

using factory_fn = user_filter *(*)(unsigned, const char *);

// Closes the library when the last owner of the filter is gone.
struct library_handle {
	void *handle = nullptr;
	~library_handle()
	{
		if (handle)
			dlclose(handle);
	}
};

loader::error fail(const std::string &path, const std::string &why, int e)
{
	return loader::error{"user filter " + path + ": " + why, e};
}

} // namespace

loader::result<std::shared_ptr<user_filter>> load_user_filter(const std::string &path,
                                                              const std::string &arg)
{
	struct stat st {};
	if (::stat(path.c_str(), &st) != 0) {
		int e = errno;
		return fail(path, std::strerror(e), e);
	}
	if (!S_ISREG(st.st_mode))
		return fail(path, "not a regular file (a shared object, LIB.so, is expected)",
		            EINVAL);
	// A relative path without a slash would make dlopen search the library
	// path instead of taking the file the user named.
	std::string open_path = path.find('/') == std::string::npos ? "./" + path : path;
	auto lib = std::make_shared<library_handle>();
	lib->handle = dlopen(open_path.c_str(), RTLD_NOW | RTLD_LOCAL);
	if (!lib->handle) {
		const char *why = dlerror();
		return fail(path, std::string("cannot load: ") + (why ? why : "dlopen failed"),
		            ENOEXEC);
	}
	dlerror();
	auto *version =
	    static_cast<const unsigned *>(dlsym(lib->handle, FUSEBPF_USER_FILTER_ABI_SYMBOL));
	if (version && *version != FUSEBPF_USER_FILTER_ABI_VERSION)
		return fail(path,
		            "built against user filter ABI version " + std::to_string(*version) +
		                ", this daemon runs version " +
		                std::to_string(FUSEBPF_USER_FILTER_ABI_VERSION) + ": rebuild it",
		            EPROTO);
	auto factory =
	    reinterpret_cast<factory_fn>(dlsym(lib->handle, FUSEBPF_USER_FILTER_FACTORY_SYMBOL));
	if (!factory)
		return fail(path,
		            "no symbol " FUSEBPF_USER_FILTER_FACTORY_SYMBOL
		            " (export it with FUSEBPF_USER_FILTER_EXPORT(type), see user_filter.h)",
		            ENOENT);
	user_filter *raw = nullptr;
	try {
		raw = factory(FUSEBPF_USER_FILTER_ABI_VERSION, arg.c_str());
	} catch (const std::exception &ex) {
		return fail(path, std::string("the factory threw: ") + ex.what(), EINVAL);
	} catch (...) {
		return fail(path, "the factory threw", EINVAL);
	}
	if (!raw)
		return fail(path,
		            "the factory refused to create a filter (ABI version " +
		                std::to_string(FUSEBPF_USER_FILTER_ABI_VERSION) +
		                " not supported, or a bad argument '" + arg + "')",
		            EPROTO);
	// The deleter keeps the library loaded until the object is gone.
	return std::shared_ptr<user_filter>(raw, [lib](user_filter *f) { delete f; });
}

} // namespace fusebpf::filter
