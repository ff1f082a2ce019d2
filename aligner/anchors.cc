// Anchors and word tokens of a matching key (see anchors.h).
//
// The key is already NFKC, case folded, with every digit style as ASCII and
// CJK/Arabic punctuation as ASCII (normalizer.h), so "２０１１年" arrives as
// "2011年" and "٣٫٦" as "3.6". What is left to do is what depends on the
// language and on the words around a number:
//
//   numbers   "4,400" (en, zh, ar) = "4 400" = "4.400" = "4'400" (fr, es, ru,
//             de, ...) -> "#4400"; "3.6" (en) = "3,6" (fr) -> "#3.6"; a scale
//             word multiplies: "3.6 million" = "360 万" = "3,6 millones" =
//             "3.6 مليون" -> "#3600000"; ordinal suffixes are dropped ("1st",
//             "1er", "2e", "3-й" -> "#1", "#2", "#3").
//   dates     "13 April 2011", "13 avril 2011", "13 de abril de 2011",
//             "13 апреля 2011", "13 نيسان/أبريل 2011", "13. April 2011",
//             "April 13, 2011", "2011年4月13日" -> "#2011-04-13"; without a day
//             "#2011-04", without a year "#04-13". The numbers of a date are
//             not anchors of their own.
//   symbols   UN document symbols "S/2011/463", "A/C.3/55/L.2" (letters, a
//             slash, a digit somewhere) -> upper case, their numbers not
//             anchors of their own.
//   Latin     in text of another script (zh, ar, ru, ...), Latin words of two
//             or more letters -> "=word"; letter-digit tokens ("H1N1", "G77")
//             -> "=h1n1" in every language.
//   marks     "?", "!", a quote, an opening bracket: once per sentence.
#include "aligner/anchors.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aligner/utf8_util.h"

namespace untm {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Concatenation by appending: GCC 12 at -O3 warns (-Wrestrict, wrongly) on
// "literal" + std::string.
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p);
  return out;
}

bool is_latin_letter(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) ||
         (c >= 0x1E00 && c <= 0x1EFF);
}

bool is_letter_or_mark(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  const auto uc = static_cast<UChar32>(c);
  return u_isalpha(uc) || (U_GET_GC_MASK(uc) & U_GC_M_MASK) != 0;
}

// Ideographs and kana: one token per character.
bool is_cjk_letter(char32_t c) {
  if (c < 0x2E80) return false;
  if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF)) return true;  // the common ideographs
  return utf8::is_cjk(c) && !(c >= 0x3000 && c <= 0x303F) && !(c >= 0xFE30 && c <= 0xFE4F) &&
         !(c >= 0xFF00 && c <= 0xFFEF) && u_isalpha(static_cast<UChar32>(c));
}

enum class TokKind { number, word, cjk, punct };

struct Token {
  TokKind kind = TokKind::punct;
  std::string_view text;   // word: the letters; cjk, punct: the character (a view into the key)
  std::uint32_t canonical = 0;  // number, symbol: index into the tokenizer's `canonical` strings
  bool plain_int = false;  // number: digits only, no separators, fraction or scale
  int value = -1;          // plain_int: the value if below 10000
  int digit_count = 0;     // plain_int: number of digits
  bool latin = false;      // word: every letter is Latin
  bool alnum = false;      // word: letters and digits together ("h1n1")
  bool symbol = false;     // word: a document symbol, already upper case
};

