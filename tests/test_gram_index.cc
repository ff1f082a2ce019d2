// The n-gram index (tm/gram_index.h) on its own: the grams of a key, posting
// blocks written and read back (long lists cut into blocks, seeks,
// intersections, unions); and in the TM: the tail indexed in bulk (also
// from postings a writer kept in memory), segment ids never given twice, stale
// postings of replaced documents never returned and dropped by a rebuild,
// an import session's postings written in several flushes, and a version 1
// TM migrated to version 2 with its segments indexed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "aligner/normalizer.h"
#include "aligner/utf8_util.h"
#include "tests/test_support.h"
#include "tm/fuzzy_match.h"
#include "tm/gram_index.h"
#include "tm/sqlite_handle.h"
#include "tm/tm_schema.h"
#include "tm/translation_memory.h"

using namespace untm;
using namespace untm::test;
using grams::Gram;
using grams::pack;

namespace {

void create_postings_table(sql::Connection& db) {
  db.exec(
      "CREATE TABLE gram_postings (lang TEXT NOT NULL, gram INTEGER NOT NULL, first_id INTEGER NOT NULL, "
      "last_id INTEGER NOT NULL, count INTEGER NOT NULL, total INTEGER NOT NULL, ids BLOB NOT NULL, "
      "PRIMARY KEY (lang, gram, first_id)) "
      "WITHOUT ROWID",
      "test");
}

std::vector<std::int64_t> all_ids(grams::PostingCursor cursor) {
  std::vector<std::int64_t> out;
  for (; !cursor.done(); cursor.next()) out.push_back(cursor.id());
  return out;
}

std::int64_t state(const std::string& path, const std::string& name) {
  sql::Connection db(path, sql::OpenMode::read_only);
  return db.query_int("SELECT value FROM tm_state WHERE name = '" + name + "'", "test", -1);
}

// Rows in the exact-match table (deleted segments' included).
std::int64_t exact_rows(const std::string& path) {
  sql::Connection db(path, sql::OpenMode::read_only);
  return db.query_int("SELECT count(*) FROM exact_index", "test");
}

// The segment ids of the exact (100) hits for an English text.
std::vector<std::int64_t> exact_hits(const TranslationMemory& tm, const std::string& text) {
  LookupOptions o;
  o.from = "en";
  o.min_score = 100;
  o.limit = 100;
  std::vector<std::int64_t> out;
  for (const LookupHit& hit : tm.lookup(text, o)) out.push_back(hit.segment_id);
  return out;
}

// (lang, gram, segments) of every gram in the index: equal for two TMs
// with the same segments, whatever their ids.
std::map<std::pair<std::string, std::int64_t>, std::int64_t> gram_counts(const std::string& path) {
  sql::Connection db(path, sql::OpenMode::read_only);
  sql::Statement rows(db, "SELECT lang, gram, sum(count) FROM gram_postings GROUP BY lang, gram");
  std::map<std::pair<std::string, std::int64_t>, std::int64_t> out;
  while (rows.step()) out[{rows.column_string(0), rows.column_int64(1)}] = rows.column_int64(2);
  return out;
}

// Every posting block as stored, and the exact-match rows, in key order.
std::vector<std::string> index_rows(const std::string& path) {
  sql::Connection db(path, sql::OpenMode::read_only);
  std::vector<std::string> out;
  sql::Statement blocks(db,
                        "SELECT lang || ' ' || gram || ' ' || first_id || ' ' || last_id || ' ' || count || ' ' || total "
                        "|| ' ' || hex(ids) FROM gram_postings ORDER BY lang, gram, first_id");
  while (blocks.step()) out.push_back(blocks.column_string(0));
  sql::Statement exact(db, "SELECT skeleton_hash || ' ' || key_hash || ' ' || segment_id FROM exact_index "
                           "ORDER BY skeleton_hash, key_hash, segment_id");
  while (exact.step()) out.push_back(exact.column_string(0));
  return out;
}

StoredDocument document(const std::string& key, const std::vector<std::string>& english) {
  StoredDocument d;
  d.key = key;
  d.aligner_version = "test";
  for (const std::string& text : english) {
    StoredUnit u;
    u.segments["en"] = text;
    d.units.push_back(u);
  }
  return d;
}

}  // namespace

namespace {
std::vector<Gram> distinct_grams(std::string_view key) {
  std::vector<Gram> g;
  grams::key_grams(key, g);
  std::sort(g.begin(), g.end());
  g.erase(std::unique(g.begin(), g.end()), g.end());
  return g;
}
}  // namespace

