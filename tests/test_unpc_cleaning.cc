// Real UN translations (../shared/data/unpc_sc): the paragraphs recovered
// from the PDF-like layout must equal the clean layout's paragraphs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "aligner/document_cleaner.h"
#include "aligner/language.h"
#include "aligner/text_reader.h"
#include "tests/test_support.h"

using namespace untm;

namespace {

// White space runs as one space, trimmed.
std::string squash(const std::string& s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::vector<std::string> clean_paragraphs(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    auto end = text.find("\n\n", start);
    std::string block = squash(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (!block.empty()) out.push_back(block);
    if (end == std::string::npos) break;
    start = end + 2;
  }
  return out;
}

std::vector<std::string> pdf_paragraphs(const Document& doc) {
  std::vector<std::string> out;
  for (const auto& p : doc.paragraphs)
    if (p.kind != ParagraphKind::meta) out.push_back(squash((p.label ? *p.label + " " : "") + p.text));
  return out;
}

// Paragraphs of `a` found in `b`, each counted once.
std::size_t matched(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::vector<std::string> common;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(common));
  return common.size();
}

}  // namespace

TEST_CASE("unpc_sc: paragraphs from pdf/ equal those from clean/ for at least 98% of paragraphs") {
  auto data = *test::shared_dir() / "data" / "unpc_sc";
  std::map<std::string, std::pair<std::size_t, std::size_t>> per_lang;  // matched, total
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(data / "pdf")) {
    auto name = entry.path().filename().string();
    auto lang = language_from_file_name(name);
    REQUIRE(lang);
    // Both layouts through the reader, so both are NFC.
    auto clean = clean_paragraphs(read_text_file((data / "clean" / name).string()).text);
    auto pdf = pdf_paragraphs(clean_document(read_text_file(entry.path().string()).text, *lang));
    auto& [hit, total] = per_lang[*lang];
    hit += matched(clean, pdf);
    // A missing or an extra paragraph both count against the figure.
    total += std::max(clean.size(), pdf.size());
    ++files;
  }
  CHECK(files == 546);
  std::size_t hit = 0, total = 0;
  for (const auto& [lang, counts] : per_lang) {
    std::cout << "unpc_sc " << lang << ": " << counts.first << "/" << counts.second << " paragraphs equal ("
              << 100.0 * double(counts.first) / double(counts.second) << "%)\n";
    hit += counts.first;
    total += counts.second;
  }
  const double share = double(hit) / double(total);
  std::cout << "unpc_sc all: " << hit << "/" << total << " = " << 100.0 * share << "%\n";
  CHECK(share >= 0.98);
}

TEST_CASE("the corpus zh.txt is the seed exactly as given") {
  auto seed = *test::shared_dir() / "seed" / "000_cb10850fffa990e2.txt";
  CHECK(test::read_file(seed) ==
        test::read_file(test::source_dir() / "corpora" / "libya-contact-group-2011" / "zh.txt"));
}

TEST_CASE("the raw English PDF extraction: masthead, job number and barcode out, 25 operative paragraphs") {
  auto path = *test::shared_dir() / "data" / "un_pdf_text_en" / "453500.txt";
  Document doc = clean_document(read_text_file(path.string()).text, "en");
  std::vector<std::string> keys;
  for (const auto& p : doc.paragraphs) {
    INFO(p.text);
    CHECK(p.text.find("01-66657") == std::string::npos);
    CHECK(p.text.find("*0166657*") == std::string::npos);
    if (p.kind == ParagraphKind::numbered && p.key && p.key->find('(') == std::string::npos) keys.push_back(*p.key);
  }
  std::vector<std::string> expected;
  for (int i = 1; i <= 25; ++i) expected.push_back(std::to_string(i));
  CHECK(keys == expected);
  CHECK(doc.properties.original_lang == "en");
  REQUIRE_FALSE(doc.paragraphs.empty());
  CHECK(doc.paragraphs[0].kind == ParagraphKind::meta);
}

TEST_CASE("one paragraph per line, six languages (A/RES/55/100): same paragraphs, same keys in all") {
  auto dir = *test::shared_dir() / "data" / "un_ga_A_RES_55_100";
  std::vector<std::string> reference_keys;
  for (const char* lang : {"ar", "zh", "en", "fr", "ru", "es"}) {
    INFO(lang);
    auto path = dir / (std::string("A_RES_55_100.") + lang + ".txt");
    auto text = read_text_file(path.string()).text;
    std::size_t lines = 0;
    for (std::size_t pos = 0; pos < text.size(); ++lines) {
      auto nl = text.find('\n', pos);
      pos = nl == std::string::npos ? text.size() : nl + 1;
    }
    Document doc = clean_document(text, lang);
    CHECK(doc.paragraphs.size() == lines);  // every line is its own paragraph
    std::vector<std::string> keys;
    for (const auto& p : doc.paragraphs)
      if (p.key) keys.push_back(*p.key);
    CHECK(keys == std::vector<std::string>{"1", "2", "3", "4"});
  }
}
