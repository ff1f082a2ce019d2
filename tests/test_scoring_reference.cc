// `untm eval` against the reference scorer ../shared/tools/alignscore.py on
// the real gold alignments in ../shared/data: both run on the same files
// (the gold itself and perturbed copies written to a temp dir) and must give
// the same figures (within 1e-12) with the same keys in the same order.
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "aligner/scoring.h"
#include "tests/test_support.h"

using namespace untm;
using test::read_file;
using test::run_untm;
using test::shell_quote;
using test::TempDir;
using test::write_file;

namespace fs = std::filesystem;

namespace {

fs::path shared() { return *test::shared_dir(); }
fs::path bible() { return shared() / "data" / "bible_zh_en"; }
fs::path textberg() { return shared() / "data" / "textberg_de_fr"; }
fs::path unpc_gold() { return shared() / "data" / "unpc_sc" / "gold.tsv"; }

std::string q(const fs::path& path) { return shell_quote(path.string()); }

struct Output {
  int exit_code = -1;
  std::string out;
};

// Runs the reference scorer with `arguments` (already quoted).
Output run_reference(const std::string& arguments) {
  const std::string command =
      "python3 " + q(shared() / "tools" / "alignscore.py") + " " + arguments + " 2>&1 </dev/null";
  Output result;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) result.out.append(buffer, got);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// The numbers of a JSON object of numbers or of such objects, flattened to
// ("en-ar.precision", 0.95) in document order: all either scorer prints.
class FlatJson {
 public:
  explicit FlatJson(std::string text) : s_(std::move(text)) {}

  std::vector<std::pair<std::string, double>> parse() {
    std::vector<std::pair<std::string, double>> out;
    object("", out);
    space();
    if (i_ != s_.size()) fail();
    return out;
  }

 private:
  void fail() const { FAIL("not a JSON object of numbers at byte " << i_ << ": " << s_); }
  void space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n')) ++i_;
  }
  void expect(char c) {
    space();
    if (i_ >= s_.size() || s_[i_] != c) fail();
    ++i_;
  }
  std::string string() {
    expect('"');
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      if (s_[i_] == '\\') ++i_;
      out += s_[i_++];
    }
    expect('"');
    return out;
  }
  void object(const std::string& prefix, std::vector<std::pair<std::string, double>>& out) {
    expect('{');
    space();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return;
    }
    for (;;) {
      const std::string key = prefix + string();
      expect(':');
      space();
      if (i_ < s_.size() && s_[i_] == '{') {
        object(key + ".", out);
      } else {
        std::size_t used = 0;
        out.emplace_back(key, std::stod(s_.substr(i_), &used));
        i_ += used;
      }
      space();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      expect('}');
      return;
    }
  }

  std::string s_;
  std::size_t i_ = 0;
};

// Runs both scorers with --json; requires the same keys in the same order
// and the same figures. Returns untm's figures.
std::vector<std::pair<std::string, double>> require_same(const std::string& python_arguments,
                                                         const std::string& untm_arguments) {
  INFO("alignscore.py " << python_arguments);
  INFO("untm " << untm_arguments);
  const Output reference = run_reference(python_arguments + " --json");
  REQUIRE(reference.exit_code == 0);
  const auto ours = run_untm(untm_arguments + " --json");
  INFO(ours.err);
  REQUIRE(ours.exit_code == 0);
  const auto expected = FlatJson(reference.out).parse();
  const auto actual = FlatJson(ours.out).parse();
  REQUIRE(actual.size() == expected.size());
  REQUIRE(!actual.empty());
  for (std::size_t k = 0; k < actual.size(); ++k) {
    INFO(expected[k].first << ": reference " << expected[k].second << ", untm " << actual[k].second);
    CHECK(actual[k].first == expected[k].first);
    CHECK(std::abs(actual[k].second - expected[k].second) <= 1e-12);
  }
  return actual;
}