TEST_CASE("grams: trigrams, the end gram and CJK unigrams of a key") {
  std::vector<Gram> g;
  grams::key_grams("abcab", g);
  CHECK(g.size() == 4);
  grams::key_grams("abcabc", g);  // abc twice, then the end gram
  CHECK(g.size() == 5);
  g = distinct_grams("abcab");
  CHECK(g == std::vector<Gram>{pack('a', 'b', 'c'), pack('a', 'b', grams::kEndMark), pack('b', 'c', 'a'),
                               pack('c', 'a', 'b')});
  g = distinct_grams("ok");  // two characters: only the end gram
  CHECK(g == std::vector<Gram>{pack('o', 'k', grams::kEndMark)});
  CHECK(distinct_grams("x").empty());
  g = distinct_grams("安理会");
  std::vector<Gram> want{pack(0, 0, U'安'), pack(0, 0, U'理'), pack(0, 0, U'会'), pack(U'安', U'理', U'会'),
                         pack(U'理', U'会', grams::kEndMark)};
  std::sort(want.begin(), want.end());
  CHECK(g == want);
}

TEST_CASE("grams: key_grams of random keys, ASCII or not, are every trigram, the end gram and the CJK unigrams") {
  // The reference: decode every code point, then the grams as the header
  // defines them. key_grams takes a shortcut for ASCII keys.
  const auto reference = [](std::string_view key) {
    std::vector<char32_t> cps;
    for (std::size_t i = 0; i < key.size();) cps.push_back(utf8::next(key, i));
    std::vector<Gram> out;
    for (std::size_t k = 0; k + 2 < cps.size(); ++k) out.push_back(pack(cps[k], cps[k + 1], cps[k + 2]));
    if (cps.size() >= 2) out.push_back(pack(cps[cps.size() - 2], cps.back(), grams::kEndMark));
    fuzzy::cjk_unigram_codes(key, out);
    return out;
  };
  // (A damaged file's keys may not be UTF-8: a stray lead or continuation byte.)
  const std::vector<std::string> pieces = {"a", "z", " ", "1", "-", "é", "ж", "م", "安", "理", "\u3002", "~", "\xe5",
                                           "\x80", "\xc3"};
  std::uint64_t state = 42;
  std::vector<Gram> got;
  for (int round = 0; round < 20000; ++round) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const bool ascii_only = (state >> 60) < 8;
    const std::size_t length = (state >> 33) % 12;
    std::string key;
    for (std::size_t k = 0; k < length; ++k) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      const std::size_t pick = (state >> 33) % (ascii_only ? 5 : pieces.size());
      key += pieces[ascii_only && pick == 4 ? 11 : pick];
    }
    grams::key_grams(key, got);
    INFO(key);
    REQUIRE(got == reference(key));
  }
}

