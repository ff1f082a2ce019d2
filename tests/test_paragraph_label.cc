#include <catch2/catch.hpp>
#include <string>

#include "aligner/paragraph_label.h"

using untm::LabelStyle;
using untm::parse_paragraph_label;

namespace {

// Parses `line` and checks every field; `body` is the text expected at
// body_begin, `body_begin` its byte offset (checked against the line too).
void check_label(const std::string& line, const std::string& lang,
                 const std::string& text, const std::string& key,
                 LabelStyle style, std::size_t body_begin,
                 const std::string& body) {
  INFO("line: " << line);
  const auto label = parse_paragraph_label(line, lang);
  REQUIRE(label.has_value());
  CHECK(label->text == text);
  CHECK(label->key == key);
  CHECK(label->style == style);
  CHECK(label->body_begin == body_begin);
  REQUIRE(label->body_begin <= line.size());
  CHECK(line.substr(label->body_begin) == body);
}

void check_no_label(const std::string& line, const std::string& lang) {
  INFO("line: " << line);
  CHECK_FALSE(parse_paragraph_label(line, lang).has_value());
}

}  // namespace

TEST_CASE("Chinese number with full-width stop, text directly after",
          "[paragraph_label]") {
  // "1" is 1 byte, "．" 3 bytes.
  check_label("1．继 2011 年", "zh", "1．", "1", LabelStyle::number, 4,
              "继 2011 年");
  check_label("1． 继续", "zh", "1．", "1", LabelStyle::number, 5, "继续");
  check_label("１２．继续", "zh", "１２．", "12", LabelStyle::number, 9,
              "继续");
  // ASCII stop before Chinese text: no space needed either.
  check_label("3.请", "zh", "3.", "3", LabelStyle::number, 2, "请");
}

TEST_CASE("Plain numbers", "[paragraph_label]") {
  check_label("10. 参加者们", "zh", "10.", "10", LabelStyle::number, 4,
              "参加者们");
  check_label("1. The Council", "en", "1.", "1", LabelStyle::number, 3,
              "The Council");
  check_label("12.\tDecides", "en", "12.", "12", LabelStyle::number, 4,
              "Decides");
  check_label("007. Text", "en", "007.", "7", LabelStyle::number, 5, "Text");
  check_label("999. Text", "en", "999.", "999", LabelStyle::number, 5, "Text");
  check_label("   5. Indented", "en", "5.", "5", LabelStyle::number, 6,
              "Indented");
  // U+3000 ideographic space and NBSP before the label.
  check_label("\u3000\u00a07. 文本", "zh", "7.", "7", LabelStyle::number, 8,
              "文本");
  // A label at the end of the line has an empty body.
  check_label("2. ", "en", "2.", "2", LabelStyle::number, 3, "");
  check_label("2.", "en", "2.", "2", LabelStyle::number, 2, "");
  check_label("1)", "es", "1)", "1", LabelStyle::number, 2, "");
  check_label("1) Pide", "es", "1)", "1", LabelStyle::number, 3, "Pide");
  check_label("12) Pide", "es", "12)", "12", LabelStyle::number, 4, "Pide");
}

TEST_CASE("Arabic UN style numbers with a dash", "[paragraph_label]") {
  // "١٢" is 4 bytes, " - " 3 bytes.
  check_label("١٢ - يرحب", "ar", "١٢ -", "12", LabelStyle::number, 7, "يرحب");
  check_label("١ - يقرر", "ar", "١ -", "1", LabelStyle::number, 5, "يقرر");
  check_label("۱۲ - يرحب", "ar", "۱۲ -", "12", LabelStyle::number, 7,
              "يرحب");  // Extended Arabic-Indic digits
  check_label("1 - Decides", "en", "1 -", "1", LabelStyle::number, 4,
              "Decides");
  check_label("1- Decides", "en", "1-", "1", LabelStyle::number, 3, "Decides");
  check_label("1 – Decides", "en", "1 –", "1", LabelStyle::number, 6,
              "Decides");  // en dash is 3 bytes
  check_label("٣ -", "ar", "٣ -", "3", LabelStyle::number, 4, "");
  // A right-to-left mark before the number is skipped.
  check_label("\u200f٤ - نص", "ar", "٤ -", "4", LabelStyle::number, 8, "نص");
}

