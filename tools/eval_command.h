#pragma once

#include <CLI/CLI.hpp>

namespace untm::cli {

// Registers `untm eval` on the app.
void add_eval_command(CLI::App& app, int& exit_code);

}  // namespace untm::cli
