// merge_tm: documents copied whole, replacing by key, never duplicated.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "aligner/errors.h"
#include "tests/test_support.h"
#include "tm/tm_errors.h"
#include "tm/tm_merge.h"
#include "tm/translation_memory.h"

using namespace untm;
using untm::test::TempDir;
using untm::test::write_file;

namespace {

StoredDocument document(const std::string& key, const std::string& sha, int units) {
  StoredDocument doc;
  doc.key = key;
  doc.symbol = "S/2011/" + key;
  doc.original_lang = "ar";
  doc.aligner_version = "untm-align 1";
  doc.versions = {{"ar", key + ".ar.txt", sha + "a", 3, 4}, {"en", key + ".en.txt", sha + "e", 3, 5}};
  for (int i = 0; i < units; ++i) {
    StoredUnit u;
    u.paragraph_key = std::to_string(i + 1);
    u.confidence = 0.5 + 0.1 * (i % 5);
    u.status = i == 0 ? UnitStatus::confirmed : UnitStatus::automatic;
    u.segments = {{"en", key + " sentence " + std::to_string(i) + "."},
                  {"ar", "جملة " + key + " " + std::to_string(i) + "."}};
    doc.units.push_back(u);
  }
  return doc;
}

std::vector<std::string> dump(const TranslationMemory& tm) {
  std::vector<std::string> out;
  tm.for_each_unit([&](const UnitRecord& u) {
    std::string line = u.document_key + "|" + u.symbol.value_or("") + "|" + std::to_string(u.position) + "|" +
                       u.paragraph_key.value_or("") + "|" + std::to_string(u.confidence) + "|" +
                       std::to_string(static_cast<int>(u.status));
    for (const auto& [lang, text] : u.segments) line += "|" + lang + "=" + text;
    for (const auto& [lang, codes] : u.inline_codes) line += "|codes " + lang + "=" + codes;
    out.push_back(line);
  });
  return out;
}

}  // namespace

TEST_CASE("tm merge: copies documents whole with versions, status and provenance") {
  TempDir dir;
  const std::string a = (dir / "a.sqlite").string(), b = (dir / "b.sqlite").string(),
                    target = (dir / "t.sqlite").string();
  {
    TranslationMemory ta(a);
    ta.store_document(document("d1", "1", 3));
    ta.store_document(document("d2", "2", 2));
    TranslationMemory tb(b);
    tb.store_document(document("d3", "3", 4));
  }
  TranslationMemory into(target);
  std::vector<std::string> seen;
  const MergeResult ra = merge_tm(a, into, [&](const std::string& key, bool copied) {
    seen.push_back(key + (copied ? "+" : "="));
  });
  CHECK(seen == std::vector<std::string>{"d1+", "d2+"});
  CHECK(ra.documents == 2);
  CHECK(ra.copied == 2);
  CHECK(ra.units == 5);
  merge_tm(b, into);
  CHECK(into.stats().units == 9);
  CHECK(into.document_keys() == std::vector<std::string>{"d1", "d2", "d3"});
  const auto info = into.document_info("d1");
  REQUIRE(info);
  CHECK(info->symbol == "S/2011/d1");
  CHECK(info->original_lang == "ar");
  CHECK(info->aligner_version == "untm-align 1");
  REQUIRE(info->versions.size() == 2);
  CHECK(info->versions[0].sha256 == "1a");
  CHECK(info->versions[1].sentences == 5);

  // Merging the union again: same content, nothing copied.
  const auto before = dump(into);
  const MergeResult again = merge_tm(a, into);
  CHECK(again.copied == 0);
  CHECK(again.unchanged == 2);
  CHECK(dump(into) == before);
  std::vector<std::string> expected;
  {
    TranslationMemory ta(a);
    TranslationMemory tb(b);
    expected = dump(ta);
    for (auto& line : dump(tb)) expected.push_back(line);
  }
  CHECK(before == expected);
}

TEST_CASE("tm merge: a changed document replaces the target's copy") {
  TempDir dir;
  const std::string a = (dir / "a.sqlite").string(), target = (dir / "t.sqlite").string();
  TranslationMemory into(target);
  into.store_document(document("d1", "old", 6));
  {
    TranslationMemory ta(a);
    ta.store_document(document("d1", "new", 2));
  }
  const MergeResult r = merge_tm(a, into);
  CHECK(r.copied == 1);
  CHECK(into.stats().units == 2);
  CHECK(into.document_info("d1")->versions[0].sha256 == "newa");
}

TEST_CASE("tm merge: TMX-imported documents (no versions) are always copied") {
  TempDir dir;
  const std::string a = (dir / "a.sqlite").string(), target = (dir / "t.sqlite").string();
  StoredDocument doc = document("import", "", 2);
  doc.versions.clear();
  doc.aligner_version = "";
  {
    TranslationMemory ta(a);
    ta.store_document(doc);
  }
  TranslationMemory into(target);
  CHECK(merge_tm(a, into).copied == 1);
  CHECK(merge_tm(a, into).copied == 1);  // nothing tells it is the same: replaced, not duplicated
  CHECK(into.stats().units == 2);
}

TEST_CASE("tm merge: clear errors") {
  TempDir dir;
  const std::string target = (dir / "t.sqlite").string();
  TranslationMemory into(target);
  CHECK_THROWS_WITH(merge_tm(target, into),
                    target + ": this is the TM being merged into. Give the shard TMs and a different --into.");
  write_file(dir / "notes.sqlite", "this is not a database at all, just text that is long enough to be read\n");
  CHECK_THROWS_AS(merge_tm((dir / "notes.sqlite").string(), into), DatabaseError);
  CHECK_THROWS_AS(merge_tm((dir / "missing.sqlite").string(), into), DatabaseError);
  CHECK(into.stats().units == 0);
}
