#include "aligner/paragraph_label.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "aligner/bmp_table.h"

namespace untm {
namespace {

// Paragraph numbers stop well below this; "2011." at the start of a line is a
// year that wrapped, not paragraph 2011.
constexpr int kMaxParagraphNumber = 999;
// (i) … (xxxix): UN sub-sub-paragraphs never go further, and the limit keeps
// words such as "(mix)" from reading as roman numerals.
constexpr int kMaxLowerRoman = 39;
// Section numbers (I. … LXXXIX.); letters C, D, M are section letters.
constexpr int kMaxUpperRoman = 89;
// A label is a few characters; content inside "(…)" longer than this is text.
constexpr std::size_t kMaxItemLength = 6;

constexpr char32_t kTatweel = 0x0640;

// One code point of the line after compatibility folding (NFKC of that code
// point alone), so "１２．" reads as "12.", "（a）" as "(a)", "Ⅳ" as "IV" and
// "㈠" as "(一)". `begin`/`end` are the bytes of the original code point;
// a code point that folds to several shares them.
struct Unit {
  char32_t c = 0;
  char32_t original = 0;
  std::size_t begin = 0;
  std::size_t end = 0;
};

const icu::Normalizer2* nfkc_normalizer() {
  static const icu::Normalizer2* const normalizer = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(status);
    return U_SUCCESS(status) ? n : nullptr;
  }();
  return normalizer;
}

// The NFKC folding of one code point, as FoldedLine needs it: up to
// kMaxFolded code points, or `too_long` (a ligature such as U+FDFA, folded
// by ICU on each use).
constexpr std::size_t kMaxFolded = 4;
struct Folding {
  std::array<char32_t, kMaxFolded> c{};
  std::uint8_t size = 0;  // 0: the code point folds to itself
  bool too_long = false;
};

// NFKC of `cp` alone, as code points; empty when it does not change (or
// when ICU's normalizer is missing).
std::u32string fold_by_icu(char32_t cp) {
  std::u32string out;
  const icu::Normalizer2* nfkc = nfkc_normalizer();
  icu::UnicodeString decomposition;
  // Only code points with a decomposition can change under NFKC.
  if (cp < 0x80 || nfkc == nullptr || !nfkc->getDecomposition(static_cast<UChar32>(cp), decomposition)) return out;
  UErrorCode status = U_ZERO_ERROR;
  const icu::UnicodeString folded = nfkc->normalize(icu::UnicodeString(static_cast<UChar32>(cp)), status);
  if (U_FAILURE(status) || folded.length() == 0) return out;
  for (std::int32_t i = 0; i < folded.length();) {
    const UChar32 f = folded.char32At(i);
    out.push_back(static_cast<char32_t>(f));
    i += U16_LENGTH(f);
  }
  return out;
}

Folding folding_by_icu(char32_t cp) {
  Folding f;
  const std::u32string folded = fold_by_icu(cp);
  if (folded.size() > kMaxFolded) {
    f.too_long = true;
  } else {
    f.size = static_cast<std::uint8_t>(folded.size());
    std::copy(folded.begin(), folded.end(), f.c.begin());
  }
  return f;
}

// ICU's answers per BMP code point: every line start of every document is
// folded here, and the normalizer's calls were most of the label parser's
// time.
constinit const BmpTable<Folding> kFoldings(folding_by_icu);

// The folded line, decoded lazily: a label is found within the first few
// code points, and lines can be whole paragraphs.
class FoldedLine {
 public:
  explicit FoldedLine(std::string_view line) : line_(line) {}

  // Unit i, or nullptr past the end of the line. (Asked of the same few
  // units again and again: the decoded ones are answered inline.)
  [[gnu::always_inline]] const Unit* at(std::size_t i) {
    if (i < units_.size()) return &units_[i];
    return decode_through(i);
  }

  char32_t c(std::size_t i) {
    const Unit* u = at(i);
    return u != nullptr ? u->c : 0;
  }

  bool at_end(std::size_t i) { return at(i) == nullptr; }

  std::size_t line_size() const { return line_.size(); }
  std::string_view line() const { return line_; }