TEST_CASE("Numbers that are text, not labels", "[paragraph_label]") {
  check_no_label("2011 年 4 月 14 日", "zh");
  check_no_label("4 月 14 日", "zh");
  check_no_label("1973(2011)号决议", "zh");
  check_no_label("13 April 2011", "en");
  check_no_label("3.6 million people", "en");
  check_no_label("1.5 per cent", "en");
  check_no_label("2011. The year", "en");  // > 999: a wrapped year
  check_no_label("1000. Text", "en");
  check_no_label("0. Text", "en");
  check_no_label("1.Text", "en");  // needs white space
  check_no_label("1)text", "es");
  check_no_label("1-2 May", "en");
  check_no_label("10 - 12 May", "en");  // a range
  check_no_label("1 million", "en");
  check_no_label("3.5亿美元", "zh");
  check_no_label("S/2011/463", "en");
  check_no_label("", "en");
  check_no_label("   ", "en");
}

TEST_CASE("Multi-level numbers", "[paragraph_label]") {
  check_label("1.2 Scope", "en", "1.2", "1.2", LabelStyle::number, 4, "Scope");
  check_label("12.3. Scope", "en", "12.3.", "12.3", LabelStyle::number, 6,
              "Scope");
  check_label("1.02.3. x", "en", "1.02.3.", "1.2.3", LabelStyle::number, 8,
              "x");
  check_label("2.1．继续", "zh", "2.1．", "2.1", LabelStyle::number, 6, "继续");
  check_no_label("1.2", "en");
  check_label("1.2.", "en", "1.2.", "1.2", LabelStyle::number, 4, "");
}

TEST_CASE("Lettered sub-paragraphs", "[paragraph_label]") {
  check_label("(a) Decides", "en", "(a)", "(a)", LabelStyle::letter, 4,
              "Decides");
  check_label("(z) Decides", "en", "(z)", "(z)", LabelStyle::letter, 4,
              "Decides");
  check_label("(aa) Decides", "en", "(aa)", "(aa)", LabelStyle::letter, 5,
              "Decides");
  check_label("(bb) Decides", "en", "(bb)", "(bb)", LabelStyle::letter, 5,
              "Decides");
  check_label("a) A las víctimas", "es", "a)", "(a)", LabelStyle::letter, 3,
              "A las víctimas");
  check_label("（a）继续", "zh", "（a）", "(a)", LabelStyle::letter, 7, "继续");
  check_label("(b) 继续", "zh", "(b)", "(b)", LabelStyle::letter, 4, "继续");
  check_label("(c)继续", "zh", "(c)", "(c)", LabelStyle::letter, 3, "继续");
}

TEST_CASE("Arabic lettered sub-paragraphs in abjad order",
          "[paragraph_label]") {
  // Arabic letters are 2 bytes.
  check_label("(ج) يطلب", "ar", "(ج)", "(c)", LabelStyle::letter, 5, "يطلب");
  check_label("(أ) يقرر", "ar", "(أ)", "(a)", LabelStyle::letter, 5, "يقرر");
  check_label("(ا) يقرر", "ar", "(ا)", "(a)", LabelStyle::letter, 5, "يقرر");
  check_label("(ب) نص", "ar", "(ب)", "(b)", LabelStyle::letter, 5, "نص");
  check_label("(د) نص", "ar", "(د)", "(d)", LabelStyle::letter, 5, "نص");
  check_label("(هـ)", "ar", "(هـ)", "(e)", LabelStyle::letter, 6, "");
  check_label("(هـ) نص", "ar", "(هـ)", "(e)", LabelStyle::letter, 7, "نص");
  check_label("(ه) نص", "ar", "(ه)", "(e)", LabelStyle::letter, 5, "نص");
  check_label("(و) نص", "ar", "(و)", "(f)", LabelStyle::letter, 5, "نص");
  check_label("(ي) نص", "ar", "(ي)", "(j)", LabelStyle::letter, 5, "نص");
  check_label("(س) نص", "ar", "(س)", "(o)", LabelStyle::letter, 5, "نص");
  check_label("(ر) نص", "ar", "(ر)", "(t)", LabelStyle::letter, 5, "نص");
  check_label("(ض) نص", "ar", "(ض)", "(z)", LabelStyle::letter, 5, "نص");
  check_label("(ظ) نص", "ar", "(ظ)", "(aa)", LabelStyle::letter, 5, "نص");
  check_label("(غ) نص", "ar", "(غ)", "(bb)", LabelStyle::letter, 5, "نص");
  check_no_label("(نص) كلمة", "ar");
}

