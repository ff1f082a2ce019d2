// Alignment scores as ../shared/tools/alignscore.py computes them. Every
// choice below mirrors a line of that script; where the script would crash
// (a malformed file, a missing column) we throw an error that says so instead.
#include "aligner/scoring.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/uchar.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <functional>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "aligner/errors.h"
#include "aligner/text_reader.h"
#include "aligner/utf8_util.h"

namespace untm {
namespace {

// The separator alignscore.py puts between gold rows of a document's text, so
// that a test unit cannot match across two gold rows by accident.
constexpr std::string_view kRecordSeparator = "\xE2\x90\x9E";  // U+241E

constexpr std::string_view kBeadExample = "such as [0, 1]:[2] (0-based line numbers; []:[5] for an insertion)";

// Names an in-memory text in messages when the caller gave no path.
std::string where(const std::string& path) { return path.empty() ? "(text)" : path; }

// ---- Reading as Python's open(path, encoding="utf-8") does.

std::string hex_byte(unsigned char b) {
  constexpr char kDigits[] = "0123456789ABCDEF";
  return std::string("0x") + kDigits[b >> 4] + kDigits[b & 0xF];
}

// Length of the well-formed UTF-8 sequence at s[i] (Unicode Table 3-7, which
// is what Python's strict decoder accepts), or 0.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) -> unsigned { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
  const unsigned b0 = at(0);
  const auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) { return at(k) >= lo && at(k) <= hi; };
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if (b0 == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;  // no surrogates
  if (b0 >= 0xE1 && b0 <= 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (b0 == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xF1 && b0 <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

void check_utf8(std::string_view text, const std::string& path) {
  for (std::size_t i = 0; i < text.size();) {
    i = utf8::skip_ascii_words(text.data(), i, text.size());
    if (i >= text.size()) break;
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      std::string shown;
      for (std::size_t k = i; k < text.size() && k < i + 4; ++k) {
        if (k > i && (static_cast<unsigned char>(text[k]) & 0xC0) != 0x80) break;
        if (!shown.empty()) shown += ' ';
        shown += hex_byte(static_cast<unsigned char>(text[k]));
      }
      const std::string name = where(path);
      throw EncodingError(path, i,
                          name + ": invalid UTF-8 at byte " + std::to_string(i) + " (" + shown +
                              "): the file is not UTF-8. Convert it to UTF-8, for example: iconv -f WINDOWS-1252 "
                              "-t UTF-8 " + name + " > fixed.txt");
    }
    i += length;
  }
}

// Lines as Python's universal newlines give them, without their ends: a
// final line end adds no empty line.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    lines.push_back(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

// Python's str.strip() on valid UTF-8.
std::string_view strip(std::string_view s) {
  std::size_t begin = 0;
  while (begin < s.size()) {
    std::size_t next = begin;
    if (!is_python_space(utf8::next(s, next))) break;
    begin = next;
  }
  std::size_t end = s.size();
  while (end > begin) {
    std::size_t start = end - 1;
    while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    std::size_t next = start;
    if (!is_python_space(utf8::next(s, next))) break;
    end = start;
  }
  return s.substr(begin, end - begin);
}

// Python's bool(s.strip()).
bool has_non_space(std::string_view s) {
  for (std::size_t i = 0; i < s.size();)
    if (!is_python_space(utf8::next(s, i))) return true;
  return false;
}

std::vector<std::string_view> split(std::string_view s, char separator) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == separator) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// Python's str.isprintable() for one code point, for repr().
bool is_python_printable(char32_t c) {
  if (c == ' ') return true;
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_CONTROL_CHAR:
    case U_FORMAT_CHAR:
    case U_SURROGATE:
    case U_PRIVATE_USE_CHAR:
    case U_UNASSIGNED:
    case U_LINE_SEPARATOR:
    case U_PARAGRAPH_SEPARATOR:
    case U_SPACE_SEPARATOR:
      return false;
    default:
      return true;
  }
}

// Python's repr() of a string, as the reference shows a bad line.
std::string python_repr(std::string_view s) {
  const bool single = s.find('\'') != std::string_view::npos, dbl = s.find('"') != std::string_view::npos;
  const char quote = single && !dbl ? '"' : '\'';
  constexpr char kHex[] = "0123456789abcdef";
  const auto escape = [&](std::string& out, char32_t c, int digits, char kind) {
    out += '\\';
    out += kind;
    for (int k = digits - 1; k >= 0; --k) out += kHex[(c >> (4 * k)) & 0xF];
  };
  std::string out(1, quote);
  for (std::size_t i = 0; i < s.size();) {
    const char32_t c = utf8::next(s, i);
    if (c == static_cast<char32_t>(quote) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x7F && c >= 0x20) {
      out += static_cast<char>(c);
    } else if (c >= 0x80 && is_python_printable(c)) {
      utf8::append(out, c);
    } else if (c < 0x100) {
      escape(out, c, 2, 'x');
    } else if (c < 0x10000) {
      escape(out, c, 4, 'u');
    } else {
      escape(out, c, 8, 'U');
    }
  }
  return out + quote;
}

// ---- Beads.

// A list or tuple of integers as ast.literal_eval reads it, e.g. "[0, 1]",
// "[]", "(3,)"; other literals (a bare "(3)" is an int) are refused, and so
// are floats and booleans, which Python would take but no aligner writes.
class IdsParser {
 public:
  explicit IdsParser(std::string_view text) : s_(text) {}