// Scale words after a number: "3.6 million", "360 万", "3 mil millones".
int scale_exponent(std::string_view w, std::string_view lang) {
  static constexpr std::pair<std::string_view, int> kScales[] = {
      {"thousand", 3},    {"thousands", 3},  {"million", 6},     {"millions", 6},    {"billion", 9},
      {"billions", 9},    {"trillion", 12},  {"trillions", 12},  {"milliard", 9},    {"milliards", 9},
      {"millón", 6},      {"millones", 6},   {"millardo", 9},    {"millardos", 9},   {"billón", 12},
      {"billones", 12},   {"milhão", 6},     {"milhões", 6},     {"bilhão", 9},      {"bilhões", 9},
      {"mio", 6},         {"millionen", 6},  {"milliarde", 9},   {"milliarden", 9},  {"mrd", 9},
      {"tausend", 3},     {"млн", 6},        {"миллион", 6},     {"миллиона", 6},    {"миллионов", 6},
      {"млрд", 9},        {"миллиард", 9},   {"миллиарда", 9},   {"миллиардов", 9},  {"тыс", 3},
      {"тысяча", 3},      {"тысячи", 3},     {"тысяч", 3},       {"مليون", 6},       {"ملايين", 6},
      {"مليار", 9},       {"مليارات", 9},    {"بليون", 9},       {"بلايين", 9},      {"ألف", 3},
      {"آلاف", 3},        {"万", 4},         {"亿", 8},          {"千", 3},          {"百万", 6},
      {"千万", 7},        {"万亿", 12},      {"億", 8},          {"萬", 4}};
  for (const auto& [word, exp] : kScales)
    if (w == word) return exp;
  if (w == "mil" && (lang == "es" || lang == "pt")) return 3;
  return 0;
}

// Month names of the languages untm knows best (and a few more), case folded
// as in the key. Arabic texts of the UN write both names: "نيسان/أبريل".
int month_number(std::string_view w) {
  static constexpr std::pair<std::string_view, int> kMonths[] = {
      {"january", 1},    {"february", 2},  {"march", 3},      {"april", 4},      {"may", 5},
      {"june", 6},       {"july", 7},      {"august", 8},     {"september", 9},  {"october", 10},
      {"november", 11},  {"december", 12}, {"janvier", 1},    {"février", 2},    {"mars", 3},
      {"avril", 4},      {"mai", 5},       {"juin", 6},       {"juillet", 7},    {"août", 8},
      {"septembre", 9},  {"octobre", 10},  {"novembre", 11},  {"décembre", 12},  {"enero", 1},
      {"febrero", 2},    {"marzo", 3},     {"abril", 4},      {"mayo", 5},       {"junio", 6},
      {"julio", 7},      {"agosto", 8},    {"septiembre", 9}, {"setiembre", 9},  {"octubre", 10},
      {"noviembre", 11}, {"diciembre", 12}, {"januar", 1},    {"jänner", 1},     {"februar", 2},
      {"märz", 3},       {"juni", 6},      {"juli", 7},       {"oktober", 10},   {"dezember", 12},
      {"января", 1},     {"февраля", 2},   {"марта", 3},      {"апреля", 4},     {"мая", 5},
      {"июня", 6},       {"июля", 7},      {"августа", 8},    {"сентября", 9},   {"октября", 10},
      {"ноября", 11},    {"декабря", 12},  {"январь", 1},     {"февраль", 2},    {"март", 3},
      {"апрель", 4},     {"май", 5},       {"июнь", 6},       {"июль", 7},       {"август", 8},
      {"сентябрь", 9},   {"октябрь", 10},  {"ноябрь", 11},    {"декабрь", 12},   {"يناير", 1},
      {"فبراير", 2},     {"مارس", 3},      {"أبريل", 4},      {"ابريل", 4},      {"إبريل", 4},
      {"مايو", 5},       {"يونيه", 6},     {"يونيو", 6},      {"يوليه", 7},      {"يوليو", 7},
      {"أغسطس", 8},      {"اغسطس", 8},     {"سبتمبر", 9},     {"أكتوبر", 10},    {"اكتوبر", 10},
      {"نوفمبر", 11},    {"ديسمبر", 12},   {"شباط", 2},       {"آذار", 3},       {"نيسان", 4},
      {"أيار", 5},       {"حزيران", 6},    {"تموز", 7},       {"آب", 8},         {"أيلول", 9},
      {"gennaio", 1},    {"febbraio", 2},  {"aprile", 4},     {"maggio", 5},     {"giugno", 6},
      {"luglio", 7},     {"settembre", 9}, {"ottobre", 10},   {"dicembre", 12},  {"janeiro", 1},
      {"fevereiro", 2},  {"março", 3},     {"maio", 5},       {"junho", 6},      {"julho", 7},
      {"setembro", 9},   {"outubro", 10},  {"novembro", 11},  {"dezembro", 12}};
  // Most words are no month: a bit per (length, first byte, last byte)
  // rules them out before the names are compared (month_at asks for
  // every word before a number).
  constexpr auto signature = [](std::string_view name) {
    return (name.size() * 131 + static_cast<unsigned char>(name.front()) * 31 +
            static_cast<unsigned char>(name.back())) & 1023;
  };
  static const std::bitset<1024> kMaybe = [&] {
    std::bitset<1024> bits;
    for (const auto& [name, month] : kMonths) bits.set(signature(name));
    return bits;
  }();
  if (w.empty() || !kMaybe.test(signature(w))) return 0;
  for (const auto& [name, month] : kMonths)
    if (w == name) return month;
  return 0;
}

