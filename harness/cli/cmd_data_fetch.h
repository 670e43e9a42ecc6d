// `trmbench data fetch` is a subcommand of `data`; setup_data (cmd_data.cpp) calls add_data_fetch()
// to attach it. Defined in cmd_data_fetch.cpp.
#pragma once

#include "harness/cli/commands.h"

namespace trmbench {

void add_data_fetch(CLI::App * data, const GlobalOptions & g);

}  // namespace trmbench
