// Alignment scores, exactly as ../shared/tools/alignscore.py defines them
// (the reference scorer): bead scores (strict and lax precision, recall, F1,
// as in the Vecalign and Bertalign papers) and content-based unit scores for
// whole documents.
//
// Files are read as the reference reads them: UTF-8 (a BOM is text), lines
// end at "\n", "\r\n" or "\r", and "white space" is Python's str.isspace()
// (which is also what Python's re \s matches).
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace untm {

struct BeadScores {
  double precision_strict = 0, recall_strict = 0, f1_strict = 0;
  double precision_lax = 0, recall_lax = 0, f1_lax = 0;
};

// Test and gold bead files are paired by position; counts are summed over
// files. `groups`: optional (source ids file, target ids file), as
// alignscore.py's --groups. Throws InputError on unreadable or malformed files,
// ArgumentError when the numbers of test and gold files differ.
BeadScores score_bead_files(const std::vector<std::string>& test_files, const std::vector<std::string>& gold_files,
                            const std::optional<std::pair<std::string, std::string>>& groups = std::nullopt);

struct UnitScore {
  double precision = 0, recall = 0, f1 = 0;
  std::size_t gold = 0;  // gold units of the pair
  std::size_t test = 0;  // test units counted (inside the gold text)
};

// Scores per pair ("en-ar"), in the order asked; an empty `pairs` means every
// pair of the gold's language columns, in header order. Throws InputError as
// above (also when a pair's column is missing, or the gold header has no two
// language columns to pair), ArgumentError for a pair not written "xx-yy".
std::vector<std::pair<std::string, UnitScore>> score_unit_files(const std::string& test_tsv, const std::string& gold_tsv,
                                                  const std::vector<std::string>& pairs = {});

// ---- In memory: what the file functions do after reading, for the aligner
// and for tests. `path` arguments only name the source in messages.

// One side of a bead: sentence line numbers as written (order and repeats
// kept, since the reference compares the written tuples).
using SentenceIds = std::vector<std::int64_t>;

struct ScoredBead {
  SentenceIds src, tgt;
  friend bool operator==(const ScoredBead&, const ScoredBead&) = default;
  friend auto operator<=>(const ScoredBead&, const ScoredBead&) = default;
};

// Beads of a bead file's text: one "[0, 1]:[2]" per line (ids as a Python
// list or tuple of integers; fields split on ':', empty fields dropped, a
// third field such as a score ignored; blank lines skipped). Throws
// InputError "PATH:LINE: expected '[src ids]:[tgt ids]', got '...'" and
// EncodingError for invalid UTF-8.
std::vector<ScoredBead> parse_beads(std::string_view text, const std::string& path = "");

// alignscore.py's counts(gold, test): duplicates collapse, beads empty on both
// sides are dropped; a test bead is strict-correct if it is a gold bead,
// lax-correct if its targets share an id with the gold targets of its sources.
struct BeadCounts {
  std::size_t tp_strict = 0, fp_strict = 0, tp_lax = 0, fp_lax = 0;
  friend bool operator==(const BeadCounts&, const BeadCounts&) = default;
};
BeadCounts count_beads(const std::vector<ScoredBead>& gold, const std::vector<ScoredBead>& test);

// A group id (e.g. a Bible verse) for each source and target sentence line.
struct BeadGroups {
  std::vector<std::string> src, tgt;
  std::string src_path, tgt_path;  // for messages
};

// Group ids of a --groups file's text: one per line, stripped.
std::vector<std::string> parse_group_ids(std::string_view text, const std::string& path = "");

// alignscore.py's merge_in_groups: beads sorted by (first source id, or first
// target id for 0-n beads; then the bead), and a bead whose sentences all lie
// in one group is merged into the previous bead of the same group. Throws
// InputError when a bead uses a sentence the group lists do not cover.
std::vector<ScoredBead> merge_in_groups(const std::vector<ScoredBead>& beads, const BeadGroups& groups,
                                  const std::string& beads_path = "");

// ScoredBead scores of documents paired by position (tests[i] against golds[i]);
// precision counts every test bead, recall swaps roles after dropping beads
// empty on either side. Throws ArgumentError when the sizes differ.
BeadScores score_beads(const std::vector<std::vector<ScoredBead>>& tests, const std::vector<std::vector<ScoredBead>>& golds,
                       const BeadGroups* groups = nullptr, const std::vector<std::string>& test_paths = {});

// A TSV of units: the header's cells and each non-blank row's cells.
struct UnitTable {
  std::string path;  // for messages
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// Parses a unit TSV's text. Throws EncodingError for invalid UTF-8.
UnitTable parse_unit_table(std::string_view text, const std::string& path = "");

// Unit scores, as score_unit_files.
std::vector<std::pair<std::string, UnitScore>> score_units(const UnitTable& test, const UnitTable& gold,
                                                           const std::vector<std::string>& pairs = {});

// What units are compared by: NFC, then every white space character removed.
std::string squash_white_space(std::string_view utf8);

// Python's str.isspace() for one code point (also re's \s).
bool is_python_space(char32_t c);

}  // namespace untm
