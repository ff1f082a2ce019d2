// untm batch DIR… --db TM [--jobs N] [--langs L,…] [--report FILE] [--shard K/N] [--force] [--json] [--quiet]
#include "tools/batch_command.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aligner/errors.h"
#include "aligner/language.h"
#include "batch/batch_runner.h"
#include "tools/cli_common.h"

namespace untm::cli {
namespace {

constexpr int kExitSetsFailed = 5;
// Each job is a thread with its own reading connection to the TM: more than
// this is a typo, not a machine.
constexpr long long kMaxJobs = 1024;

struct BatchCommandOptions {
  std::vector<std::string> roots;
  std::string db;
  unsigned jobs = 0;
  std::optional<std::string> langs;
  std::optional<std::string> report;
  std::optional<std::string> shard;
  std::optional<std::string> pivot;
  double low_confidence = 0.5;
  bool force = false;
  bool lossy = false;
  bool json = false;
  bool quiet = false;
};

nlohmann::ordered_json set_json(const SetReport& r) {
  nlohmann::ordered_json j;
  j["key"] = r.key;
  j["status"] = std::string(to_string(r.status));
  auto& langs = j["languages"] = nlohmann::ordered_json::array();
  for (const auto& v : r.versions) langs.push_back(v.lang);
  auto& versions = j["versions"] = nlohmann::ordered_json::array();
  for (const auto& v : r.versions) {
    nlohmann::ordered_json jv;
    jv["lang"] = v.lang;
    jv["file"] = v.path;
    jv["bytes"] = v.bytes;
    jv["paragraphs"] = v.paragraphs;
    jv["sentences"] = v.sentences;
    jv["encoding"] = v.encoding.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v.encoding);
    jv["detected_lang"] =
        v.detected_lang.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v.detected_lang);
    versions.push_back(std::move(jv));
  }
  j["missing_languages"] = r.missing_langs;
  const bool aligned = r.status == SetStatus::stored || r.status == SetStatus::replaced;
  j["units"] = aligned ? nlohmann::ordered_json(r.units) : nlohmann::ordered_json(nullptr);
  if (aligned)
    j["confidence"] = {{"mean", r.mean_confidence}, {"min", r.min_confidence}, {"low", r.low_confidence}};
  else
    j["confidence"] = nullptr;
  j["warnings"] = r.warnings;
  j["error"] = r.error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.error);
  j["seconds"] = r.seconds;
  return j;
}

nlohmann::ordered_json totals_json(const BatchTotals& t) {
  nlohmann::ordered_json j;
  j["sets"] = t.sets;
  for (SetStatus s : {SetStatus::stored, SetStatus::replaced, SetStatus::unchanged, SetStatus::incomplete,
                      SetStatus::failed})
    j[std::string(to_string(s))] = t.count(s);
  j["languages"] = t.sets_per_language;
  j["units"] = t.units;
  j["low_confidence_units"] = t.low_confidence;
  j["warnings"] = t.warnings;
  j["input_bytes"] = t.input_bytes;
  j["seconds"] = t.seconds;
  j["jobs"] = t.jobs;
  return j;
}