  bool parse(SentenceIds& out) {
    skip_space();
    if (i_ >= s_.size() || (s_[i_] != '[' && s_[i_] != '(')) return false;
    const char open = s_[i_++];
    const char close = open == '[' ? ']' : ')';
    skip_space();
    std::size_t commas = 0;
    if (i_ < s_.size() && s_[i_] == close) {
      ++i_;
    } else {
      for (;;) {
        std::int64_t id = 0;
        if (!parse_int(id)) return false;
        out.push_back(id);
        skip_space();
        if (i_ < s_.size() && s_[i_] == ',') {
          ++commas;
          ++i_;
          skip_space();
          if (i_ < s_.size() && s_[i_] == close) {
            ++i_;
            break;
          }
          continue;
        }
        if (i_ < s_.size() && s_[i_] == close) {
          ++i_;
          break;
        }
        return false;
      }
      if (open == '(' && commas == 0) return false;
    }
    skip_space();
    if (i_ < s_.size() && s_[i_] == '#') i_ = s_.size();  // a Python comment
    return i_ == s_.size();
  }

 private:
  static bool digit(char c) { return c >= '0' && c <= '9'; }

  // Python's tokenizer's blanks inside an expression.
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\f')) ++i_;
  }

  // [+-] integer literal with Python's rules: decimal without leading zeros
  // (except zero itself), or 0x / 0o / 0b; single underscores between digits.
  bool parse_int(std::int64_t& value) {
    bool negative = false;
    if (i_ < s_.size() && (s_[i_] == '-' || s_[i_] == '+')) {
      negative = s_[i_++] == '-';
      skip_space();
    }
    if (i_ >= s_.size() || !digit(s_[i_])) return false;
    std::uint64_t base = 10;
    if (s_[i_] == '0' && i_ + 1 < s_.size()) {
      const char prefix = static_cast<char>(s_[i_ + 1] | 0x20);
      base = prefix == 'x' ? 16 : prefix == 'o' ? 8 : prefix == 'b' ? 2 : 10;
      if (base != 10) {
        i_ += 2;
        if (i_ < s_.size() && s_[i_] == '_') ++i_;
      }
    }
    const auto digit_value = [base](char c) -> std::uint64_t {
      const char lower = static_cast<char>(c | 0x20);
      const std::uint64_t d = digit(c) ? static_cast<std::uint64_t>(c - '0')
                              : lower >= 'a' && lower <= 'f' ? static_cast<std::uint64_t>(lower - 'a' + 10)
                                                             : 99;
      return d < base ? d : 99;
    };
    if (i_ >= s_.size() || digit_value(s_[i_]) == 99) return false;
    const bool leading_zero = base == 10 && s_[i_] == '0';
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    std::uint64_t magnitude = 0;
    for (;;) {
      const std::uint64_t d = digit_value(s_[i_]);
      if (leading_zero && d != 0) return false;
      if (magnitude > (kMax - d) / base) return false;
      magnitude = magnitude * base + d;
      ++i_;
      if (i_ + 1 < s_.size() && s_[i_] == '_' && digit_value(s_[i_ + 1]) != 99) ++i_;
      if (i_ >= s_.size() || digit_value(s_[i_]) == 99) break;
    }
    value = negative ? -static_cast<std::int64_t>(magnitude) : static_cast<std::int64_t>(magnitude);
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

struct ScoredBeadHash {
  std::size_t operator()(const ScoredBead& bead) const noexcept {
    std::size_t h = bead.src.size();  // where the sides meet
    const auto mix = [&h](std::int64_t v) {
      h ^= std::hash<std::int64_t>{}(v) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    };
    for (auto id : bead.src) mix(id);
    for (auto id : bead.tgt) mix(id);
    return h;
  }
};

bool empty_both(const ScoredBead& bead) { return bead.src.empty() && bead.tgt.empty(); }

std::vector<ScoredBead> both_sides(const std::vector<ScoredBead>& beads) {
  std::vector<ScoredBead> out;
  for (const auto& bead : beads)
    if (!bead.src.empty() && !bead.tgt.empty()) out.push_back(bead);
  return out;
}

void add(BeadCounts& sum, const BeadCounts& counts) {
  sum.tp_strict += counts.tp_strict;
  sum.fp_strict += counts.fp_strict;
  sum.tp_lax += counts.tp_lax;
  sum.fp_lax += counts.fp_lax;
}

// Python: a / (a + b) if a + b else 0.0 (both exact below 2^53, so the
// division rounds exactly as Python's int / int).
double ratio(std::size_t a, std::size_t b) {
  return a + b ? static_cast<double>(a) / static_cast<double>(a + b) : 0.0;
}

// Python: 2 * p * r / (p + r), evaluated in the same order.
double f1(double p, double r) { return p + r != 0 ? 2 * p * r / (p + r) : 0.0; }

// Group strings as small integers, one numbering for both sides (a source
// and a target sentence are in one group when their strings are equal).
struct InternedGroups {
  std::vector<int> src, tgt;
};

InternedGroups intern(const BeadGroups& groups) {
  std::unordered_map<std::string, int> ids;
  InternedGroups out;
  for (const auto& g : groups.src) out.src.push_back(ids.emplace(g, static_cast<int>(ids.size())).first->second);
  for (const auto& g : groups.tgt) out.tgt.push_back(ids.emplace(g, static_cast<int>(ids.size())).first->second);
  return out;
}

std::string format_ids(const SentenceIds& ids) {
  std::string out = "[";
  for (std::size_t k = 0; k < ids.size(); ++k) out += (k ? ", " : "") + std::to_string(ids[k]);
  return out + "]";
}

std::vector<ScoredBead> merge_interned(const std::vector<ScoredBead>& beads, const InternedGroups& interned,
                                 const BeadGroups& groups, const std::string& beads_path) {
  const auto group_at = [&](const ScoredBead& bead, std::int64_t id, bool source) {
    const auto& table = source ? interned.src : interned.tgt;
    if (id < 0 || static_cast<std::uint64_t>(id) >= table.size()) {
      const std::string& groups_path = source ? groups.src_path : groups.tgt_path;
      throw InputError(beads_path, (beads_path.empty() ? "" : beads_path + ": ") + "the bead " +
                                       format_ids(bead.src) + ":" + format_ids(bead.tgt) + " uses " +
                                       (source ? "source" : "target") + " sentence " + std::to_string(id) + ", but " +
                                       where(groups_path) + " gives group ids for " + std::to_string(table.size()) +
                                       " sentence lines. Give --groups files for the texts the beads number.");
    }
    return table[static_cast<std::size_t>(id)];
  };
  // The one group all the bead's sentences are in, or none (mixed or empty).
  // Every id is checked, as the reference looks every one up.
  const auto group_of = [&](const ScoredBead& bead) -> std::optional<int> {
    std::optional<int> group;
    bool mixed = false;
    for (int side = 0; side < 2; ++side) {
      for (auto id : side == 0 ? bead.src : bead.tgt) {
        const int g = group_at(bead, id, side == 0);
        if (!group) group = g;
        else if (*group != g) mixed = true;
      }
    }
    return mixed ? std::nullopt : group;
  };
  const auto first_id = [](const ScoredBead& bead) -> std::int64_t {
    if (!bead.src.empty()) return *std::min_element(bead.src.begin(), bead.src.end());
    if (!bead.tgt.empty()) return *std::min_element(bead.tgt.begin(), bead.tgt.end());
    return -1;
  };
  std::vector<std::pair<std::int64_t, const ScoredBead*>> order;
  order.reserve(beads.size());
  for (const auto& bead : beads) order.emplace_back(first_id(bead), &bead);
  std::sort(order.begin(), order.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first < b.first : *a.second < *b.second; });

  const auto sorted_union = [](const SentenceIds& a, const SentenceIds& b) {
    SentenceIds out(a);
    out.insert(out.end(), b.begin(), b.end());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  };
  std::vector<ScoredBead> out;
  std::vector<std::optional<int>> out_groups;
  for (const auto& [key, bead] : order) {
    const std::optional<int> g = group_of(*bead);
    if (!out.empty() && g && out_groups.back() == g) {
      out.back().src = sorted_union(out.back().src, bead->src);
      out.back().tgt = sorted_union(out.back().tgt, bead->tgt);
    } else {
      out.push_back(*bead);
      out_groups.push_back(g);
    }
  }
  return out;
}

// ---- Units.

// The index of the column named `name` (the last one if repeated, as a
// Python dict built from the header keeps the last).
std::optional<std::size_t> column(const UnitTable& table, std::string_view name) {
  for (std::size_t k = table.header.size(); k-- > 0;)
    if (table.header[k] == name) return k;
  return std::nullopt;
}

// A row's cell (rows shorter than the header are padded with "").
std::string_view cell(const std::vector<std::string>& row, std::optional<std::size_t> index) {
  return index && *index < row.size() ? std::string_view(row[*index]) : std::string_view();
}

std::string header_text(const UnitTable& table) {
  std::string out;
  for (const auto& name : table.header) out += (out.empty() ? "" : ", ") + python_repr(name);
  return "(" + out + ")";
}

bool is_language_column(const std::string& name) {
  return name.size() == 2 && name[0] >= 'a' && name[0] <= 'z' && name[1] >= 'a' && name[1] <= 'z' && name != "id";
}

// One unit as a set element; no part can hold a tab (cells are split on tabs
// and squashed text has no white space), so the encoding is unambiguous.
std::string unit_key(std::string_view key, std::string_view x, std::string_view y) {
  std::string out;
  out.reserve(key.size() + x.size() + y.size() + 2);
  out.append(key).append(1, '\t').append(x).append(1, '\t').append(y);
  return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
  // glibc's memmem (two-way with a shift table) is linear; the unkeyed case
  // searches one long text once per unit, where std::string_view::find's
  // memchr on the first byte stalls on Arabic or CJK lead bytes.
  return ::memmem(haystack.data(), haystack.size(), needle.data(), needle.size()) != nullptr;
}

UnitScore score_pair(const UnitTable& test, const UnitTable& gold, std::string_view x, std::string_view y) {
  const auto tx = column(test, x), ty = column(test, y);
  if (!tx || !ty)
    throw InputError(test.path, where(test.path) + ": no column " + python_repr(!tx ? x : y) + " in the header " +
                                    header_text(test) + ". Give a test TSV with a column for each language of " +
                                    std::string(x) + "-" + std::string(y) + ", or leave that pair out of --pair.");
  const auto gx = column(gold, x), gy = column(gold, y);
  if (!gx || !gy)
    throw InputError(gold.path, where(gold.path) + ": no column " + python_repr(!gx ? x : y) + " in the header " +
                                    header_text(gold) + ". Give only pairs of the gold's language columns to --pair.");
  const auto test_key = column(test, "key"), gold_key = column(gold, "key");
  const bool keyed = test_key && gold_key;

  // The gold units, and each document's gold x text (rows joined by U+241E),
  // documents in the order they first appear.
  std::unordered_set<std::string> gold_units;
  std::unordered_set<std::string> gold_rows;  // (key, x) of every row: most units are inside as a whole row
  std::vector<std::string> texts;
  std::unordered_map<std::string, std::size_t> text_of_key;
  for (const auto& row : gold.rows) {
    const std::string sx = squash_white_space(cell(row, gx));
    const std::string_view key = cell(row, gold_key);
    if (has_non_space(cell(row, gx)) && has_non_space(cell(row, gy)))
      gold_units.insert(unit_key(keyed ? key : "", sx, squash_white_space(cell(row, gy))));
    gold_rows.insert(unit_key(keyed ? key : "", sx, ""));
    auto [it, added] = text_of_key.emplace(std::string(key), texts.size());
    if (added) texts.emplace_back();
    texts[it->second].append(sx).append(kRecordSeparator);
  }
  if (!keyed) {
    // Without keys on both sides, all gold documents are one text.
    std::string all;
    for (const auto& text : texts) all += text;
    texts.assign(1, std::move(all));
    text_of_key = {{"", 0}};
  }

  std::unordered_set<std::string> test_units;
  std::size_t inside = 0, hit = 0;
  for (const auto& row : test.rows) {
    if (!has_non_space(cell(row, tx)) || !has_non_space(cell(row, ty))) continue;
    const std::string_view key = keyed ? cell(row, test_key) : std::string_view();
    const std::string sx = squash_white_space(cell(row, tx));
    auto [it, added] = test_units.insert(unit_key(key, sx, squash_white_space(cell(row, ty))));
    if (!added) continue;
    if (gold_units.count(*it)) ++hit;
    if (gold_rows.count(unit_key(key, sx, ""))) {
      ++inside;
      continue;
    }
    const auto text = text_of_key.find(std::string(key));
    if (text != text_of_key.end() && contains(texts[text->second], sx)) ++inside;
  }
  UnitScore score;
  score.gold = gold_units.size();
  score.test = inside;
  score.precision = inside ? static_cast<double>(hit) / static_cast<double>(inside) : 0.0;
  score.recall = gold_units.empty() ? 0.0 : static_cast<double>(hit) / static_cast<double>(gold_units.size());
  score.f1 = f1(score.precision, score.recall);
  return score;
}

}  // namespace

