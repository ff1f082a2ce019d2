// untm eval --beads -t TEST... -g GOLD... [--groups SRC_IDS TGT_IDS] [--json]
// untm eval --units TEST.tsv --gold GOLD.tsv [--pair en-ar ...] [--json]
//
// Scores an alignment as ../shared/tools/alignscore.py does, and prints what
// it prints (text lines, or with --json the same JSON object).
#include "tools/eval_command.h"

#include <fmt/core.h>

#include <charconv>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aligner/errors.h"
#include "aligner/scoring.h"
#include "aligner/utf8_util.h"
#include "tools/cli_common.h"

namespace untm::cli {
namespace {

struct EvalOptions {
  bool beads = false;
  CLI::Option* units = nullptr;         // given, with or without its value
  std::vector<std::string> units_test;  // --units TEST.tsv
  std::vector<std::string> tests, golds, groups, pairs;
  CLI::Option* pair_option = nullptr;
  bool json = false;
};

constexpr std::string_view kFooter = R"txt(Bead files (--beads): one bead per line, "[0, 1]:[2]": source and target
sentence line numbers (0-based) as Python lists; "[]:[5]" is an insertion;
a third ":score" field is ignored; blank lines are skipped. Test and gold
files are paired by position and counts are summed over the pairs.
  strict: a test bead is correct if it equals a gold bead.
  lax: a test bead is correct if its targets share an id with the gold
       targets of any of its source ids.
  Precision counts every distinct test bead (0-n beads too); recall swaps
  test and gold after dropping beads empty on either side. F1 = 2PR/(P+R).
  --groups: a group id (e.g. a Bible verse) per sentence line of each side;
  consecutive test beads inside one and the same group on both sides are
  merged before scoring, as the Bertalign paper does for verse-level gold.

Unit TSVs (--units): a header row; columns named by a two-letter ISO 639-1
code (en, ar, ...) hold a unit's text in that language, an optional column
"key" names the document. A unit of pair x-y has both sides non-empty and
is compared after NFC and removing all white space. Recall = gold units
found in the test. Precision = test units found in the gold, among the
test units whose x text occurs inside the gold x text of the same document
(lines outside the gold, such as mastheads, are not counted). Without
--pair, every pair of the gold's language columns is scored.

Output: "precision_strict<TAB>0.979" lines (beads) or
"en-ar<TAB>P 0.950<TAB>R 0.940<TAB>F1 0.945<TAB>(gold 100, test 98)" lines
(units); --json prints one JSON object instead. The definitions and output
are those of the reference scorer alignscore.py (in the shared benchmark data).
Exit codes: 0 ok, 2 wrong arguments, 3 an input file cannot be used.)txt";

// Python's repr() of a float, which json.dumps also uses: the shortest
// digits that read back exactly, in exponent form below 1e-4 or from 1e16.
std::string python_float(double value) {
  if (!std::isfinite(value)) return std::isnan(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  const std::string_view s(buffer, static_cast<std::size_t>(end - buffer));  // "-d.ddde-XX"
  const std::size_t e = s.find('e');
  std::string sign, digits;
  for (char c : s.substr(0, e)) {
    if (c == '-') sign = "-";
    else if (c != '.') digits += c;
  }
  const int exponent = std::stoi(std::string(s.substr(e + 1)));
  const int point = exponent + 1;  // digits before the decimal point
  const int n = static_cast<int>(digits.size());
  if (point > -4 && point <= 16) {
    if (point <= 0) return sign + "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
    if (point >= n) return sign + digits + std::string(static_cast<std::size_t>(point - n), '0') + ".0";
    return sign + digits.substr(0, static_cast<std::size_t>(point)) + "." + digits.substr(static_cast<std::size_t>(point));
  }
  std::string mantissa = digits.substr(0, 1) + (n > 1 ? "." + digits.substr(1) : "");
  return fmt::format("{}{}e{}{:02d}", sign, mantissa, exponent < 0 ? '-' : '+', std::abs(exponent));
}

// json.dumps's string: ASCII only, non-ASCII as \uXXXX.
std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const char32_t c = utf8::next(s, i);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c >= 0x20 && c < 0x7F) {
          out += static_cast<char>(c);
        } else if (c < 0x10000) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          const char32_t v = c - 0x10000;
          out += fmt::format("\\u{:04x}\\u{:04x}", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
        }
    }
  }
  return out + "\"";
}