// The JSON report, written set by set (flat memory on any batch size) to
// FILE.partial and renamed to FILE at the end, so FILE is always whole.
class ReportWriter {
 public:
  ReportWriter(const std::string& path, const BatchCommandOptions& options) : path_(path), partial_(path + ".partial") {
    out_.open(partial_, std::ios::binary | std::ios::trunc);
    if (!out_)
      throw InputError(path, fmt::format("{}: cannot write the report. Check that its folder exists and is writable.",
                                         path));
    nlohmann::ordered_json head;
    head["untm_version"] = UNTM_VERSION;
    head["aligner_version"] = std::string(kAlignerVersion);
    head["db"] = options.db;
    head["roots"] = options.roots;
    head["shard"] = options.shard ? nlohmann::ordered_json(*options.shard) : nlohmann::ordered_json(nullptr);
    std::string text = json_text(head);
    text.pop_back();  // the closing brace: the object goes on
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    out_ << text;
  }
  void start(const std::vector<std::string>& warnings) {
    out_ << ",\n  \"discovery_warnings\": " << json_text(warnings, -1) << ",\n  \"sets\": [";
  }
  void add(const SetReport& report) {
    out_ << (first_ ? "\n    " : ",\n    ")
         << json_text(set_json(report), -1);
    first_ = false;
  }
  void finish(const BatchTotals& totals) {
    out_ << (first_ ? "],\n" : "\n  ],\n") << "  \"summary\": " << json_text(totals_json(totals), -1) << "\n}\n";
    out_.close();
    if (!out_) throw InputError(path_, fmt::format("{}: writing the report failed. Check the disk.", path_));
    std::error_code ec;
    std::filesystem::rename(partial_, path_, ec);
    if (ec) throw InputError(path_, fmt::format("{}: cannot write the report ({}).", path_, ec.message()));
  }

 private:
  std::string path_;
  std::string partial_;
  std::ofstream out_;
  bool first_ = true;
};

// Progress on stderr (ProgressLine); warnings and failures as they come.
class ConsoleObserver : public BatchObserver {
 public:
  ConsoleObserver(bool quiet, ReportWriter* report) : quiet_(quiet), report_(report), line_("batch", quiet) {}

  void on_start(std::size_t sets, const std::vector<std::string>& warnings) override {
    if (report_) report_->start(warnings);
    if (!quiet_)
      for (const auto& w : warnings) warn(w);
    if (!quiet_ && !line_.terminal())
      fmt::print(stderr, "untm: batch: {} document set{} to do\n", sets, sets == 1 ? "" : "s");
  }

  void on_set(const SetReport& report, const BatchProgress& progress) override {
    if (report_) report_->add(report);
    if (report.status == SetStatus::failed) {
      line_.clear();
      fmt::print(stderr, "untm: error: set {}: {}\n", report.key, report.error);
    }
    if (!quiet_) {
      if (!report.warnings.empty()) line_.clear();
      for (const auto& w : report.warnings) warn(w);
    }
    show(progress, progress.done == progress.total);
  }

  void on_tick(const BatchProgress& progress) override { show(progress, false); }

  void end() { line_.finish(); }

 private:
  void show(const BatchProgress& p, bool last) {
    if (!line_.due(last)) return;
    const double rate = p.elapsed_seconds > 0 ? static_cast<double>(p.done) / p.elapsed_seconds : 0;
    const std::string eta =
        p.done == p.total ? "done" : rate > 0 ? "ETA " + duration_text(static_cast<double>(p.total - p.done) / rate) : "ETA ?";
    line_.show(p.total == 0 ? 1.0 : static_cast<double>(p.done) / static_cast<double>(p.total),
               fmt::format("{}/{} sets · {:.1f} sets/s · {} · {} warning{} · {} failed", p.done, p.total, rate, eta,
                           p.warnings, p.warnings == 1 ? "" : "s", p.failed));
  }

  bool quiet_;
  ReportWriter* report_;
  ProgressLine line_;
};

void print_summary(const BatchTotals& t) {
  std::string langs;
  std::vector<std::pair<std::string, std::size_t>> by_language(t.sets_per_language.begin(), t.sets_per_language.end());
  std::sort(by_language.begin(), by_language.end(),
            [](const auto& a, const auto& b) { return language_before(a.first, b.first); });
  for (const auto& [lang, n] : by_language) langs += fmt::format("{}{} {}", langs.empty() ? "" : ", ", lang, n);
  const double mb = static_cast<double>(t.input_bytes) / 1e6;
  fmt::print("{:<11} {} (stored {}, replaced {}, unchanged {}, incomplete {}, failed {})\n", "sets", t.sets,
             t.count(SetStatus::stored), t.count(SetStatus::replaced), t.count(SetStatus::unchanged),
             t.count(SetStatus::incomplete), t.count(SetStatus::failed));
  fmt::print("{:<11} {}\n", "languages", langs.empty() ? "none" : langs + " (sets per language)");
  fmt::print("{:<11} {} stored, {} low-confidence\n", "units", t.units, t.low_confidence);
  fmt::print("{:<11} {}\n", "warnings", t.warnings);
  fmt::print("{:<11} {:.1f} s with {} job{}: {:.1f} sets/s, {:.2f} MB/s of input ({:.1f} MB)\n", "time", t.seconds,
             t.jobs, t.jobs == 1 ? "" : "s", t.seconds > 0 ? static_cast<double>(t.sets) / t.seconds : 0.0,
             t.seconds > 0 ? mb / t.seconds : 0.0, mb);
}