// Ordinal endings written right after the digits: 1st, 1er, 2e, 2ème, 1º
// (NFKC: "1o"), 3-й is handled by the hyphen being punctuation.
bool is_ordinal_suffix(std::string_view w) {
  static constexpr std::string_view kSuffixes[] = {"st", "nd", "rd", "th", "er", "re", "e", "ème", "eme",
                                                   "o",  "a",  "os", "as", "º", "ª",  "te", "ten", "й"};
  return std::find(std::begin(kSuffixes), std::end(kSuffixes), w) != std::end(kSuffixes);
}

// Canonical decimal: no leading zeros, no trailing fraction zeros, the
// decimal point moved right by `exponent`.
std::string canonical_number(std::string_view int_digits, std::string_view frac_digits, int exponent) {
  std::string digits;  // all digits, the point after `point` of them
  digits.append(int_digits);
  digits.append(frac_digits);
  std::size_t point = int_digits.size() + static_cast<std::size_t>(std::max(exponent, 0));
  if (digits.size() < point) digits.append(point - digits.size(), '0');
  std::size_t first = 0;
  while (first + 1 < point && digits[first] == '0') ++first;
  std::size_t end = digits.size();
  while (end > point && digits[end - 1] == '0') --end;
  std::string out;
  if (point == 0) out.push_back('0');
  out.append(digits, first, point - first);
  if (end > point) {
    out.push_back('.');
    out.append(digits, point, end - point);
  }
  return out;
}

std::string two_digits(int v) {
  std::string s = std::to_string(v);
  return s.size() < 2 ? cat({"0", s}) : s;
}

class KeyTokenizer {
 public:
  KeyTokenizer(std::string_view key, std::string_view lang)
      : key_(key), lang_(lang), decimal_comma_(uses_decimal_comma(lang)) {}

  // Strings of numbers and symbols, by Token::canonical.
  std::vector<std::string> canonical;

  std::vector<Token> run() {
    tokens_.reserve(key_.size() / 3 + 4);
    std::size_t i = 0;
    while (i < key_.size()) {
      const char b = key_[i];
      if (b == ' ') {
        ++i;
        continue;
      }
      if (is_digit(b)) {
        i = number(i);
        continue;
      }
      std::size_t next = i;
      const char32_t c = utf8::next(key_, next);
      if (is_cjk_letter(c)) {
        push_simple(TokKind::cjk, key_.substr(i, next - i));
        i = next;
      } else if (is_letter_or_mark(c)) {
        i = word(i);
      } else {
        push_simple(TokKind::punct, key_.substr(i, next - i));
        i = next;
      }
    }
    return std::move(tokens_);
  }

 private:
  std::uint32_t keep(std::string text) {
    canonical.push_back(std::move(text));
    return static_cast<std::uint32_t>(canonical.size() - 1);
  }

  void push_simple(TokKind kind, std::string_view text) {
    Token t;
    t.kind = kind;
    t.text = text;
    tokens_.push_back(std::move(t));
  }

  std::size_t digits_end(std::size_t i) const {
    while (i < key_.size() && is_digit(key_[i])) ++i;
    return i;
  }

