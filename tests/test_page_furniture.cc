// The masthead's session and committee lines and find_date's dates were
// matched with std::regex; hand-written matchers replaced them. These tests
// keep the regular expressions as the reference and check that both give
// the same answers: on every line of corpora/ and on random strings built
// from the pieces the patterns are made of (digits, month names, spaces,
// line breaks, the Chinese and Arabic forms), and on cases written out.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <filesystem>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "aligner/page_furniture.h"
#include "test_support.h"

namespace {

bool reference_session_or_committee_line(std::string_view line) {
  static const std::regex session_or_item(
      R"(^((\S+ )?(session|sesión|période de session|сессия)|Agenda items? .*|Point .* de l'ordre du jour|Tema .* del programa( provisional)?|Пункт .* повестки дня|议程项目.*|临时议程项目.*|البند .* من جدول الأعمال.*|第.*届会议|الدورة .*)$)");
  static const std::regex committee(
      R"(^((First|Second|Third|Fourth|Fifth|Sixth) Committee|(Première|Deuxième|Troisième|Quatrième|Cinquième|Sixième) Commission|(Primera|Segunda|Tercera|Cuarta|Quinta|Sexta) Comisión|(Первый|Второй|Третий|Четвертый|Пятый|Шестой) комитет|第(一|二|三|四|五|六)委员会|اللجنة (الأولى|الثانية|الثالثة|الرابعة|الخامسة|السادسة))$)");
  return line.size() <= 80 && (std::regex_match(line.begin(), line.end(), session_or_item) ||
                               std::regex_match(line.begin(), line.end(), committee));
}

// find_date as it was, with its seven regular expressions.
std::optional<std::string> reference_find_date(std::string_view text) {
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
    p.emplace_back(
        R"((?:[0-9]|٠|١|٢|٣|٤|٥|٦|٧|٨|٩){1,2} (كانون الثاني/يناير|شباط/فبراير|آذار/مارس|نيسان/أبريل|أيار/مايو|حزيران/يونيه|حزيران/يونيو|تموز/يوليه|تموز/يوليو|آب/أغسطس|أيلول/سبتمبر|تشرين الأول/أكتوبر|تشرين الثاني/نوفمبر|كانون الأول/ديسمبر) (?:[0-9]|٠|١|٢|٣|٤|٥|٦|٧|٨|٩){4})");
    return p;
  }();
  static constexpr std::array<std::string_view, 39> needles = {
      "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
      "November", "December", "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
      "septembre", "octobre", "novembre", "décembre", "января", "февраля", "марта", "апреля", "мая", "июня",
      "июля", "августа", "сентября", "октября", "ноября", "декабря", "年", " de ", "/"};
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool ascii_digit = c >= '0' && c <= '9';
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
    const std::size_t begin = i >= 80 ? i - 80 : 0;
    const std::size_t end = std::min(text.size(), i + 80);
    const std::string_view window = text.substr(begin, end - begin);
    if (std::none_of(needles.begin(), needles.end(),
                     [&](std::string_view needle) { return window.find(needle) != std::string_view::npos; }))
      continue;
    for (const auto& re : patterns) {
      std::match_results<std::string_view::const_iterator> m;
      if (std::regex_search(window.begin(), window.end(), m, re)) return m.str();
    }
  }
  return std::nullopt;
}

