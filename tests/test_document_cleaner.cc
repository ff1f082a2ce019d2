// The cleaner on small hand-made layouts: one property per test case.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "aligner/document_cleaner.h"
#include "aligner/page_furniture.h"

using namespace untm;

namespace {

std::vector<const Paragraph*> of_kind(const Document& doc, ParagraphKind kind) {
  std::vector<const Paragraph*> out;
  for (const auto& p : doc.paragraphs)
    if (p.kind == kind) out.push_back(&p);
  return out;
}

std::vector<std::string> texts(const Document& doc) {
  std::vector<std::string> out;
  for (const auto& p : doc.paragraphs)
    if (p.kind != ParagraphKind::meta) out.push_back((p.label ? *p.label + " " : "") + p.text);
  return out;
}

}  // namespace

TEST_CASE("job-number footer and running header inside a paragraph are removed and the paragraph rejoined") {
  const std::string text =
      "1. The Security Council met on 13 April 2011 and decided that the situation in the\n"
      "region continues to constitute a threat to international peace and\n"
      "\n"
      "11-29765 (E)\n"
      "*1129765*\n"
      "Please recycle\n"
      "\n"
      "S/2011/463\n"
      "2\n"
      "\n"
      "security, and that its members would remain seized of the matter.\n"
      "\n"
      "2. The Council further decided to remain actively seized of the matter.\n";
  Document doc = clean_document(text, "en");
  REQUIRE(texts(doc) == std::vector<std::string>{
                            "1. The Security Council met on 13 April 2011 and decided that the situation in the region "
                            "continues to constitute a threat to international peace and security, and that its members "
                            "would remain seized of the matter.",
                            "2. The Council further decided to remain actively seized of the matter."});
  CHECK(doc.properties.symbol == "S/2011/463");
}

TEST_CASE("end-of-line hyphenation is undone, real compounds keep their hyphen") {
  const std::string text =
      "1. The participants affirmed their deter-\n"
      "mination to ensure the effective follow-\n"
      "up of the decisions taken and to support post-\n"
      "conflict planning in a humani-\n"
      "tarian spirit, under the Secretary-\n"
      "General's leadership.\n";
  Document doc = clean_document(text, "en");
  REQUIRE(doc.paragraphs.size() == 1);
  CHECK(doc.paragraphs[0].text ==
        "The participants affirmed their determination to ensure the effective follow-up of the decisions taken "
        "and to support post-conflict planning in a humanitarian spirit, under the Secretary-General's leadership.");
}

TEST_CASE("a hyphenated form seen elsewhere in the document wins") {
  const std::string text =
      "1. The decision-making process was reviewed and the decision-\n"
      "making bodies met; the re-\n"
      "establishment of the office was approved.\n";
  Document doc = clean_document(text, "en");
  REQUIRE(doc.paragraphs.size() == 1);
  CHECK(doc.paragraphs[0].text ==
        "The decision-making process was reviewed and the decision-making bodies met; the re-establishment of the "
        "office was approved.");
}

TEST_CASE("Chinese lines join without a space, other scripts with one") {
  const std::string zh =
      "1． 继 2011 年 3 月 29 日举行的伦敦会议后，利比亚问题联络小组首次会议 4月\n"
      "\n"
      "13 日在多哈举行，会议由卡塔尔国和联合王国共同主持。共 21 个国家以及来自\n"
      "\n"
      "联合国的代表出席了这次会议。\n";
  Document doc = clean_document(zh, "zh");
  REQUIRE(doc.paragraphs.size() == 1);
  CHECK(doc.paragraphs[0].text ==
        "继 2011 年 3 月 29 日举行的伦敦会议后，利比亚问题联络小组首次会议 4月13 日在多哈举行，会议由卡塔尔国和联"
        "合王国共同主持。共 21 个国家以及来自联合国的代表出席了这次会议。");
  CHECK(doc.paragraphs[0].key == "1");
  CHECK(doc.paragraphs[0].label == "1．");
  REQUIRE(doc.paragraphs[0].sentences.size() == 2);

  const std::string ar =
      "1 - يرحب المشاركون بالتقدم المحرز منذ مؤتمر لندن في دعم الشعب الليبي وكفالة\n"
      "حمايته.\n";
  Document arabic = clean_document(ar, "ar");
  REQUIRE(arabic.paragraphs.size() == 1);
  CHECK(arabic.paragraphs[0].text == "يرحب المشاركون بالتقدم المحرز منذ مؤتمر لندن في دعم الشعب الليبي وكفالة حمايته.");
}