bool is_python_space(char32_t c) {
  switch (c) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D:
    case 0x1C: case 0x1D: case 0x1E: case 0x1F: case 0x20:
    case 0x85: case 0xA0: case 0x1680:
    case 0x2000: case 0x2001: case 0x2002: case 0x2003: case 0x2004: case 0x2005:
    case 0x2006: case 0x2007: case 0x2008: case 0x2009: case 0x200A:
    case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return false;
  }
}

std::string squash_white_space(std::string_view utf8_text) {
  std::string normalized;
  const bool ascii = std::all_of(utf8_text.begin(), utf8_text.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (!ascii) {
    if (utf8_text.size() > static_cast<std::size_t>(INT32_MAX))
      throw InputError("", "a unit of over 2 GB cannot be normalized; split the TSV row");
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status) || nfc == nullptr)
      throw Error(std::string("ICU NFC normalizer unavailable: ") + u_errorName(status));
    icu::StringByteSink<std::string> sink(&normalized, static_cast<int32_t>(utf8_text.size()));
    nfc->normalizeUTF8(0, icu::StringPiece(utf8_text.data(), static_cast<int32_t>(utf8_text.size())), sink, nullptr,
                       status);
    if (U_FAILURE(status)) throw Error(std::string("ICU NFC normalization failed: ") + u_errorName(status));
  }
  const std::string_view text = ascii ? utf8_text : std::string_view(normalized);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t start = i;
    if (!is_python_space(utf8::next(text, i))) out.append(text.substr(start, i - start));
  }
  return out;
}

