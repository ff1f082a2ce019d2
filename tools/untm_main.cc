// untm: align UN documents across languages and build a translation memory.
// This file only wires subcommands; each lives in its own *_command.cc.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cstdlib>
#include <string>
#ifdef UNTM_WITH_MIMALLOC
#include <mimalloc.h>
#endif

#include "tm/sqlite_info.h"
#include "tools/align_command.h"
#include "tools/batch_command.h"
#include "tools/cli_common.h"
#include "tools/eval_command.h"
#include "tools/merge_command.h"
#include "tools/segment_command.h"
#include "tools/tm_commands.h"
#include "tools/tmx_commands.h"

namespace {

// Which malloc the process uses (tools/CMakeLists.txt: UNTM_MIMALLOC).
std::string allocator_name() {
#ifdef UNTM_WITH_MIMALLOC
  const int v = mi_version();  // 209 = 2.0.9
  return fmt::format("mimalloc {}.{}.{}", v / 100, v / 10 % 10, v % 10);
#else
  return "C library malloc";
#endif
}

// mimalloc's memory in transparent huge pages (where the kernel gives them
// on request), unless the user set MIMALLOC_LARGE_OS_PAGES: a batch or an
// import fills 100 MB and more of fresh memory (SQLite's page cache, the
// n-gram postings), and a page fault per 2 MiB instead of one per 4 KiB
// made a batch 5-9% faster (docs/BENCHMARKS.md).
void prefer_large_pages() {
#ifdef UNTM_WITH_MIMALLOC
  if (std::getenv("MIMALLOC_LARGE_OS_PAGES") == nullptr) mi_option_enable(mi_option_large_os_pages);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  using namespace untm::cli;
  prefer_large_pages();
  CLI::App app{"untm: align the language versions of UN documents sentence by sentence and build a "
               "translation memory.\nRun 'untm COMMAND --help' for a command's options."};
  app.name("untm");
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version", fmt::format("untm {} (SQLite {}{}, {})", UNTM_VERSION, untm::sqlite_version(),
                                               untm::sqlite_has_fts5() ? ", FTS5" : ", no FTS5", allocator_name()));
  int exit_code = kExitOk;
  add_segment_command(app, exit_code);
  add_align_command(app, exit_code);
  add_eval_command(app, exit_code);
  add_tm_commands(app, exit_code);
  add_tmx_commands(app, exit_code);
  add_batch_command(app, exit_code);
  add_merge_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "untm: error: {}\nRun 'untm --help' for usage.\n", e.what());
    return kExitUsage;
  }
  return exit_code;
}