 private:
  const Unit* decode_through(std::size_t i) {
    // A label is found within a few units: room for them at once.
    if (units_.empty()) units_.reserve(kUnitsAtOnce);
    while (units_.size() <= i && decode_next()) {
    }
    return i < units_.size() ? &units_[i] : nullptr;
  }
  static constexpr std::size_t kUnitsAtOnce = 16;

  bool decode_next() {
    if (pos_ >= line_.size()) return false;
    const auto* s = reinterpret_cast<const std::uint8_t*>(line_.data());
    const auto length = static_cast<std::int32_t>(line_.size());
    auto offset = static_cast<std::int32_t>(pos_);
    UChar32 cp = 0;
    U8_NEXT(s, offset, length, cp);
    if (cp < 0) cp = 0xFFFD;  // invalid UTF-8: a character that is no label
    const std::size_t begin = pos_;
    pos_ = static_cast<std::size_t>(offset);
    const auto original = static_cast<char32_t>(cp);

    if (original >= 0x80) {
      if (original < BmpTable<Folding>::kEnd && !kFoldings[original].too_long) {
        const Folding& f = kFoldings[original];
        for (std::size_t k = 0; k < f.size; ++k) units_.push_back({f.c[k], original, begin, pos_});
        if (f.size > 0) return true;
      } else {
        const std::u32string folded = fold_by_icu(original);
        for (char32_t f : folded) units_.push_back({f, original, begin, pos_});
        if (!folded.empty()) return true;
      }
    }
    units_.push_back({original, original, begin, pos_});
    return true;
  }