int run_batch_command(const BatchCommandOptions& o) {
  BatchOptions options;
  options.roots = o.roots;
  options.db_path = o.db;
  options.jobs = o.jobs;
  if (o.langs) options.langs = split_language_list("--langs", *o.langs);
  if (o.shard) options.shard = parse_shard(*o.shard);
  options.align.lossy = o.lossy;
  options.align.pivot = o.pivot;
  options.align.low_confidence = o.low_confidence;
  options.force = o.force;
  std::unique_ptr<ReportWriter> report;
  if (o.report) report = std::make_unique<ReportWriter>(*o.report, o);
  ConsoleObserver observer(o.quiet, report.get());
  BatchTotals totals;
  try {
    totals = run_batch(options, observer);
  } catch (...) {
    observer.end();
    throw;
  }
  observer.end();
  if (report) report->finish(totals);
  if (totals.sets == 0)
    warn("no document sets found" + std::string(options.shard ? " in this shard" : "") +
         ". untm batch looks for KEY.LANG.txt, KEY_LANG.txt, KEY-LANG.txt and KEY/LANG.txt files.");
  if (o.json)
    fmt::print("{}\n", json_text(totals_json(totals)));
  else
    print_summary(totals);
  return totals.count(SetStatus::failed) > 0 ? kExitSetsFailed : kExitOk;
}

}  // namespace

void add_batch_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<BatchCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "batch", "Align every document set found in folders into a TM: parallel, incremental, resumable");
  cmd->add_option("DIR", o->roots,
                  "Folders to search (recursively) for KEY.LANG.txt, KEY_LANG.txt, KEY-LANG.txt (LANG: ISO code or "
                  "UN letter A C E F R S) and KEY/LANG.txt")
      ->required();
  cmd->add_option("--db", o->db, "The TM to align into (created when missing)")->required();
  cmd->add_option("--jobs,-j", o->jobs, "Sets aligned at once (threads); default (or 0): one per core")
      ->check(whole_number_check(0, kMaxJobs, "0: one per core"), fmt::format("0..{}", kMaxJobs));
  cmd->add_option("--langs", o->langs, "Only these languages (e.g. zh,en,ar); a set lacking one is warned about");
  cmd->add_option("--report", o->report, "Write a JSON report: every set's languages, counts, confidence, warnings");
  cmd->add_option("--shard", o->shard, "Only shard K of N (e.g. 2/8), partitioned by a hash of the set key");
  cmd->add_option("--pivot", o->pivot, "Language every version is aligned to (default: original, else en, else first)");
  cmd->add_option("--low-confidence", o->low_confidence, "Count units under this confidence as low")
      ->check(fraction_check(), "0..1");
  cmd->add_flag("--force", o->force, "Re-align sets that are unchanged since they were stored");
  cmd->add_flag("--lossy", o->lossy, "Replace invalid UTF-8 with U+FFFD (warned) instead of failing the set");
  cmd->add_flag("--json", o->json, "Print the summary as JSON instead of a table");
  cmd->add_flag("--quiet,-q", o->quiet, "No progress and no warnings on stderr (failures still)");
  cmd->callback([o, &exit_code] {
    exit_code = run_guarded([&] { return run_batch_command(*o); });
  });
}

}  // namespace untm::cli