TEST_CASE("grams: posting blocks round-trip, long lists are cut, cursors seek, intersect and unite") {
  TempDir dir;
  sql::Connection db((dir / "p.db").string(), sql::OpenMode::create);
  create_postings_table(db);
  grams::PostingBuilder builder;
  const Gram common = pack('t', 'h', 'e'), even = pack('e', 'v', 'n'), rare = pack('z', 'z', 'z');
  std::vector<std::int64_t> all, evens, rares;
  for (std::int64_t id = 10; id < 10 + 5000; ++id) {
    std::vector<Gram> g{common};
    if (id % 2 == 0) g.push_back(even);
    if (id % 1000 == 7) g.push_back(rare);
    std::sort(g.begin(), g.end());
    builder.add("en", id, g);
    all.push_back(id);
    if (id % 2 == 0) evens.push_back(id);
    if (id % 1000 == 7) rares.push_back(id);
  }
  builder.add("zh", 3, {common, common});  // another language: its own lists; a repeat counts once
  CHECK(builder.postings() == 5000 + 2500 + 5 + 1);
  builder.write_blocks(db);
  CHECK(builder.postings() == 0);
  // 5000 ids: blocks of 2048, 2048 and 904.
  CHECK(db.query_int("SELECT count(*) FROM gram_postings WHERE lang = 'en' AND gram = " + std::to_string(common), "t") ==
        3);
  CHECK(db.query_int("SELECT max(count) FROM gram_postings", "t") == static_cast<std::int64_t>(grams::kBlockIds));

  grams::PostingStore store(db);
  CHECK(store.count("en", common) == 5000);
  CHECK(store.count("zh", common) == 1);
  CHECK(store.count("en", pack('n', 'o', 'p')) == 0);
  CHECK(all_ids(grams::PostingCursor(store, "en", common)) == all);
  CHECK(all_ids(grams::PostingCursor(store, "en", even)) == evens);
  CHECK(all_ids(grams::PostingCursor(store, "zh", common)) == std::vector<std::int64_t>{3});
  CHECK(grams::PostingCursor(store, "en", pack('n', 'o', 'p')).done());

  grams::PostingCursor cursor(store, "en", common);
  cursor.seek(4100);  // in the third block
  REQUIRE_FALSE(cursor.done());
  CHECK(cursor.id() == 4100);
  cursor.seek(4000);  // never backwards
  CHECK(cursor.id() == 4100);
  cursor.seek(6000);
  CHECK(cursor.done());

  std::vector<grams::PostingCursor> both;
  both.emplace_back(store, "en", rare);
  both.emplace_back(store, "en", even);
  CHECK(grams::intersect(both, 100).empty());  // the rare ids are odd
  std::vector<grams::PostingCursor> three;
  three.emplace_back(store, "en", common);
  three.emplace_back(store, "en", rare);
  CHECK(grams::intersect(three, 3) == std::vector<std::int64_t>{1007, 2007, 3007});
  CHECK(grams::intersect(three, 3) == std::vector<std::int64_t>{4007, 5007});  // resumes where it stopped

  std::vector<grams::PostingCursor> parts;
  parts.emplace_back(store, "en", rare);
  parts.emplace_back(store, "en", even);
  grams::PostingUnion any(std::move(parts));
  std::vector<std::int64_t> united;
  for (std::int64_t id; any.next(id);) united.push_back(id);
  std::vector<std::int64_t> want = evens;
  want.insert(want.end(), rares.begin(), rares.end());
  std::sort(want.begin(), want.end());
  CHECK(united == want);

  // A second flush adds blocks after the first ones: counts add up, and
  // cursors and seeks cross from one flush's blocks to the next.
  grams::PostingBuilder later;
  for (std::int64_t id = 20000; id < 20010; ++id) later.add("en", id, {common});
  later.write_blocks(db);
  CHECK(store.count("en", common) == 5010);
  all.insert(all.end(), {20000, 20001, 20002, 20003, 20004, 20005, 20006, 20007, 20008, 20009});
  CHECK(all_ids(grams::PostingCursor(store, "en", common)) == all);
  grams::PostingCursor crossing(store, "en", common);
  crossing.seek(5010);  // after the first flush's last id
  REQUIRE_FALSE(crossing.done());
  CHECK(crossing.id() == 20000);

  // Many distinct grams (the table grows while segments come), moved to
  // another builder before writing: every gram keeps its ids.
  grams::PostingBuilder wide;
  for (std::int64_t id = 30000; id < 30100; ++id) {
    std::vector<Gram> g;
    for (char32_t c = 0; c < 300; ++c) g.push_back(pack('x', 0x4E00 + c, static_cast<char32_t>(id)));
    g.push_back(common);
    wide.add("en", id, g);
  }
  CHECK(wide.postings() == 100 * 301);
  grams::PostingBuilder moved(std::move(wide));
  moved.write_blocks(db);
  CHECK(store.count("en", common) == 5110);
  CHECK(store.count("en", pack('x', 0x4E00 + 299, 30099)) == 1);
  CHECK(all_ids(grams::PostingCursor(store, "en", pack('x', 0x4E00 + 7, 30042))) == std::vector<std::int64_t>{30042});
  // Blocks: the first flush 3 (common) + 2 (even) + 1 (rare), the second 1, this one 30,000 + 1.
  CHECK(db.query_int("SELECT count(*) FROM gram_postings WHERE lang = 'en'", "t") == 3 + 2 + 1 + 1 + 100 * 300 + 1);
}