std::vector<ScoredBead> parse_beads(std::string_view text, const std::string& path) {
  check_utf8(text, path);
  std::vector<ScoredBead> beads;
  const auto lines = split_lines(text);
  for (std::size_t n = 0; n < lines.size(); ++n) {
    const std::string_view line = strip(lines[n]);
    if (line.empty()) continue;
    std::vector<std::string_view> fields;
    for (auto field : split(line, ':'))
      if (!strip(field).empty()) fields.push_back(field);
    ScoredBead bead;
    if (fields.size() < 2 || !IdsParser(fields[0]).parse(bead.src) || !IdsParser(fields[1]).parse(bead.tgt))
      throw InputError(path, where(path) + ":" + std::to_string(n + 1) + ": expected '[src ids]:[tgt ids]', got " +
                                 python_repr(line) + ". Write one bead per line, " + std::string(kBeadExample) + ".");
    beads.push_back(std::move(bead));
  }
  return beads;
}

BeadCounts count_beads(const std::vector<ScoredBead>& gold, const std::vector<ScoredBead>& test) {
  std::unordered_set<ScoredBead, ScoredBeadHash> gold_set;
  std::unordered_map<std::int64_t, std::unordered_set<std::int64_t>> targets_of;
  for (const auto& bead : gold) {
    if (empty_both(bead) || !gold_set.insert(bead).second) continue;
    for (auto s : bead.src) targets_of[s].insert(bead.tgt.begin(), bead.tgt.end());
  }
  std::unordered_set<ScoredBead, ScoredBeadHash> seen;
  BeadCounts counts;
  for (const auto& bead : test) {
    if (empty_both(bead) || !seen.insert(bead).second) continue;
    if (gold_set.count(bead)) {
      ++counts.tp_strict;
      ++counts.tp_lax;
      continue;
    }
    ++counts.fp_strict;
    bool reached = false;
    for (auto s : bead.src) {
      const auto it = targets_of.find(s);
      if (it == targets_of.end()) continue;
      for (auto t : bead.tgt) reached = reached || it->second.count(t) > 0;
    }
    ++(reached ? counts.tp_lax : counts.fp_lax);
  }
  return counts;
}