// Strings of 1 to 9 pieces drawn from `pieces`.
std::vector<std::string> random_strings(const std::vector<std::string_view>& pieces, std::size_t count,
                                        std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> length(1, 9), piece(0, pieces.size() - 1);
  std::vector<std::string> out;
  for (std::size_t k = 0; k < count; ++k) {
    std::string s;
    for (std::size_t n = length(rng); n > 0; --n) s += pieces[piece(rng)];
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> corpus_lines() {
  std::vector<std::string> lines;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(untm::test::source_dir() / "corpora")) {
    if (!entry.is_regular_file() || entry.path().extension() != ".txt") continue;
    std::istringstream in(untm::test::read_file(entry.path()));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  return lines;
}

}  // namespace

TEST_CASE("session and committee lines are recognized as the regular expressions did") {
  for (std::string_view line :
       {"Sixty-fifth session", "session", "Soixante-cinquième période de session", "Шестьдесят-пятая сессия",
        "Agenda item 119 (b)", "Agenda items 12 and 13", "Point 12 de l'ordre du jour",
        "Tema 12 del programa", "Tema 12 del programa provisional", "Пункт 12 повестки дня", "议程项目 12",
        "临时议程项目 12", "البند 12 من جدول الأعمال", "第六十五届会议", "الدورة الخامسة والستون", "Third Committee",
        "Troisième Commission", "Tercera Comisión", "Третий комитет", "第三委员会", "اللجنة الثالثة"}) {
    INFO(line);
    CHECK(reference_session_or_committee_line(line));
    CHECK(untm::is_session_or_committee_line(line));
  }
  for (std::string_view line :
       {"Sixty fifth session", "Sexagésimo quinto período de sesiones", "Шестьдесят пятая сессия", "Agenda item", "Agenda itemss 4", "Point de l'ordre du jour", "Point  de l'ordre du jour",
        "Tema 1 del programa provisiona", "第届会议", "第\r届会议", "Agenda item 4\r", "Seventh Committee",
        "third Committee", " session", "x\tsession", "x\xC2\xA0session"}) {
    INFO(line);
    CHECK(untm::is_session_or_committee_line(line) == reference_session_or_committee_line(line));
  }
  std::vector<std::string> lines = corpus_lines();
  REQUIRE(lines.size() > 100);
  const std::vector<std::string_view> pieces = {
      "session", "sesión", "période de session", "сессия", " ", "  ", "\t", "\r", "\n", "x", "Sixty-fifth",
      "Agenda item", "Agenda items", "s", "Point ", " de l'ordre du jour", "Tema ", " del programa", " provisional",
      "Пункт ", " повестки дня", "议程项目", "临时", "البند ", " من جدول الأعمال", "第", "届会议", "الدورة ", "12",
      "Third", " Committee", "第三委员会", "اللجنة ", "الثالثة", "Troisième Commission", "\xC2\xA0", "é"};
  const std::vector<std::string> generated = random_strings(pieces, 20000, 1973);
  lines.insert(lines.end(), generated.begin(), generated.end());
  std::size_t matched = 0, differ = 0;
  for (const std::string& line : lines) {
    const bool expected = reference_session_or_committee_line(line);
    matched += expected;
    if (untm::is_session_or_committee_line(line) != expected) {
      ++differ;
      UNSCOPED_INFO("differs on \"" << line << "\"");
    }
  }
  CHECK(differ == 0);
  CHECK(matched > 500);  // the strings reach the patterns, not only their misses
}

TEST_CASE("dates are found as the regular expressions found them") {
  CHECK(untm::find_date("Letter dated 13 April 2011 from the Permanent Representative") == "13 April 2011");
  CHECK(untm::find_date("April 13, 2011") == "April 13, 2011");
  CHECK(untm::find_date("2011 年 4 月 13 日的信") == "2011 年 4 月 13 日");
  CHECK(untm::find_date("le 1er avril 2011") == "1er avril 2011");
  CHECK(untm::find_date("el 13 de abril de 2011") == "13 de abril de 2011");
  CHECK(untm::find_date("от 13 апреля 2011 года") == "13 апреля 2011 года");
  CHECK(untm::find_date("от 13 апреля 2011 г. на") == "13 апреля 2011 г.");
  CHECK(untm::find_date("١٣ نيسان/أبريل ٢٠١١") == "١٣ نيسان/أبريل ٢٠١١");
  CHECK(untm::find_date("on 123 April 2011") == "23 April 2011");  // leftmost, then greedy digits backtrack
  CHECK_FALSE(untm::find_date("resolution 1970 (2011)").has_value());

  std::vector<std::string> texts = corpus_lines();
  REQUIRE(texts.size() > 100);
  // Dates in every pattern's shape, each part drawn from right and wrong
  // forms (and empty), between bits of text.
  using Slot = std::vector<std::string_view>;
  const Slot noise = {"", "", "x ", "on ", "1 ", " 2011 ", "\r", "é", "12/"};
  const Slot day = {"", "1", "12", "123", "01", "٣", "١٢", "x"};
  const Slot gap = {" ", " ", "", "  ", ", ", " de ", "er ", "\t"};
  const Slot month = {"April", "May", "December", "Marc", "april", "avril", "mars", "août", "juillet", "abril",
                      "setiembre", "septiembre", "апреля", "мая", "нояб", "نيسان/أبريل", "كانون الثاني/يناير",
                      "كانون الأول/ديسمبر", "حزيران/يونيه", "حزيران/يوني", "年", "月"};
  const Slot year = {"2011", "2011", "201", "20111", "٢٠١١", "٢٠١", "1"};
  const Slot tail = {"", "", " года", " г.", " г", ",", " 日", "日", "x"};
  const std::vector<std::vector<const Slot*>> shapes = {
      {&noise, &day, &gap, &month, &gap, &year, &tail, &noise},
      {&noise, &month, &gap, &day, &gap, &year, &tail, &noise},
      {&noise, &year, &gap, &month, &gap, &day, &gap, &month, &gap, &day, &tail, &noise},
      {&noise, &day, &gap, &month, &gap, &year, &noise, &day, &gap, &month, &gap, &year, &tail}};
  std::mt19937 rng(2011);
  std::vector<std::string> generated;
  for (std::size_t k = 0; k < 30000; ++k) {
    const auto& shape = shapes[k % shapes.size()];
    std::string text;
    for (const Slot* slot : shape) text += (*slot)[std::uniform_int_distribution<std::size_t>(0, slot->size() - 1)(rng)];
    generated.push_back(std::move(text));
  }
  texts.insert(texts.end(), generated.begin(), generated.end());
  std::size_t found = 0, differ = 0;
  for (const std::string& text : texts) {
    const std::optional<std::string> expected = reference_find_date(text);
    found += expected.has_value();
    if (untm::find_date(text) != expected) {
      ++differ;
      UNSCOPED_INFO("differs on \"" << text << "\"");
    }
  }
  CHECK(differ == 0);
  CHECK(found > 250);  // the strings reach the patterns, not only their misses
}