  // A document symbol starting at i ("s/2011/463"), or 0.
  std::size_t symbol_end(std::size_t i) const {
    std::size_t e = i;
    bool slash_seen = false;
    while (e < key_.size()) {
      const char c = key_[e];
      if ((c >= 'a' && c <= 'z') || is_digit(c) || c == '.' || c == '-') {
        ++e;
      } else if (c == '/') {
        slash_seen = true;
        ++e;
      } else {
        break;
      }
    }
    if (!slash_seen) return 0;  // most words: no symbol without a slash
    while (e > i && (key_[e - 1] == '.' || key_[e - 1] == '-' || key_[e - 1] == '/')) --e;
    const std::string_view s = key_.substr(i, e - i);
    const std::size_t slash = s.find('/');
    if (slash == std::string_view::npos || slash == 0 || s.find("//") != std::string_view::npos) return 0;
    if (std::none_of(s.begin(), s.end(), is_digit)) return 0;
    // The first segment is the organ: letters, optionally ".digits" (E/CN.4).
    std::size_t letters = 0;
    while (letters < slash && s[letters] >= 'a' && s[letters] <= 'z') ++letters;
    if (letters == 0 || letters > 6) return 0;
    if (letters < slash && s[letters] != '.') return 0;
    if (e < key_.size()) {
      // Not inside a longer word ("and/or2x" is no symbol).
      std::size_t k = e;
      const char32_t after = utf8::next(key_, k);
      if (is_letter_or_mark(after)) return 0;
    }
    return e;
  }