std::vector<std::string> parse_group_ids(std::string_view text, const std::string& path) {
  check_utf8(text, path);
  std::vector<std::string> ids;
  for (auto line : split_lines(text)) ids.emplace_back(strip(line));
  return ids;
}

std::vector<ScoredBead> merge_in_groups(const std::vector<ScoredBead>& beads, const BeadGroups& groups,
                                  const std::string& beads_path) {
  return merge_interned(beads, intern(groups), groups, beads_path);
}

BeadScores score_beads(const std::vector<std::vector<ScoredBead>>& tests, const std::vector<std::vector<ScoredBead>>& golds,
                       const BeadGroups* groups, const std::vector<std::string>& test_paths) {
  if (tests.size() != golds.size())
    throw ArgumentError("give as many test files as gold files (got " + std::to_string(tests.size()) + " test and " +
                        std::to_string(golds.size()) + " gold); they are paired by position");
  const InternedGroups interned = groups ? intern(*groups) : InternedGroups{};
  BeadCounts pc, rc;
  for (std::size_t k = 0; k < tests.size(); ++k) {
    const std::string path = k < test_paths.size() ? test_paths[k] : "";
    const std::vector<ScoredBead> test = groups ? merge_interned(tests[k], interned, *groups, path) : tests[k];
    add(pc, count_beads(golds[k], test));
    add(rc, count_beads(both_sides(test), both_sides(golds[k])));
  }
  BeadScores scores;
  scores.precision_strict = ratio(pc.tp_strict, pc.fp_strict);
  scores.precision_lax = ratio(pc.tp_lax, pc.fp_lax);
  scores.recall_strict = ratio(rc.tp_strict, rc.fp_strict);
  scores.recall_lax = ratio(rc.tp_lax, rc.fp_lax);
  scores.f1_strict = f1(scores.precision_strict, scores.recall_strict);
  scores.f1_lax = f1(scores.precision_lax, scores.recall_lax);
  return scores;
}

