// untm lookup TEXT --db TM --from LANG [--to LANG,…] [--min 70] [--limit 5] [--json]
// untm concordance TERM --db TM [--lang LANG] [--limit 50] [--json]
// untm stats --db TM [--json]
#include "tools/tm_commands.h"

#include <fmt/core.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aligner/errors.h"
#include "aligner/language.h"
#include "tm/translation_memory.h"
#include "tools/cli_common.h"

namespace untm::cli {
namespace {

using Json = nlohmann::ordered_json;

void check_language_option(const std::string& option, const std::string& value) {
  if (!is_language_code(value))
    throw ArgumentError(fmt::format("{} {}: not a language code. Give a two-letter ISO 639-1 code such as ar, zh, "
                                    "en, fr, ru or es.",
                                    option, value));
}

// The map's languages in UN order, then the others alphabetically.
template <class Value>
std::vector<std::string> ordered(const std::map<std::string, Value>& by_lang) {
  std::vector<std::string> langs;
  for (const auto& [lang, value] : by_lang) langs.push_back(lang);
  std::sort(langs.begin(), langs.end(), language_before);
  return langs;
}

// The TMs are only read here (one of an older schema is upgraded first).
constexpr OpenOptions kReadOnly{.create = false, .read_only = true, .upgrade = true};

Json optional_string(const std::optional<std::string>& value) { return value ? Json(*value) : Json(nullptr); }

void print_json(const Json& out) { fmt::print("{}\n", json_text(out)); }

// "doc KEY (SYMBOL)  paragraph P  unit N  confidence C"
std::string provenance(const std::string& document_key, const std::optional<std::string>& symbol,
                       const std::optional<std::string>& paragraph_key, std::int64_t unit_id, double confidence) {
  std::string out = "doc " + document_key;
  if (symbol) out += " (" + *symbol + ")";
  if (paragraph_key) out += "  paragraph " + *paragraph_key;
  out += fmt::format("  unit {}  confidence {:.2f}", unit_id, confidence);
  return out;
}

// Warns when the TM has no segments in a language asked for (not an error:
// an empty answer is still an answer).
void warn_missing_languages(const TranslationMemory& tm, const std::vector<std::string>& asked) {
  const std::vector<std::string> present = tm.languages();
  for (const std::string& lang : asked) {
    if (std::find(present.begin(), present.end(), lang) == present.end())
      warn(fmt::format("{} has no segments in {} (it has: {})", tm.path(), lang,
                       present.empty() ? std::string("none") : fmt::format("{}", fmt::join(present, ", "))));
  }
}

// ---- lookup ----

struct LookupCommand {
  std::string text;
  std::string db;
  std::string from;
  std::optional<std::string> to;
  int min = 70;
  std::size_t limit = 5;
  bool json = false;
};

int run_lookup(const LookupCommand& c) {
  check_language_option("--from", c.from);
  LookupOptions options;
  options.from = c.from;
  if (c.to) {
    for (std::string& lang : split_language_list("--to", *c.to))
      if (std::find(options.to.begin(), options.to.end(), lang) == options.to.end()) options.to.push_back(std::move(lang));
  }
  options.min_score = c.min;
  options.limit = c.limit;
  const TranslationMemory tm(c.db, kReadOnly);
  std::vector<std::string> asked{c.from};
  asked.insert(asked.end(), options.to.begin(), options.to.end());
  warn_missing_languages(tm, asked);
  const std::vector<LookupHit> hits = tm.lookup(c.text, options);

  if (c.json) {
    Json out;
    out["query"] = c.text;
    out["from"] = c.from;
    out["to"] = options.to;
    out["min"] = c.min;
    out["limit"] = c.limit;
    Json& list = out["hits"] = Json::array();
    for (const LookupHit& h : hits) {
      Json item;
      item["score"] = h.score;
      item["source"] = h.source;
      Json targets = Json::object();
      for (const std::string& lang : ordered(h.targets)) targets[lang] = h.targets.at(lang);
      item["targets"] = std::move(targets);
      Json substitutions = Json::array();
      for (const auto& [query, hit] : h.substitutions) substitutions.push_back({{"query", query}, {"hit", hit}});
      item["substitutions"] = std::move(substitutions);
      item["document"] = h.document_key;
      item["symbol"] = optional_string(h.symbol);
      item["paragraph"] = optional_string(h.paragraph_key);
      item["unit"] = h.unit_id;
      item["confidence"] = h.confidence;
      item["status"] = status_name(h.status);
      list.push_back(std::move(item));
    }
    print_json(out);
    return kExitOk;
  }
  fmt::print("# query ({}): {}\n", c.from, c.text);
  fmt::print("# {} hit{} at or above {}%\n", hits.size(), hits.size() == 1 ? "" : "s", c.min);
  std::size_t n = 0;
  for (const LookupHit& h : hits) {
    fmt::print("\n[{}] {}%  {}{}\n", ++n, h.score,
               provenance(h.document_key, h.symbol, h.paragraph_key, h.unit_id, h.confidence),
               h.status == UnitStatus::confirmed ? "  confirmed" : "");
    fmt::print("  {}: {}\n", c.from, h.source);
    for (const std::string& lang : ordered(h.targets)) fmt::print("  {}: {}\n", lang, h.targets.at(lang));
    if (!h.substitutions.empty()) {
      std::vector<std::string> pairs;
      for (const auto& [query, hit] : h.substitutions) pairs.push_back(query + " → " + hit);
      fmt::print("  numbers: {}\n", fmt::join(pairs, ", "));
    }
  }
  return kExitOk;
}

// ---- concordance ----

struct ConcordanceCommand {
  std::string term;
  std::string db;
  std::optional<std::string> lang;
  std::size_t limit = 50;
  bool json = false;
};

// The text with every hit range marked: ANSI bold on a terminal (unless
// NO_COLOR is set), «…» otherwise.
std::string mark(const std::string& text, const std::vector<std::pair<std::size_t, std::size_t>>& ranges) {
  static const bool terminal = ::isatty(::fileno(stdout)) != 0 && std::getenv("NO_COLOR") == nullptr;
  const std::string open = terminal ? "\x1b[1m" : "«";
  const std::string close = terminal ? "\x1b[0m" : "»";
  std::string out;
  std::size_t at = 0;
  for (const auto& [begin, end] : ranges) {
    if (begin < at || end > text.size()) continue;
    out.append(text, at, begin - at);
    out += open;
    out.append(text, begin, end - begin);
    out += close;
    at = end;
  }
  out.append(text, at, std::string::npos);
  return out;
}

int run_concordance(const ConcordanceCommand& c) {
  if (c.lang) check_language_option("--lang", *c.lang);
  ConcordanceOptions options;
  options.lang = c.lang;
  options.limit = c.limit;
  const TranslationMemory tm(c.db, kReadOnly);
  if (c.lang) warn_missing_languages(tm, {*c.lang});
  const std::vector<ConcordanceHit> hits = tm.concordance(c.term, options);

  if (c.json) {
    Json out;
    out["term"] = c.term;
    out["lang"] = optional_string(c.lang);
    out["limit"] = c.limit;
    Json& list = out["hits"] = Json::array();
    for (const ConcordanceHit& h : hits) {
      Json item;
      item["lang"] = h.lang;
      item["text"] = h.text;
      item["match"] = {{"begin", h.match_begin}, {"end", h.match_end}};
      item["matched"] = h.text.substr(h.match_begin, h.match_end - h.match_begin);
      Json ranges = Json::array();
      for (const auto& [begin, end] : h.ranges) ranges.push_back({begin, end});
      item["ranges"] = std::move(ranges);
      Json others = Json::object();
      for (const std::string& lang : ordered(h.others)) others[lang] = h.others.at(lang);
      item["others"] = std::move(others);
      item["document"] = h.document_key;
      item["symbol"] = optional_string(h.symbol);
      item["paragraph"] = optional_string(h.paragraph_key);
      item["unit"] = h.unit_id;
      item["confidence"] = h.confidence;
      list.push_back(std::move(item));
    }
    print_json(out);
    return kExitOk;
  }
  fmt::print("# term: {} ({})\n", c.term, c.lang ? "in " + *c.lang : std::string("any language"));
  fmt::print("# {} hit{}{}\n", hits.size(), hits.size() == 1 ? "" : "s",
             hits.size() >= c.limit ? fmt::format(" (the limit; --limit raises it)") : "");
  std::size_t n = 0;
  for (const ConcordanceHit& h : hits) {
    fmt::print("\n[{}] {}  {}\n", ++n, h.lang, provenance(h.document_key, h.symbol, h.paragraph_key, h.unit_id, h.confidence));
    fmt::print("  {}: {}\n", h.lang, mark(h.text, h.ranges));
    for (const std::string& lang : ordered(h.others)) fmt::print("  {}: {}\n", lang, h.others.at(lang));
  }
  return kExitOk;
}

// ---- stats ----

struct StatsCommand {
  std::string db;
  bool json = false;
};

int run_stats(const StatsCommand& c) {
  const TranslationMemory tm(c.db, kReadOnly);
  const TmStats s = tm.stats();
  const std::vector<std::string> langs = ordered(s.segments_per_lang);
  if (c.json) {
    Json out;
    out["path"] = c.db;
    out["schema_version"] = s.schema_version;
    out["documents"] = s.documents;
    out["units"] = s.units;
    out["segments"] = s.segments;
    Json per_lang = Json::object();
    for (const std::string& lang : langs) per_lang[lang] = s.segments_per_lang.at(lang);
    out["segments_per_lang"] = std::move(per_lang);
    out["low_confidence_units"] = s.low_confidence_units;
    out["low_confidence_below"] = 0.5;
    out["index"] = Json{{"indexed_segments", s.indexed_segments},
                        {"waiting_segments", s.waiting_segments},
                        {"stale_segments", s.stale_segments}};
    out["file_bytes"] = s.file_bytes;
    print_json(out);
    return kExitOk;
  }
  std::vector<std::string> parts;
  for (const std::string& lang : langs) parts.push_back(fmt::format("{} {}", lang, s.segments_per_lang.at(lang)));
  fmt::print("TM: {}\n", c.db);
  fmt::print("schema version: {}\n", s.schema_version);
  fmt::print("documents: {}\n", s.documents);
  fmt::print("units: {}\n", s.units);
  fmt::print("segments: {}{}\n", s.segments, parts.empty() ? "" : fmt::format(" ({})", fmt::join(parts, ", ")));
  fmt::print("low-confidence units (< 0.5): {}\n", s.low_confidence_units);
  fmt::print("n-gram index: {} segments indexed, {} waiting (read directly until indexed), {} deleted with stale "
             "postings\n",
             s.indexed_segments, s.waiting_segments, s.stale_segments);
  fmt::print("file size: {} bytes ({:.1f} MiB)\n", s.file_bytes, static_cast<double>(s.file_bytes) / (1024.0 * 1024.0));
  return kExitOk;
}

}  // namespace

void add_tm_commands(CLI::App& app, int& exit_code) {
  {
    auto c = std::make_shared<LookupCommand>();
    CLI::App* cmd = app.add_subcommand("lookup", "Look a sentence up in a TM: exact and fuzzy matches with a score");
    cmd->add_option("TEXT", c->text, "The sentence to look up")->required();
    cmd->add_option("--db", c->db, "The TM file (made by untm import)")->required();
    cmd->add_option("--from", c->from, "Language of TEXT (ISO 639-1: ar zh en fr ru es, ...)")->required();
    cmd->add_option("--to", c->to, "Target languages, comma-separated (default: all the others)");
    cmd->add_option("--min", c->min, "Lowest score shown, 0-100 (default 70)")
        ->check(whole_number_check(0, 100), "0..100");
    cmd->add_option("--limit", c->limit, "Most hits shown (default 5)")->check(whole_number_check(1), "1 or more");
    cmd->add_flag("--json", c->json, "Write JSON (format in README) instead of text");
    cmd->callback([c, &exit_code] { exit_code = run_guarded([&] { return run_lookup(*c); }); });
  }
  {
    auto c = std::make_shared<ConcordanceCommand>();
    CLI::App* cmd = app.add_subcommand(
        "concordance", "Find a word or phrase in the TM in any language, with the unit's other languages");
    cmd->add_option("TERM", c->term, "The text to find (case, digit style and Arabic marks are ignored)")->required();
    cmd->add_option("--db", c->db, "The TM file")->required();
    cmd->add_option("--lang", c->lang, "Search only this language (default: all)");
    cmd->add_option("--limit", c->limit, "Most hits shown (default 50)")->check(whole_number_check(1), "1 or more");
    cmd->add_flag("--json", c->json, "Write JSON (format in README) instead of text");
    cmd->callback([c, &exit_code] { exit_code = run_guarded([&] { return run_concordance(*c); }); });
  }
  {
    auto c = std::make_shared<StatsCommand>();
    CLI::App* cmd = app.add_subcommand("stats", "Count a TM's documents, units and segments per language");
    cmd->add_option("--db", c->db, "The TM file")->required();
    cmd->add_flag("--json", c->json, "Write JSON (format in README) instead of text");
    cmd->callback([c, &exit_code] { exit_code = run_guarded([&] { return run_stats(*c); }); });
  }
}

}  // namespace untm::cli
