// SPDX-License-Identifier: GPL-2.0-or-later
// Subcommands of the loader group; see cli/command.h.
#include "cli/command.h"

namespace fusebpf::cli {

void add_loader_commands(CLI::App &, command_list &) {}

} // namespace fusebpf::cli