  std::size_t word(std::size_t i) {
    if (key_[i] >= 'a' && key_[i] <= 'z') {
      if (const std::size_t e = symbol_end(i)) {
        Token t;
        t.kind = TokKind::word;
        t.symbol = true;
        t.latin = true;
        std::string upper;
        for (char c : key_.substr(i, e - i)) upper.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
        t.canonical = keep(std::move(upper));
        tokens_.push_back(std::move(t));
        return e;
      }
    }
    Token t;
    t.kind = TokKind::word;
    t.latin = true;
    std::size_t e = i;
    bool has_letter = false;
    while (e < key_.size()) {
      const auto b = static_cast<unsigned char>(key_[e]);
      if (b < 0x80) {  // what the general steps below decide for ASCII
        if (is_digit(static_cast<char>(b))) {
          t.alnum = true;
        } else if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) {
          has_letter = true;  // and a Latin one
        } else {
          break;
        }
        ++e;
        continue;
      }
      std::size_t next = e;
      const char32_t c = utf8::next(key_, next);
      if (is_digit(static_cast<char>(c < 0x80 ? c : 0))) {
        t.alnum = true;
      } else if (is_letter_or_mark(c) && !is_cjk_letter(c)) {
        if (c < 0x80 || u_isalpha(static_cast<UChar32>(c))) {  // ASCII here: a letter
          has_letter = true;
          if (!is_latin_letter(c)) t.latin = false;
        }
      } else {
        break;
      }
      e = next;
    }
    t.text = key_.substr(i, e - i);
    if (!has_letter) t.latin = false;
    tokens_.push_back(std::move(t));
    return e;
  }

  bool is_group_separator(char c) const {
    return decimal_comma_ ? (c == '.' || c == ' ' || c == '\'') : c == ',';
  }

  // Exactly three digits at i, not followed by another digit.
  bool three_digits_at(std::size_t i) const {
    return i + 3 <= key_.size() && is_digit(key_[i]) && is_digit(key_[i + 1]) && is_digit(key_[i + 2]) &&
           (i + 3 == key_.size() || !is_digit(key_[i + 3]));
  }

  std::size_t number(std::size_t i) {
    // A date written with digits only: 13.04.2011, 13/04/2011.
    if (const std::size_t e = numeric_date(i)) return e;
    std::size_t e = digits_end(i);
    std::string int_digits(key_.substr(i, e - i));
    std::string frac_digits;
    bool plain = true;
    // Thousands groups: the first group has 1-3 digits, each next one 3.
    if (int_digits.size() <= 3) {
      while (e + 1 < key_.size() && is_group_separator(key_[e]) && three_digits_at(e + 1)) {
        int_digits.append(key_.substr(e + 1, 3));
        e += 4;
        plain = false;
      }
    }
    const char decimal = decimal_comma_ ? ',' : '.';
    if (e + 1 < key_.size() && (key_[e] == decimal || key_[e] == '.') && is_digit(key_[e + 1])) {
      const std::size_t f = digits_end(e + 1);
      frac_digits = std::string(key_.substr(e + 1, f - e - 1));
      e = f;
      plain = false;
      // Section numbers "4.2.1": keep them dotted, as written.
      if (e + 1 < key_.size() && key_[e] == '.' && is_digit(key_[e + 1])) {
        std::size_t g = e;
        while (g + 1 < key_.size() && key_[g] == '.' && is_digit(key_[g + 1])) g = digits_end(g + 1);
        Token t;
        t.kind = TokKind::number;
        t.canonical = keep(std::string(key_.substr(i, g - i)));
        tokens_.push_back(std::move(t));
        return g;
      }
    }
    // Letters glued to the digits: an ordinal suffix, or a letter-digit token.
    if (e < key_.size()) {
      std::size_t k = e;
      const char32_t c = utf8::next(key_, k);
      if (is_letter_or_mark(c) && !is_cjk_letter(c)) {
        std::size_t w = e;
        while (w < key_.size()) {
          std::size_t next = w;
          const char32_t d = utf8::next(key_, next);
          if (!(is_letter_or_mark(d) && !is_cjk_letter(d)) && !is_digit(static_cast<char>(d < 0x80 ? d : 0))) break;
          w = next;
        }
        const std::string_view suffix = key_.substr(e, w - e);
        if (!plain || !is_ordinal_suffix(suffix)) {
          Token t;
          t.kind = TokKind::word;
          t.alnum = true;
          t.latin = true;
          t.text = key_.substr(i, w - i);
          tokens_.push_back(std::move(t));
          return w;
        }
        e = w;  // "1st": the number 1
      }
    }
    // Scale words: "3.6 million", "360万", "3 mil millones".
    int exponent = 0;
    std::size_t after = e;
    for (int round = 0; round < 2; ++round) {
      std::size_t k = after;
      if (k < key_.size() && key_[k] == ' ') ++k;
      if (k >= key_.size()) break;
      std::size_t w = k;
      std::size_t first_next = k;
      const char32_t c = utf8::next(key_, first_next);
      if (is_cjk_letter(c)) {
        // 万, 亿, 千, 百万, 千万, 万亿: try two characters, then one.
        std::size_t second_next = first_next;
        if (second_next < key_.size()) {
          std::size_t probe = second_next;
          utf8::next(key_, probe);
          if (const int x = scale_exponent(key_.substr(k, probe - k), lang_)) {
            exponent += x;
            after = probe;
            continue;
          }
        }
        if (const int x = scale_exponent(key_.substr(k, first_next - k), lang_)) {
          exponent += x;
          after = first_next;
          continue;
        }
        break;
      }
      while (w < key_.size()) {
        std::size_t next = w;
        const char32_t d = utf8::next(key_, next);
        if (!is_letter_or_mark(d) || is_cjk_letter(d)) break;
        w = next;
      }
      if (w == k) break;
      const int x = scale_exponent(key_.substr(k, w - k), lang_);
      if (x == 0) break;
      exponent += x;
      after = w;
      if (after < key_.size() && key_[after] == '.') ++after;  // "млн." "Mio."
    }
    Token t;
    t.kind = TokKind::number;
    if (exponent > 0) plain = false;
    t.canonical = keep(canonical_number(int_digits, frac_digits, exponent));
    t.plain_int = plain && frac_digits.empty();
    if (t.plain_int) {
      t.digit_count = static_cast<int>(int_digits.size());
      if (int_digits.size() <= 4) t.value = std::stoi(int_digits);
    }
    tokens_.push_back(std::move(t));
    return after;
  }

  std::size_t numeric_date(std::size_t i) {
    auto read = [&](std::size_t at, std::size_t min_len, std::size_t max_len, int& v) -> std::size_t {
      const std::size_t e = digits_end(at);
      if (e - at < min_len || e - at > max_len) return 0;
      v = std::stoi(std::string(key_.substr(at, e - at)));
      return e;
    };
    int a = 0, b = 0, y = 0;
    std::size_t e = read(i, 1, 2, a);
    if (e == 0 || e + 1 >= key_.size() || (key_[e] != '.' && key_[e] != '/')) return 0;
    const char sep = key_[e];
    e = read(e + 1, 1, 2, b);
    if (e == 0 || e + 1 >= key_.size() || key_[e] != sep) return 0;
    e = read(e + 1, 4, 4, y);
    if (e == 0 || (e < key_.size() && (is_digit(key_[e]) || key_[e] == sep))) return 0;
    int day = a, month = b;
    if (lang_ == "en" && a <= 12 && b > 12) std::swap(day, month);  // US order, when it can be told
    if (day < 1 || day > 31 || month < 1 || month > 12 || y < 1000 || y > 2999) return 0;
    Token t;
    t.kind = TokKind::number;
    t.canonical = keep(cat({"@", std::to_string(y), "-", two_digits(month), "-", two_digits(day)}));
    tokens_.push_back(std::move(t));
    return e;
  }

  std::string_view key_;
  std::string_view lang_;
  bool decimal_comma_;
  std::vector<Token> tokens_;
};