TEST_CASE("grams: running totals kept in GramTotals equal those read back from the last blocks") {
  // Two TMs get the same flushes, one writing through GramTotals (made on
  // an empty index, then on a non-empty one), one reading each gram's last
  // block back: every stored block must be the same.
  TempDir dir;
  sql::Connection kept((dir / "kept.db").string(), sql::OpenMode::create);
  sql::Connection read((dir / "read.db").string(), sql::OpenMode::create);
  create_postings_table(kept);
  create_postings_table(read);
  const auto flush = [&](std::int64_t from, std::int64_t to, grams::GramTotals* totals) {
    grams::PostingBuilder with, without;
    for (std::int64_t id = from; id < to; ++id) {
      std::vector<Gram> g{pack('t', 'h', 'e'), pack('a', 'b', static_cast<char32_t>(id % 7))};
      if (id % 3 == 0) g.push_back(pack('z', 'z', static_cast<char32_t>(id)));  // new grams in every flush
      with.add(id % 2 == 0 ? "en" : "fr", id, g);
      without.add(id % 2 == 0 ? "en" : "fr", id, g);
    }
    with.write_blocks(kept, totals);
    without.write_blocks(read);
  };
  {
    grams::GramTotals totals(kept);  // empty index: nothing is read back
    flush(1, 3000, &totals);
    flush(3000, 7000, &totals);
    flush(7000, 7001, &totals);
  }
  grams::GramTotals again(kept);  // the index holds postings: grams not seen yet are read back
  flush(7001, 9000, &again);
  flush(9000, 9500, &again);
  const std::string all = "SELECT lang, gram, first_id, last_id, count, total, hex(ids) FROM gram_postings ORDER BY 1, 2, 3";
  const auto rows = [&](sql::Connection& db) {
    std::vector<std::string> out;
    sql::Statement s(db, all, "t");
    while (s.step())
      out.push_back(s.column_string(0) + " " + std::to_string(s.column_int64(1)) + " " + std::to_string(s.column_int64(2)) +
                    " " + std::to_string(s.column_int64(3)) + " " + std::to_string(s.column_int64(4)) + " " +
                    std::to_string(s.column_int64(5)) + " " + s.column_string(6));
    return out;
  };
  const std::vector<std::string> want = rows(read);
  CHECK(want.size() > 3000);
  CHECK(rows(kept) == want);
  grams::PostingStore store(kept);
  CHECK(store.count("en", pack('t', 'h', 'e')) == 4749);  // ids 1 .. 9499: the even ones
  CHECK(store.count("fr", pack('t', 'h', 'e')) == 4750);
}

TEST_CASE("grams: a damaged block is an error that says how to recover") {
  TempDir dir;
  const std::string path = (dir / "p.db").string();
  sql::Connection db(path, sql::OpenMode::create);
  create_postings_table(db);
  db.exec("INSERT INTO gram_postings VALUES ('en', 5, 1, 9, 3, 3, x'05')", "test");  // one gap for three ids
  // A gap past the largest id.
  std::vector<std::int64_t> ids;
  CHECK_FALSE(grams::decode_block(1, 2, std::string("\xff\xff\xff\xff\xff\xff\xff\xff\x7f"), ids));
  grams::PostingStore store(db);
  CHECK_THROWS_WITH(grams::PostingCursor(store, "en", 5),
                    path + ": the n-gram index is damaged (a posting block cannot be read). Rebuild the TM: untm "
                           "export --db TM --tmx ALL.tmx, then untm import ALL.tmx --db NEW");
}

TEST_CASE("tm index: the tail is indexed in bulk; lookups find segments before and after") {
  TempDir dir;
  const std::string path = (dir / "tm.db").string();
  OpenOptions o;
  o.index_tail_segments = 5;
  TranslationMemory tm(path, o);
  tm.store_document(document("a", {"The Council met in Geneva.", "It adopted the agenda."}));
  CHECK(state(path, "indexed_through") == 0);  // 2 segments: the tail
  CHECK(tm.concordance("Geneva", {}).size() == 1);
  tm.store_document(document("b", {"The Council met in Vienna.", "It adjourned.", "It met again."}));
  // 5 segments: the write that reached the threshold indexed them all.
  CHECK(state(path, "indexed_through") == 5);
  CHECK(state(path, "indexed_segments") == 5);
  tm.store_document(document("c", {"The Council met in Nairobi."}));
  CHECK(state(path, "indexed_through") == 5);
  // Index and tail together.
  const auto hits = tm.concordance("Council met", {});
  REQUIRE(hits.size() == 3);
  CHECK(hits[2].text == "The Council met in Nairobi.");
  LookupOptions lo;
  lo.from = "en";
  lo.min_score = 50;
  const auto fuzzy = tm.lookup("The Council met in Nairobi today.", lo);
  REQUIRE(fuzzy.size() == 3);
  CHECK(fuzzy[0].source == "The Council met in Nairobi.");
  auto index = tm.check_index();
  CHECK(index.ok());
  CHECK(index.indexed == 5);
  CHECK(index.waiting == 1);
  CHECK(tm.update_index() == 1);
  CHECK(state(path, "indexed_through") == 6);
  CHECK(tm.update_index() == 0);
  index = tm.check_index();
  CHECK(index.ok());
  CHECK(index.indexed == 6);
  CHECK(index.waiting == 0);
  CHECK(tm.lookup("The Council met in Nairobi today.", lo).size() == 3);
}

