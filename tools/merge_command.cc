// untm merge SHARD.sqlite… --into TM [--json]
#include "tools/merge_command.h"

#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tm/tm_merge.h"
#include "tm/translation_memory.h"
#include "tools/cli_common.h"

namespace untm::cli {
namespace {

struct MergeCommandOptions {
  std::vector<std::string> sources;
  std::string into;
  bool json = false;
};

int run_merge(const MergeCommandOptions& o) {
  TranslationMemory into(o.into);
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const std::string& source : o.sources) {
    const MergeResult r = merge_tm(source, into);
    if (o.json) {
      all.push_back({{"source", source},
                     {"documents", r.documents},
                     {"copied", r.copied},
                     {"unchanged", r.unchanged},
                     {"units", r.units}});
    } else {
      fmt::print("{}: {} documents: {} copied ({} units), {} already in {}\n", source, r.documents, r.copied, r.units,
                 r.unchanged, o.into);
    }
  }
  if (o.json) fmt::print("{}\n", json_text(all));
  return kExitOk;
}

}  // namespace

void add_merge_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<MergeCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "merge", "Merge TMs (e.g. the shards of untm batch --shard) into one; a document replaces its older copy");
  cmd->add_option("TM", o->sources, "TMs to merge from, in order")->required();
  cmd->add_option("--into", o->into, "The TM to merge into (created when missing)")->required();
  cmd->add_flag("--json", o->json, "Print what was merged as JSON");
  cmd->callback([o, &exit_code] {
    exit_code = run_guarded([&] { return run_merge(*o); });
  });
}

}  // namespace untm::cli
