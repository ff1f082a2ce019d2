// untm export --db TM (--tmx OUT | --tsv OUT | --moses PREFIX)... [--langs zh,en,ar | --pair zh-en]
//             [--min-confidence X] [--document KEY] [--include-rejected]
// untm import FILE.tmx --db TM [--document KEY] [--json] [--quiet]
#include "tools/tmx_commands.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aligner/errors.h"
#include "tm/tm_export.h"
#include "tm/translation_memory.h"
#include "tools/cli_common.h"

namespace untm::cli {
namespace {

struct ExportArgs {
  std::string db;
  std::optional<std::string> tmx, tsv, moses;
  std::optional<std::string> langs;
  std::optional<std::string> pair;
  std::optional<std::string> document;
  double min_confidence = 0.0;
  bool include_rejected = false;
};

struct ImportArgs {
  std::string file;
  std::string db;
  std::optional<std::string> document;
  bool json = false;
  bool quiet = false;
};

std::pair<std::string, std::string> split_pair(const std::string& pair) {
  std::size_t dash = pair.find('-');
  if (dash == std::string::npos || pair.find('-', dash + 1) != std::string::npos)
    throw ArgumentError("--pair " + pair + ": write it as SOURCE-TARGET, for example zh-en.");
  return {pair.substr(0, dash), pair.substr(dash + 1)};
}

// "1 unit", "2 units".
std::string count_of(std::size_t n, const std::string& singular, const std::string& plural = "") {
  return fmt::format("{} {}", n, n == 1 ? singular : (plural.empty() ? singular + "s" : plural));
}

std::string reasons_text(const SkipCounts& reasons) {
  std::vector<std::string> parts;
  for (const auto& [reason, count] : reasons) parts.push_back(fmt::format("{}: {}", reason, count));
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string reasons_text(const std::map<std::string, SkipInfo>& reasons) {
  std::vector<std::string> parts;
  for (const auto& [reason, info] : reasons)
    parts.push_back(fmt::format("{}: {}, first at line {}", reason, info.count, info.first_line));
  return fmt::format("{}", fmt::join(parts, ", "));
}

int run_export(const ExportArgs& args) {
  ExportOptions options;
  if (args.langs) options.langs = split_language_list("--langs", *args.langs);
  if (args.pair) options.pair = split_pair(*args.pair);
  options.document_key = args.document;
  options.min_confidence = args.min_confidence;
  options.include_rejected = args.include_rejected;
  options.tool_version = UNTM_VERSION;
  options.tmx_path = args.tmx;
  options.tsv_path = args.tsv;
  options.moses_prefix = args.moses;
  TranslationMemory tm(args.db, OpenOptions{.create = false, .read_only = true, .upgrade = true});
  ExportReport report = export_tm(tm, options);

  std::string scope = args.document ? fmt::format("document {}", *args.document) : "all documents";
  if (args.min_confidence > 0) scope += fmt::format(", confidence >= {}", args.min_confidence);
  fmt::print("{}: {} read ({})", args.db, count_of(report.units_read, "unit"), scope);
  if (report.rejected_left_out > 0)
    fmt::print("; {} left out (--include-rejected keeps them)", count_of(report.rejected_left_out, "rejected unit"));
  fmt::print("\n");
  if (report.tmx) {
    fmt::print("TMX {}: {}{}", report.tmx->files.front(), count_of(report.tmx->written, "translation unit"),
               args.pair ? fmt::format(" ({} → {})", options.pair->first, options.pair->second)
                         : (options.langs.empty() ? "" : fmt::format(" ({})", fmt::join(options.langs, ", "))));
    if (report.tmx->skipped > 0)
      fmt::print("; {} skipped ({})", report.tmx->skipped, reasons_text(report.tmx->skip_reasons));
    fmt::print("\n");
  }
  if (report.tsv) {
    fmt::print("TSV {}: {} (columns {} document paragraph confidence)", report.tsv->files.front(),
               count_of(report.tsv->written, "row"), fmt::join(report.langs, " "));
    if (report.tsv->skipped > 0)
      fmt::print("; {} skipped ({})", report.tsv->skipped, reasons_text(report.tsv->skip_reasons));
    fmt::print("\n");
  }
  if (report.moses) {
    fmt::print("Moses {}: {}", fmt::join(report.moses->files, ", "), count_of(report.moses->written, "parallel line"));
    if (report.moses->skipped > 0)
      fmt::print("; {} skipped to keep the lines parallel ({})", count_of(report.moses->skipped, "unit"),
                 reasons_text(report.moses->skip_reasons));
    fmt::print("\n");
  }
  if (report.units_read == 0)
    warn(args.document ? fmt::format("no units in document {} at this confidence: the files hold no translation "
                                     "units. Check the key with untm stats, or lower --min-confidence.",
                                     *args.document)
                       : std::string("no units matched (the TM is empty, or none reaches --min-confidence): the "
                                     "files hold no translation units"));
  return kExitOk;
}

// The import's progress line: share of the file read, units, speed, time left.
void show_import_progress(ProgressLine& line, const ImportProgress& p, double elapsed) {
  if (!line.due(false)) return;
  const double mb = static_cast<double>(p.bytes_read) / 1e6;
  const double rate = elapsed > 0 ? mb / elapsed : 0;
  double share = 0;
  std::string where = fmt::format("{:.0f} MB", mb);
  std::string eta;
  if (p.file_bytes > 0) {
    const double total = static_cast<double>(p.file_bytes) / 1e6;
    share = std::min(1.0, mb / total);
    where = fmt::format("{:.0f}% of {:.0f} MB", 100 * share, total);
    if (rate > 0 && share < 1) eta = " · ETA " + duration_text((total - mb) / rate);
  }
  line.show(share, fmt::format("{} · {} translation units read, {} stored · {:.1f} MB/s{}", where, p.tus_read,
                               p.units_stored, rate, eta));
}

nlohmann::ordered_json reasons_json(const std::map<std::string, SkipInfo>& reasons) {
  auto out = nlohmann::ordered_json::array();
  for (const auto& [reason, info] : reasons)
    out.push_back({{"reason", reason}, {"count", info.count}, {"first_line", info.first_line}});
  return out;
}

nlohmann::ordered_json import_json(const ImportArgs& args, const ImportReport& report) {
  nlohmann::ordered_json j;
  j["file"] = args.file;
  j["db"] = args.db;
  j["document"] = report.document_key;
  j["source_tool"] = report.source_tool;
  j["translation_units_read"] = report.tus_read;
  j["units_stored"] = report.units_stored;
  j["translation_units_skipped"] = report.tus_skipped;
  j["skipped"] = reasons_json(report.skipped);
  j["segments_left_out"] = reasons_json(report.segments_dropped);
  j["segments_per_language"] = nlohmann::ordered_json::object();
  for (const auto& [lang, count] : report.segments_per_lang) j["segments_per_language"][lang] = count;
  j["segments_with_inline_codes"] = report.segments_with_codes;
  return j;
}

// The text summary (default output).
void print_import_report(const ImportArgs& args, const ImportReport& report) {
  std::vector<std::string> per_lang;
  for (const auto& [lang, count] : report.segments_per_lang) per_lang.push_back(fmt::format("{} {}", lang, count));
  fmt::print("{} → {} (document {}): {} read, {} stored", args.file, args.db, report.document_key,
             count_of(report.tus_read, "translation unit"), report.units_stored);
  if (!per_lang.empty()) fmt::print(" ({})", fmt::join(per_lang, ", "));
  fmt::print("\n");
  if (report.segments_with_codes > 0)
    fmt::print("{} inline codes (restored on export)\n", count_of(report.segments_with_codes, "segment keeps", "segments keep"));
  if (report.tus_skipped > 0)
    fmt::print("{} skipped ({})\n", count_of(report.tus_skipped, "translation unit"), reasons_text(report.skipped));
  if (!report.segments_dropped.empty())
    fmt::print("segments left out ({})\n", reasons_text(report.segments_dropped));
}

int run_import(const ImportArgs& args) {
  ImportOptions options;
  if (args.document) options.document_key = *args.document;
  options.tool_version = UNTM_VERSION;
  ProgressLine progress("import", args.quiet);
  const auto start = std::chrono::steady_clock::now();
  options.on_progress = [&](const ImportProgress& p) {
    show_import_progress(progress, p, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  };
  ImportReport report;
  std::error_code ec;
  if (std::filesystem::exists(args.db, ec)) {
    TranslationMemory tm(args.db, OpenOptions{.create = true, .read_only = false});
    report = import_tmx(args.file, tm, options);
  } else {
    // A new TM: bulk-loaded, and only there when the import succeeded.
    TranslationMemory::create_in_bulk(args.db, [&](TranslationMemory& tm) { report = import_tmx(args.file, tm, options); });
  }
  progress.finish();

  if (args.json)
    fmt::print("{}\n", json_text(import_json(args, report)));
  else
    print_import_report(args, report);
  if (report.units_stored == 0)
    warn(fmt::format("{}: no translation unit with two languages; nothing was stored", args.file));
  return kExitOk;
}


}  // namespace

void add_tmx_commands(CLI::App& app, int& exit_code) {
  auto exp = std::make_shared<ExportArgs>();
  CLI::App* export_cmd = app.add_subcommand(
      "export", "Export the translation memory as TMX (for CAT tools), TSV or Moses plain text (for MT training)");
  export_cmd->add_option("--db", exp->db, "The translation memory (SQLite file)")->required();
  export_cmd->add_option("--tmx", exp->tmx, "Write TMX 1.4b to this file");
  export_cmd->add_option("--tsv", exp->tsv, "Write TSV: a column per language, then document, paragraph, confidence");
  export_cmd->add_option("--moses", exp->moses,
                         "Write PREFIX.LANG for each language, line-parallel (units missing a "
                         "language are skipped)");
  auto* langs = export_cmd->add_option("--langs", exp->langs,
                                       "Languages to write, in this order (e.g. zh,en,ar); default: all");
  auto* pair = export_cmd->add_option("--pair", exp->pair, "A bilingual export SOURCE-TARGET (e.g. zh-en)");
  langs->excludes(pair);
  export_cmd->add_option("--min-confidence", exp->min_confidence, "Only units with at least this confidence (0..1)")
      ->check(fraction_check(), "0..1");
  export_cmd->add_option("--document", exp->document, "Only this document (its key)");
  export_cmd->add_flag("--include-rejected", exp->include_rejected, "Also export units a reviewer rejected");
  export_cmd->callback([exp, &exit_code] { exit_code = run_guarded([&] { return run_export(*exp); }); });

  auto imp = std::make_shared<ImportArgs>();
  CLI::App* import_cmd = app.add_subcommand("import", "Import a TMX file (from a CAT tool or untm export) into the translation memory");
  import_cmd->add_option("FILE", imp->file, "The TMX file (1.1 to 1.4b, UTF-8 or UTF-16)")->required();
  import_cmd->add_option("--db", imp->db, "The translation memory (SQLite file; created when missing)")->required();
  import_cmd->add_option("--document", imp->document, "Document key to store the units under; default: the file's stem");
  import_cmd->add_flag("--json", imp->json, "Print the import report as JSON (counts, languages, what was skipped)");
  import_cmd->add_flag("--quiet,-q", imp->quiet, "No progress on stderr (warnings and errors still)");
  import_cmd->callback([imp, &exit_code] { exit_code = run_guarded([&] { return run_import(*imp); }); });
}

}  // namespace untm::cli