bool is_year(const Token& t) { return t.kind == TokKind::number && t.plain_int && t.digit_count == 4 && t.value >= 1000 && t.value <= 2999; }
bool is_day(const Token& t) { return t.kind == TokKind::number && t.plain_int && t.value >= 1 && t.value <= 31 && t.digit_count <= 2; }
bool is_month_number(const Token& t) { return t.kind == TokKind::number && t.plain_int && t.value >= 1 && t.value <= 12 && t.digit_count <= 2; }
bool is_cjk(const std::vector<Token>& ts, std::size_t k, std::string_view c) {
  return k < ts.size() && ts[k].kind == TokKind::cjk && ts[k].text == c;
}
bool is_word(const std::vector<Token>& ts, std::size_t k, std::string_view w) {
  return k < ts.size() && ts[k].kind == TokKind::word && ts[k].text == w;
}
bool is_punct(const std::vector<Token>& ts, std::size_t k, std::string_view p) {
  return k < ts.size() && ts[k].kind == TokKind::punct && ts[k].text == p;
}

// A month name at k: one word, the Arabic two-word names, and the Arabic
// double form "نيسان/أبريل". Returns the month and sets `end`.
int month_at(const std::vector<Token>& ts, std::size_t k, std::size_t& end) {
  if (k >= ts.size() || ts[k].kind != TokKind::word) return 0;
  int month = 0;
  std::size_t e = k + 1;
  const std::string_view w = ts[k].text;
  if (w == "كانون" || w == "تشرين") {
    const bool first = is_word(ts, k + 1, "الأول") || is_word(ts, k + 1, "الاول");
    const bool second = is_word(ts, k + 1, "الثاني");
    if (!first && !second) return 0;
    month = w == "كانون" ? (first ? 12 : 1) : (first ? 10 : 11);
    e = k + 2;
  } else {
    month = month_number(w);
    if (month == 0) return 0;
  }
  // The second name of the Arabic double form.
  if (is_punct(ts, e, "/") && e + 1 < ts.size() && ts[e + 1].kind == TokKind::word && month_number(ts[e + 1].text) == month)
    e += 2;
  end = e;
  return month;
}

}  // namespace

AnchorKind anchor_kind(std::string_view anchor) {
  if (anchor.empty()) return AnchorKind::punctuation;
  switch (anchor.front()) {
    case '#':
      return AnchorKind::number;
    case '=':
      return AnchorKind::latin;
    case '~':
      return AnchorKind::cognate;
    default:
      break;
  }
  return anchor.size() > 1 ? AnchorKind::symbol : AnchorKind::punctuation;
}