TEST_CASE("paragraph boundaries are found when every line is followed by a blank line") {
  // No blank-line evidence at all: labels, short lines and final punctuation decide.
  const std::string text =
      "1. Participants welcomed the progress made since the London Conference in supporting\n\n"
      "the Libyan people.\n\n"
      "Support for the Libyan people\n\n"
      "2. It is for the Libyan people to choose their own Government. Participants welcomed\n\n"
      "the decision of the Council to meet the Contact Group.\n\n"
      "3. Participants agreed.\n";
  Document doc = clean_document(text, "en");
  REQUIRE(texts(doc) == std::vector<std::string>{
                            "1. Participants welcomed the progress made since the London Conference in supporting the "
                            "Libyan people.",
                            "Support for the Libyan people",
                            "2. It is for the Libyan people to choose their own Government. Participants welcomed the "
                            "decision of the Council to meet the Contact Group.",
                            "3. Participants agreed."});
  CHECK(doc.paragraphs[1].kind == ParagraphKind::heading);
  CHECK(doc.paragraphs[2].kind == ParagraphKind::numbered);
}

TEST_CASE("blank lines between paragraphs are trusted over labels at line starts") {
  // Explicit layout: a line starting "(g)" inside a paragraph is a wrapped reference.
  const std::string text =
      "1. Persecution is defined in article 7 (2)\n"
      "(g) of the Rome Statute as the severe deprivation of fundamental rights.\n"
      "\n"
      "2. The Commission recommends that the Council refer the situation.\n"
      "\n"
      "3. The Commission also recommends measures of protection.\n"
      "\n"
      "4. The Commission recommends reparation.\n"
      "\n"
      "5. The Commission recommends a review.\n";
  Document doc = clean_document(text, "en");
  REQUIRE(texts(doc).size() == 5);
  CHECK(texts(doc)[0] ==
        "1. Persecution is defined in article 7 (2) (g) of the Rome Statute as the severe deprivation of fundamental "
        "rights.");
}

TEST_CASE("masthead lines are metadata and give the document properties") {
  const std::string text =
      "United Nations\n"
      "S/2011/463\n"
      "Security Council\n"
      "Distr.: General\n"
      "14 April 2011\n"
      "Original: English\n"
      "\n"
      "Letter dated 14 April 2011 from the representatives of Qatar addressed to the President\n"
      "of the Security Council\n"
      "\n"
      "I have the honour to transmit the attached statement.\n"
      "\n"
      "(Signed) Mark Lyall Grant\n"
      "Ambassador\n"
      "\n"
      "Annex to the letter dated 14 April 2011\n"
      "\n"
      "[Original: Arabic]\n"
      "\n"
      "Chair's statement\n"
      "\n"
      "1. The Group met in Doha.\n";
  Document doc = clean_document(text, "en");
  CHECK(doc.properties.symbol == "S/2011/463");
  CHECK(doc.properties.original_lang == "ar");  // the annex's original, see document_cleaner.cc
  REQUIRE(doc.properties.dates.size() >= 1);
  CHECK(doc.properties.dates[0] == "14 April 2011");
  CHECK(of_kind(doc, ParagraphKind::meta).size() == 7);
  auto titles = of_kind(doc, ParagraphKind::title);
  REQUIRE(titles.size() == 3);
  CHECK(titles[0]->text ==
        "Letter dated 14 April 2011 from the representatives of Qatar addressed to the President of the Security "
        "Council");
  CHECK(titles[1]->text == "Annex to the letter dated 14 April 2011");
  CHECK(titles[2]->text == "Chair's statement");
  auto signatures = of_kind(doc, ParagraphKind::signature);
  REQUIRE(signatures.size() == 1);
  CHECK(signatures[0]->text == "(Signed) Mark Lyall Grant Ambassador");
  REQUIRE(signatures[0]->sentences.size() == 1);
  CHECK(of_kind(doc, ParagraphKind::body).size() == 1);
  CHECK(of_kind(doc, ParagraphKind::numbered).size() == 1);
}

TEST_CASE("Arabic and Chinese masthead lines") {
  CHECK(parse_masthead_line("[الأصل: بالعربية]", true)->original_lang == "ar");
  CHECK(parse_masthead_line("[原件：阿拉伯文]", true)->original_lang == "ar");
  CHECK(parse_masthead_line("الأصل: بالإنكليزية", false)->original_lang == "en");
  CHECK(parse_masthead_line("Original: Spanish", true)->original_lang == "es");
  CHECK(parse_masthead_line("Original : anglais", true)->original_lang == "en");
  CHECK(parse_masthead_line("14 نيسان/أبريل 2011", false)->date == "14 نيسان/أبريل 2011");
  CHECK(parse_masthead_line("2011年4月14日", false)->date == "2011年4月14日");
  CHECK(parse_masthead_line("مجلس الأمن", false).has_value());
  CHECK(parse_masthead_line("General Assembly Distr.: Limited", false).has_value());
  CHECK_FALSE(parse_masthead_line("Security Council resolution 1973 (2011) was adopted.", false).has_value());
  CHECK_FALSE(parse_masthead_line("Original: English", true)->bracketed_original);
}

