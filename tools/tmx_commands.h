#pragma once

#include <CLI/CLI.hpp>

namespace untm::cli {

// Registers `untm export` and `untm import`.
void add_tmx_commands(CLI::App& app, int& exit_code);

}  // namespace untm::cli