double figure(const std::vector<std::pair<std::string, double>>& figures, const std::string& key) {
  for (const auto& [name, value] : figures)
    if (name == key) return value;
  FAIL("no figure " << key);
  return 0;
}

// ---- Perturbed bead files.

enum class Change { kShift, kMerge, kSplit, kDrop, kMixed };

std::string ids_text(const SentenceIds& ids) {
  std::string out = "[";
  for (std::size_t k = 0; k < ids.size(); ++k) out += (k ? ", " : "") + std::to_string(ids[k]);
  return out + "]";
}

// ScoredBead file text; every 7th line with a score field, as aligners write them.
std::string beads_text(const std::vector<ScoredBead>& beads) {
  std::string out;
  for (std::size_t k = 0; k < beads.size(); ++k)
    out += ids_text(beads[k].src) + ":" + ids_text(beads[k].tgt) + (k % 7 == 3 ? ":0.8125\n" : "\n");
  return out;
}

// The gold with about `percent` % of its beads changed. mt19937's sequence
// is fixed by the standard, so the files are the same on every machine.
std::vector<ScoredBead> perturb(const std::vector<ScoredBead>& gold, Change change, unsigned seed, unsigned percent) {
  std::mt19937 rng(seed);
  const auto chance = [&] { return rng() % 100 < percent; };
  std::vector<ScoredBead> in = gold, out;
  for (std::size_t k = 0; k < in.size(); ++k) {
    ScoredBead bead = in[k];
    Change c = change;
    if (c == Change::kMixed) c = static_cast<Change>(rng() % 4);
    if (!chance()) {
      out.push_back(bead);
      continue;
    }
    const bool has_next = k + 1 < in.size();
    switch (c) {
      case Change::kShift:  // the next bead's first target moves to this bead
        if (has_next && !in[k + 1].tgt.empty()) {
          bead.tgt.push_back(in[k + 1].tgt.front());
          in[k + 1].tgt.erase(in[k + 1].tgt.begin());
        }
        out.push_back(bead);
        break;
      case Change::kMerge:
        if (has_next) {
          ++k;
          bead.src.insert(bead.src.end(), in[k].src.begin(), in[k].src.end());
          bead.tgt.insert(bead.tgt.end(), in[k].tgt.begin(), in[k].tgt.end());
        }
        out.push_back(bead);
        break;
      case Change::kSplit:
        if (bead.src.size() >= 2) {
          out.push_back({{bead.src.front()}, bead.tgt});
          out.push_back({SentenceIds(bead.src.begin() + 1, bead.src.end()), {}});
        } else if (bead.tgt.size() >= 2) {
          out.push_back({bead.src, {bead.tgt.front()}});
          out.push_back({{}, SentenceIds(bead.tgt.begin() + 1, bead.tgt.end())});
        } else {
          out.push_back({bead.src, {}});
          out.push_back({{}, bead.tgt});
        }
        break;
      case Change::kDrop:
        break;
      case Change::kMixed:
        break;
    }
    if (change == Change::kMixed && rng() % 10 == 0) out.push_back(out.empty() ? bead : out.back());  // duplicate
  }
  if (change == Change::kMixed) {
    // Out of order, as a bead file need not be sorted.
    for (std::size_t k = out.size(); k > 1; --k) std::swap(out[k - 1], out[rng() % k]);
  }
  return out;
}

std::vector<ScoredBead> read_beads(const fs::path& path) { return parse_beads(read_file(path), path.string()); }

// ---- Perturbed unit TSVs.

std::vector<std::string> split(const std::string& s, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == separator) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
  return s;
}

using Rows = std::vector<std::vector<std::string>>;  // header first

Rows read_tsv(const fs::path& path) {
  Rows rows;
  for (const auto& line : split(read_file(path), '\n'))
    if (!line.empty()) rows.push_back(split(line, '\t'));
  return rows;
}