BeadScores score_bead_files(const std::vector<std::string>& test_files, const std::vector<std::string>& gold_files,
                            const std::optional<std::pair<std::string, std::string>>& groups) {
  if (test_files.size() != gold_files.size())
    throw ArgumentError("give as many test files as gold files (got " + std::to_string(test_files.size()) +
                        " test and " + std::to_string(gold_files.size()) + " gold); they are paired by position");
  std::optional<BeadGroups> bead_groups;
  if (groups) {
    bead_groups.emplace();
    bead_groups->src_path = groups->first;
    bead_groups->tgt_path = groups->second;
    bead_groups->src = parse_group_ids(read_file_bytes(groups->first), groups->first);
    bead_groups->tgt = parse_group_ids(read_file_bytes(groups->second), groups->second);
  }
  std::vector<std::vector<ScoredBead>> tests, golds;
  for (std::size_t k = 0; k < test_files.size(); ++k) {
    tests.push_back(parse_beads(read_file_bytes(test_files[k]), test_files[k]));
    golds.push_back(parse_beads(read_file_bytes(gold_files[k]), gold_files[k]));
  }
  return score_beads(tests, golds, bead_groups ? &*bead_groups : nullptr, test_files);
}

UnitTable parse_unit_table(std::string_view text, const std::string& path) {
  check_utf8(text, path);
  UnitTable table;
  table.path = path;
  const auto lines = split_lines(text);
  if (lines.empty()) return table;
  for (auto name : split(lines[0], '\t')) table.header.emplace_back(name);
  for (std::size_t n = 1; n < lines.size(); ++n) {
    if (!has_non_space(lines[n])) continue;
    auto& row = table.rows.emplace_back();
    for (auto c : split(lines[n], '\t')) row.emplace_back(c);
  }
  return table;
}