  std::string_view line_;
  std::size_t pos_ = 0;
  std::vector<Unit> units_;
};

bool is_space(char32_t c) {
  return c != 0 && u_isUWhiteSpace(static_cast<UChar32>(c));
}

// Bidi marks, zero-width space and BOM: invisible, often left by PDF and Word.
bool is_ignorable(char32_t c) {
  return c != 0 && u_charType(static_cast<UChar32>(c)) == U_FORMAT_CHAR;
}

int digit_value(char32_t c) {
  if (c == 0 || u_charType(static_cast<UChar32>(c)) != U_DECIMAL_DIGIT_NUMBER)
    return -1;
  return u_charDigitValue(static_cast<UChar32>(c));
}

bool is_han(char32_t c) {
  if (c == 0) return false;
  UErrorCode status = U_ZERO_ERROR;
  return uscript_getScript(static_cast<UChar32>(c), &status) == USCRIPT_HAN &&
         U_SUCCESS(status);
}

bool is_dash(char32_t c) {
  // Hyphen-minus, hyphen, non-breaking hyphen, figure dash, en dash, minus.
  return c == U'-' || c == 0x2010 || c == 0x2011 || c == 0x2012 ||
         c == 0x2013 || c == 0x2212;
}

// Full-width and CJK punctuation carry their own spacing, so Chinese text may
// follow "1．" or "一、" directly.
bool is_wide_punctuation(char32_t original) {
  return (original >= 0x3000 && original <= 0x303F) ||
         (original >= 0xFF00 && original <= 0xFFEF);
}

bool is_arabic_letter_or_mark(char32_t c) {
  if (c < 0x0600 || c > 0x06FF) return false;
  const auto type = u_charType(static_cast<UChar32>(c));
  return u_isalpha(static_cast<UChar32>(c)) || type == U_NON_SPACING_MARK;
}

// Arabic as compared here: no tatweel or harakat, every alef with hamza or
// madda as plain alef, alef maksura as yeh; so "أولاً", "أولًا" and "اولا"
// are the same word and "هـ" is "ه".
std::u32string arabic_skeleton(const std::u32string& word) {
  std::u32string out;
  for (char32_t c : word) {
    if (c == kTatweel) continue;
    if (u_charType(static_cast<UChar32>(c)) == U_NON_SPACING_MARK) continue;
    if (c == 0x0622 || c == 0x0623 || c == 0x0625 || c == 0x0671) c = 0x0627;
    if (c == 0x0649) c = 0x064A;
    out.push_back(c);
  }
  return out;
}

// Arabic sub-paragraph letters in abjad order; (ظ) and (غ) follow (ض) = (z)
// as (aa) and (bb) follow (z) in English.
constexpr std::u32string_view kAbjadLetters = U"ابجدهوزحطيكلمنسعفصقرشتثخذضظغ";

// Russian sub-paragraphs and sections go by Cyrillic alphabet position
// (а) = (a), (б) = (b), (в) = (c) …; letters never used as labels (ё й ъ ы ь)
// are left out, and the list stops at the 26th letter.
constexpr std::u32string_view kCyrillicLower = U"абвгдежзиклмнопрстуфхцчшщэ";
constexpr std::u32string_view kCyrillicUpper = U"АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭ";

// Arabic names of the Latin section letters A … Z (skeleton spelling).
constexpr std::array<std::u32string_view, 26> kArabicLetterNames = {
    U"الف", U"باء", U"جيم", U"دال", U"هاء", U"واو", U"زاي", U"حاء", U"طاء",
    U"ياء", U"كاف", U"لام", U"ميم", U"نون", U"سين", U"عين", U"فاء", U"صاد",
    U"قاف", U"راء", U"شين", U"تاء", U"ثاء", U"خاء", U"ذال", U"ضاد"};

// Arabic ordinal adverbs for section numbers I … X, and XX (skeleton spelling).
constexpr std::array<std::pair<std::u32string_view, int>, 11> kArabicOrdinals =
    {{{U"اولا", 1},
      {U"ثانيا", 2},
      {U"ثالثا", 3},
      {U"رابعا", 4},
      {U"خامسا", 5},
      {U"سادسا", 6},
      {U"سابعا", 7},
      {U"ثامنا", 8},
      {U"تاسعا", 9},
      {U"عاشرا", 10},
      {U"عشرون", 20}}};

// First words of "حادي عشر" (XI) … "تاسع عشر" (XIX).
constexpr std::array<std::u32string_view, 9> kArabicTeenUnits = {
    U"حادي", U"ثاني", U"ثالث", U"رابع", U"خامس",
    U"سادس", U"سابع", U"ثامن", U"تاسع"};
constexpr std::u32string_view kArabicTen = U"عشر";

int han_digit(char32_t c) {
  constexpr std::u32string_view kHanDigits = U"一二三四五六七八九";
  const auto i = kHanDigits.find(c);
  return i == std::u32string_view::npos ? -1 : static_cast<int>(i) + 1;
}

bool is_han_numeral_char(char32_t c) { return han_digit(c) > 0 || c == U'十'; }

// 一 … 九十九 as written in Chinese section headings; 0 if not such a number.
int han_number_value(const std::u32string& s) {
  if (s.empty() || s.size() > 3) return 0;
  const auto ten = s.find(U'十');
  if (ten == std::u32string::npos) return s.size() == 1 ? han_digit(s[0]) : 0;
  if (s.find(U'十', ten + 1) != std::u32string::npos) return 0;
  int tens = 1;
  if (ten == 1)
    tens = han_digit(s[0]);
  else if (ten != 0)
    return 0;
  int units = 0;
  if (ten + 1 < s.size()) {
    if (ten + 2 != s.size()) return 0;
    units = han_digit(s[ten + 1]);
  }
  if (tens <= 0 || units < 0) return 0;
  return tens * 10 + units;
}

std::string lower_ascii(std::string s) {
  for (char& ch : s)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return s;
}

std::string letter_key(int index) {
  // 0 → "a", 25 → "z", 26 → "aa", 27 → "bb"
  const char letter = static_cast<char>('a' + index % 26);
  return std::string(static_cast<std::size_t>(index / 26 + 1), letter);
}

// What a label found so far looks like, before the text after it is checked.
struct Candidate {
  std::string key;
  LabelStyle style = LabelStyle::number;
  std::size_t end = 0;  // unit index just after the label
};

class LabelParser {
 public:
  explicit LabelParser(std::string_view line) : text_(line) {}

  std::optional<ParagraphLabel> parse() {
    std::size_t start = 0;
    while (is_space(text_.c(start)) || is_ignorable(text_.c(start))) ++start;
    if (text_.at_end(start)) return std::nullopt;
    start_ = start;

    const char32_t c = text_.c(start);
    if (c == U'(') return finish(parse_parenthesized(start));
    if (c == 0x2018 || c == 0x2019) return finish(parse_quoted_number(start));
    if (digit_value(c) >= 0) return parse_number(start);
    if (is_han_numeral_char(c)) return finish(parse_han_section(start));
    if (auto item = parse_closing_paren_item(start)) return finish(item);
    if (auto section = parse_section_letter_or_roman(start))
      return finish(section);
    if (is_arabic_letter_or_mark(c)) return parse_arabic_heading(start);
    return std::nullopt;
  }

