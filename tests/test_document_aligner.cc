// Aligning whole documents: the seed corpus against its hand-made gold, and
// the behaviours the aligner promises (missing paragraphs, bad input).
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "aligner/document_aligner.h"
#include "aligner/document_cleaner.h"
#include "aligner/errors.h"
#include "aligner/scoring.h"
#include "aligner/text_reader.h"
#include "tests/test_support.h"

using namespace untm;

namespace {

const std::filesystem::path kCorpus = test::source_dir() / "corpora" / "libya-contact-group-2011";

Document load(const std::string& lang) {
  auto path = (kCorpus / (lang + ".txt")).string();
  Document doc = clean_document(read_text_file(path).text, lang);
  doc.path = path;
  return doc;
}

std::string units_tsv(const DocumentAlignment& alignment, const std::vector<Document>& docs) {
  std::string out = "key";
  for (const auto& l : alignment.langs) out += "\t" + l;
  out += "\n";
  for (const auto& u : alignment.units) {
    out += "doc";
    for (std::size_t v = 0; v < docs.size(); ++v) out += "\t" + unit_text(u, v, docs[v]);
    out += "\n";
  }
  return out;
}

// Every sentence of every version in exactly one unit, in order.
void check_partition(const DocumentAlignment& alignment, const std::vector<Document>& docs) {
  for (std::size_t v = 0; v < docs.size(); ++v) {
    std::vector<SentenceRef> seen;
    for (const auto& u : alignment.units)
      for (const auto& ref : u.sentences[v]) seen.push_back(ref);
    std::vector<SentenceRef> expected;
    for (std::size_t p = 0; p < docs[v].paragraphs.size(); ++p) {
      if (docs[v].paragraphs[p].kind == ParagraphKind::meta) continue;
      for (std::size_t s = 0; s < docs[v].paragraphs[p].sentences.size(); ++s) expected.push_back({p, s});
    }
    REQUIRE(seen.size() == expected.size());
    for (std::size_t k = 0; k < seen.size(); ++k) {
      CHECK(seen[k].paragraph == expected[k].paragraph);
      CHECK(seen[k].sentence == expected[k].sentence);
    }
  }
}

}  // namespace

TEST_CASE("the seed corpus aligns zh, en and ar exactly as the hand-made gold") {
  std::vector<Document> docs = {load("zh"), load("en"), load("ar")};
  DocumentAlignment alignment = align_documents(docs);
  CHECK(alignment.langs == std::vector<std::string>{"zh", "en", "ar"});
  CHECK(alignment.langs[alignment.pivot] == "ar");  // the annex's original language
  CHECK(alignment.warnings.empty());
  check_partition(alignment, docs);

  test::TempDir dir;
  test::write_file(dir / "test.tsv", units_tsv(alignment, docs));
  // The gold has no key column: score unkeyed.
  auto scores = score_unit_files((dir / "test.tsv").string(), (kCorpus / "gold.tsv").string(),
                                 {"zh-en", "ar-en", "ar-zh"});
  REQUIRE(scores.size() == 3);
  for (const auto& [pair, score] : scores) {
    INFO(pair << ": P " << score.precision << " R " << score.recall);
    CHECK(score.f1 == 1.0);
  }
}

TEST_CASE("a version with a missing paragraph gets 1-0 units there, not a shifted alignment") {
  Document zh = load("zh"), en = load("en");
  // Drop English paragraph 5.
  std::erase_if(en.paragraphs, [](const Paragraph& p) { return p.key == "5"; });
  std::vector<Document> docs = {zh, en};
  DocumentAlignment alignment = align_documents(docs, {.pivot = "zh"});
  check_partition(alignment, docs);
  std::size_t zh_only = 0;
  for (const auto& u : alignment.units) {
    if (u.paragraph_key == "5") {
      CHECK(u.sentences[1].empty());
      ++zh_only;
    }
    // Paragraph 6 on: still matched paragraph to paragraph.
    if (u.paragraph_key == "6" || u.paragraph_key == "13") {
      REQUIRE_FALSE(u.sentences[1].empty());
      CHECK(en.paragraphs[u.sentences[1].front().paragraph].key == u.paragraph_key);
    }
  }
  std::size_t zh_paragraph_5_sentences = 0;
  for (const auto& p : zh.paragraphs)
    if (p.key == "5") zh_paragraph_5_sentences = p.sentences.size();
  CHECK(zh_paragraph_5_sentences == 6);
  CHECK(zh_only == zh_paragraph_5_sentences);
}

TEST_CASE("versions of different documents are flagged with the evidence") {
  Document zh = load("zh");
  Document other = clean_document(
      "1. The Committee met in Geneva.\n\n2. It adopted its report.\n\n3. It closed the session.\n\n"
      "4. It will meet again.\n\n5. The Chair thanked the members.\n",
      "en");
  other.path = "other.en.txt";
  // Renumber so that label keys disagree as in a different document.
  for (auto& p : other.paragraphs)
    if (p.key) p.key = "(" + *p.key + ")";
  std::vector<Document> docs = {zh, other};
  DocumentAlignment alignment = align_documents(docs);
  REQUIRE(alignment.warnings.size() == 1);
  CHECK(alignment.warnings[0].find("may not be a version of the same document") != std::string::npos);
  CHECK(alignment.warnings[0].find("0 of 5 paragraph numbers match") != std::string::npos);
}

TEST_CASE("align_documents: clear errors for one version, same language twice, unknown pivot") {
  Document zh = load("zh"), en = load("en");
  CHECK_THROWS_WITH(align_documents({zh}),
                    "alignment needs at least two language versions of the document; got 1.");
  Document en2 = en;
  CHECK_THROWS_AS(align_documents({en, en2}), ArgumentError);
  CHECK_THROWS_WITH(align_documents({zh, en}, {.pivot = "fr"}),
                    "pivot language fr is not among the versions (zh, en). Give one of those, or leave the pivot "
                    "out.");
}

TEST_CASE("unnumbered versions of different documents are flagged by their low confidence") {
  Document zh = load("zh");
  Document en = clean_document(
      "The Committee met in Geneva on 3 May 1999 to review its working methods. It adopted its report without a "
      "vote.\n\nThe Chair thanked the members of the secretariat for their work during the session. The members "
      "agreed to meet again in the autumn.\n\nSeveral delegations asked for more time to study the proposals of "
      "the working group on fisheries. The Committee closed its session.\n",
      "en");
  en.path = "other.en.txt";
  std::vector<Document> docs = {zh, en};
  DocumentAlignment alignment = align_documents(docs);
  REQUIRE(alignment.warnings.size() == 1);
  // English is the pivot (the seed's original, Arabic, is not among the versions).
  CHECK(alignment.warnings[0].find("zh.txt (zh) may not be a version of the same document as other.en.txt (en)") !=
        std::string::npos);
}
