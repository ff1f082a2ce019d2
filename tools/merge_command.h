#pragma once

#include <CLI/CLI.hpp>

namespace untm::cli {

void add_merge_command(CLI::App& app, int& exit_code);

}  // namespace untm::cli