 private:
  // "(a)", "(ii)", "(1)", "(أ)", "(б)", "(一)"; "(2011)" and "(see" are not.
  std::optional<Candidate> parse_parenthesized(std::size_t i) {
    std::size_t close = i + 1;
    while (!text_.at_end(close) && text_.c(close) != U')') {
      if (close - i > kMaxItemLength) return std::nullopt;
      ++close;
    }
    if (text_.at_end(close)) return std::nullopt;
    auto item = classify_item(i + 1, close);
    if (!item) return std::nullopt;
    item->key = "(" + item->key + ")";
    item->end = close + 1;
    return item;
  }

  // "a)", "ii)", "б)", "أ)" (Spanish and Russian style); key as "(a)".
  std::optional<Candidate> parse_closing_paren_item(std::size_t i) {
    std::size_t close = i;
    while (!text_.at_end(close) && text_.c(close) != U')') {
      const char32_t c = text_.c(close);
      if (is_space(c) || close - i >= kMaxItemLength) return std::nullopt;
      ++close;
    }
    if (text_.at_end(close)) return std::nullopt;
    auto item = classify_item(i, close);
    if (!item || item->style != LabelStyle::letter) return std::nullopt;
    item->key = "(" + item->key + ")";
    item->end = close + 1;
    return item;
  }

  // Arabic documents write (i), (ii) as ‘1’, ‘2’ (either quote on either
  // side); key "(i)" so they match the English.
  std::optional<Candidate> parse_quoted_number(std::size_t i) {
    std::size_t j = i + 1;
    int value = 0;
    while (digit_value(text_.c(j)) >= 0 && j - i <= 2) {
      value = value * 10 + digit_value(text_.c(j));
      ++j;
    }
    if (j == i + 1 || value < 1 || value > kMaxLowerRoman) return std::nullopt;
    if (text_.c(j) != 0x2018 && text_.c(j) != 0x2019) return std::nullopt;
    // Built step by step: GCC 12 at -O3 warns (-Wrestrict, a false positive)
    // on "(" + std::string + ")".
    std::string key = "(";
    key += lower_ascii(roman_numeral(value));
    key += ')';
    return Candidate{std::move(key), LabelStyle::letter, j + 1};
  }

  // The inside of "(…)" or before ")"; key without the parentheses.
  std::optional<Candidate> classify_item(std::size_t begin, std::size_t end) {
    if (begin >= end || end - begin > kMaxItemLength) return std::nullopt;
    std::u32string s;
    for (std::size_t i = begin; i < end; ++i) s.push_back(text_.c(i));

    bool all_digits = true, all_lower_latin = true, all_arabic = true,
         all_han_numerals = true;
    for (char32_t c : s) {
      all_digits = all_digits && digit_value(c) >= 0;
      all_lower_latin = all_lower_latin && c >= U'a' && c <= U'z';
      all_arabic = all_arabic && is_arabic_letter_or_mark(c);
      all_han_numerals = all_han_numerals && is_han_numeral_char(c);
    }

    if (all_digits) {
      if (s.size() > 3) return std::nullopt;
      int value = 0;
      for (char32_t c : s) value = value * 10 + digit_value(c);
      if (value < 1 || value > kMaxParagraphNumber) return std::nullopt;
      return Candidate{std::to_string(value), LabelStyle::number, 0};
    }
    if (all_lower_latin) {
      std::string ascii;
      for (char32_t c : s) ascii.push_back(static_cast<char>(c));
      // (a), (aa), (bb): one letter, repeated after (z).
      if (ascii.size() <= 3 &&
          ascii.find_first_not_of(ascii[0]) == std::string::npos)
        return Candidate{ascii, LabelStyle::letter, 0};
      const int roman = roman_numeral_value(ascii);
      if (roman >= 1 && roman <= kMaxLowerRoman)
        return Candidate{ascii, LabelStyle::letter, 0};
      return std::nullopt;
    }
    if (s.size() == 1) {
      const auto cyrillic = kCyrillicLower.find(s[0]);
      if (cyrillic != std::u32string_view::npos)
        return Candidate{letter_key(static_cast<int>(cyrillic)),
                         LabelStyle::letter, 0};
    }
    if (all_arabic) {
      const std::u32string skeleton = arabic_skeleton(s);
      if (skeleton.size() != 1) return std::nullopt;
      const auto abjad = kAbjadLetters.find(skeleton[0]);
      if (abjad == std::u32string_view::npos) return std::nullopt;
      return Candidate{letter_key(static_cast<int>(abjad)), LabelStyle::letter,
                       0};
    }
    // Chinese documents write (i), (ii) as ㈠, ㈡, i.e. (一), (二).
    if (all_han_numerals) {
      const int value = han_number_value(s);
      if (value < 1 || value > kMaxLowerRoman) return std::nullopt;
      return Candidate{lower_ascii(roman_numeral(value)), LabelStyle::letter,
                       0};
    }
    return std::nullopt;
  }

