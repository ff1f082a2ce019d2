#include "aligner/page_furniture.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>
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
  // "Sixty-fifth session", "Agenda item 119 (b)", "Agenda items 12 and 13",
  // "Point 12 de l'ordre du jour", "Tema 12 del programa", "Пункт 12 повестки дня",
  // "议程项目 12", "البند 12 من جدول الأعمال", "第六十五届会议", "الدورة الخامسة والستون".
  static const std::regex session_or_item(
      R"(^((\S+ )?(session|sesión|période de session|сессия)|Agenda items? .*|Point .* de l'ordre du jour|Tema .* del programa( provisional)?|Пункт .* повестки дня|议程项目.*|临时议程项目.*|البند .* من جدول الأعمال.*|第.*届会议|الدورة .*)$)");
  if (line.size() <= 80 && std::regex_match(line.begin(), line.end(), session_or_item)) return true;
  // Main Committees: "Third Committee", "Troisième Commission", "Tercera Comisión",
  // "Третий комитет", "第三委员会", "اللجنة الثالثة".
  static const std::regex committee(
      R"(^((First|Second|Third|Fourth|Fifth|Sixth) Committee|(Première|Deuxième|Troisième|Quatrième|Cinquième|Sixième) Commission|(Primera|Segunda|Tercera|Cuarta|Quinta|Sexta) Comisión|(Первый|Второй|Третий|Четвертый|Пятый|Шестой) комитет|第(一|二|三|四|五|六)委员会|اللجنة (الأولى|الثانية|الثالثة|الرابعة|الخامسة|السادسة))$)");
  if (line.size() <= 80 && std::regex_match(line.begin(), line.end(), committee)) return true;
  return false;
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

// Literals that find_date's patterns each need one of: the English,
// French and Russian month names, "年", Spanish " de " and the "/" of the
// Arabic month pairs.
constexpr std::array<std::string_view, 39> kDateNeedles = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
    "septembre", "octobre", "novembre", "décembre", "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря", "年", " de ", "/"};

std::optional<std::string> find_date(std::string_view text) {
  static const std::vector<std::regex> patterns = [] {
    std::vector<std::regex> p;
    p.emplace_back(
        R"(\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4})");
    p.emplace_back(
        R"((January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2}, \d{4})");
    p.emplace_back(R"(\d{4} ?年 ?\d{1,2} ?月 ?\d{1,2} ?日)");
    p.emplace_back(
        R"(\d{1,2}(er)? (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4})");
    p.emplace_back(
        R"(\d{1,2} de (enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre) de \d{4})");
    p.emplace_back(
        R"(\d{1,2} (января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря) \d{4}( года| г\.)?)");
    // Arabic: "13 نيسان/أبريل 2011" (Levantine/Egyptian month pair), digits ASCII or Arabic-Indic.
    p.emplace_back(
        R"((?:[0-9]|٠|١|٢|٣|٤|٥|٦|٧|٨|٩){1,2} (كانون الثاني/يناير|شباط/فبراير|آذار/مارس|نيسان/أبريل|أيار/مايو|حزيران/يونيه|حزيران/يونيو|تموز/يوليه|تموز/يوليو|آب/أغسطس|أيلول/سبتمبر|تشرين الأول/أكتوبر|تشرين الثاني/نوفمبر|كانون الأول/ديسمبر) (?:[0-9]|٠|١|٢|٣|٤|٥|٦|٧|٨|٩){4})");
    return p;
  }();
  // Every date has a four-digit year: search only a window around each one,
  // so long paragraphs cost a scan, not a regex search.
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
    // no regex search.
    if (std::none_of(kDateNeedles.begin(), kDateNeedles.end(),
                     [&](std::string_view needle) { return window.find(needle) != std::string_view::npos; }))
      continue;
    for (const auto& re : patterns) {
      std::match_results<std::string_view::const_iterator> m;
      if (std::regex_search(window.begin(), window.end(), m, re)) return m.str();
    }
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