TEST_CASE("tm index: a writer's tail postings kept in memory give the index that reading the tail back gives") {
  TempDir dir;
  // The same writes to two TMs, one writer collecting the tail's postings
  // as it stores (a batch's), one reading the tail back when it indexes.
  // Between them: another connection's write, a replaced document of the
  // tail, and a store that fails; after each, the postings in memory no
  // longer match the tail and must not be used.
  const auto run = [&](const std::string& name, bool in_memory) {
    const std::string path = (dir / name).string();
    OpenOptions o;
    o.index_tail_segments = 5;
    o.tail_postings_in_memory = in_memory;
    TranslationMemory tm(path, o);
    OpenOptions never_indexes = o;  // the other writer's segments stay in the tail
    never_indexes.index_tail_segments = 1000;
    // in_tail(n): the tail's n segments have their postings in memory (when collecting).
    const auto in_tail = [&](std::size_t n) { return tm.tail_segments_in_memory() == (in_memory ? n : 0); };
    tm.store_document(document("a", {"The Council met in Geneva.", "It adopted the agenda."}));
    CHECK(in_tail(2));
    tm.store_document(document("b", {"The Council met in Vienna.", "It adjourned.", "It met again."}));
    CHECK(state(path, "indexed_through") == 5);
    CHECK(in_tail(0));
    tm.store_document(document("c", {"The Council met in Nairobi."}));
    tm.store_document(document("c2", {"The Council met in Lima."}));
    CHECK(in_tail(2));
    {
      // Another writer replaces c2 (the last segment) with nothing: the tail
      // loses a segment, and the next id stays the same.
      TranslationMemory other(path, never_indexes);
      other.store_document(document("c2", {}));
    }
    tm.store_document(document("c3", {"The Council met in Quito."}));
    CHECK(in_tail(0));  // its postings in memory were dropped; the tail is read back when indexed
    {
      TranslationMemory other(path, never_indexes);  // another writer: its segments join the tail
      other.store_document(document("d", {"Another writer's sentence.", "And its second one."}));
    }
    tm.store_document(document("e", {"The Council met in Bangkok.", "It heard a briefing.", "It adjourned again."}));
    CHECK(state(path, "indexed_through") == 13);
    CHECK(in_tail(0));
    tm.store_document(document("f", {"A paragraph soon replaced.", "Another one."}));
    CHECK(in_tail(2));
    tm.store_document(document("f", {"The replacing paragraph."}));  // the tail's segments 14 and 15 go
    CHECK(in_tail(0));
    tm.store_document(document("g", {"Grams of g.", "More grams.", "Even more.", "The last of g."}));
    CHECK(state(path, "indexed_through") == 20);
    tm.store_document(document("h", {"The Council met in Santiago.", "It voted."}));
    CHECK(in_tail(2));
    StoredDocument bad = document("i", {"Never stored."});
    bad.units[0].confidence = 2;
    CHECK_THROWS_AS(tm.store_document(bad), ArgumentError);
    CHECK(in_tail(0));  // a failed write drops them
    tm.store_document(document("j", {"The Council met in Addis Ababa.", "It voted again.", "It closed."}));
    CHECK(state(path, "indexed_through") == 25);
    tm.store_document(document("k", {"Left in the tail until the end."}));
    CHECK(in_tail(1));
    CHECK(tm.update_index() == 1);
    CHECK(in_tail(0));
    const auto check = tm.check_index();
    CHECK(check.ok());
    CHECK(check.indexed == 23);  // 26 given; c2's 7 and f's 14 and 15 gone
    CHECK(check.waiting == 0);
    CHECK(tm.concordance("Another writer", {}).size() == 1);
    CHECK(tm.concordance("soon replaced", {}).empty());
    CHECK(tm.concordance("Lima", {}).empty());
    return index_rows(path);
  };
  const std::vector<std::string> read_back = run("read_back.db", false);
  const std::vector<std::string> in_memory = run("in_memory.db", true);
  CHECK(read_back.size() > 200);
  CHECK(in_memory == read_back);
}