  // "1." "1．" "12)" "1 - " "١٢ - " "1.2 Title" "12.3."; not "2011 年",
  // "13 April", "3.6 million" or "1973(2011)".
  std::optional<ParagraphLabel> parse_number(std::size_t i) {
    std::vector<int> levels;
    std::size_t j = i;
    if (!read_number(j, levels)) return std::nullopt;
    if (levels.back() < 1) return std::nullopt;

    const char32_t c = text_.c(j);
    if (c == U')')
      return finish(
          Candidate{std::to_string(levels.back()), LabelStyle::number, j + 1});
    if (c == U'.') {
      if (digit_value(text_.c(j + 1)) < 0)
        return finish(Candidate{std::to_string(levels.back()),
                                LabelStyle::number, j + 1});
      return parse_multi_level(j, levels);
    }
    // Arabic UN style "١ - ", also "1- " and "1 – ".
    std::size_t k = j;
    while (is_space(text_.c(k)) || is_ignorable(text_.c(k))) ++k;
    if (!is_dash(text_.c(k))) return std::nullopt;
    const std::size_t end = k + 1;
    std::size_t body = end;
    while (is_space(text_.c(body)) || is_ignorable(text_.c(body))) ++body;
    if (body == end && !text_.at_end(body)) return std::nullopt;  // "1-2"
    if (digit_value(text_.c(body)) >= 0) return std::nullopt;  // "10 - 12 May"
    return make_label(
        Candidate{std::to_string(levels.back()), LabelStyle::number, end},
        body);
  }

  // Digits at j (any decimal digit style), value ≤ kMaxParagraphNumber.
  bool read_number(std::size_t& j, std::vector<int>& levels) {
    int value = 0;
    const std::size_t begin = j;
    while (digit_value(text_.c(j)) >= 0) {
      value = value * 10 + digit_value(text_.c(j));
      if (value > kMaxParagraphNumber) return false;
      ++j;
    }
    if (j == begin) return false;
    levels.push_back(value);
    return true;
  }

  // "1.2" (then white space and an upper-case word) or "1.2." / "1.2.3.".
  std::optional<ParagraphLabel> parse_multi_level(std::size_t j,
                                                  std::vector<int> levels) {
    while (text_.c(j) == U'.' && digit_value(text_.c(j + 1)) >= 0) {
      ++j;
      if (!read_number(j, levels)) return std::nullopt;
    }
    std::string key;
    for (int level : levels) {
      if (!key.empty()) key += '.';
      key += std::to_string(level);
    }
    if (text_.c(j) == U'.')
      return finish(Candidate{key, LabelStyle::number, j + 1});
    // Without the closing dot, "3.6 million" and "1.5 per cent" are numbers
    // in a sentence; a heading "1.2 Scope" starts with a capital.
    std::size_t body = j;
    while (is_space(text_.c(body)) || is_ignorable(text_.c(body))) ++body;
    if (body == j || text_.at_end(body) ||
        !u_isUUppercase(static_cast<UChar32>(text_.c(body))))
      return std::nullopt;
    return make_label(Candidate{key, LabelStyle::number, j}, body);
  }