bool uses_decimal_comma(std::string_view lang) {
  static constexpr std::string_view kDecimalPoint[] = {"en", "zh", "ja", "ko", "ar", "he", "hi", "th", "ms",
                                                       "ga", "mt", "sw", "ta", "bn", "ur", "fa", "my", "km"};
  return std::find(std::begin(kDecimalPoint), std::end(kDecimalPoint), lang) == std::end(kDecimalPoint);
}

bool is_latin_script_language(std::string_view lang) {
  static constexpr std::string_view kOtherScripts[] = {
      "ar", "fa", "ur", "ps", "he", "yi", "zh", "ja", "ko", "ru", "uk", "be", "bg", "mk", "sr", "kk", "ky", "tg",
      "mn", "el", "hy", "ka", "hi", "mr", "ne", "bn", "pa", "gu", "or", "ta", "te", "kn", "ml", "si", "th", "lo",
      "km", "my", "am", "ti", "bo", "dv", "ug", "sd", "tt", "ba", "cv", "os"};
  // Asked for every sentence and every alignment call: a table of the
  // two-letter codes instead of a search of the list (all its codes are two
  // lowercase letters).
  static constexpr auto kOther = [] {
    std::array<bool, 26 * 26> table{};
    for (std::string_view code : kOtherScripts) table[static_cast<std::size_t>((code[0] - 'a') * 26 + (code[1] - 'a'))] = true;
    return table;
  }();
  if (lang.size() != 2 || lang[0] < 'a' || lang[0] > 'z' || lang[1] < 'a' || lang[1] > 'z') return true;
  return !kOther[static_cast<std::size_t>((lang[0] - 'a') * 26 + (lang[1] - 'a'))];
}

void tokenize_key(std::string_view key, std::string_view lang, std::vector<std::string>& anchors,
                  std::vector<std::string>& words) {
  KeyTokenizer tokenizer(key, lang);
  const std::vector<Token> ts = tokenizer.run();
  const std::vector<std::string>& canonical = tokenizer.canonical;
  words.reserve(words.size() + ts.size());
  const bool latin_lang = is_latin_script_language(lang);
  const std::size_t first_anchor = anchors.size();
  auto add = [&](std::string a) {
    if (std::find(anchors.begin() + static_cast<std::ptrdiff_t>(first_anchor), anchors.end(), a) == anchors.end())
      anchors.push_back(std::move(a));
  };
  auto date = [&](int y, int m, int d) {
    std::string s = "#";
    if (y > 0) s += std::to_string(y);
    if (m > 0) {
      if (y > 0) s += '-';
      s += two_digits(m);
    }
    if (d > 0) {
      s += '-';
      s += two_digits(d);
    }
    add(std::move(s));
  };
  for (std::size_t k = 0; k < ts.size(); ++k) {
    const Token& t = ts[k];
    if (t.kind == TokKind::number) {
      const std::string& value = canonical[t.canonical];
      if (!value.empty() && value.front() == '@') {
        add(cat({"#", std::string_view(value).substr(1)}));
        continue;
      }
      // 2011年4月13日, 2011年4月, 4月13日
      if (is_year(t) && is_cjk(ts, k + 1, "年")) {
        if (k + 3 < ts.size() && is_month_number(ts[k + 2]) && is_cjk(ts, k + 3, "月")) {
          if (k + 5 < ts.size() && is_day(ts[k + 4]) && is_cjk(ts, k + 5, "日")) {
            date(t.value, ts[k + 2].value, ts[k + 4].value);
            k += 5;
          } else {
            date(t.value, ts[k + 2].value, 0);
            k += 3;
          }
          continue;
        }
      }
      if (is_month_number(t) && is_cjk(ts, k + 1, "月") && k + 3 < ts.size() && is_day(ts[k + 2]) &&
          is_cjk(ts, k + 3, "日")) {
        date(0, t.value, ts[k + 2].value);
        k += 3;
        continue;
      }
      // 13 April 2011, 13. April 2011, 13 de abril de 2011, 13 نيسان/أبريل 2011
      if (is_day(t)) {
        std::size_t j = k + 1;
        if (is_punct(ts, j, ".")) ++j;
        if (is_word(ts, j, "de")) ++j;
        std::size_t end = 0;
        if (const int month = month_at(ts, j, end)) {
          std::size_t y = end;
          if (is_word(ts, y, "de") || is_word(ts, y, "del") || is_punct(ts, y, ",")) ++y;
          if (y < ts.size() && is_year(ts[y])) {
            date(ts[y].value, month, t.value);
            k = y;
          } else {
            date(0, month, t.value);
            k = end - 1;
          }
          continue;
        }
      }
      add(cat({"#", value}));
      continue;
    }
    if (t.kind == TokKind::word) {
      // April 13, 2011 / April 2011 / abril de 2011
      std::size_t end = 0;
      // A month name is only looked up where a number follows.
      const bool number_follows = (k + 1 < ts.size() && ts[k + 1].kind == TokKind::number) ||
                                  (k + 2 < ts.size() && ts[k + 2].kind == TokKind::number) ||
                                  (k + 3 < ts.size() && ts[k + 3].kind == TokKind::number);
      if (!t.symbol && !t.alnum && number_follows) {
        if (const int month = month_at(ts, k, end)) {
          std::size_t j = end;
          if (j < ts.size() && is_day(ts[j])) {
            std::size_t y = j + 1;
            if (is_punct(ts, y, ",")) ++y;
            if (y < ts.size() && is_year(ts[y])) {
              date(ts[y].value, month, ts[j].value);
              k = y;
              continue;
            }
          }
          if (is_word(ts, j, "de") || is_word(ts, j, "del")) ++j;
          if (j < ts.size() && is_year(ts[j])) {
            date(ts[j].value, month, 0);
            k = j;
            continue;
          }
        }
      }
      if (t.symbol) {
        add(canonical[t.canonical]);
        continue;
      }
      if (t.alnum) {
        add(cat({"=", t.text}));
        continue;
      }
      if (!latin_lang && t.latin && t.text.size() >= 2) add(cat({"=", t.text}));
      // Words split at apostrophes were never joined; split at inner marks
      // that ICU counts as letters is not needed.
      words.emplace_back(t.text);
      continue;
    }
    if (t.kind == TokKind::cjk) {
      words.emplace_back(t.text);
      continue;
    }
    if (t.text == "?" || t.text == "!" || t.text == "\"" || t.text == "(") add(std::string(t.text));
  }
}