TEST_CASE("tm index: replaced documents' stale postings are never hits, and a rebuild drops them") {
  TempDir dir;
  const std::string path = (dir / "tm.db").string();
  OpenOptions o;
  o.index_tail_segments = 0;  // every write indexes its segments
  TranslationMemory tm(path, o);
  std::vector<std::string> old_text, new_text;
  for (int i = 0; i < 600; ++i) {
    old_text.push_back("Old paragraph number " + std::to_string(i) + " of the report.");
    new_text.push_back("New paragraph number " + std::to_string(i) + " of the report.");
  }
  tm.store_document(document("r", old_text));
  CHECK(tm.concordance("Old paragraph", {}).size() == 50);
  tm.store_document(document("r", new_text));
  CHECK(state(path, "stale_segments") == 600);
  CHECK(exact_rows(path) == 1200);  // the old ones' rows stay, and never match
  CHECK(exact_hits(tm, "Old paragraph number 17 of the report.").empty());
  CHECK(exact_hits(tm, "New paragraph number 17 of the report.").size() == 1);
  const auto index = tm.check_index();
  CHECK(index.ok());
  CHECK(index.indexed == 600);
  CHECK(index.stale > 600 * 20);  // every gram of every old segment
  CHECK(tm.concordance("Old paragraph", {}).empty());
  ConcordanceOptions co;
  co.limit = 1000;
  CHECK(tm.concordance("paragraph number", co).size() == 600);
  LookupOptions lo;
  lo.from = "en";
  lo.min_score = 60;
  const auto hits = tm.lookup("Old paragraph number 17 of the report.", lo);
  REQUIRE_FALSE(hits.empty());
  CHECK(hits[0].source == "New paragraph number 17 of the report.");
  for (const auto& h : hits) CHECK(h.source.rfind("New", 0) == 0);
  // The third store makes stale postings (1,200) outnumber live ones (600)
  // and pass 1,000: the index is rebuilt, equal to a fresh TM's.
  tm.store_document(document("r", old_text));
  CHECK(state(path, "stale_segments") == 0);
  CHECK(state(path, "indexed_segments") == 600);
  CHECK(exact_rows(path) == 600);
  const std::string fresh_path = (dir / "fresh.db").string();
  {
    TranslationMemory fresh(fresh_path, o);
    fresh.store_document(document("r", old_text));
  }
  CHECK(gram_counts(path) == gram_counts(fresh_path));
  CHECK(tm.check_index().ok());
  CHECK(tm.check_index().stale == 0);
  CHECK(tm.concordance("New paragraph", {}).empty());
  CHECK(tm.concordance("Old paragraph", co).size() == 600);
}

TEST_CASE("tm index: an import session writes its postings in several flushes, or leaves a small one to the tail") {
  TempDir dir;
  const std::string path = (dir / "tm.db").string();
  OpenOptions o;
  o.import_postings = 2000;  // flushes every ~2,000 postings
  o.index_tail_segments = 100;
  TranslationMemory tm(path, o);
  StoredDocument header;
  header.key = "big";
  header.aligner_version = "test";
  // "before" in one store, then 1,500 two-language units in one session.
  const auto fill = [&](TranslationMemory& target) {
    target.store_document(document("before", {"Stored before the import, still in the tail."}));
    auto session = target.begin_import(header);
    for (int i = 0; i < 1500; ++i) {
      StoredUnit u;
      u.segments["en"] = "Imported sentence " + std::to_string(i) + " about the Security Council.";
      u.segments["zh"] = "关于安全理事会的第" + std::to_string(i) + "句。";
      session.add(u);
    }
    session.commit();
  };
  fill(tm);
  CHECK(state(path, "indexed_through") == 3001);
  CHECK(state(path, "indexed_segments") == 3001);
  CHECK(tm.check_index().ok());
  CHECK(tm.check_index().indexed == 3001);
  CHECK(exact_rows(path) == 3001);  // written with the postings: the tail's one too
  CHECK(exact_hits(tm, "Stored before the import, still in the tail.") == std::vector<std::int64_t>{1});
  CHECK(exact_hits(tm, "Imported sentence 1499 about the Security Council.") == std::vector<std::int64_t>{3000});
  CHECK(tm.concordance("still in the tail", {}).size() == 1);
  ConcordanceOptions co;
  co.limit = 5000;
  CHECK(tm.concordance("Security Council", co).size() == 1500);
  CHECK(tm.concordance("理事", co).size() == 1500);
  CHECK(tm.concordance("第1499句", co).size() == 1);
  // The same content in one flush gives the same index.
  const std::string one_path = (dir / "one.db").string();
  {
    OpenOptions big = o;
    big.import_postings = std::size_t{1} << 26;
    TranslationMemory one(one_path, big);
    fill(one);
  }
  CHECK(gram_counts(path) == gram_counts(one_path));

  // A session of fewer segments than index_tail_segments: left in the tail.
  header.key = "small";
  {
    auto session = tm.begin_import(header);
    StoredUnit u;
    u.segments["en"] = "A small import.";
    session.add(u);
    session.commit();
  }
  CHECK(state(path, "indexed_through") == 3001);
  CHECK(exact_rows(path) == 3001);  // its row waits with it
  CHECK(tm.concordance("small import", {}).size() == 1);
  CHECK(exact_hits(tm, "A small import.") == std::vector<std::int64_t>{3002});  // from the tail
  CHECK(tm.check_index().ok());
}