std::string tsv_text(const Rows& rows) {
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t k = 0; k < row.size(); ++k) out += (k ? "\t" : "") + row[k];
    out += "\n";
  }
  return out;
}

enum class RowChange { kDrop, kMergeAdjacent, kWhiteSpace, kMasthead };

// The gold (header "key id en ar es") with about `percent` % of its rows changed.
Rows perturb_rows(const Rows& gold, RowChange change, unsigned seed, unsigned percent) {
  std::mt19937 rng(seed);
  Rows out{gold[0]};
  for (std::size_t k = 1; k < gold.size(); ++k) {
    std::vector<std::string> row = gold[k];
    if (rng() % 100 >= percent) {
      out.push_back(row);
      continue;
    }
    switch (change) {
      case RowChange::kDrop:
        break;
      case RowChange::kMergeAdjacent:  // the unit of two rows joined, as an aligner's 2-2 bead
        if (k + 1 < gold.size()) {
          ++k;
          for (std::size_t c = 2; c < row.size(); ++c) row[c] += " " + gold[k][c];
        }
        out.push_back(row);
        break;
      case RowChange::kWhiteSpace: {
        static const char* const kSpaces[] = {"\xC2\xA0", "\xE3\x80\x80", "", "  ", "\xE2\x80\x89", " \xE2\x80\xA8"};
        for (std::size_t c = 2; c < row.size(); ++c) row[c] = replace_all(row[c], " ", kSpaces[rng() % 6]);
        // Decomposed accents: equal after NFC.
        row[4] = replace_all(replace_all(row[4], "\xC3\xA9", "e\xCC\x81"), "\xC3\xB3", "o\xCC\x81");
        out.push_back(row);
        break;
      }
      case RowChange::kMasthead:  // a line outside the gold, then the row
        out.push_back({row[0], "x", "UNITED NATIONS S/" + std::to_string(k), "\xD8\xA7\xD9\x84\xD8\xA3\xD9\x85\xD9\x85",
                       "NACIONES UNIDAS"});
        out.push_back(row);
        break;
    }
  }
  return out;
}

Rows without_key(Rows rows) {
  for (auto& row : rows) row.erase(row.begin());
  return rows;
}

}  // namespace

TEST_CASE("reference: the bible gold against itself", "[scoring][reference]") {
  const std::string gold = q(bible() / "gold" / "001.align");
  const std::string groups = " --groups " + q(bible() / "en.verse") + " " + q(bible() / "zh.verse");
  auto plain = require_same("beads -t " + gold + " -g " + gold, "eval --beads -t " + gold + " -g " + gold);
  CHECK(figure(plain, "f1_strict") == 1.0);
  auto merged = require_same("beads -t " + gold + " -g " + gold + groups,
                             "eval --beads -t " + gold + " -g " + gold + groups);
  CHECK(figure(merged, "precision_strict") == 1.0);
}

TEST_CASE("reference: the bible gold against perturbed copies, with and without --groups", "[scoring][reference]") {
  TempDir dir;
  const fs::path gold_path = bible() / "gold" / "001.align";
  const std::vector<ScoredBead> gold = read_beads(gold_path);
  REQUIRE(gold.size() == 4747);
  const std::string gold_arg = " -g " + q(gold_path);
  const std::string groups = " --groups " + q(bible() / "en.verse") + " " + q(bible() / "zh.verse");
  const std::pair<Change, const char*> changes[] = {{Change::kShift, "shift"}, {Change::kMerge, "merge"},
                                                    {Change::kSplit, "split"}, {Change::kDrop, "drop"},
                                                    {Change::kMixed, "mixed"}};
  for (const auto& [change, name] : changes) {
    for (unsigned seed : {1u, 2u}) {
      const fs::path test = dir / (std::string(name) + std::to_string(seed) + ".align");
      write_file(test, beads_text(perturb(gold, change, seed, seed == 1 ? 10 : 35)));
      const std::string files = " -t " + q(test) + gold_arg;
      require_same("beads" + files, "eval --beads" + files);
      require_same("beads" + files + groups, "eval --beads" + files + groups);
    }
  }
  // The text output too, byte for byte.
  const fs::path test = dir / "mixed1.align";
  const std::string files = " -t " + q(test) + gold_arg + groups;
  const Output reference = run_reference("beads" + files);
  REQUIRE(reference.exit_code == 0);
  CHECK(run_untm("eval --beads" + files).out == reference.out);
}