// Base letters of U+00E0..U+00FF and U+0100..U+017F (the key is case folded).
constexpr std::string_view kFoldLatin1 = "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
constexpr std::string_view kFoldLatinExtA =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkkllllllllllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuu"
    "uuuuuuwwyyyzzzzzzs";
static_assert(kFoldLatin1.size() == 0x20 && kFoldLatinExtA.size() == 0x80);

std::string_view cognate_key(std::string_view word, std::string& buffer) {
  buffer.assign(1, '~');
  // Most words start with four ASCII bytes: the same steps as below without
  // decoding (a non-letter among them is no cognate).
  if (word.size() >= 4 && std::all_of(word.begin(), word.begin() + 4, [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    for (std::size_t i = 0; i < 4; ++i) {
      const char c = word[i];
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return {};
    }
    buffer.append(word, 0, 4);
    return buffer;
  }
  int letters = 0;
  for (std::size_t i = 0; i < word.size() && letters < 4;) {
    char32_t c = utf8::next(word, i);
    // Fold the Latin-1 and Latin Extended-A letters with diacritics.
    if (c >= 0xE0 && c <= 0xFF) {
      c = static_cast<unsigned char>(kFoldLatin1[c - 0xE0]);
    } else if (c >= 0x100 && c <= 0x17F) {
      c = static_cast<unsigned char>(kFoldLatinExtA[c - 0x100]);
    }
    if (c < 0x80) {
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return {};
      buffer.push_back(static_cast<char>(c));
    } else {
      if (!u_isalpha(static_cast<UChar32>(c))) return {};
      utf8::append(buffer, c);
    }
    ++letters;
  }
  if (letters < 4) return {};
  return buffer;
}

std::string cognate_key(std::string_view word) {
  std::string buffer;
  return std::string(cognate_key(word, buffer));
}

}  // namespace untm