TEST_CASE("tm index: a version 2 TM loses its CJK bigrams; two-character terms still match") {
  TempDir dir;
  const std::string path = (dir / "v2.db").string();
  const std::vector<std::pair<std::string, std::string>> segments{
      {"zh", "联络小组在多哈举行会议。"}, {"zh", "安理会第5号决议"}, {"en", "The Contact Group met in Doha."}};
  {
    sql::Connection db(path, sql::OpenMode::create);
    std::vector<schema::Migration> v2(schema::migrations().begin(), schema::migrations().begin() + 2);
    REQUIRE(schema::migrate(db, v2) == 2);
    db.exec(
        "INSERT INTO documents (id, key, aligner_version, created_at, updated_at) VALUES (1, 'old', 'untm-align 1', "
        "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"
        "INSERT INTO units (id, document_id, position, confidence, status) VALUES (1, 1, 0, 0.9, 'auto');"
        "INSERT INTO units (id, document_id, position, confidence, status) VALUES (2, 1, 1, 0.9, 'auto');",
        "test");
    sql::Statement insert(db,
                          "INSERT INTO segments (id, unit_id, lang, text, key, key_hash, skeleton_hash) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    // Indexed as version 2 did: today's grams, and the CJK bigrams (0, a, b)
    // of two neighbouring CJK characters.
    grams::PostingBuilder builder;
    std::vector<Gram> g;
    int id = 1;
    for (const auto& [lang, text] : segments) {
      const std::string key = matching_key_text(text);
      insert.bind(1, id).bind(2, id == 2 ? 2 : 1).bind(3, lang).bind(4, text).bind(5, key);
      const fuzzy::KeyHashes hashes = fuzzy::key_hashes(lang, key);
      insert.bind(6, hashes.key).bind(7, hashes.skeleton);
      insert.execute();
      grams::key_grams(key, g);
      std::vector<char32_t> chars;
      for (std::size_t i = 0; i < key.size();) chars.push_back(utf8::next(key, i));
      for (std::size_t i = 0; i + 1 < chars.size(); ++i)
        if (chars[i] >= 0x4E00 && chars[i + 1] >= 0x4E00) g.push_back(pack(0, chars[i], chars[i + 1]));
      builder.add(lang, id++, g);
    }
    builder.write_blocks(db);
    db.exec("UPDATE tm_state SET value = 3 WHERE name IN ('indexed_through', 'last_segment_id', 'indexed_segments')",
            "test");
    // 10 pairs in the first sentence, 5 in the second (a digit is no CJK character).
    REQUIRE(db.query_int("SELECT count(*) FROM gram_postings WHERE gram >= 2097152 AND gram < 4398046511104", "test") ==
            15);
  }
  OpenOptions read_only{.create = false, .read_only = true};
  CHECK_THROWS_WITH(TranslationMemory(path, read_only),
                    path + ": made by an older untm (schema 2): open it once for writing, or read-only with "
                           "OpenOptions::upgrade, to upgrade it (every untm command does)");
  read_only.upgrade = true;  // as untm lookup, concordance, stats and export open it
  const TranslationMemory tm(path, read_only);
  CHECK(tm.stats().schema_version == 4);
  {
    sql::Connection db(path, sql::OpenMode::read_only);
    CHECK(db.query_int("SELECT count(*) FROM gram_postings WHERE gram >= 2097152 AND gram < 4398046511104", "test") ==
          0);
    CHECK(db.query_int("SELECT count(*) FROM gram_postings WHERE gram < 2097152", "test") == 16);  // the unigrams (会 and 议 in both)
  }
  CHECK(tm.check_index().ok());
  // The exact-match table is filled from the stored hashes.
  CHECK(exact_rows(path) == 3);
  CHECK(exact_hits(tm, "The Contact Group met in Doha.") == std::vector<std::int64_t>{3});
  const auto units_of = [&](const std::string& term) {
    std::vector<std::int64_t> out;
    for (const ConcordanceHit& hit : tm.concordance(term, {})) out.push_back(hit.unit_id);
    return out;
  };
  CHECK(units_of("多哈") == std::vector<std::int64_t>{1});
  CHECK(units_of("会") == std::vector<std::int64_t>{1, 2});
  CHECK(units_of("会议") == std::vector<std::int64_t>{1});
  CHECK(units_of("5号") == std::vector<std::int64_t>{2});
  CHECK(units_of("决议") == std::vector<std::int64_t>{2});  // at the end of the key: the end gram
  CHECK(units_of("Do") == std::vector<std::int64_t>{1});
}

TEST_CASE("tm index: a version 1 TM is migrated and its segments indexed") {
  TempDir dir;
  const std::string path = (dir / "v1.db").string();
  {
    sql::Connection db(path, sql::OpenMode::create);
    std::vector<schema::Migration> v1{schema::migrations().front()};
    REQUIRE(schema::migrate(db, v1) == 1);
    db.exec(
        "INSERT INTO documents (id, key, aligner_version, created_at, updated_at) VALUES (1, 'old', 'untm-align 1', "
        "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"
        "INSERT INTO units (id, document_id, position, confidence, status) VALUES (1, 1, 0, 0.9, 'auto');"
        "CREATE VIRTUAL TABLE segments_fts_en USING fts5(key, content='', tokenize='trigram case_sensitive 1', "
        "detail='none', columnsize=0);",
        "test");
    sql::Statement insert(db,
                          "INSERT INTO segments (id, unit_id, lang, text, key, key_hash, skeleton_hash) "
                          "VALUES (?1, 1, ?2, ?3, ?4, 0, 0)");
    int id = 7;
    for (const auto& [lang, text] : std::vector<std::pair<std::string, std::string>>{
             {"en", "The Contact Group met in Doha."}, {"zh", "联络小组在多哈举行会议。"}}) {
      insert.bind(1, id++).bind(2, lang).bind(3, text).bind(4, matching_key_text(text));
      insert.execute();
    }
  }
  OpenOptions read_only;
  read_only.read_only = true;
  CHECK_THROWS_AS(TranslationMemory(path, read_only), DatabaseError);  // open it for writing once
  TranslationMemory tm(path);
  CHECK(tm.stats().schema_version == 4);
  CHECK(state(path, "indexed_through") == 8);
  CHECK(state(path, "last_segment_id") == 8);
  {
    sql::Connection db(path, sql::OpenMode::read_only);
    CHECK(db.query_int("SELECT count(*) FROM sqlite_schema WHERE name GLOB 'segments_fts_*' OR name GLOB "
                       "'segments_cjk*' OR name = 'trigram_counts'",
                       "test") == 0);
  }
  CHECK(tm.check_index().ok());
  CHECK(tm.check_index().indexed == 2);
  CHECK(tm.concordance("Contact Group", {}).size() == 1);
  CHECK(tm.concordance("多哈", {}).size() == 1);
  CHECK(tm.concordance("会", {}).size() == 1);
  // New segments get ids above the old ones.
  tm.store_document(document("new", {"A new sentence."}));
  CHECK(exact_hits(tm, "A new sentence.") == std::vector<std::int64_t>{9});
}

TEST_CASE("tm index: segment ids are never given twice, also after the highest ones are deleted") {
  TempDir dir;
  const std::string path = (dir / "tm.db").string();
  TranslationMemory tm(path);
  tm.store_document(document("a", {"First of a.", "Second of a."}));
  tm.store_document(document("b", {"First of b.", "Second of b."}));
  // Writes that only add segments leave tm_state alone: the table's largest
  // id is the highest given.
  CHECK(state(path, "last_segment_id") == 0);
  CHECK(exact_hits(tm, "Second of b.") == std::vector<std::int64_t>{4});
  // Replacing b deletes the highest ids (3, 4): the write that deletes them
  // records the highest id given, and the next ids are above it.
  tm.store_document(document("b", {"Only of b."}));
  CHECK(state(path, "last_segment_id") == 5);
  CHECK(exact_hits(tm, "Only of b.") == std::vector<std::int64_t>{5});
  tm.store_document(document("b", {}));  // b's last segment goes too: 2 is the largest id left
  CHECK(state(path, "last_segment_id") == 5);
  tm.store_document(document("c", {"Of c."}));
  CHECK(exact_hits(tm, "Of c.") == std::vector<std::int64_t>{6});
  TranslationMemory reopened(path);
  reopened.store_document(document("d", {"Of d."}));
  CHECK(exact_hits(reopened, "Of d.") == std::vector<std::int64_t>{7});
  CHECK(reopened.check_index().ok());
}
