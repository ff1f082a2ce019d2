// The seed document and the team's en/ar versions in
// corpora/libya-contact-group-2011: what the cleaner must recover from them,
// and that gold.tsv agrees with the segmentation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "aligner/document_cleaner.h"
#include "aligner/text_reader.h"
#include "aligner/utf8_util.h"
#include "tests/test_support.h"

using namespace untm;

namespace {

const std::filesystem::path kCorpus = test::source_dir() / "corpora" / "libya-contact-group-2011";

Document load(const std::string& lang) {
  TextFile file = read_text_file((kCorpus / (lang + ".txt")).string());
  return clean_document(file.text, lang);
}

std::vector<const Paragraph*> of_kind(const Document& doc, ParagraphKind kind) {
  std::vector<const Paragraph*> out;
  for (const auto& p : doc.paragraphs)
    if (p.kind == kind) out.push_back(&p);
  return out;
}

std::vector<std::string> numbered_keys(const Document& doc) {
  std::vector<std::string> keys;
  for (const auto* p : of_kind(doc, ParagraphKind::numbered)) keys.push_back(p->key.value_or("?"));
  return keys;
}

const std::vector<std::string> kOneToThirteen = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13"};

// Index of the numbered paragraph with `key` in doc.paragraphs.
std::size_t index_of_key(const Document& doc, const std::string& key) {
  for (std::size_t i = 0; i < doc.paragraphs.size(); ++i)
    if (doc.paragraphs[i].kind == ParagraphKind::numbered && doc.paragraphs[i].key == key) return i;
  FAIL("no paragraph " << key);
  return 0;
}

bool has_space_between_cjk(const std::string& text) {
  std::vector<char32_t> cps;
  for (std::size_t i = 0; i < text.size();) cps.push_back(utf8::next(text, i));
  for (std::size_t i = 1; i + 1 < cps.size(); ++i)
    if (cps[i] == ' ' && utf8::is_cjk(cps[i - 1]) && utf8::is_cjk(cps[i + 1])) return true;
  return false;
}

std::string without_space(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\n') out += c;
  return out;
}

}  // namespace

TEST_CASE("seed: 13 numbered paragraphs, 1-9 with a full-width stop, 10-13 with an ASCII one") {
  Document doc = load("zh");
  REQUIRE(numbered_keys(doc) == kOneToThirteen);
  auto numbered = of_kind(doc, ParagraphKind::numbered);
  for (int i = 0; i < 13; ++i) {
    INFO("paragraph " << i + 1);
    CHECK(*numbered[i]->label == std::to_string(i + 1) + (i < 9 ? "．" : "."));
  }
}

TEST_CASE("seed: four unnumbered headings, before paragraphs 3, 5, 7 and 10") {
  Document doc = load("zh");
  auto headings = of_kind(doc, ParagraphKind::heading);
  REQUIRE(headings.size() == 4);
  for (const char* key : {"3", "5", "7", "10"}) {
    INFO("before paragraph " << key);
    std::size_t i = index_of_key(doc, key);
    REQUIRE(i > 0);
    CHECK(doc.paragraphs[i - 1].kind == ParagraphKind::heading);
    CHECK_FALSE(doc.paragraphs[i - 1].label.has_value());
  }
  CHECK(headings[0]->text ==
        "国际社会在执行联合国安全理事会第 1970(2011)号和第 1973(2011)号决议方面所取得的进展以及关于停止对平民的袭击的要求");
  CHECK(headings[3]->text == "向利比亚人民提供人道主义援助和长期的支持");
}

TEST_CASE("seed: the letter, its body, two signature blocks and the annex title") {
  Document doc = load("zh");
  auto titles = of_kind(doc, ParagraphKind::title);
  REQUIRE(titles.size() >= 2);
  CHECK(titles[0]->text ==
        "2011年 4月 14日卡塔尔驻联合国代表和大不列颠及北爱尔兰联合王国驻联合国代表给安全理事会主席的信");
  CHECK(titles[1]->text ==
        "2011年 4月 14日卡塔尔驻联合国代表和大不列颠及北爱尔兰联合王国驻联合国代表给安全理事会主席的信的附件");
  auto bodies = of_kind(doc, ParagraphKind::body);
  REQUIRE(bodies.size() == 1);
  CHECK(bodies[0]->sentences.size() == 2);
  CHECK(bodies[0]->text.starts_with("如你所知，英国政府和卡塔尔政府共同主办了利比亚问题联络小组 4 月 13日在多哈"));
  auto signatures = of_kind(doc, ParagraphKind::signature);
  REQUIRE(signatures.size() == 2);
  CHECK(signatures[0]->text == "常驻代表 大使 马克·莱尔·格兰特(签名)");
  CHECK(signatures[1]->text == "临时代办 大使 阿勒亚·艾哈迈德·阿勒萨尼(签名)");
  CHECK(doc.properties.original_lang == "ar");
  CHECK_FALSE(doc.properties.symbol.has_value());
  auto meta = of_kind(doc, ParagraphKind::meta);
  REQUIRE(meta.size() == 1);
  CHECK(meta[0]->text == "[原件：阿拉伯文]");
}

