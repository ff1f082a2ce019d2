// How the cleaner works, in order:
//  1. Split the text into lines; mark page furniture (job numbers, barcodes,
//     page numbers, running-header symbols) and masthead/metadata lines.
//  2. Between every two remaining content lines, note the evidence of a
//     paragraph break: blank lines, a page break, a metadata line.
//  3. Learn the layout: are lines double-spaced (a blank line after every
//     line)? Do blank lines mark every paragraph ("explicit" layout), or must
//     breaks be inferred from labels, short lines and punctuation, as in the
//     seed? How wide is a full line?
//  4. Decide each break, join the lines of each paragraph (no space between
//     CJK characters, end-of-line hyphenation undone, compounds kept).
//  5. Parse labels, classify paragraphs, merge signature blocks, collect the
//     document properties, split sentences.
#include "aligner/document_cleaner.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "aligner/normalizer.h"
#include "aligner/page_furniture.h"
#include "aligner/paragraph_label.h"
#include "aligner/segmenter.h"
#include "aligner/utf8_util.h"

namespace untm {
namespace {

enum class LineRole { blank, content, furniture, meta };

struct Line {
  std::size_t begin = 0;  // trimmed content, byte offsets in the document text
  std::size_t end = 0;
  std::string_view content;
  bool trailing_space = false;  // white space after the content in the source
  LineRole role = LineRole::blank;
  std::size_t width = 0;
  std::optional<MastheadLine> masthead;
};

// What lies between two consecutive content lines.
struct Transition {
  std::size_t blank_lines = 0;
  bool page_break = false;  // furniture in between
  bool forced = false;      // a metadata line in between, or either side is one
};

bool is_white(char32_t c) { return c == ' ' || c == '\t' || c == 0xA0 || c == 0x3000 || c == 0x202F || c == 0xFEFF; }

std::pair<std::size_t, std::size_t> trimmed_range(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e) {
    std::size_t i = b;
    if (!is_white(utf8::next(s, i))) break;
    b = i;
  }
  while (e > b) {
    std::size_t i = e - 1;
    while (i > b && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
    std::size_t j = i;
    if (!is_white(utf8::next(s, j))) break;
    e = i;
  }
  return {b, e};
}

bool is_terminal(char32_t c) {
  switch (c) {
    case '.': case '!': case '?': case 0x3002: case 0xFF01: case 0xFF1F: case 0x061F: case 0x2026: case 0xFF0E:
      return true;
    default:
      return false;
  }
}

bool is_clause_end(char32_t c) {
  switch (c) {
    case ',': case ';': case ':': case 0xFF0C: case 0xFF1B: case 0xFF1A: case 0x3001: case 0x060C: case 0x061B:
      return true;
    default:
      return false;
  }
}

bool is_closing(char32_t c) {
  switch (c) {
    case ')': case ']': case '"': case '\'': case 0x201D: case 0x2019: case 0x00BB: case 0xFF09: case 0x300D:
    case 0x300F: case 0x300B:
      return true;
    default:
      return false;
  }
}

// The last code point that is not a closing bracket or quote: "…end.)" ends
// with '.', as far as sentence punctuation goes.
char32_t final_mark(std::string_view s) {
  while (!s.empty()) {
    char32_t c = utf8::last(s);
    if (!is_closing(c)) return c;
    std::size_t cut = s.size() - 1;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s = s.substr(0, cut);
  }
  return 0;
}

// Titles and abbreviations whose dot ends no sentence ("el Sr." + page
// break + "Abu Adass").
bool ends_with_abbreviation(std::string_view s) {
  static const std::unordered_set<std::string_view> abbreviations = {
      "Mr.", "Mrs.", "Ms.", "Dr.", "No.", "Nos.", "St.", "H.E.", "para.", "paras.", "art.", "arts.", "vol.",
      "p.", "pp.", "Sr.", "Sra.", "Sres.", "Srta.", "Dra.", "núm.", "párr.", "S.E.", "M.", "MM.", "Mme.", "par.",
      "г.", "гг.", "г-н", "см.", "п.", "ст.", "Corr.", "Rev.", "Add.", "e.g.", "i.e.", "cf."};
  auto space = s.find_last_of(" (");
  return abbreviations.contains(space == std::string_view::npos ? s : s.substr(space + 1));
}

bool ends_terminal(std::string_view s) { return is_terminal(final_mark(s)) && !ends_with_abbreviation(s); }

bool ends_with_any_punctuation(std::string_view s) {
  char32_t c = final_mark(s);
  return is_terminal(c) || is_clause_end(c);
}

bool is_upper_start(std::string_view s) {
  char32_t c = utf8::first(s);
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return true;  // Latin-1 capitals
  if (c >= 0x0410 && c <= 0x042F) return true;           // Cyrillic capitals
  return c == 0x0401;
}

bool is_lower_start(std::string_view s) {
  char32_t c = utf8::first(s);
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 0xDF && c <= 0xFF && c != 0xF7) return true;
  if (c >= 0x0430 && c <= 0x044F) return true;
  return c == 0x0451;
}

bool has_arabic(std::string_view s) {
  for (std::size_t i = 0; i < s.size();)
    if (utf8::is_arabic(utf8::next(s, i))) return true;
  return false;
}

bool has_cjk(std::string_view s) {
  for (std::size_t i = 0; i < s.size();)
    if (utf8::is_cjk(utf8::next(s, i))) return true;
  return false;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Words at the end of a line after which a number starting the next line
// continues the sentence ("in paragraph\n5. of …") rather than labelling a
// new paragraph.
bool ends_with_reference_word(std::string_view line) {
  static const std::array<std::string_view, 16> words = {
      "paragraph", "paragraphs", "para.", "paras.", "resolution", "resolutions", "no.", "nos.",
      "article",   "articles",   "section", "annex", "chapter", "and", "of", "to"};
  auto space = line.rfind(' ');
  std::string last = lower_ascii(space == std::string_view::npos ? line : line.substr(space + 1));
  if (std::find(words.begin(), words.end(), last) != words.end()) return true;
  return line.ends_with("第") || line.ends_with("الفقرة") || line.ends_with("القرار");
}

// "1 See …", "12 Official Records …": a footnote number, a space, a capital.
bool starts_like_footnote(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && i < 3 && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  return i > 0 && i + 1 < text.size() && text[i] == ' ' && is_upper_start(text.substr(i + 1));
}

// Signature markers as UN documents write them in the six languages.
const std::array<std::string_view, 12> kSignatureMarkers = {
    "(Signed)", "(Signé)", "(Firmado)", "(Подпись)", "(Подписано)", "(签名)", "（签名）", "(签字)", "（签字）",
    "(توقيع)", "(Sgd.)", "(Signed and sealed)"};

enum class MarkerPlace { none, start, end };

MarkerPlace signature_marker(std::string_view text) {
  for (auto marker : kSignatureMarkers) {
    if (text.starts_with(marker)) return MarkerPlace::start;
    if (text.ends_with(marker)) return MarkerPlace::end;
  }
  return MarkerPlace::none;
}

bool is_annex_marker(std::string_view text) {
  static const std::array<std::string_view, 12> exact = {"Annex", "ANNEX", "Annexe", "ANNEXE", "Anexo", "ANEXO",
                                                         "Приложение", "附件", "المرفق", "مرفق", "Enclosure",
                                                         "Pièce jointe"};
  for (auto e : exact)
    if (text == e) return true;
  static const std::array<std::string_view, 7> prefixes = {"Annex to ", "Annex I", "Annexe à ", "Anexo de ",
                                                           "Приложение к ", "مرفق ", "المرفق "};
  for (auto p : prefixes)
    if (text.starts_with(p)) return true;
  return text.ends_with("的附件") || text.ends_with("附件");
}

// Second halves that make a hyphenated compound ("follow-up", "long-term").
bool is_compound_second_part(std::string_view word) {
  static const std::unordered_set<std::string_view> parts = {
      "up", "based", "related", "term", "making", "building", "level", "free", "wide", "scale", "led", "owned",
      "specific", "sensitive", "finding", "keeping", "being", "like", "off", "out", "in", "on", "down", "over",
      "general", "elect", "president", "operation", "governmental", "conflict", "war", "run", "time"};
  return parts.contains(word);
}

bool is_compound_first_part(std::string_view word) {
  static const std::unordered_set<std::string_view> parts = {
      "follow", "post", "pre", "non", "self", "co", "ex", "anti", "cross", "long", "short", "well", "so",
      "mid", "all", "high", "low", "large", "small", "full", "part", "decision", "peace", "fact", "confidence",
      "capacity", "state", "law", "cease", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
      "ninety", "one", "two", "three", "four", "five", "half", "inter-agency", "multi", "semi", "under", "vice",
      "sub", "extra", "counter", "quasi", "intra", "re"};
  return parts.contains(word);
}

// The Latin-script word at the end of `s` (before a trailing hyphen) and at
// the start of `s`.
std::string_view last_word(std::string_view s) {
  std::size_t i = s.size();
  while (i > 0 && std::isalpha(static_cast<unsigned char>(s[i - 1]))) --i;
  return s.substr(i);
}

std::string_view first_word(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(0, i);
}

// No PDF page holds a line wider than this many columns.
constexpr std::size_t kMaxPageWidth = 200;

class Cleaner {
 public:
  Cleaner(std::string_view text, std::string_view lang, const CleanOptions& options)
      : text_(text), lang_(lang), options_(options) {}

  Document run() {
    split_lines();
    mark_furniture_and_meta();
    collect_content();
    learn_layout();
    build_blocks();
    classify();
    finish_properties();
    if (options_.split_sentences) split_all_sentences();
    Document doc;
    doc.lang = std::string(lang_);
    doc.properties = std::move(properties_);
    doc.paragraphs = std::move(paragraphs_);
    return doc;
  }

 private:
  // ---- 1. lines -----------------------------------------------------------
  void split_lines() {
    std::size_t pos = 0;
    while (pos <= text_.size()) {
      std::size_t nl = text_.find('\n', pos);
      if (nl == std::string_view::npos) nl = text_.size();
      std::string_view raw = text_.substr(pos, nl - pos);
      auto [b, e] = trimmed_range(raw);
      Line line;
      line.begin = pos + b;
      line.end = pos + e;
      line.content = raw.substr(b, e - b);
      line.trailing_space = e < raw.size();
      line.role = line.content.empty() ? LineRole::blank : LineRole::content;
      line.width = utf8::display_width(line.content);
      if (!(nl == text_.size() && raw.empty())) lines_.push_back(line);
      pos = nl + 1;
    }
  }

  void mark_furniture_and_meta() {
    label_cache_.resize(lines_.size());
    label_parsed_.assign(lines_.size(), false);
    // Symbol lines: the first one in the masthead is the document's symbol;
    // the others are running headers.
    bool in_masthead = true;
    bool symbol_taken = false;
    for (auto& line : lines_) {
      if (line.role != LineRole::content) continue;
      if (is_page_furniture_line(line.content)) {
        line.role = LineRole::furniture;
        continue;
      }
      if (is_symbol_line(line.content)) {
        if (in_masthead && !symbol_taken) {
          line.role = LineRole::meta;
          line.masthead = parse_masthead_line(line.content, false);
          symbol_taken = true;
        } else {
          // Outside the masthead a symbol alone on a line is a running header.
          line.role = LineRole::furniture;
        }
        continue;
      }
      if (auto m = parse_masthead_line(line.content, !in_masthead)) {
        line.role = LineRole::meta;
        line.masthead = m;
        continue;
      }
      in_masthead = false;
    }
  }

  // ---- 2. content lines and what lies between them -----------------------
  void collect_content() {
    Transition pending;
    bool first = true;
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      const Line& line = lines_[i];
      switch (line.role) {
        case LineRole::blank: ++pending.blank_lines; break;
        case LineRole::furniture: pending.page_break = true; break;
        case LineRole::meta:
        case LineRole::content:
          if (!first) {
            if (line.role == LineRole::meta || lines_[content_.back()].role == LineRole::meta) pending.forced = true;
            transitions_.push_back(pending);
          }
          content_.push_back(i);
          first = false;
          pending = {};
          break;
      }
    }
  }

  // ---- 3. layout ----------------------------------------------------------
  void learn_layout() {
    std::size_t gap0 = 0, gap1 = 0;
    for (const auto& t : transitions_) {
      if (t.page_break || t.forced) continue;
      if (t.blank_lines == 0) ++gap0;
      else if (t.blank_lines == 1) ++gap1;
    }

    // Full line width: the 90th percentile of content line widths.
    std::vector<std::size_t> widths;
    std::size_t trailing = 0, body_lines = 0;
    for (std::size_t idx : content_) {
      const Line& line = lines_[idx];
      if (line.role != LineRole::content) continue;
      widths.push_back(line.width);
      ++body_lines;
      if (line.trailing_space) ++trailing;
    }
    if (!widths.empty()) {
      std::sort(widths.begin(), widths.end());
      full_width_ = widths[std::min(widths.size() - 1, widths.size() * 9 / 10)];
    }
    // Double spacing: a blank line after (nearly) every line of a page-wide
    // layout. A few lines say nothing, and one-paragraph-per-line files
    // (lines far wider than a page) are single spaced with blank separators.
    // A blank line after a full line that stops mid-sentence (at most at a
    // comma) is a wrap,
    // which settles it for short texts too.
    std::size_t wraps_across_blank = 0;
    for (std::size_t k = 1; k < content_.size(); ++k) {
      const Transition& t = transitions_[k - 1];
      const Line& a = lines_[content_[k - 1]];
      if (!t.page_break && !t.forced && t.blank_lines == 1 && a.role == LineRole::content &&
          !ends_terminal(a.content) && !is_short(a, 0.8))
        ++wraps_across_blank;
    }
    double_spaced_ = full_width_ <= kMaxPageWidth && gap0 * 10 < gap1 && (gap1 >= 3 || wraps_across_blank > 0);
    hard_gap_ = double_spaced_ ? 2 : 1;

    // Word's paragraph mark survives PDF extraction as a trailing space on the
    // last line of each paragraph (as in the seed). Trust it only when some,
    // not most, lines have it.
    trailing_marks_paragraphs_ = body_lines > 0 && trailing * 50 > body_lines && trailing * 10 < body_lines * 7;

    // Explicit layout: blank lines separate every paragraph, so a line
    // starting with a label is (nearly) always preceded by a hard gap.
    std::size_t labelled = 0, labelled_after_gap = 0, hard = 0, soft = 0;
    for (std::size_t k = 1; k < content_.size(); ++k) {
      const Transition& t = transitions_[k - 1];
      if (t.forced) continue;
      bool is_hard = t.blank_lines >= hard_gap_;
      if (!t.page_break) (is_hard ? hard : soft) += 1;
      const Line& line = lines_[content_[k]];
      if (line.role != LineRole::content) continue;
      const auto& label = line_label(content_[k]);
      if (label && (label->style == LabelStyle::number || label->style == LabelStyle::letter)) {
        ++labelled;
        if (is_hard || t.page_break) ++labelled_after_gap;
      }
    }
    if (labelled >= 2)
      explicit_breaks_ = labelled_after_gap * 10 >= labelled * 8;
    else
      explicit_breaks_ = hard >= 2 && hard * 10 >= (hard + soft);
  }

  bool is_short(const Line& line, double ratio) const {
    return full_width_ > 0 && static_cast<double>(line.width) < ratio * static_cast<double>(full_width_);
  }

  // Labels of content lines, parsed once: layout learning and every break
  // decision ask for them.
  const std::optional<ParagraphLabel>& line_label(std::size_t index) const {
    if (!label_parsed_[index]) {
      label_cache_[index] = parse_paragraph_label(lines_[index].content, lang_);
      label_parsed_[index] = true;
    }
    return label_cache_[index];
  }

  std::optional<ParagraphLabel> starting_label(std::size_t b_index, const Line& a) const {
    const auto& label = line_label(b_index);
    if (!label) return std::nullopt;
    if (!ends_with_any_punctuation(a.content) && ends_with_reference_word(a.content)) return std::nullopt;
    return label;
  }

  // Is there a paragraph break between content lines a and b?
  bool is_break(std::size_t a_index, std::size_t b_index, const Transition& t) const {
    const Line& a = lines_[a_index];
    const Line& b = lines_[b_index];
    if (t.forced || a.role == LineRole::meta || b.role == LineRole::meta) return true;
    const bool label = starting_label(b_index, a).has_value();
    if (t.page_break) {
      // A page break falls between paragraphs or inside one: the text before
      // it tells which.
      // A label after a line that stops mid-sentence ("…identity, or" +
      // "(a) of resolution 1452") is a wrapped reference.
      const bool mid_sentence = !ends_with_any_punctuation(a.content) && !is_short(a, 0.8);
      if (label && !mid_sentence) return true;
      // A heading line ("VII. Capacity-building …", "C. Desarme …") ends at
      // the page foot.
      if (const auto& own = line_label(a_index);
          own && (own->style == LabelStyle::roman || own->style == LabelStyle::section_letter) &&
          !ends_with_any_punctuation(a.content))
        return true;
      return ends_terminal(a.content) || is_short(a, 0.6) ||
             (is_clause_end(final_mark(a.content)) && is_short(a, 0.8));
    }
    if (t.blank_lines >= hard_gap_) return true;
    // Lines far wider than any page: one paragraph per line (a corpus or
    // Word "save as text" layout), so every line ends its paragraph.
    if (full_width_ > kMaxPageWidth) return true;
    // Blank lines mark every paragraph here, so a label after a plain line
    // break is a wrapped reference ("article 7 (2)\n(g) of the Statute").
    if (explicit_breaks_) return false;
    if (label) return true;

    const char32_t last = final_mark(a.content);
    // "1 See S/2011/95." after a finished sentence: a footnote starts.
    if (is_terminal(last) && starts_like_footnote(b.content)) return true;
    if (trailing_marks_paragraphs_ && a.trailing_space && (is_terminal(last) || last == ':' || last == 0xFF1A))
      return true;
    if (!is_short(a, 0.8)) return false;
    // A short line ends a paragraph when the text says so.
    if (is_terminal(last)) return true;
    const char32_t b_start = utf8::first(b.content);
    // CJK and Arabic lines are justified: a short one ends its paragraph.
    if (has_cjk(a.content) || utf8::is_cjk(b_start) || has_arabic(a.content)) return true;
    if (is_lower_start(b.content)) return false;
    if (is_clause_end(last) && (is_upper_start(b.content) || b_start == '(')) return true;
    // A very short line without punctuation: a title or heading line.
    return is_short(a, 0.6) && !is_clause_end(last) && is_upper_start(b.content);
  }

  // ---- 4. blocks ------------------------------------------------------------
  struct Block {
    std::vector<std::size_t> lines;  // indices into lines_
    bool hard_before = true;         // the gap before it was a hard one
    bool page_break_after = false;
    std::string text;
  };

  void build_blocks() {
    for (std::size_t k = 0; k < content_.size(); ++k) {
      bool brk = true;
      bool hard = true;
      if (k > 0) {
        const Transition& t = transitions_[k - 1];
        brk = is_break(content_[k - 1], content_[k], t);
        hard = t.forced || t.blank_lines >= hard_gap_;
        if (brk && !blocks_.empty()) blocks_.back().page_break_after = t.page_break;
      }
      if (brk) {
        Block block;
        block.hard_before = hard;
        blocks_.push_back(std::move(block));
      }
      blocks_.back().lines.push_back(content_[k]);
    }
    if (!blocks_.empty()) blocks_.back().page_break_after = true;  // the end of the last page
    for (auto& block : blocks_) block.text = join_lines(block.lines);
  }

  // Latin-script words of the document, to tell "deter-" + "mination" from
  // "post-" + "conflict": a form seen elsewhere in the text wins.
  void collect_words() const {
    for (std::size_t idx : content_) {
      std::string_view s = lines_[idx].content;
      std::size_t i = 0;
      while (i < s.size()) {
        while (i < s.size() && !std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
        std::size_t j = i;
        while (j < s.size() && (std::isalpha(static_cast<unsigned char>(s[j])) ||
                                (s[j] == '-' && j + 1 < s.size() && std::isalpha(static_cast<unsigned char>(s[j + 1])))))
          ++j;
        if (j > i && j < s.size()) words_.insert(lower_ascii(s.substr(i, j - i)));  // not the line's last word
        i = j;
      }
    }
  }

  bool keep_hyphen(std::string_view before, std::string_view after) const {
    if (!words_collected_) {
      collect_words();  // only documents with hyphenated line ends pay for it
      words_collected_ = true;
    }
    std::string head = lower_ascii(last_word(before));
    std::string tail = lower_ascii(first_word(after));
    if (head.empty() || tail.empty()) return true;
    if (!is_lower_start(after)) return true;  // "Secretary-" + "General"
    if (words_.contains(head + "-" + tail)) return true;
    if (words_.contains(head + tail)) return false;
    return is_compound_first_part(head) || is_compound_second_part(tail);
  }

  // Appends `s` with each run of spaces and tabs as one space (none where
  // `out` ends with one or is empty): a word at a time.
  static void append_squashed(std::string& out, std::string_view s) {
    bool space = false;
    std::size_t i = 0;
    while (i < s.size()) {
      if (s[i] == ' ' || s[i] == '\t') {
        space = true;
        ++i;
        continue;
      }
      std::size_t end = i + 1;
      while (end < s.size() && s[end] != ' ' && s[end] != '\t') ++end;
      if (space && !out.empty() && out.back() != ' ') out += ' ';
      space = false;
      out.append(s, i, end - i);
      i = end;
    }
  }

  std::string join_lines(const std::vector<std::size_t>& line_indices) const {
    std::string out;
    std::size_t size = 0;
    for (std::size_t idx : line_indices) size += lines_[idx].content.size() + 1;
    out.reserve(size);
    for (std::size_t idx : line_indices) {
      std::string_view next = lines_[idx].content;
      if (!out.empty()) {
        const char32_t a = utf8::last(out);
        const char32_t b = utf8::first(next);
        const bool hyphen_break = out.size() >= 2 && out.back() == '-' &&
                                  std::isalnum(static_cast<unsigned char>(out[out.size() - 2])) &&
                                  std::isalnum(static_cast<unsigned char>(next[0]));
        if (hyphen_break) {
          if (!keep_hyphen(std::string_view(out).substr(0, out.size() - 1), next)) out.pop_back();
        } else if (!(utf8::is_cjk(a) || utf8::is_cjk(b))) {
          out += ' ';
        }
      }
      append_squashed(out, next);
    }
    return out;
  }

  // ---- 5. paragraphs ------------------------------------------------------
  bool is_signature_candidate(const Block& block) const {
    if (block.lines.size() > 3) return false;
    const Line& first = lines_[block.lines.front()];
    if (first.role != LineRole::content) return false;
    if (utf8::display_width(block.text) > 2 * full_width_ + 10) return false;
    if (parse_paragraph_label(block.text, lang_)) return false;
    if (is_annex_marker(block.text)) return false;
    // "Chargé d'affaires a.i." ends with a dot that ends no sentence.
    if (ends_terminal(block.text) && !block.text.ends_with("a.i.") && !block.text.ends_with("i.")) return false;
    return !ends_with_any_punctuation(block.text) || block.text.ends_with(".");
  }

  void classify() {
    // Signature blocks first: a marker line and its neighbours.
    std::vector<int> signature_group(blocks_.size(), -1);
    int groups = 0;
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
      if (lines_[blocks_[i].lines.front()].role != LineRole::content) continue;
      MarkerPlace place = signature_marker(blocks_[i].text);
      if (place == MarkerPlace::none || signature_group[i] >= 0) continue;
      int g = groups++;
      signature_group[i] = g;
      if (place == MarkerPlace::start) {
        for (std::size_t j = i + 1; j < blocks_.size(); ++j) {
          if (blocks_[j].hard_before || signature_group[j] >= 0) break;
          if (signature_marker(blocks_[j].text) != MarkerPlace::none || !is_signature_candidate(blocks_[j])) break;
          signature_group[j] = g;
        }
      } else {
        for (std::size_t j = i; j-- > 0;) {
          if (blocks_[j + 1].hard_before || signature_group[j] >= 0) break;
          if (signature_marker(blocks_[j].text) != MarkerPlace::none || !is_signature_candidate(blocks_[j])) break;
          signature_group[j] = g;
        }
      }
    }

    bool title_zone = true;
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
      Block& block = blocks_[i];
      const Line& first = lines_[block.lines.front()];
      Paragraph p;
      for (std::size_t idx : block.lines) p.source_lines.push_back({lines_[idx].begin, lines_[idx].end});

      if (first.role == LineRole::meta) {
        p.kind = ParagraphKind::meta;
        p.text = block.text;
        if (first.masthead) note_masthead(*first.masthead);
        paragraphs_.push_back(std::move(p));
        continue;
      }
      if (signature_group[i] >= 0) {
        // One paragraph per block; its lines are fields, joined by a space.
        if (!paragraphs_.empty() && i > 0 && signature_group[i - 1] == signature_group[i]) {
          Paragraph& prev = paragraphs_.back();
          prev.text += ' ';
          prev.text += block.text;
          prev.source_lines.insert(prev.source_lines.end(), p.source_lines.begin(), p.source_lines.end());
        } else {
          p.kind = ParagraphKind::signature;
          p.text = block.text;
          paragraphs_.push_back(std::move(p));
        }
        title_zone = true;  // what follows a signature is a new part (an annex)
        continue;
      }

      auto label = parse_paragraph_label(block.text, lang_);
      std::string body = block.text;
      if (label) {
        p.label = label->text;
        p.key = label->key;
        body = block.text.substr(std::min(label->body_begin, block.text.size()));
      }
      p.text = body;
      const bool unpunctuated = !ends_with_any_punctuation(body) && !body.empty();
      // Titles and headings span a few lines at most.
      const bool compact = utf8::display_width(block.text) <= std::min<std::size_t>(3 * full_width_ + 10, 300);

      if (label && (label->style == LabelStyle::number || label->style == LabelStyle::letter)) {
        p.kind = ParagraphKind::numbered;
        title_zone = false;
      } else if (label) {
        p.kind = ParagraphKind::heading;
      } else if (is_footnote(block)) {
        p.kind = ParagraphKind::footnote;
      } else if (unpunctuated && compact) {
        p.kind = title_zone ? ParagraphKind::title : ParagraphKind::heading;
        if (is_annex_marker(block.text)) title_zone = true;
        if (p.kind == ParagraphKind::title)
          if (auto date = find_date(block.text)) properties_.dates.push_back(*date);
      } else {
        p.kind = ParagraphKind::body;
        title_zone = false;
      }
      paragraphs_.push_back(std::move(p));
    }
  }