std::vector<std::pair<std::string, UnitScore>> score_units(const UnitTable& test, const UnitTable& gold,
                                                           const std::vector<std::string>& pairs) {
  std::vector<std::string> asked = pairs;
  if (asked.empty()) {
    std::vector<std::string> langs;
    for (const auto& name : gold.header)
      if (is_language_column(name)) langs.push_back(name);
    if (langs.size() < 2)
      throw InputError(gold.path, where(gold.path) + ": the header " + header_text(gold) +
                                      " has fewer than two language columns, so there is no pair to score. Name the "
                                      "columns of the gold TSV by two-letter ISO 639-1 codes such as en and ar.");
    for (std::size_t a = 0; a < langs.size(); ++a)
      for (std::size_t b = a + 1; b < langs.size(); ++b) asked.push_back(langs[a] + "-" + langs[b]);
  }
  std::vector<std::pair<std::string, UnitScore>> result;
  for (const auto& pair : asked) {
    const auto dash = pair.find('-');
    if (dash == std::string::npos || dash == 0 || dash + 1 == pair.size() ||
        pair.find('-', dash + 1) != std::string::npos)
      throw ArgumentError("--pair " + pair + ": expected two language columns joined by '-', such as en-ar");
    // A repeated pair keeps its first place (as a Python dict key does).
    if (std::any_of(result.begin(), result.end(), [&](const auto& r) { return r.first == pair; })) continue;
    result.emplace_back(pair, score_pair(test, gold, std::string_view(pair).substr(0, dash),
                                         std::string_view(pair).substr(dash + 1)));
  }
  return result;
}

std::vector<std::pair<std::string, UnitScore>> score_unit_files(const std::string& test_tsv, const std::string& gold_tsv,
                                                                const std::vector<std::string>& pairs) {
  const UnitTable gold = parse_unit_table(read_file_bytes(gold_tsv), gold_tsv);
  const UnitTable test = parse_unit_table(read_file_bytes(test_tsv), test_tsv);
  return score_units(test, gold, pairs);
}

}  // namespace untm