TEST_CASE("seed: no line breaks, no wrap spaces between CJK characters, no page furniture") {
  Document doc = load("zh");
  for (const auto& p : doc.paragraphs) {
    INFO(p.text);
    CHECK(p.text.find('\n') == std::string::npos);
    if (p.kind != ParagraphKind::signature) CHECK_FALSE(has_space_between_cjk(p.text));
    for (const auto& s : p.sentences) CHECK_FALSE(s.text.empty());
  }
  // The page-break leftover "阿尔加 / 尔比亚" in paragraph 4 is rejoined.
  CHECK(doc.paragraphs[index_of_key(doc, "4")].text.find("阿尔加尔比亚") != std::string::npos);
}

TEST_CASE("en and ar versions: the same 13 keys, Arabic-Indic labels parsed, furniture gone") {
  for (const char* lang : {"en", "ar"}) {
    INFO(lang);
    Document doc = load(lang);
    CHECK(numbered_keys(doc) == kOneToThirteen);
    CHECK(of_kind(doc, ParagraphKind::heading).size() == 4);
    CHECK(of_kind(doc, ParagraphKind::signature).size() == 2);
    CHECK(doc.properties.original_lang == "ar");
    for (const auto& p : doc.paragraphs) {
      INFO(p.text);
      CHECK(p.text.find("11-29765") == std::string::npos);
      CHECK(p.text.find("*1129765*") == std::string::npos);
      CHECK(p.text.find("Please recycle") == std::string::npos);
      CHECK(p.text.find("الرجاء إعادة الاستعمال") == std::string::npos);
    }
  }
  Document ar = load("ar");
  CHECK(*ar.paragraphs[index_of_key(ar, "7")].label == "٧ -");
  CHECK(*ar.paragraphs[index_of_key(ar, "11")].label == "١١ -");
  Document en = load("en");
  // The page break inside paragraph 6 falls mid-word ("democrat-" / "ically").
  CHECK(en.paragraphs[index_of_key(en, "6")].text.find("democratically") != std::string::npos);
  CHECK(en.paragraphs[index_of_key(en, "1")].text.find("post-conflict") != std::string::npos);
}

TEST_CASE("gold.tsv: each column is the segmented text, cut only at sentence boundaries") {
  std::istringstream gold(test::read_file(kCorpus / "gold.tsv"));
  std::string line;
  std::getline(gold, line);
  REQUIRE(line == "zh\ten\tar");
  std::vector<std::vector<std::string>> rows;
  while (std::getline(gold, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::size_t start = 0;
    for (;;) {
      auto tab = line.find('\t', start);
      cells.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    REQUIRE(cells.size() == 3);
    rows.push_back(cells);
  }
  CHECK(rows.size() == 64);
  const std::vector<std::string> langs = {"zh", "en", "ar"};
  for (std::size_t column = 0; column < 3; ++column) {
    INFO(langs[column]);
    Document doc = load(langs[column]);
    // Our sentences, white space removed, with the paragraph label on the
    // first sentence of its paragraph (as the gold writes it).
    std::vector<std::size_t> boundaries;
    std::string ours;
    for (const auto& p : doc.paragraphs) {
      if (p.kind == ParagraphKind::meta) continue;
      for (std::size_t k = 0; k < p.sentences.size(); ++k) {
        ours += without_space((k == 0 && p.label ? *p.label : "") + p.sentences[k].text);
        boundaries.push_back(ours.size());
      }
    }
    std::string theirs;
    for (const auto& row : rows) {
      CHECK_FALSE(row[column].empty());
      theirs += without_space(row[column]);
      INFO("unit ending: " << row[column]);
      CHECK(std::binary_search(boundaries.begin(), boundaries.end(), theirs.size()));
    }
    CHECK(ours == theirs);
  }
}
