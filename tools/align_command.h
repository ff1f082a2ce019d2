#pragma once

#include <CLI/CLI.hpp>

namespace untm::cli {

// Registers `untm align` on the app.
void add_align_command(CLI::App& app, int& exit_code);

}  // namespace untm::cli