TEST_CASE("reference: pinned figures", "[scoring][reference]") {
  TempDir dir;
  SECTION("bible, every 10th bead merged with the next") {
    // Computed with the reference scorer, from the repository root:
    //   python3 - <<'EOF'
    //   import ast
    //   B = [tuple(ast.literal_eval(f) for f in l.split(':')) for l in open('../shared/data/bible_zh_en/gold/001.align')]
    //   out, k = [], 0
    //   while k < len(B):
    //       if k % 10 == 9 and k + 1 < len(B): out.append((B[k][0] + B[k+1][0], B[k][1] + B[k+1][1])); k += 2
    //       else: out.append(B[k]); k += 1
    //   open('/tmp/m.align', 'w').write(''.join(f'{s}:{t}\n' for s, t in out))
    //   EOF
    //   python3 ../shared/tools/alignscore.py beads -t /tmp/m.align -g ../shared/data/bible_zh_en/gold/001.align --json
    // -> precision_strict 0.8890709103674234, f1_strict 0.8423503325942351, every lax figure 1.0.
    const std::vector<ScoredBead> gold = read_beads(bible() / "gold" / "001.align");
    std::vector<ScoredBead> merged;
    for (std::size_t k = 0; k < gold.size(); ++k) {
      ScoredBead bead = gold[k];
      if (k % 10 == 9 && k + 1 < gold.size()) {
        ++k;
        bead.src.insert(bead.src.end(), gold[k].src.begin(), gold[k].src.end());
        bead.tgt.insert(bead.tgt.end(), gold[k].tgt.begin(), gold[k].tgt.end());
      }
      merged.push_back(bead);
    }
    write_file(dir / "m.align", beads_text(merged));
    const std::string files = " -t " + q(dir / "m.align") + " -g " + q(bible() / "gold" / "001.align");
    const auto figures = require_same("beads" + files, "eval --beads" + files);
    CHECK(std::abs(figure(figures, "precision_strict") - 0.8890709103674234) <= 1e-12);
    CHECK(std::abs(figure(figures, "f1_strict") - 0.8423503325942351) <= 1e-12);
    CHECK(figure(figures, "recall_lax") == 1.0);
  }
  SECTION("unpc gold, every 4th row dropped and no key column") {
    // Computed with the reference scorer, from the repository root:
    //   python3 - <<'EOF'
    //   L = [l for l in open('../shared/data/unpc_sc/gold.tsv').read().split('\n') if l]
    //   R = [L[0]] + [l for k, l in enumerate(L[1:]) if k % 4 != 3]
    //   open('/tmp/u.tsv', 'w').write(''.join(l.split('\t', 1)[1] + '\n' for l in R))
    //   EOF
    //   python3 ../shared/tools/alignscore.py units --test /tmp/u.tsv --gold ../shared/data/unpc_sc/gold.tsv --json
    // -> en-ar: precision 1.0, recall 0.7501628664495114, gold 3070, test 2303.
    const Rows gold = read_tsv(unpc_gold());
    Rows kept{gold[0]};
    for (std::size_t k = 1; k < gold.size(); ++k)
      if ((k - 1) % 4 != 3) kept.push_back(gold[k]);
    write_file(dir / "u.tsv", tsv_text(without_key(kept)));
    const std::string files = " --test " + q(dir / "u.tsv") + " --gold " + q(unpc_gold());
    const auto figures = require_same("units" + files, "eval --units" + files.substr(7));
    CHECK(std::abs(figure(figures, "en-ar.recall") - 0.7501628664495114) <= 1e-12);
    CHECK(figure(figures, "en-ar.precision") == 1.0);
    CHECK(figure(figures, "en-ar.gold") == 3070);
    CHECK(figure(figures, "en-ar.test") == 2303);
  }
}