int run_beads(const EvalOptions& options) {
  if (options.tests.empty()) throw ArgumentError("--beads needs the test bead files: -t TEST... (see 'untm eval --help')");
  if (options.golds.empty()) throw ArgumentError("--beads needs the gold bead files: -g GOLD... (see 'untm eval --help')");
  if (options.tests.size() != options.golds.size())
    throw ArgumentError(fmt::format(
        "give as many test files as gold files: got {} test file{} (-t) and {} gold file{} (-g). Test and gold "
        "files are paired by position: give one gold file for each test file, in the same order.",
        options.tests.size(), options.tests.size() == 1 ? "" : "s", options.golds.size(),
        options.golds.size() == 1 ? "" : "s"));
  if (options.pair_option->count() > 0)
    throw ArgumentError("--pair is for --units; bead files are scored as a whole");
  std::optional<std::pair<std::string, std::string>> groups;
  if (!options.groups.empty()) groups.emplace(options.groups[0], options.groups[1]);

  const BeadScores s = score_bead_files(options.tests, options.golds, groups);
  const std::pair<const char*, double> measures[] = {
      {"precision_strict", s.precision_strict}, {"recall_strict", s.recall_strict}, {"f1_strict", s.f1_strict},
      {"precision_lax", s.precision_lax},       {"recall_lax", s.recall_lax},       {"f1_lax", s.f1_lax},
  };
  if (options.json) {
    std::string out;
    for (const auto& [name, value] : measures)
      out += fmt::format("{}\"{}\": {}", out.empty() ? "{" : ", ", name, python_float(value));
    fmt::print("{}}}\n", out);
  } else {
    for (const auto& [name, value] : measures) fmt::print("{}\t{:.3f}\n", name, value);
  }
  return kExitOk;
}

int run_units(const EvalOptions& options) {
  if (!options.groups.empty()) throw ArgumentError("--groups is for --beads; units are scored by their text");
  if (!options.units_test.empty() && !options.tests.empty())
    throw ArgumentError("give the test TSV once: --units TEST.tsv (or --units -t TEST.tsv)");
  const std::vector<std::string>& test = options.units_test.empty() ? options.tests : options.units_test;
  if (test.empty()) throw ArgumentError("--units needs the test TSV: --units TEST.tsv --gold GOLD.tsv");
  if (test.size() > 1)
    throw ArgumentError(fmt::format("--units scores one test TSV, got {}; run untm eval once per TSV", test.size()));
  if (options.golds.empty()) throw ArgumentError("--units needs the gold TSV: --units TEST.tsv --gold GOLD.tsv");
  if (options.golds.size() > 1)
    throw ArgumentError(fmt::format("--units takes one gold TSV (--gold GOLD.tsv), got {}", options.golds.size()));

  const auto scores = score_unit_files(test[0], options.golds[0], options.pairs);
  if (options.json) {
    std::string out;
    for (const auto& [pair, m] : scores)
      out += fmt::format("{}{}: {{\"precision\": {}, \"recall\": {}, \"f1\": {}, \"gold\": {}, \"test\": {}}}",
                         out.empty() ? "{" : ", ", json_string(pair), python_float(m.precision),
                         python_float(m.recall), python_float(m.f1), m.gold, m.test);
    fmt::print("{}}}\n", out.empty() ? "{" : out);
  } else {
    for (const auto& [pair, m] : scores)
      fmt::print("{}\tP {:.3f}\tR {:.3f}\tF1 {:.3f}\t(gold {}, test {})\n", pair, m.precision, m.recall, m.f1, m.gold,
                 m.test);
  }
  return kExitOk;
}

int run_eval(EvalOptions options) {
  // CLI11 stores "" for an option given without a value (--units -t X, or
  // --pair alone, which means every pair as in alignscore.py).
  std::erase(options.units_test, "");
  std::erase(options.pairs, "");
  const bool units = options.units->count() > 0;
  if (options.beads && units) throw ArgumentError("give --beads or --units, not both");
  if (!options.beads && !units)
    throw ArgumentError("say what to score: --beads -t TEST... -g GOLD... (bead files) or --units TEST.tsv --gold "
                        "GOLD.tsv (unit TSVs); see 'untm eval --help'");
  return options.beads ? run_beads(options) : run_units(options);
}

}  // namespace

void add_eval_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "Score an alignment against a gold one: bead files (strict/lax precision, recall, F1) or whole-document "
              "unit TSVs; the same figures as the reference scorer alignscore.py");
  cmd->footer(std::string(kFooter));
  cmd->add_flag("--beads", options->beads, "Score bead files: -t TEST... -g GOLD...");
  options->units = cmd->add_option("--units", options->units_test,
                                   "Score a unit TSV against a gold TSV (--gold); the test TSV may also be given as -t")
                       ->type_name("TEST.tsv")
                       ->expected(0, 1);
  cmd->add_option("-t,--test", options->tests, "Test bead files (--beads), paired by position with the gold files")
      ->type_name("TEST");
  cmd->add_option("-g,--gold", options->golds, "Gold bead files (--beads), or the gold TSV (--units)")
      ->type_name("GOLD");
  cmd->add_option("--groups", options->groups,
                  "Group id of each source and target sentence line (e.g. Bible verses): merge consecutive test beads "
                  "inside one group before scoring (--beads)")
      ->option_text("SRC_IDS TGT_IDS")
      ->expected(2);
  options->pair_option = cmd->add_option("--pair", options->pairs,
                                         "Language pairs to score, such as en-ar es-ar (--units); default: every pair "
                                         "of the gold's language columns")
                             ->type_name("X-Y")
                             ->expected(0, CLI::detail::expected_max_vector_size);
  cmd->add_flag("--json", options->json, "Print one JSON object (as alignscore.py --json) instead of text lines");
  cmd->callback([options, &exit_code] { exit_code = run_guarded([&] { return run_eval(*options); }); });
}

}  // namespace untm::cli