  // "一、" "十二、" "二十．" → roman key.
  std::optional<Candidate> parse_han_section(std::size_t i) {
    std::u32string s;
    std::size_t j = i;
    while (is_han_numeral_char(text_.c(j)) && s.size() <= 3)
      s.push_back(text_.c(j++));
    const int value = han_number_value(s);
    if (value < 1) return std::nullopt;
    const char32_t c = text_.c(j);
    if (c != U'、' && c != U'.') return std::nullopt;
    return Candidate{roman_numeral(value), LabelStyle::roman, j + 1};
  }

  // "A." "Ａ．" "IV." "Ⅳ." "Б."; "A new", "In 2011.", "U.S." are not.
  std::optional<Candidate> parse_section_letter_or_roman(std::size_t i) {
    const char32_t first = text_.c(i);
    const auto cyrillic = kCyrillicUpper.find(first);
    if (cyrillic != std::u32string_view::npos) {
      if (text_.c(i + 1) != U'.') return std::nullopt;
      return Candidate{
          std::string(1, static_cast<char>('A' + static_cast<int>(cyrillic))),
          LabelStyle::section_letter, i + 2};
    }
    std::string run;
    std::size_t j = i;
    while (text_.c(j) >= U'A' && text_.c(j) <= U'Z' && run.size() < 8)
      run.push_back(static_cast<char>(text_.c(j++)));
    if (run.empty() || text_.c(j) != U'.') return std::nullopt;
    if (run.size() == 1) {
      // I, V, X head roman-numbered sections; C, D, L, M are section letters.
      const bool roman = run == "I" || run == "V" || run == "X";
      return Candidate{
          run, roman ? LabelStyle::roman : LabelStyle::section_letter, j + 1};
    }
    if (run.find_first_not_of("IVXL") != std::string::npos) return std::nullopt;
    const int value = roman_numeral_value(run);
    if (value < 1 || value > kMaxUpperRoman) return std::nullopt;
    return Candidate{run, LabelStyle::roman, j + 1};
  }

  // "حاء - " (section H), "أولا - " (I), "حادي عشر - " (XI).
  std::optional<ParagraphLabel> parse_arabic_heading(std::size_t i) {
    std::size_t j = i;
    const std::u32string word = arabic_skeleton(read_arabic_word(j));
    std::optional<Candidate> candidate;
    for (std::size_t n = 0; n < kArabicLetterNames.size(); ++n)
      if (word == kArabicLetterNames[n])
        candidate = Candidate{std::string(1, static_cast<char>('A' + n)),
                              LabelStyle::section_letter, j};
    for (const auto& [name, value] : kArabicOrdinals)
      if (word == name)
        candidate = Candidate{roman_numeral(value), LabelStyle::roman, j};
    for (std::size_t n = 0; !candidate && n < kArabicTeenUnits.size(); ++n) {
      if (word != kArabicTeenUnits[n]) continue;
      std::size_t k = j;
      while (is_space(text_.c(k)) || is_ignorable(text_.c(k))) ++k;
      if (k == j) break;
      if (arabic_skeleton(read_arabic_word(k)) != kArabicTen) break;
      candidate = Candidate{roman_numeral(11 + static_cast<int>(n)),
                            LabelStyle::roman, k};
    }
    if (!candidate) return std::nullopt;

    // The name needs its " - ", " – " or ". ", else it is an ordinary word.
    std::size_t k = candidate->end;
    while (is_space(text_.c(k)) || is_ignorable(text_.c(k))) ++k;
    if (!is_dash(text_.c(k)) && text_.c(k) != U'.') return std::nullopt;
    candidate->end = k + 1;
    std::size_t body = k + 1;
    while (is_space(text_.c(body)) || is_ignorable(text_.c(body))) ++body;
    if (body == k + 1 && !text_.at_end(body)) return std::nullopt;
    return make_label(std::move(*candidate), body);
  }

  std::u32string read_arabic_word(std::size_t& j) {
    std::u32string word;
    while (is_arabic_letter_or_mark(text_.c(j)) && word.size() < 16)
      word.push_back(text_.c(j++));
    return word;
  }

