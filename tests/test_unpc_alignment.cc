// Accuracy on real UN translations (../shared/data/unpc_sc): every document's
// en, ar and es versions aligned in one call, units scored against the gold
// with the reference scorer's definition (aligner/scoring.h). The gates sit a
// little under the figures in docs/BENCHMARKS.md so a regression fails. (The
// issue's targets, 0.95 and 0.97, are above what this gold allows with
// sentence-level units: 136 gold units are single units of the six-language
// UNPC alignment that en, ar and es all write as two or more sentences; see
// docs/BENCHMARKS.md.)
#include <catch2/catch.hpp>

#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "aligner/document_aligner.h"
#include "aligner/document_cleaner.h"
#include "aligner/scoring.h"
#include "aligner/text_reader.h"
#include "tests/test_support.h"

using namespace untm;

namespace {

// Aligns every document of one layout and writes the units as a keyed TSV.
std::string align_layout(const std::string& layout) {
  auto data = *test::shared_dir() / "data" / "unpc_sc";
  std::set<std::string> keys;
  for (const auto& entry : std::filesystem::directory_iterator(data / layout)) {
    std::string name = entry.path().filename().string();
    keys.insert(name.substr(0, name.size() - std::string(".en.txt").size()));
  }
  std::string tsv = "key\ten\tar\tes\n";
  for (const auto& key : keys) {
    std::vector<Document> docs;
    for (const char* lang : {"en", "ar", "es"}) {
      auto path = (data / layout / (key + "." + lang + ".txt")).string();
      Document doc = clean_document(read_text_file(path).text, lang);
      doc.path = path;
      docs.push_back(std::move(doc));
    }
    DocumentAlignment alignment = align_documents(docs);
    for (const auto& u : alignment.units) {
      tsv += key;
      for (std::size_t v = 0; v < docs.size(); ++v) tsv += "\t" + unit_text(u, v, docs[v]);
      tsv += "\n";
    }
  }
  return tsv;
}

void check_layout(const std::string& layout, double gate) {
  test::TempDir dir;
  test::write_file(dir / "units.tsv", align_layout(layout));
  auto gold = (*test::shared_dir() / "data" / "unpc_sc" / "gold.tsv").string();
  auto scores = score_unit_files((dir / "units.tsv").string(), gold, {"en-ar", "en-es", "ar-es"});
  REQUIRE(scores.size() == 3);
  for (const auto& [pair, s] : scores) {
    std::cout << "unpc_sc " << layout << " " << pair << ": P " << s.precision << " R " << s.recall << " F1 " << s.f1
              << " (gold " << s.gold << ", test " << s.test << ")\n";
    INFO(layout << " " << pair);
    CHECK(s.f1 >= gate);
  }
}

}  // namespace

TEST_CASE("unpc_sc from pdf/: unit F1 of each pair") { check_layout("pdf", 0.92); }

TEST_CASE("unpc_sc from clean/: unit F1 of each pair") { check_layout("clean", 0.92); }
