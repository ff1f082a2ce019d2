#pragma once

#include <CLI/CLI.hpp>

namespace untm::cli {

// Registers `untm segment` on the app; the returned callback runs it.
void add_segment_command(CLI::App& app, int& exit_code);

}  // namespace untm::cli