  // Checks what follows the label: white space, the end of the line, or
  // (after full-width punctuation, or before Chinese) the text itself.
  std::optional<ParagraphLabel> finish(std::optional<Candidate> candidate) {
    if (!candidate) return std::nullopt;
    const std::size_t end = candidate->end;
    std::size_t body = end;
    while (is_ignorable(text_.c(body))) ++body;
    if (text_.at_end(body)) return make_label(std::move(*candidate), body);
    if (is_space(text_.c(body))) {
      while (is_space(text_.c(body)) || is_ignorable(text_.c(body))) ++body;
      return make_label(std::move(*candidate), body);
    }
    const Unit* last = text_.at(end - 1);
    if (is_wide_punctuation(last->original) || is_han(text_.c(body)))
      return make_label(std::move(*candidate), body);
    return std::nullopt;
  }

  std::optional<ParagraphLabel> make_label(Candidate candidate,
                                           std::size_t body) {
    const Unit* first = text_.at(start_);
    const Unit* last = text_.at(candidate.end - 1);
    const Unit* body_unit = text_.at(body);
    // The label ended inside a character that folded to several (never for
    // real labels); refuse rather than cut the character.
    if (body_unit != nullptr && body_unit->begin < last->end)
      return std::nullopt;
    ParagraphLabel label;
    label.text = std::string(
        text_.line().substr(first->begin, last->end - first->begin));
    label.key = std::move(candidate.key);
    label.style = candidate.style;
    label.body_begin =
        body_unit != nullptr ? body_unit->begin : text_.line_size();
    return label;
  }

  FoldedLine text_;
  std::size_t start_ = 0;
};

}  // namespace

namespace {

// Most lines are text. A line starting with a run of ASCII letters can only
// be a label ("a)", "A.", "IV.", "xiv)", "aa)") when the run is short and
// followed by "." or ")": decide that without the full parser.
bool cannot_start_with_label(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  std::size_t j = i;
  while (j < line.size() && ((line[j] >= 'a' && line[j] <= 'z') || (line[j] >= 'A' && line[j] <= 'Z'))) ++j;
  if (j == i) return false;  // not ASCII letters: let the parser look
  return j - i > 8 || j == line.size() || (line[j] != '.' && line[j] != ')');
}

}  // namespace

std::optional<ParagraphLabel> parse_paragraph_label(std::string_view line,
                                                    std::string_view lang) {
  // The label's own script decides how it is read (Cyrillic "в)" is (c) in
  // any document), so lang is not needed to tell labels apart.
  (void)lang;
  if (cannot_start_with_label(line)) return std::nullopt;
  return LabelParser(line).parse();
}

std::string roman_numeral(int value) {
  if (value < 1 || value > 3999) return {};
  static constexpr std::array<std::pair<int, const char*>, 13> kParts = {
      {{1000, "M"},
       {900, "CM"},
       {500, "D"},
       {400, "CD"},
       {100, "C"},
       {90, "XC"},
       {50, "L"},
       {40, "XL"},
       {10, "X"},
       {9, "IX"},
       {5, "V"},
       {4, "IV"},
       {1, "I"}}};
  std::string out;
  for (const auto& [part_value, part] : kParts) {
    while (value >= part_value) {
      out += part;
      value -= part_value;
    }
  }
  return out;
}

int roman_numeral_value(std::string_view text) {
  if (text.empty() || text.size() > 16) return 0;
  const bool upper = text[0] >= 'A' && text[0] <= 'Z';
  std::string canonical;
  int total = 0;
  int previous = 0;
  for (auto it = text.rbegin(); it != text.rend(); ++it) {
    const char c = *it;
    if ((c >= 'A' && c <= 'Z') != upper) return 0;  // mixed case
    const char u = upper ? c : static_cast<char>(c - 'a' + 'A');
    int v = 0;
    switch (u) {
      case 'I':
        v = 1;
        break;
      case 'V':
        v = 5;
        break;
      case 'X':
        v = 10;
        break;
      case 'L':
        v = 50;
        break;
      case 'C':
        v = 100;
        break;
      case 'D':
        v = 500;
        break;
      case 'M':
        v = 1000;
        break;
      default:
        return 0;
    }
    total += v < previous ? -v : v;
    previous = v < previous ? previous : v;
    canonical.insert(canonical.begin(), u);
  }
  // Only the canonical spelling counts: "IIII" and "IC" are not numerals.
  return roman_numeral(total) == canonical ? total : 0;
}

}  // namespace untm