TEST_CASE("reference: textberg test0-6 against perturbed copies, as 7 paired files", "[scoring][reference]") {
  TempDir dir;
  std::string golds;
  std::vector<std::vector<ScoredBead>> gold;
  for (int k = 0; k < 7; ++k) {
    const fs::path path = textberg() / ("test" + std::to_string(k) + ".defr");
    golds += " " + q(path);
    gold.push_back(read_beads(path));
  }
  for (Change change : {Change::kMixed, Change::kShift, Change::kMerge, Change::kSplit, Change::kDrop}) {
    std::string tests;
    for (int k = 0; k < 7; ++k) {
      const fs::path path = dir / ("test" + std::to_string(k) + ".align");
      write_file(path, beads_text(perturb(gold[static_cast<std::size_t>(k)], change, 10u + static_cast<unsigned>(k), 20)));
      tests += " " + q(path);
    }
    const std::string files = " -t" + tests + " -g" + golds;
    require_same("beads" + files, "eval --beads" + files);
  }
  // The golds themselves, and in the wrong order (file 0 against file 1...).
  require_same("beads -t" + golds + " -g" + golds, "eval --beads -t" + golds + " -g" + golds);
}

TEST_CASE("reference: the unpc gold TSV against perturbed copies", "[scoring][reference]") {
  TempDir dir;
  const Rows gold = read_tsv(unpc_gold());
  REQUIRE(gold.size() == 3072);
  REQUIRE(gold[0] == std::vector<std::string>{"key", "id", "en", "ar", "es"});
  const std::string gold_arg = " --gold " + q(unpc_gold());
  const std::pair<RowChange, const char*> changes[] = {{RowChange::kDrop, "drop"},
                                                       {RowChange::kMergeAdjacent, "merge"},
                                                       {RowChange::kWhiteSpace, "space"},
                                                       {RowChange::kMasthead, "masthead"}};
  // Every pair, and (python3 takes about a second a run) in some cases
  // --pair en-ar es-ar too.
  const auto compare = [&](const Rows& rows, const std::string& name, bool pairs) {
    const fs::path test = dir / (name + ".tsv");
    write_file(test, tsv_text(rows));
    require_same("units --test " + q(test) + gold_arg, "eval --units " + q(test) + gold_arg);
    if (pairs)
      require_same("units --test " + q(test) + gold_arg + " --pair en-ar es-ar",
                   "eval --units " + q(test) + gold_arg + " --pair en-ar es-ar");
  };
  compare(gold, "gold", true);
  compare(without_key(gold), "gold_nokey", false);
  for (const auto& [change, name] : changes) {
    const Rows rows = perturb_rows(gold, change, 7, 15);
    compare(rows, name, false);
    // Without keys, all documents are one text: mastheads and merged rows
    // are searched in it.
    if (change == RowChange::kMergeAdjacent || change == RowChange::kMasthead)
      compare(without_key(rows), std::string(name) + "_nokey", false);
  }
  // All at once.
  Rows all = gold;
  unsigned seed = 20;
  for (const auto& [change, name] : changes) all = perturb_rows(all, change, seed++, 10);
  compare(all, "all", true);
  compare(without_key(all), "all_nokey", true);

  // The text output too, byte for byte.
  const fs::path test = dir / "all.tsv";
  const Output reference = run_reference("units --test " + q(test) + gold_arg);
  REQUIRE(reference.exit_code == 0);
  CHECK(run_untm("eval --units " + q(test) + gold_arg).out == reference.out);
}