TEST_CASE("page furniture recognizers") {
  for (const char* line : {"11-29765 (C)", "29765 (E)", "*1129765*", "01-66657 (E) 291101", "2", "2\t11-29765",
                           "11-29765\t3", "S/2011/463 2", "Please recycle", "请回收", "- 3 -"})
    CHECK(is_page_furniture_line(line));
  for (const char* line : {"S/2011/463", "2011", "1973 (2011)", "(E)", "13 April 2011", "Page of the report"})
    CHECK_FALSE(is_page_furniture_line(line));
  for (const char* symbol : {"S/2011/463", "A/RES/55/100", "E/CN.4/2005/L.10", "S/2003/191/Add.1", "S/PRST/1999/29"})
    CHECK(is_document_symbol(symbol));
  for (const char* token : {"S/", "and/or", "A/B", "2011/463"}) CHECK_FALSE(is_document_symbol(token));
}

TEST_CASE("paragraph source lines point back into the original text") {
  const std::string text =
      "S/2011/463\n\n"
      "1. The Group met\n"
      "in Doha.\n"
      "\n"
      "11-29765 (E)\n"
      "\n"
      "2. It agreed.\n";
  Document doc = clean_document(text, "en");
  auto numbered = of_kind(doc, ParagraphKind::numbered);
  REQUIRE(numbered.size() == 2);
  REQUIRE(numbered[0]->source_lines.size() == 2);
  CHECK(text.substr(numbered[0]->source_lines[0].begin,
                    numbered[0]->source_lines[0].end - numbered[0]->source_lines[0].begin) == "1. The Group met");
  CHECK(text.substr(numbered[0]->source_lines[1].begin,
                    numbered[0]->source_lines[1].end - numbered[0]->source_lines[1].begin) == "in Doha.");
  CHECK(text.substr(numbered[1]->source_lines[0].begin, 13) == "2. It agreed.");
}

TEST_CASE("footnotes at the foot of a page") {
  const std::string text =
      "1. The Council recalls its resolution 1970 (2011).\n"
      "\n"
      "1 See S/2011/95.\n"
      "\n"
      "11-29765 (E)\n"
      "\n"
      "2. The Council decides to remain seized of the matter.\n";
  Document doc = clean_document(text, "en");
  auto footnotes = of_kind(doc, ParagraphKind::footnote);
  REQUIRE(footnotes.size() == 1);
  CHECK(footnotes[0]->text == "1 See S/2011/95.");
  CHECK(of_kind(doc, ParagraphKind::numbered).size() == 2);
}

TEST_CASE("empty and blank text give no paragraphs") {
  CHECK(clean_document("", "en").paragraphs.empty());
  CHECK(clean_document("\n \n\t\n", "zh").paragraphs.empty());
}

TEST_CASE("random layouts never crash the cleaner and keep its invariants") {
  // Lines drawn from what real extractions contain, in random order and spacing.
  const std::vector<std::string> pieces = {
      "1. The Security Council met on 13 April 2011 and decided that the",
      "１２．", "1 - يرحب المشاركون بالتقدم", "١١ - ", "(a)", "(أ) الضحايا", "A.", "ألف -", "أولا -", "一、导言",
      "11-29765 (C)", "*1129765*", "S/2011/463", "2", "Please recycle", "请回收", "Distr.: General",
      "Original: English", "[原件：阿拉伯文]", "(Signed) Mark Lyall Grant", "常驻代表", "马克·莱尔·格兰特(签名)",
      "deter-", "mination of the", "post-", "conflict", "参加者们欢迎自伦敦会议以来在支持利比亚人民", "。",
      "“引号。里面。”", "Mr.", "para.", "e.g.", "Sales No. E.95.II.A.1", "--", "-", "   ", "\t", "…", "?",
      "\xC2\xA0", "　", "ـ", "ً", "a", "Z.", "IV.", "LXXXIX.", "999.", "1000.", "(2011)", "”", "（", "）"};
  std::mt19937 rng(20261127);
  for (int round = 0; round < 400; ++round) {
    std::string text;
    const int lines = std::uniform_int_distribution<int>(0, 40)(rng);
    for (int i = 0; i < lines; ++i) {
      text += pieces[std::uniform_int_distribution<std::size_t>(0, pieces.size() - 1)(rng)];
      if (rng() % 3 == 0) text += " " + pieces[rng() % pieces.size()];
      text += rng() % 3 == 0 ? "\n\n" : "\n";
    }
    for (const char* lang : {"en", "zh", "ar"}) {
      Document doc = clean_document(text, lang);
      for (const auto& p : doc.paragraphs) {
        INFO(text);
        CHECK(p.text.find('\n') == std::string::npos);
        for (const auto& s : p.sentences) {
          CHECK_FALSE(s.text.empty());
          CHECK(s.end <= p.text.size());
        }
        for (const auto& span : p.source_lines) CHECK(span.end <= text.size());
      }
    }
  }
}