  // "1 See S/2011/95." at the foot of a page: a number and a space, then text.
  bool is_footnote(const Block& block) const {
    if (!block.page_break_after) return false;
    std::string_view t = block.text;
    if (t.starts_with("* ")) return t.size() > 3;
    return starts_like_footnote(t) && !parse_paragraph_label(t, lang_);
  }

  void note_masthead(const MastheadLine& m) {
    if (m.symbol && !properties_.symbol) properties_.symbol = m.symbol;
    if (m.date) properties_.dates.push_back(*m.date);
    if (m.original_lang) {
      // The annex is the substance of a transmittal letter: its original
      // ("[Original: Arabic]") names the document's original language.
      if (m.bracketed_original) {
        if (!original_bracketed_) properties_.original_lang = m.original_lang;
        original_bracketed_ = true;
      } else if (!original_bracketed_ && !original_found_) {
        properties_.original_lang = m.original_lang;
        original_found_ = true;
      }
    }
  }

  void finish_properties() {
    // A letter and its annex repeat the date: keep each once, in order.
    std::vector<std::string> dates;
    for (auto& d : properties_.dates)
      if (std::find(dates.begin(), dates.end(), d) == dates.end()) dates.push_back(d);
    properties_.dates = std::move(dates);
    if (properties_.symbol) return;
    // No masthead symbol: the most frequent running-header symbol names it.
    std::map<std::string, std::size_t> counts;
    for (const auto& line : lines_)
      if (line.role == LineRole::furniture && is_symbol_line(line.content)) ++counts[std::string(line.content)];
    std::size_t best = 0;
    for (const auto& [symbol, n] : counts)
      if (n > best) {
        best = n;
        properties_.symbol = symbol;
      }
  }

