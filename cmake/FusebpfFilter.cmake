# SPDX-License-Identifier: GPL-2.0-or-later
# fusebpf_add_filter() lives here; written with the loader (issue 3).
