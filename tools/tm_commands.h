#pragma once

#include <CLI/CLI.hpp>

namespace untm::cli {

// Registers `untm lookup`, `untm concordance` and `untm stats`.
void add_tm_commands(CLI::App& app, int& exit_code);

}  // namespace untm::cli