  void split_all_sentences() {
    for (auto& p : paragraphs_) {
      if (p.text.empty()) continue;
      if (p.kind == ParagraphKind::body || p.kind == ParagraphKind::numbered || p.kind == ParagraphKind::footnote) {
        for (const auto& span : split_sentences(p.text, lang_))
          p.sentences.push_back({p.text.substr(span.begin, span.end - span.begin), span.begin, span.end, {}});
      } else {
        // Titles, headings, signature blocks and metadata are one unit each.
        p.sentences.push_back({p.text, 0, p.text.size(), {}});
      }
      // Metadata is never aligned or stored: no key.
      if (options_.sentence_keys && p.kind != ParagraphKind::meta)
        for (Sentence& s : p.sentences) s.key = matching_key_text(s.text);
    }
  }

  std::string_view text_;
  std::string lang_;
  CleanOptions options_;
  std::vector<Line> lines_;
  mutable std::vector<std::optional<ParagraphLabel>> label_cache_;  // by line index
  mutable std::vector<bool> label_parsed_;
  std::vector<std::size_t> content_;       // indices of content and meta lines
  std::vector<Transition> transitions_;    // transitions_[k-1] lies before content_[k]
  std::vector<Block> blocks_;
  std::vector<Paragraph> paragraphs_;
  DocumentProperties properties_;
  mutable std::unordered_set<std::string> words_;
  mutable bool words_collected_ = false;
  bool double_spaced_ = false;
  std::size_t hard_gap_ = 1;
  std::size_t full_width_ = 0;
  bool trailing_marks_paragraphs_ = false;
  bool explicit_breaks_ = false;
  bool original_found_ = false;
  bool original_bracketed_ = false;
};

}  // namespace

Document clean_document(std::string_view text, std::string_view lang, const CleanOptions& options) {
  return Cleaner(text, lang, options).run();
}

}  // namespace untm