TEST_CASE("Russian lettered sub-paragraphs by Cyrillic position",
          "[paragraph_label]") {
  check_label("а) признает", "ru", "а)", "(a)", LabelStyle::letter, 4,
              "признает");
  check_label("б) …", "ru", "б)", "(b)", LabelStyle::letter, 4, "…");
  check_label("в) текст", "ru", "в)", "(c)", LabelStyle::letter, 4, "текст");
  check_label("(г) текст", "ru", "(г)", "(d)", LabelStyle::letter, 5, "текст");
  check_label("к) текст", "ru", "к)", "(j)", LabelStyle::letter, 4, "текст");
  check_label("э) текст", "ru", "э)", "(z)", LabelStyle::letter, 4, "текст");
  check_no_label("ю) текст", "ru");  // beyond z
  check_no_label("и текст", "ru");
}

TEST_CASE("Roman sub-sub-paragraphs", "[paragraph_label]") {
  check_label("(i) Text", "en", "(i)", "(i)", LabelStyle::letter, 4, "Text");
  check_label("(ii) Text", "en", "(ii)", "(ii)", LabelStyle::letter, 5, "Text");
  check_label("(iv) Text", "en", "(iv)", "(iv)", LabelStyle::letter, 5, "Text");
  check_label("(vi) Text", "en", "(vi)", "(vi)", LabelStyle::letter, 5, "Text");
  check_label("(xiv) Text", "en", "(xiv)", "(xiv)", LabelStyle::letter, 6,
              "Text");
  check_label("(x) Text", "en", "(x)", "(x)", LabelStyle::letter, 4, "Text");
  check_label("iii) texto", "es", "iii)", "(iii)", LabelStyle::letter, 5,
              "texto");
  // Arabic writes (i) as ‘1’ and Chinese as ㈠ (= "(一)"): same keys.
  check_label("’1‘ نص", "ar", "’1‘", "(i)", LabelStyle::letter, 8, "نص");
  check_label("‘4’ نص", "ar", "‘4’", "(iv)", LabelStyle::letter, 8, "نص");
  check_label("㈠ 继续", "zh", "㈠", "(i)", LabelStyle::letter, 4, "继续");
  check_label("㈣继续", "zh", "㈣", "(iv)", LabelStyle::letter, 3, "继续");
  check_label("(二) 继续", "zh", "(二)", "(ii)", LabelStyle::letter, 6, "继续");
  check_label("（十二）继续", "zh", "（十二）", "(xii)", LabelStyle::letter, 12,
              "继续");
  check_no_label("(mix) of", "en");  // a word, not 1009
  check_no_label("(iiii) x", "en");  // not canonical
}

TEST_CASE("Numbers in parentheses", "[paragraph_label]") {
  check_label("(1) Text", "en", "(1)", "(1)", LabelStyle::number, 4, "Text");
  check_label("(١) نص", "ar", "(١)", "(1)", LabelStyle::number, 5, "نص");
  check_label("(12) Text", "en", "(12)", "(12)", LabelStyle::number, 5, "Text");
  check_no_label("(2011) Text", "en");
  check_no_label("(see annex)", "en");
  check_no_label("(a)text", "en");
  check_no_label("(a", "en");
  check_no_label("(A) Text", "en");
}

