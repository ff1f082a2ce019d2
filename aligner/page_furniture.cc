#include "aligner/page_furniture.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace untm {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  // Also strips NBSP (C2 A0) and ideographic space (E3 80 80), which PDF
  // extraction leaves at line ends.
  for (;;) {
    if (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    else if (s.starts_with("\xC2\xA0")) s.remove_prefix(2);
    else if (s.starts_with("\xE3\x80\x80")) s.remove_prefix(3);
    else break;
  }
  for (;;) {
    if (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    else if (s.ends_with("\xC2\xA0")) s.remove_suffix(2);
    else if (s.ends_with("\xE3\x80\x80")) s.remove_suffix(3);
    else break;
  }
  return s;
}

std::vector<std::string_view> split_tokens(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    std::size_t j = i;
    while (j < s.size() && !is_space(s[j])) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "11-29765", "29765", "0166657" style job numbers (without the language letter).
bool is_job_number(std::string_view t) {
  if (t.size() == 8 && all_digits(t.substr(0, 2)) && t[2] == '-' && all_digits(t.substr(3))) return true;
  return t.size() == 5 && all_digits(t);
}

// "(E)", "(C)", "(A)", "(F)", "(R)", "(S)", also "(E)*" leftovers.
bool is_language_letter_token(std::string_view t) {
  return t.size() == 3 && t[0] == '(' && t[2] == ')' && std::string_view("ACEFRS").find(t[1]) != std::string_view::npos;
}

bool is_barcode(std::string_view t) { return t.size() >= 7 && t.front() == '*' && t.back() == '*' && all_digits(t.substr(1, t.size() - 2)); }

bool is_page_number(std::string_view t) { return t.size() <= 3 && all_digits(t) && t != "0"; }

// "291101": the date stamp after a job number ("01-66657 (E) 291101").
bool is_date_stamp(std::string_view t) { return t.size() == 6 && all_digits(t); }

bool iequals_ascii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

const std::array<std::string_view, 10> kRecycleLines = {
    "Please recycle", "请回收", "请回收利用", "يرجى إعادة الاستعمال", "الرجاء إعادة الاستعمال",
    "Merci de recycler", "Prière de recycler", "Se ruega reciclar", "Просьба отправить на вторичную переработку", "♲"};

struct LanguageName {
  std::string_view name;
  std::string_view code;
};

// Language names as mastheads write them ("Original: English", "[原件：阿拉伯文]",
// "الأصل: بالعربية", "Original : anglais", "Original: inglés", "Подлинный текст: английский").
const std::vector<LanguageName>& language_names() {
  static const std::vector<LanguageName> names = {
      {"arabic", "ar"}, {"chinese", "zh"}, {"english", "en"}, {"french", "fr"}, {"russian", "ru"}, {"spanish", "es"},
      {"arabe", "ar"}, {"chinois", "zh"}, {"anglais", "en"}, {"français", "fr"}, {"russe", "ru"}, {"espagnol", "es"},
      {"árabe", "ar"}, {"chino", "zh"}, {"inglés", "en"}, {"francés", "fr"}, {"ruso", "ru"}, {"español", "es"},
      {"арабский", "ar"}, {"китайский", "zh"}, {"английский", "en"}, {"французский", "fr"}, {"русский", "ru"},
      {"испанский", "es"},
      {"阿拉伯文", "ar"}, {"中文", "zh"}, {"英文", "en"}, {"法文", "fr"}, {"俄文", "ru"}, {"西班牙文", "es"},
      {"阿拉伯语", "ar"}, {"汉语", "zh"}, {"英语", "en"}, {"法语", "fr"}, {"俄语", "ru"}, {"西班牙语", "es"},
      {"بالعربية", "ar"}, {"العربية", "ar"}, {"عربي", "ar"}, {"بالصينية", "zh"}, {"الصينية", "zh"}, {"صيني", "zh"},
      {"بالإنكليزية", "en"}, {"بالانكليزية", "en"}, {"بالإنجليزية", "en"}, {"بالانجليزية", "en"}, {"الإنكليزية", "en"},
      {"إنكليزي", "en"}, {"بالفرنسية", "fr"}, {"الفرنسية", "fr"}, {"فرنسي", "fr"}, {"بالروسية", "ru"},
      {"الروسية", "ru"}, {"روسي", "ru"}, {"بالإسبانية", "es"}, {"بالاسبانية", "es"}, {"الإسبانية", "es"},
      {"إسباني", "es"},
  };
  return names;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// What a regular expression's "." matches: any byte but a line break.
bool no_line_break(std::string_view s) { return s.find_first_of("\n\r") == std::string_view::npos; }

// `line` is `head`, something without line breaks (empty too), then `tail`.
bool head_any_tail(std::string_view line, std::string_view head, std::string_view tail) {
  return line.size() >= head.size() + tail.size() && line.starts_with(head) && line.ends_with(tail) &&
         no_line_break(line.substr(head.size(), line.size() - head.size() - tail.size()));
}

// `line` is `head`, then anything without line breaks.
bool head_any(std::string_view line, std::string_view head) {
  return line.starts_with(head) && no_line_break(line.substr(head.size()));
}

// A session or agenda-item line (the whole line): what the regular expression
// ^((\S+ )?(session|sesión|période de session|сессия)|Agenda items? .*|Point .* de l'ordre du jour|
// Tema .* del programa( provisional)?|Пункт .* повестки дня|议程项目.*|临时议程项目.*|
// البند .* من جدول الأعمال.*|第.*届会议|الدورة .*)$ matched, without std::regex (its compilation
// alone cost more instructions than cleaning a document; tests compare the two).
bool is_session_or_agenda_item(std::string_view line) {
  for (std::string_view session : {"session", "sesión", "période de session", "сессия"}) {
    if (line == session) return true;
    // One word without white space before it ("\S+ "; "\S" is no ASCII space, tab or line break).
    if (line.size() > session.size() + 1 && line.ends_with(session) && line[line.size() - session.size() - 1] == ' ' &&
        line.substr(0, line.size() - session.size() - 1).find_first_of(" \t\n\v\f\r") == std::string_view::npos)
      return true;
  }
  if (head_any(line, "Agenda item ") || head_any(line, "Agenda items ")) return true;
  if (head_any_tail(line, "Point ", " de l'ordre du jour")) return true;
  if (head_any_tail(line, "Tema ", " del programa") || head_any_tail(line, "Tema ", " del programa provisional"))
    return true;
  if (head_any_tail(line, "Пункт ", " повестки дня")) return true;
  if (head_any(line, "议程项目") || head_any(line, "临时议程项目")) return true;
  constexpr std::string_view kItem = "البند ", kOfAgenda = " من جدول الأعمال";
  if (head_any(line, kItem) && line.find(kOfAgenda, kItem.size()) != std::string_view::npos) return true;
  if (head_any_tail(line, "第", "届会议")) return true;
  return head_any(line, "الدورة ");
}

constexpr std::array<std::string_view, 36> kCommittees = {
    "First Committee", "Second Committee", "Third Committee", "Fourth Committee", "Fifth Committee",
    "Sixth Committee", "Première Commission", "Deuxième Commission", "Troisième Commission",
    "Quatrième Commission", "Cinquième Commission", "Sixième Commission", "Primera Comisión",
    "Segunda Comisión", "Tercera Comisión", "Cuarta Comisión", "Quinta Comisión", "Sexta Comisión",
    "Первый комитет", "Второй комитет", "Третий комитет", "Четвертый комитет", "Пятый комитет",
    "Шестой комитет", "第一委员会", "第二委员会", "第三委员会", "第四委员会", "第五委员会", "第六委员会",
    "اللجنة الأولى", "اللجنة الثانية", "اللجنة الثالثة", "اللجنة الرابعة", "اللجنة الخامسة", "اللجنة السادسة"};

// Lines that are masthead material only in the masthead: organ names,
// "United Nations", "Distr.: General", language-of-version lines, sessions.
bool is_masthead_phrase(std::string_view line) {
  static const std::vector<std::string_view> exact = {
      "United Nations", "Nations Unies", "Naciones Unidas", "Организация Объединенных Наций", "联合国",
      "الأمم المتحدة", "Security Council", "Conseil de sécurité", "Consejo de Seguridad", "Совет Безопасности",
      "安全理事会", "安全理事会文件", "مجلس الأمن", "General Assembly", "Assemblée générale", "Asamblea General",
      "Генеральная Ассамблея", "大会", "الجمعية العامة", "Economic and Social Council", "Conseil économique et social",
      "Consejo Económico y Social", "Экономический и Социальный Совет", "经济及社会理事会",
      "المجلس الاقتصادي والاجتماعي", "Chinese", "English", "French", "Russian", "Spanish", "Arabic",
      "Français", "Español", "Русский", "中文", "عربي",
  };
  for (auto p : exact)
    if (line == p) return true;
  // "Distr.: General", "Distr. générale", "Distr.: Limited", "Distr. general", "Distr.: Restricted".
  if (line.starts_with("Distr.") || line.starts_with("DISTR.")) return line.size() <= 40;
  // Flattened mastheads: "General Assembly Distr.: Limited", "Security Council Distr.: General".
  if (auto pos = line.find(" Distr."); pos != std::string_view::npos && line.size() <= 60) {
    return is_masthead_phrase(trim(line.substr(0, pos))) && is_masthead_phrase(trim(line.substr(pos + 1)));
  }
  return is_session_or_committee_line(line);
}

// "Original: English", "[Original: Arabic]", "Original : anglais", "原件：英文",
// "[原件：阿拉伯文]", "الأصل: بالإنكليزية", "[الأصل: بالعربية]", "Подлинный текст: английский".
std::optional<std::pair<std::string, bool>> parse_original_line(std::string_view line) {
  bool bracketed = false;
  if ((line.starts_with("[") && line.ends_with("]")) ||
      (line.starts_with("［") && line.ends_with("］"))) {
    bracketed = true;
    std::size_t open = line.starts_with("[") ? 1 : 3, close = line.ends_with("]") ? 1 : 3;
    line = trim(line.substr(open, line.size() - open - close));
  }
  static const std::vector<std::string_view> prefixes = {"Original", "原件", "原文", "الأصل", "الاصل",
                                                         "Подлинный текст", "Подлинник"};
  // Every content line comes here: most are ruled out by their first byte
  // (O, 原 E5, ا D8, П D0), before comparing the prefixes.
  if (line.empty() || std::string_view("O\xE5\xD8\xD0").find(line.front()) == std::string_view::npos) return std::nullopt;
  for (auto prefix : prefixes) {
    if (!line.starts_with(prefix)) continue;
    std::string_view rest = trim(line.substr(prefix.size()));
    if (rest.starts_with(":")) rest.remove_prefix(1);
    else if (rest.starts_with("：")) rest.remove_prefix(3);
    else continue;
    rest = trim(rest);
    // "English and French" and the like: take the first language named.
    auto tokens = split_tokens(rest);
    if (tokens.empty()) return std::nullopt;
    std::string first(tokens.front());
    while (!first.empty() && (first.back() == ',' || first.back() == '.')) first.pop_back();
    if (auto code = language_from_name(first)) return std::make_pair(*code, bracketed);
    if (auto code = language_from_name(rest)) return std::make_pair(*code, bracketed);
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

bool is_session_or_committee_line(std::string_view line) {
  if (line.size() > 80) return false;
  return is_session_or_agenda_item(line) || std::find(kCommittees.begin(), kCommittees.end(), line) != kCommittees.end();
}

std::optional<std::string> language_from_name(std::string_view name) {
  std::string lowered = lower_ascii(trim(name));
  // Latin and Cyrillic capitals other than ASCII ("Français", "Английский")
  // are matched on the lower-cased ASCII part plus exact forms.
  for (const auto& entry : language_names()) {
    if (lowered == entry.name) return std::string(entry.code);
    if (std::string_view(lowered).size() == entry.name.size() && iequals_ascii(lowered, entry.name))
      return std::string(entry.code);
  }
  static const std::vector<LanguageName> capitalised = {
      {"Français", "fr"}, {"Árabe", "ar"}, {"Inglés", "en"}, {"Francés", "fr"}, {"Español", "es"},
      {"Арабский", "ar"}, {"Китайский", "zh"}, {"Английский", "en"}, {"Французский", "fr"},
      {"Русский", "ru"}, {"Испанский", "es"}};
  std::string_view t = trim(name);
  for (const auto& entry : capitalised)
    if (t == entry.name) return std::string(entry.code);
  return std::nullopt;
}

bool is_document_symbol(std::string_view t) {
  if (t.size() < 3 || t.size() > 48) return false;
  if (t.ends_with("*")) t.remove_suffix(1);
  // Leading organ part: upper-case letters.
  std::size_t i = 0;
  while (i < t.size() && t[i] >= 'A' && t[i] <= 'Z') ++i;
  if (i == 0 || i > 10 || i >= t.size() || t[i] != '/') return false;
  bool digit = false;
  int segments = 0;
  while (i < t.size() && t[i] == '/') {
    ++i;
    std::size_t start = i;
    while (i < t.size() && (std::isalnum(static_cast<unsigned char>(t[i])) || t[i] == '.' || t[i] == '-')) {
      if (t[i] >= '0' && t[i] <= '9') digit = true;
      ++i;
    }
    if (i == start) return false;
    ++segments;
  }
  if (segments < 2 && !digit) return false;
  if (i == t.size()) return digit;
  return false;
}

bool is_symbol_line(std::string_view line) {
  line = trim(line);
  if (line.size() > 64 || line.find('/') == std::string_view::npos) return false;
  auto tokens = split_tokens(line);
  if (tokens.empty() || !is_document_symbol(tokens[0])) return false;
  // "S/RES/1973 (2011)", "S/RES/2161 (.2014)".
  if (tokens.size() == 1) return true;
  if (tokens.size() == 2 && tokens[1].starts_with("(") && tokens[1].ends_with(")")) return true;
  return false;
}

bool is_page_furniture_line(std::string_view line) {
  line = trim(line);
  // Furniture lines are short; most lines are text and leave here.
  if (line.empty() || line.size() > 64) return false;
  for (auto recycle : kRecycleLines)
    if (line == recycle) return true;
  auto tokens = split_tokens(line);
  if (tokens.size() > 5) return false;
  bool anchor = false;  // a job number, barcode or symbol: what makes a header a header
  for (std::size_t k = 0; k < tokens.size(); ++k) {
    auto t = tokens[k];
    if (is_job_number(t) || is_barcode(t)) {
      anchor = true;
    } else if (is_language_letter_token(t) || is_date_stamp(t)) {
      if (k == 0) return false;
    } else if (is_document_symbol(t)) {
      anchor = true;
    } else if (is_page_number(t)) {
      // A page number on its own, or beside a job number or symbol.
    } else if (t == "-" || t == "Page" || t == "page" || t == "Página" || t == "Стр.") {
      // "- 2 -", "Page 2".
    } else {
      return false;
    }
  }
  if (anchor) {
    // A symbol alone is not furniture by itself (the caller decides); with a
    // page number or job number it is a running header.
    if (tokens.size() == 1 && is_document_symbol(tokens[0])) return false;
    return true;
  }
  // No anchor: only a page number ("2", "- 2 -", "Page 2").
  return std::any_of(tokens.begin(), tokens.end(), is_page_number);
}

// The date patterns, matched as the regular expressions they were would be
// (ECMAScript: greedy counts, alternatives in order, the first position and
// the first way that match), by a small backtracking matcher instead of
// std::regex, whose compilation and position-by-position search cost more
// than the rest of cleaning a document. Tests compare the two.
namespace {
namespace date_pattern {

// One element of a pattern.
struct Element {
  enum class Kind { digits, literal, optional_literal, one_of, optional_one_of } kind;
  int min = 0, max = 0;  // digits: how many, greedy
  bool arabic_digits = false;  // digits: Arabic-Indic ones (U+0660..0669) count too
  std::string_view text;  // literal, optional_literal
  std::span<const std::string_view> words;  // one_of, optional_one_of: tried in order
};

constexpr Element digits(int min, int max, bool arabic = false) {
  return {Element::Kind::digits, min, max, arabic, {}, {}};
}
constexpr Element literal(std::string_view text) { return {Element::Kind::literal, 0, 0, false, text, {}}; }
constexpr Element optional(std::string_view text) {
  return {Element::Kind::optional_literal, 0, 0, false, text, {}};
}
constexpr Element one_of(std::span<const std::string_view> words) {
  return {Element::Kind::one_of, 0, 0, false, {}, words};
}
constexpr Element optional_one_of(std::span<const std::string_view> words) {
  return {Element::Kind::optional_one_of, 0, 0, false, {}, words};
}

// The size of the digit at `p` (0: none).
std::size_t digit_at(std::string_view s, std::size_t p, bool arabic) {
  if (p >= s.size()) return 0;
  const auto c = static_cast<unsigned char>(s[p]);
  if (c >= '0' && c <= '9') return 1;
  if (arabic && c == 0xD9 && p + 1 < s.size() && static_cast<unsigned char>(s[p + 1]) >= 0xA0 &&
      static_cast<unsigned char>(s[p + 1]) <= 0xA9)
    return 2;
  return 0;
}

// Where a match of `pattern` that starts at `p` ends, trying the ways in
// the regular expression's order.
std::optional<std::size_t> match(std::string_view s, std::size_t p, std::span<const Element> pattern) {
  if (pattern.empty()) return p;
  const Element& e = pattern.front();
  const std::span<const Element> rest = pattern.subspan(1);
  const auto starts = [&](std::string_view w) { return s.substr(p).starts_with(w); };
  switch (e.kind) {
    case Element::Kind::digits: {
      std::array<std::size_t, 5> ends{};  // ends[k]: after k digits
      ends[0] = p;
      int count = 0;
      while (count < e.max) {
        const std::size_t d = digit_at(s, ends[static_cast<std::size_t>(count)], e.arabic_digits);
        if (d == 0) break;
        ends[static_cast<std::size_t>(count) + 1] = ends[static_cast<std::size_t>(count)] + d;
        ++count;
      }
      for (int k = count; k >= e.min; --k)
        if (auto end = match(s, ends[static_cast<std::size_t>(k)], rest)) return end;
      return std::nullopt;
    }
    case Element::Kind::literal:
      return starts(e.text) ? match(s, p + e.text.size(), rest) : std::nullopt;
    case Element::Kind::optional_literal:
      if (starts(e.text))
        if (auto end = match(s, p + e.text.size(), rest)) return end;
      return match(s, p, rest);
    case Element::Kind::one_of:
    case Element::Kind::optional_one_of:
      for (std::string_view w : e.words)
        if (starts(w))
          if (auto end = match(s, p + w.size(), rest)) return end;
      return e.kind == Element::Kind::optional_one_of ? match(s, p, rest) : std::nullopt;
  }
  return std::nullopt;
}

}  // namespace date_pattern

// The first match of `pattern` in `s`: the leftmost, as regex_search.
std::optional<std::string_view> search(std::string_view s, std::span<const date_pattern::Element> pattern) {
  for (std::size_t p = 0; p <= s.size(); ++p)
    if (auto end = date_pattern::match(s, p, pattern)) return s.substr(p, *end - p);
  return std::nullopt;
}

constexpr std::string_view kEnglishMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                               "July",    "August",   "September", "October", "November", "December"};
constexpr std::string_view kFrenchMonths[] = {"janvier", "février", "mars",      "avril",   "mai",      "juin",
                                              "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};
constexpr std::string_view kSpanishMonths[] = {"enero",      "febrero",   "marzo",   "abril",     "mayo",
                                               "junio",      "julio",     "agosto",  "septiembre", "setiembre",
                                               "octubre",    "noviembre", "diciembre"};
constexpr std::string_view kRussianMonths[] = {"января", "февраля", "марта",    "апреля",  "мая",    "июня",
                                               "июля",   "августа", "сентября", "октября", "ноября", "декабря"};
constexpr std::string_view kRussianYear[] = {" года", " г."};
// Levantine/Egyptian month pairs: "13 نيسان/أبريل 2011".
constexpr std::string_view kArabicMonths[] = {
    "كانون الثاني/يناير", "شباط/فبراير",  "آذار/مارس",     "نيسان/أبريل",       "أيار/مايو",
    "حزيران/يونيه",      "حزيران/يونيو", "تموز/يوليه",    "تموز/يوليو",        "آب/أغسطس",
    "أيلول/سبتمبر",      "تشرين الأول/أكتوبر", "تشرين الثاني/نوفمبر", "كانون الأول/ديسمبر"};

using date_pattern::digits;
using date_pattern::literal;
using date_pattern::one_of;
using date_pattern::optional;
using date_pattern::optional_one_of;
// \d{1,2} (January|…|December) \d{4}
constexpr date_pattern::Element kEnglishDayMonth[] = {digits(1, 2), literal(" "), one_of(kEnglishMonths), literal(" "),
                                                      digits(4, 4)};
// (January|…|December) \d{1,2}, \d{4}
constexpr date_pattern::Element kEnglishMonthDay[] = {one_of(kEnglishMonths), literal(" "), digits(1, 2), literal(", "),
                                                      digits(4, 4)};
// \d{4} ?年 ?\d{1,2} ?月 ?\d{1,2} ?日
constexpr date_pattern::Element kChinese[] = {digits(4, 4), optional(" "), literal("年"), optional(" "),
                                              digits(1, 2), optional(" "), literal("月"), optional(" "),
                                              digits(1, 2), optional(" "), literal("日")};
// \d{1,2}(er)? (janvier|…|décembre) \d{4}
constexpr date_pattern::Element kFrench[] = {digits(1, 2), optional("er"), literal(" "), one_of(kFrenchMonths),
                                             literal(" "), digits(4, 4)};
// \d{1,2} de (enero|…|diciembre) de \d{4}
constexpr date_pattern::Element kSpanish[] = {digits(1, 2), literal(" de "), one_of(kSpanishMonths), literal(" de "),
                                              digits(4, 4)};
// \d{1,2} (января|…|декабря) \d{4}( года| г\.)?
constexpr date_pattern::Element kRussian[] = {digits(1, 2), literal(" "), one_of(kRussianMonths), literal(" "),
                                              digits(4, 4), optional_one_of(kRussianYear)};
// (?:[0-9]|٠|…|٩){1,2} (كانون الثاني/يناير|…) (?:[0-9]|٠|…|٩){4}
constexpr date_pattern::Element kArabic[] = {digits(1, 2, true), literal(" "), one_of(kArabicMonths), literal(" "),
                                             digits(4, 4, true)};
// Tried in this order, each over the whole window.
constexpr std::span<const date_pattern::Element> kDatePatterns[] = {kEnglishDayMonth, kEnglishMonthDay, kChinese,
                                                                    kFrench,          kSpanish,         kRussian,
                                                                    kArabic};

}  // namespace

// Literals that find_date's patterns each need one of: the English,
// French and Russian month names, "年", Spanish " de " and the "/" of the
// Arabic month pairs.
constexpr std::array<std::string_view, 39> kDateNeedles = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
    "septembre", "octobre", "novembre", "décembre", "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря", "年", " de ", "/"};

std::optional<std::string> find_date(std::string_view text) {
  // Every date has a four-digit year: search only a window around each one,
  // so long paragraphs cost a scan, not a pattern search.
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const bool ascii_digit = c >= '0' && c <= '9';
    // Arabic-Indic digits: D9 A0..D9 A9.
    const bool arabic_digit = c == 0xD9 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0xA0 &&
                              static_cast<unsigned char>(text[i + 1]) <= 0xA9;
    if (ascii_digit) {
      ++run;
    } else if (arabic_digit) {
      ++run;
      ++i;
    } else {
      run = 0;
    }
    if (run != 4) continue;
    // Windows wide enough for "كانون الأول/ديسمبر" and "septiembre de".
    const std::size_t begin = i >= 80 ? i - 80 : 0;
    const std::size_t end = std::min(text.size(), i + 80);
    std::string_view window = text.substr(begin, end - begin);
    // Most years are no date ("resolution 1970 (2011)"): a window without
    // a month name, "年", " de " or "/" (which each pattern needs) costs
    // no pattern search.
    if (std::none_of(kDateNeedles.begin(), kDateNeedles.end(),
                     [&](std::string_view needle) { return window.find(needle) != std::string_view::npos; }))
      continue;
    for (const auto& pattern : kDatePatterns)
      if (auto date = search(window, pattern)) return std::string(*date);
  }
  return std::nullopt;
}

std::optional<MastheadLine> parse_masthead_line(std::string_view line, bool anywhere) {
  line = trim(line);
  if (line.empty() || line.size() > 120) return std::nullopt;
  MastheadLine out;
  if (auto original = parse_original_line(line)) {
    out.original_lang = original->first;
    out.bracketed_original = original->second;
    return out;
  }
  if (anywhere) return std::nullopt;
  if (is_symbol_line(line)) {
    out.symbol = std::string(split_tokens(line)[0]);
    return out;
  }
  if (is_masthead_phrase(line)) return out;
  // A date alone: "14 April 2011", "2011年4月14日", "14 نيسان/أبريل 2011".
  if (auto date = find_date(line); date && trim(line).size() <= date->size() + 2) {
    out.date = *date;
    return out;
  }
  return std::nullopt;
}

}  // namespace untm