TEST_CASE("Section letters", "[paragraph_label]") {
  check_label("A. Introduction", "en", "A.", "A", LabelStyle::section_letter, 3,
              "Introduction");
  check_label("B. 背景", "zh", "B.", "B", LabelStyle::section_letter, 3,
              "背景");
  check_label("Ｃ．背景", "zh", "Ｃ．", "C", LabelStyle::section_letter, 6,
              "背景");
  check_label("C. Text", "en", "C.", "C", LabelStyle::section_letter, 3,
              "Text");
  check_label("D. Text", "en", "D.", "D", LabelStyle::section_letter, 3,
              "Text");
  check_label("L. Text", "en", "L.", "L", LabelStyle::section_letter, 3,
              "Text");
  check_label("M. Text", "en", "M.", "M", LabelStyle::section_letter, 3,
              "Text");
  check_label("Z.", "en", "Z.", "Z", LabelStyle::section_letter, 2, "");
  // Russian sections go by Cyrillic position.
  check_label("А. Введение", "ru", "А.", "A", LabelStyle::section_letter, 4,
              "Введение");
  check_label("Б. Текст", "ru", "Б.", "B", LabelStyle::section_letter, 4,
              "Текст");
  check_label("В. Текст", "ru", "В.", "C", LabelStyle::section_letter, 4,
              "Текст");
  check_no_label("Ambassador", "en");
  check_no_label("A new approach", "en");
  check_no_label("U.S. policy", "en");
  check_no_label("AB. Text", "en");
  check_no_label("Введение", "ru");
}

TEST_CASE("Arabic names of section letters", "[paragraph_label]") {
  // "حاء" is 6 bytes, so "حاء - " is 9.
  check_label("حاء - المساعدة", "ar", "حاء -", "H", LabelStyle::section_letter,
              9, "المساعدة");
  check_label("ألف - مقدمة", "ar", "ألف -", "A", LabelStyle::section_letter, 9,
              "مقدمة");
  check_label("الف - مقدمة", "ar", "الف -", "A", LabelStyle::section_letter, 9,
              "مقدمة");
  check_label("باء – خلفية", "ar", "باء –", "B", LabelStyle::section_letter, 11,
              "خلفية");
  check_label("جيم. نص", "ar", "جيم.", "C", LabelStyle::section_letter, 8,
              "نص");
  check_label("ياء - نص", "ar", "ياء -", "J", LabelStyle::section_letter, 9,
              "نص");
  check_label("ضاد - نص", "ar", "ضاد -", "Z", LabelStyle::section_letter, 9,
              "نص");
  check_no_label("حاء المساعدة", "ar");  // the name needs its dash
  check_no_label("باء-نص", "ar");
}

TEST_CASE("Roman section numbers", "[paragraph_label]") {
  check_label("IV. Conclusions", "en", "IV.", "IV", LabelStyle::roman, 4,
              "Conclusions");
  check_label("I. Introduction", "en", "I.", "I", LabelStyle::roman, 3,
              "Introduction");
  check_label("II. Background", "en", "II.", "II", LabelStyle::roman, 4,
              "Background");
  check_label("V. Text", "en", "V.", "V", LabelStyle::roman, 3, "Text");
  check_label("X. Text", "en", "X.", "X", LabelStyle::roman, 3, "Text");
  check_label("XII. Text", "en", "XII.", "XII", LabelStyle::roman, 5, "Text");
  check_label("XL. Text", "en", "XL.", "XL", LabelStyle::roman, 4, "Text");
  check_label("Ⅳ. Text", "en", "Ⅳ.", "IV", LabelStyle::roman, 5, "Text");
  check_no_label("IIII. Text", "en");
  check_no_label("MD. Text", "en");
  check_no_label("I am writing", "en");
  check_no_label("In 2011.", "en");
  check_no_label("II", "en");
}

TEST_CASE("Arabic ordinal section numbers", "[paragraph_label]") {
  check_label("أولا - مقدمة", "ar", "أولا -", "I", LabelStyle::roman, 11,
              "مقدمة");
  check_label("أولاً - مقدمة", "ar", "أولاً -", "I", LabelStyle::roman, 13,
              "مقدمة");
  check_label("اولا - مقدمة", "ar", "اولا -", "I", LabelStyle::roman, 11,
              "مقدمة");
  check_label("ثانيا - نص", "ar", "ثانيا -", "II", LabelStyle::roman, 13, "نص");
  check_label("رابعاً – نص", "ar", "رابعاً –", "IV", LabelStyle::roman, 17, "نص");
  check_label("عاشرا - نص", "ar", "عاشرا -", "X", LabelStyle::roman, 13, "نص");
  check_label("حادي عشر - نص", "ar", "حادي عشر -", "XI", LabelStyle::roman, 18,
              "نص");
  check_label("ثاني عشر - نص", "ar", "ثاني عشر -", "XII", LabelStyle::roman, 18,
              "نص");
  check_label("تاسع عشر - نص", "ar", "تاسع عشر -", "XIX", LabelStyle::roman, 18,
              "نص");
  check_label("عشرون - نص", "ar", "عشرون -", "XX", LabelStyle::roman, 13, "نص");
  check_no_label("أولا مقدمة", "ar");
  check_no_label("حادي - نص", "ar");
  check_no_label("يرحب بالتقرير", "ar");
}

TEST_CASE("Chinese section numbers", "[paragraph_label]") {
  // Han characters are 3 bytes; "、" too.
  check_label("一、导言", "zh", "一、", "I", LabelStyle::roman, 6, "导言");
  check_label("二、 背景", "zh", "二、", "II", LabelStyle::roman, 7, "背景");
  check_label("十、导言", "zh", "十、", "X", LabelStyle::roman, 6, "导言");
  check_label("十一、导言", "zh", "十一、", "XI", LabelStyle::roman, 9, "导言");
  check_label("十九、导言", "zh", "十九、", "XIX", LabelStyle::roman, 9,
              "导言");
  check_label("二十、导言", "zh", "二十、", "XX", LabelStyle::roman, 9, "导言");
  check_label("三. 导言", "zh", "三.", "III", LabelStyle::roman, 5, "导言");
  check_label("四．导言", "zh", "四．", "IV", LabelStyle::roman, 6, "导言");
  check_no_label("一些国家", "zh");
  check_no_label("十分重要", "zh");
  check_no_label("二十二十、", "zh");
}

TEST_CASE("Roman numeral helpers", "[paragraph_label]") {
  CHECK(untm::roman_numeral(1) == "I");
  CHECK(untm::roman_numeral(4) == "IV");
  CHECK(untm::roman_numeral(19) == "XIX");
  CHECK(untm::roman_numeral(1994) == "MCMXCIV");
  CHECK(untm::roman_numeral(0).empty());
  CHECK(untm::roman_numeral(4000).empty());
  CHECK(untm::roman_numeral_value("IV") == 4);
  CHECK(untm::roman_numeral_value("iv") == 4);
  CHECK(untm::roman_numeral_value("xxxix") == 39);
  CHECK(untm::roman_numeral_value("MIX") == 1009);
  CHECK(untm::roman_numeral_value("IIII") == 0);
  CHECK(untm::roman_numeral_value("IC") == 0);
  CHECK(untm::roman_numeral_value("Iv") == 0);
  CHECK(untm::roman_numeral_value("see") == 0);
  CHECK(untm::roman_numeral_value("") == 0);
}

TEST_CASE("Invalid UTF-8 is not a label and does not crash",
          "[paragraph_label]") {
  check_no_label("\xff\xfe 1. x", "en");
  check_label("1. \xff", "en", "1.", "1", LabelStyle::number, 3, "\xff");
}
