// The translation memory (tm/translation_memory.h): storing and replacing,
// rollback, schema versions and migrations, refusing foreign files, WAL
// readers beside a writer, lookups and concordance on a small hand-made
// en/zh/ar TM, and the untm lookup / concordance / stats commands.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "aligner/errors.h"
#include "aligner/normalizer.h"
#include "tests/test_support.h"
#include "tm/fuzzy_match.h"
#include "tm/sqlite_handle.h"
#include "tm/tm_errors.h"
#include "tm/tm_schema.h"
#include "tm/translation_memory.h"

using untm::test::error_of;

using namespace untm;
using namespace untm::test;

namespace {

StoredUnit unit(const std::string& en, const std::string& zh, const std::string& ar,
                std::optional<std::string> paragraph_key = std::nullopt, double confidence = 0.9,
                UnitStatus status = UnitStatus::automatic) {
  StoredUnit u;
  if (!en.empty()) u.segments["en"] = en;
  if (!zh.empty()) u.segments["zh"] = zh;
  if (!ar.empty()) u.segments["ar"] = ar;
  u.paragraph_key = std::move(paragraph_key);
  u.confidence = confidence;
  u.status = status;
  return u;
}

// The hand-made TM of the lookup and concordance tests.
StoredDocument libya_letter() {
  StoredDocument d;
  d.key = "S_2011_245";
  d.symbol = "S/2011/245";
  d.title = "Letter dated 13 April 2011";
  d.date = "2011-04-13";
  d.original_lang = "ar";
  d.aligner_version = "0.1.0";
  d.versions = {{"en", "S_2011_245.en.txt", "aa11", 5, 6}, {"zh", "S_2011_245.zh.txt", "bb22", 5, 6},
                {"ar", "S_2011_245.ar.txt", "cc33", 5, 6}};
  d.units = {
      unit("The Security Council decided to remain seized of the matter.", "安全理事会决定继续处理此案。",
           "وقرر مجلس الأمن أن يبقي المسألة قيد نظره.", "12", 0.95),
      unit("Recalling its resolution 1970 (2011) of 26 February 2011,", "回顾其2011年2月26日第1970(2011)号决议，",
           "إذ يشير إلى قراره 1970 (2011) المؤرخ 26 شباط/فبراير 2011،", "1", 0.9),
      unit("Demands the immediate establishment of a cease-fire.", "要求立即实现停火。",
           "يطالب بالوقف الفوري لإطلاق النار.", "1", 0.4),
      unit("The Contact Group met in Doha on 13 April 2011.", "联络小组于2011年4月13日在多哈举行会议。",
           "اجتمع فريق الاتصال في الدوحة في 13 نيسان/أبريل 2011.", "2", 0.8),
      unit("The Group called on the Council to act.", "小组呼吁安理会采取行动。",
           "ودعا الفريق مَجْلِسَ الأمن إلى التحرك.", "3", 0.7),
      // A translator rejected this alignment: never a match.
      unit("Demands the immediate establishment of a cease-fire.", "这是错误的对齐。", "", "4", 0.9,
           UnitStatus::rejected),
  };
  return d;
}

StoredDocument resolution() {
  StoredDocument d;
  d.key = "A_RES_55_100";
  d.symbol = "A/RES/55/100";
  d.aligner_version = "0.1.0";
  d.units = {unit("The General Assembly decided to remain seized of the matter.", "大会决定继续处理此事。", "", "7", 1.0,
                  UnitStatus::confirmed)};
  return d;
}

// The same small TM in three index states: every segment in the tail (not
// indexed yet), every segment indexed as it is stored, and the first
// document indexed by update_index() with the second in the tail. Lookups
// must give the same hits in all three.
TranslationMemory small_tm(const std::string& path, int index_mode) {
  OpenOptions o;
  o.index_tail_segments = index_mode == 1 ? 0 : 4096;
  TranslationMemory tm(path, o);
  tm.store_document(libya_letter());
  if (index_mode == 2) CHECK(tm.update_index() == 17);
  tm.store_document(resolution());
  return tm;
}

std::vector<std::string> texts(const TranslationMemory& tm, const std::string& lang) {
  std::vector<std::string> out;
  tm.for_each_unit([&](const UnitRecord& r) {
    auto it = r.segments.find(lang);
    if (it != r.segments.end()) out.push_back(it->second);
  });
  return out;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
  return s;
}

}  // namespace

TEST_CASE("sqlite handle: statements, transactions and errors that say what to do") {
  TempDir dir;
  const std::string path = (dir / "plain.db").string();
  sql::Connection db(path, sql::OpenMode::create);
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, note TEXT)", "creating t");

  SECTION("bind by copy, step, columns, reuse") {
    sql::Statement insert(db, "INSERT INTO t (name, score, note) VALUES (?1, ?2, ?3)");
    {
      std::string name = "first";
      insert.bind(1, name).bind(2, 0.5).bind(3, std::optional<std::string>{});
      name = "changed after binding";  // SQLite has its own copy
      insert.execute();
    }
    insert.bind(1, "second").bind(2, 1.0).bind(3, std::optional<std::string>("n"));
    insert.execute();
    CHECK(db.last_insert_rowid() == 2);
    sql::Statement select(db, "SELECT name, score, note FROM t ORDER BY id");
    REQUIRE(select.step());
    CHECK(select.column_string(0) == "first");
    CHECK(select.column_double(1) == 0.5);
    CHECK(select.is_null(2));
    CHECK_FALSE(select.column_optional(2));
    REQUIRE(select.step());
    CHECK(select.column_view(0) == "second");
    CHECK(select.column_optional(2) == "n");
    CHECK_FALSE(select.step());
    select.reset();
    CHECK(select.step());  // runs again after reset
  }
  SECTION("rows from memory through untm_rows(?)") {
    const std::vector<sql::Int64Triple> rows{{3, -1, 9}, {1, 2, 3}, {std::numeric_limits<std::int64_t>::min(), 0, 7}};
    const sql::Int64Triples triples{rows.data(), rows.size()};
    sql::Statement select(db, "SELECT c0, c1, c2, c3 FROM untm_rows(?1)");
    select.bind_rows(1, triples);
    std::vector<sql::Int64Triple> seen;
    while (select.step()) {
      seen.push_back({select.column_int64(0), select.column_int64(1), select.column_int64(2)});
      CHECK(select.is_null(3));  // a column the source leaves alone
    }
    CHECK(seen == rows);
    select.reset();
    const sql::Int64Triples none;
    select.bind_rows(1, none);
    CHECK_FALSE(select.step());  // no rows
    // Every kind of value keeps its type; text is not copied by the source.
    struct Mixed final : sql::RowSource {
      std::string text = "naïve, 中文";
      std::size_t size() const override { return 2; }
      void column(std::size_t row, int column, sql::ColumnSink& out) const override {
        if (column == 0) out.int64(static_cast<std::int64_t>(row) + 10);
        if (column == 1) out.real(0.25);
        if (column == 2 && row == 0) out.text_static(text);
        if (column == 3) out.null();
        if (column == 5) out.blob_static(row == 0 ? std::string_view() : std::string_view("\x01\x00\x02", 3));
        if (column == 7) out.text_static(std::string_view());
      }
    } mixed;
    sql::Statement typed(db,
                         "SELECT c0, typeof(c1), c1, typeof(c2), c2, typeof(c3), typeof(c7), length(c7), typeof(c5), "
                         "hex(c5) FROM untm_rows(?1)");
    typed.bind_rows(1, mixed);
    REQUIRE(typed.step());
    CHECK(typed.column_int64(0) == 10);
    CHECK(typed.column_view(1) == "real");
    CHECK(typed.column_double(2) == 0.25);
    CHECK(typed.column_view(3) == "text");
    CHECK(typed.column_view(4) == "naïve, 中文");
    CHECK(typed.column_view(5) == "null");
    CHECK(typed.column_view(6) == "text");
    CHECK(typed.column_int64(7) == 0);
    CHECK(typed.column_view(8) == "blob");  // empty, and still a blob: not NULL
    CHECK(typed.column_view(9) == "");
    REQUIRE(typed.step());
    CHECK(typed.column_int64(0) == 11);
    CHECK(typed.column_view(3) == "null");
    CHECK(typed.column_view(8) == "blob");
    CHECK(typed.column_view(9) == "010002");  // bytes after a zero kept
    CHECK_FALSE(typed.step());
    // Only a bound pointer is a source: a number or text yields nothing.
    sql::Statement forged(db, "SELECT count(*) FROM untm_rows(?1)");
    forged.bind(1, std::int64_t{12345});
    REQUIRE(forged.step());
    CHECK(forged.column_int64(0) == 0);
    // Without its argument it cannot be read at all.
    CHECK_THROWS_AS(sql::Statement(db, "SELECT count(*) FROM untm_rows"), DatabaseError);
  }
  SECTION("a transaction rolls back unless committed") {
    {
      sql::Transaction transaction(db);
      db.exec("INSERT INTO t (name) VALUES ('gone')", "inserting");
      CHECK(db.in_transaction());
    }
    CHECK_FALSE(db.in_transaction());
    CHECK(db.query_int("SELECT count(*) FROM t", "counting") == 0);
    {
      sql::Transaction transaction(db);
      db.exec("INSERT INTO t (name) VALUES ('kept')", "inserting");
      transaction.commit();
    }
    CHECK(db.query_int("SELECT count(*) FROM t", "counting") == 1);
  }
  SECTION("disk full: the file, what failed, SQLite's message and the fix") {
    db.exec("PRAGMA max_page_count = 8", "limiting the file");  // what a full disk looks like to SQLite
    sql::Statement insert(db, "INSERT INTO t (name) VALUES (?1)", "storing a name");
    sql::Transaction transaction(db);
    std::string message;
    try {
      for (int i = 0; i < 1000; ++i) insert.bind(1, std::string(1000, 'x')).execute();
    } catch (const DatabaseError& e) {
      message = e.what();
      CHECK(e.path() == path);
    }
    CHECK(message == path + ": storing a name: database or disk is full; disk full: free space on the disk and try again");
  }
  SECTION("bad SQL is a bug, said so") {
    CHECK_THROWS_WITH(sql::Statement(db, "SELEC 1", "a typo"),
                      path + ": a typo: near \"SELEC\": syntax error; this is a bug in untm: please report it with the "
                             "command that caused it");
  }
  SECTION("fixes for the usual result codes") {
    CHECK(sql::fix_for(5) == "the database is locked by another writer: wait or close it");  // SQLITE_BUSY
    CHECK(sql::fix_for(13) == "disk full: free space on the disk and try again");         // SQLITE_FULL
    CHECK(sql::fix_for(26) == "not a untm TM: give a file made by untm or a new path");   // SQLITE_NOTADB
    CHECK(sql::fix_for(5 | (2 << 8)) == sql::fix_for(5));                                  // extended codes
  }
  SECTION("opening a missing file without create") {
    const std::string missing = (dir / "none" / "x.db").string();
    CHECK_THROWS_WITH(sql::Connection(missing, sql::OpenMode::read_write),
                      missing + ": opening: unable to open database file; cannot open the file: check the path, and "
                                "that its folder exists and is writable");
  }
}

TEST_CASE("sql: a read-only connection opens a file whose writer was killed mid-transaction") {
  TempDir dir;
  const std::string path = (dir.path() / "killed.sqlite").string();
  {
    sql::Connection db(path, sql::OpenMode::create);
    db.exec("PRAGMA journal_mode = DELETE; CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('committed')", "setting up");
  }
  // A writer that dies inside a transaction whose pages already reached the
  // file leaves a hot rollback journal, which a read-only connection cannot
  // roll back by itself (SQLITE_READONLY_ROLLBACK at its first read).
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    try {
      sql::Connection db(path, sql::OpenMode::read_write);
      db.exec("PRAGMA cache_size = 1; BEGIN; DELETE FROM t; "
              "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 2000) "
              "INSERT INTO t SELECT hex(randomblob(100)) FROM n",
              "writing");
      _exit(0);  // no commit, no rollback, no close: as if killed
    } catch (...) {
      _exit(2);
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  REQUIRE(std::filesystem::exists(path + "-journal"));
  sql::Connection db(path, sql::OpenMode::read_only);
  CHECK(db.query_int("SELECT count(*) FROM t WHERE x = 'committed'", "reading") == 1);
  CHECK(db.query_int("SELECT count(*) FROM t", "reading") == 1);
  CHECK_FALSE(std::filesystem::exists(path + "-journal"));  // rolled back by the recovery
}

TEST_CASE("tm: storing a document and storing it again replaces it") {
  TempDir dir;
  const std::string path = (dir / "tm.db").string();
  TranslationMemory tm(path);
  CHECK(tm.store_document(libya_letter()) == 6);
  CHECK(tm.store_document(resolution()) == 1);
  TmStats s = tm.stats();
  CHECK(s.documents == 2);
  CHECK(s.units == 7);
  CHECK(s.segments == 19);
  CHECK(s.segments_per_lang == std::map<std::string, std::size_t>{{"ar", 5}, {"en", 7}, {"zh", 7}});
  CHECK(s.low_confidence_units == 1);
  CHECK(s.schema_version == 4);
  CHECK(s.file_bytes > 0);

  StoredDocument again = libya_letter();
  again.units = {unit("A new first sentence.", "新的第一句。", ""), unit("A new second sentence.", "", "")};
  again.versions.pop_back();
  CHECK(tm.store_document(again) == 2);
  s = tm.stats();
  CHECK(s.documents == 2);
  CHECK(s.units == 3);
  CHECK(s.segments == 5);
  CHECK(s.segments_per_lang == std::map<std::string, std::size_t>{{"en", 3}, {"zh", 2}});
  CHECK(texts(tm, "en") == std::vector<std::string>{"The General Assembly decided to remain seized of the matter.",
                                                     "A new first sentence.", "A new second sentence."});
  // The old units are gone from the indexes too.
  LookupOptions o;
  o.from = "en";
  CHECK(tm.lookup("The Contact Group met in Doha on 13 April 2011.", o).empty());
  CHECK(tm.concordance("Contact Group", {}).empty());
  CHECK(tm.concordance("第一", {}).size() == 1);
  const auto info = tm.document_info("S_2011_245");
  REQUIRE(info);
  CHECK(info->symbol == "S/2011/245");
  CHECK(info->versions.size() == 2);
  CHECK(info->versions[0].lang == "zh");
  CHECK(info->versions[1].sha256 == "aa11");
  CHECK(info->units.empty());
  CHECK_FALSE(tm.document_info("nope"));
  // Several keys at once (a batch worker's read ahead): in the order asked,
  // each as document_info gives it.
  const std::vector<std::string> keys{"nope", "S_2011_245", "", "S_2011_245"};
  const auto infos = tm.document_infos(keys);
  REQUIRE(infos.size() == 4);
  CHECK_FALSE(infos[0]);
  REQUIRE(infos[1]);
  CHECK(infos[1]->symbol == "S/2011/245");
  CHECK(infos[1]->versions.size() == 2);
  CHECK(infos[1]->versions[0].lang == "zh");
  CHECK(infos[1]->versions[1].sha256 == "aa11");
  CHECK_FALSE(infos[2]);
  REQUIRE(infos[3]);
  CHECK(infos[3]->versions.size() == 2);
  CHECK(tm.document_infos({}).empty());
  CHECK(tm.languages() == std::vector<std::string>{"zh", "en"});
}

TEST_CASE("tm: for_each_unit streams units in document and position order with provenance") {
  TempDir dir;
  TranslationMemory tm((dir / "tm.db").string());
  tm.store_document(resolution());
  tm.store_document(libya_letter());
  std::vector<std::string> seen;
  tm.for_each_unit([&](const UnitRecord& r) {
    seen.push_back(r.document_key + "#" + std::to_string(r.position) + " " + r.paragraph_key.value_or("-") + " " +
                   std::to_string(r.segments.size()));
  });
  CHECK(seen == std::vector<std::string>{"A_RES_55_100#0 7 2", "S_2011_245#0 12 3", "S_2011_245#1 1 3",
                                         "S_2011_245#2 1 3", "S_2011_245#3 2 3", "S_2011_245#4 3 3",
                                         "S_2011_245#5 4 2"});
  std::vector<UnitRecord> records;
  tm.for_each_unit([&](const UnitRecord& r) { records.push_back(r); }, std::string("S_2011_245"), 0.8);
  REQUIRE(records.size() == 4);
  CHECK(records[0].symbol == "S/2011/245");
  CHECK(records[0].original_lang == "ar");
  CHECK(records[0].confidence == Approx(0.95));
  CHECK(records[3].status == UnitStatus::rejected);
  CHECK(records[1].segments.at("zh") == "回顾其2011年2月26日第1970(2011)号决议，");
}

TEST_CASE("tm: inline codes and non-NFC text round-trip") {
  TempDir dir;
  TranslationMemory tm((dir / "tm.db").string());
  StoredDocument d;
  d.key = "tmx";
  d.aligner_version = "tmx";
  StoredUnit u = unit("Press <x1/> to start.", "", "");
  u.segments["fr"] = "Cafe\u0301";  // decomposed é: stored as NFC
  u.inline_codes["en"] = "[{\"type\":\"ph\",\"x\":1}]";
  d.units = {u};
  tm.store_document(d);
  std::vector<UnitRecord> records;
  tm.for_each_unit([&](const UnitRecord& r) { records.push_back(r); });
  REQUIRE(records.size() == 1);
  CHECK(records[0].segments.at("fr") == "Caf\u00E9");
  CHECK(records[0].inline_codes == std::map<std::string, std::string>{{"en", "[{\"type\":\"ph\",\"x\":1}]"}});
}

TEST_CASE("tm: a segment's key given by the aligner is stored as given; a text made NFC gets its own") {
  TempDir dir;
  const std::string path = (dir / "tm.db").string();
  {
    TranslationMemory tm(path);
    StoredDocument d;
    d.key = "keys";
    d.aligner_version = "test";
    StoredUnit u = unit("The Council met.", "", "");
    u.segments["fr"] = "Cafe\u0301";  // decomposed: the store makes it NFC
    // Not the texts' keys, so that it shows which key was stored.
    u.keys = {{"en", "given en key"}, {"fr", "given fr key"}};
    d.units = {u};
    tm.store_document(d);
  }
  sql::Connection db(path, sql::OpenMode::read_write);
  sql::Statement keys(db, "SELECT lang, key FROM segments ORDER BY lang", "reading keys");
  std::map<std::string, std::string> stored;
  while (keys.step()) stored[keys.column_string(0)] = keys.column_string(1);
  CHECK(stored == std::map<std::string, std::string>{{"en", "given en key"}, {"fr", matching_key_text("Caf\u00E9")}});
}

TEST_CASE("tm: prepare_for_store does the store's work on the texts ahead; the rows are the same") {
  // Texts in NFC and not, keys given and not: stored prepared and stored
  // as they come, every segment row must be the same (keys and hashes too).
  const auto document = [] {
    StoredDocument d = libya_letter();
    d.units[0].segments["fr"] = "Cafe\u0301 au Conseil";  // decomposed: made NFC
    d.units[0].keys = {{"en", matching_key_text(d.units[0].segments.at("en"))},
                       {"fr", "a key of the text as it was, not kept"}};
    d.units[1].keys = {{"zh", matching_key_text(d.units[1].segments.at("zh"))}};
    return d;
  };
  StoredDocument prepared = document();
  TranslationMemory::prepare_for_store(prepared);
  for (const StoredUnit& u : prepared.units) {
    CHECK(u.texts_in_nfc);
    CHECK(u.keys.size() == u.segments.size());
    CHECK(u.key_hashes.size() == u.segments.size());
    for (const auto& [lang, text] : u.segments) {
      CHECK(u.keys.at(lang) == matching_key_text(text));
      const fuzzy::KeyHashes h = fuzzy::key_hashes(lang, u.keys.at(lang));
      CHECK(u.key_hashes.at(lang).key == h.key);
      CHECK(u.key_hashes.at(lang).skeleton == h.skeleton);
    }
  }
  CHECK(prepared.units[0].segments.at("fr") == "Caf\u00E9 au Conseil");
  TempDir dir;
  const auto rows = [&](const std::string& name, const StoredDocument& d) {
    const std::string path = (dir / name).string();
    TranslationMemory(path).store_document(d);
    sql::Connection db(path, sql::OpenMode::read_only);
    sql::Statement s(db, "SELECT id, unit_id, lang, text, key, key_hash, skeleton_hash FROM segments ORDER BY id", "t");
    std::vector<std::string> out;
    while (s.step())
      out.push_back(std::to_string(s.column_int64(0)) + " " + std::to_string(s.column_int64(1)) + " " +
                    s.column_string(2) + " " + s.column_string(3) + " " + s.column_string(4) + " " +
                    std::to_string(s.column_int64(5)) + " " + std::to_string(s.column_int64(6)));
    return out;
  };
  const std::vector<std::string> as_they_come = rows("plain.db", document());
  REQUIRE(as_they_come.size() == 18);  // the letter's 17 and a French one
  CHECK(rows("prepared.db", prepared) == as_they_come);
  // The store takes the prepared hashes as they are: given wrong ones (as
  // a test), it stores those.
  StoredDocument wrong = prepared;
  wrong.units[0].key_hashes["en"] = {1, 2};
  const std::vector<std::string> with_wrong = rows("wrong.db", wrong);
  CHECK(with_wrong != as_they_come);
  CHECK(std::count_if(with_wrong.begin(), with_wrong.end(),
                      [](const std::string& r) { return r.ends_with(" 1 2"); }) == 1);

  // The same errors as store_document.
  StoredDocument broken = libya_letter();
  broken.units[1].segments["xx1"] = "bad";
  CHECK_THROWS_WITH(TranslationMemory::prepare_for_store(broken),
                    "document S_2011_245, unit 2: language 'xx1': not a language code. Give a two-letter ISO 639-1 "
                    "code such as ar, zh, en, fr, ru or es.");
  broken = libya_letter();
  broken.units[3].segments["en"] = "bad \xC3\x28 byte";
  CHECK_THROWS_WITH(TranslationMemory::prepare_for_store(broken),
                    "document S_2011_245, unit 4, en: the text is not valid UTF-8 (byte offset 4). Give UTF-8 text.");
  broken = libya_letter();
  broken.units[0].confidence = 1.5;
  CHECK_THROWS_WITH(TranslationMemory::prepare_for_store(broken),
                    "document S_2011_245, unit 1: confidence 1.5 is outside 0..1");
}

TEST_CASE("tm: an ImportSession commits all or nothing") {
  TempDir dir;
  TranslationMemory tm((dir / "tm.db").string());
  tm.store_document(libya_letter());
  StoredDocument header;
  header.key = "imported";
  header.aligner_version = "tmx";

  SECTION("committed") {
    auto session = tm.begin_import(header);
    session.add(unit("One.", "一。", ""));
    session.add(unit("Two.", "二。", ""));
    CHECK(session.added() == 2);
    session.commit();
    CHECK(tm.stats().units == 8);
    CHECK_THROWS_AS(session.add(unit("Three.", "", "")), ArgumentError);
  }
  SECTION("an exception mid-import leaves nothing") {
    try {
      auto session = tm.begin_import(header);
      session.add(unit("One.", "一。", ""));
      session.add(unit("Two.", "二。", ""));
      throw std::runtime_error("the TMX file ended early");
    } catch (const std::runtime_error&) {
    }
    const TmStats s = tm.stats();
    CHECK(s.documents == 1);
    CHECK(s.units == 6);
    CHECK_FALSE(tm.document_info("imported"));
    CHECK(tm.concordance("Two", {}).empty());
    // The TM is usable again.
    tm.store_document(resolution());
    CHECK(tm.stats().documents == 2);
  }
  SECTION("a session that replaces a document and fails leaves the old one") {
    StoredDocument replacement = libya_letter();
    replacement.units.clear();
    {
      auto session = tm.begin_import(replacement);
      session.add(unit("Only this.", "", ""));
      StoredUnit bad;
      bad.segments["english"] = "x";
      CHECK_THROWS_AS(session.add(bad), ArgumentError);
    }  // no commit: rolled back
    CHECK(tm.stats().units == 6);
    LookupOptions o;
    o.from = "en";
    o.min_score = 100;
    CHECK(tm.lookup("The Contact Group met in Doha on 13 April 2011.", o).size() == 1);
  }
  SECTION("one session at a time") {
    auto session = tm.begin_import(header);
    CHECK_THROWS_WITH(tm.store_document(resolution()),
                      Catch::Contains("an import session is still open on this TM; commit it or let it go first"));
    CHECK_THROWS_AS(tm.begin_import(header), ArgumentError);
  }
}

TEST_CASE("tm: begin_import stores the header like store_document") {
  TempDir dir;
  TranslationMemory stored((dir / "stored.db").string());
  TranslationMemory imported((dir / "imported.db").string());
  const StoredDocument doc = libya_letter();
  stored.store_document(doc);
  StoredDocument header = doc;
  header.units.clear();
  {
    auto session = imported.begin_import(header);
    for (const StoredUnit& u : doc.units) session.add(u);
    session.commit();
  }
  const auto a = stored.document_info(doc.key), b = imported.document_info(doc.key);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(b->symbol == std::optional<std::string>("S/2011/245"));
  CHECK(b->title == std::optional<std::string>("Letter dated 13 April 2011"));
  CHECK(b->date == std::optional<std::string>("2011-04-13"));
  CHECK(b->original_lang == std::optional<std::string>("ar"));
  CHECK(b->aligner_version == "0.1.0");
  REQUIRE(b->versions.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(b->versions[i].lang == a->versions[i].lang);
    CHECK(b->versions[i].file_name == a->versions[i].file_name);
    CHECK(b->versions[i].sha256 == a->versions[i].sha256);
    CHECK(b->versions[i].paragraphs == a->versions[i].paragraphs);
    CHECK(b->versions[i].sentences == a->versions[i].sentences);
  }
  CHECK(b->versions[0].lang == "ar");  // UN order
  CHECK(b->versions[2].sha256 == "aa11");
  CHECK(texts(imported, "en") == texts(stored, "en"));
  // Replacing through a session replaces the versions too.
  header.versions = {{"en", "new.en.txt", "ff99", 1, 1}};
  {
    auto session = imported.begin_import(header);
    session.add(doc.units[0]);
    session.commit();
  }
  const auto c = imported.document_info(doc.key);
  REQUIRE(c);
  REQUIRE(c->versions.size() == 1);
  CHECK(c->versions[0].sha256 == "ff99");
  CHECK(imported.stats().units == 1);
}

TEST_CASE("tm: document_keys lists every stored document, sorted") {
  TempDir dir;
  TranslationMemory tm((dir / "tm.db").string());
  CHECK(tm.document_keys().empty());
  tm.store_document(libya_letter());
  tm.store_document(resolution());
  StoredDocument other = resolution();
  other.key = "B_key";
  tm.store_document(other);
  tm.store_document(resolution());  // replaced, not listed twice
  CHECK(tm.document_keys() == std::vector<std::string>{"A_RES_55_100", "B_key", "S_2011_245"});
}

TEST_CASE("tm: a large ImportSession (writer thread) stores every unit, shows them to its own reads, and rolls back") {
  TempDir dir;
  TranslationMemory tm((dir / "tm.db").string());
  tm.store_document(libya_letter());
  StoredDocument header;
  header.key = "bulk";
  header.aligner_version = "test";
  const auto numbered = [](int i) {
    return unit("Paragraph number " + std::to_string(i) + " of the bulk import, about item " + std::to_string(i * 7) + ".",
                "第" + std::to_string(i) + "段。", "");
  };
  SECTION("committed") {
    auto session = tm.begin_import(header);
    for (int i = 0; i < 1000; ++i) session.add(numbered(i));
    // This object's reads see the units added so far.
    CHECK(tm.stats().units == 6 + 1000);
    for (int i = 1000; i < 1300; ++i) session.add(numbered(i));
    session.commit();
    CHECK(tm.stats().units == 6 + 1300);
    std::vector<std::string> en;
    tm.for_each_unit([&](const UnitRecord& r) { en.push_back(r.segments.at("en")); }, std::string("bulk"));
    REQUIRE(en.size() == 1300);
    CHECK(en[0] == numbered(0).segments.at("en"));
    CHECK(en[1299] == numbered(1299).segments.at("en"));
    LookupOptions o;
    o.from = "en";
    o.min_score = 100;
    const auto hits = tm.lookup(numbered(777).segments.at("en"), o);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].targets.at("zh") == "第777段。");
    CHECK(tm.concordance("item 5439", {}).size() == 1);  // 777 × 7
    // Another connection sees the committed units.
    TranslationMemory reader((dir / "tm.db").string(), OpenOptions{.create = false, .read_only = true});
    CHECK(reader.stats().units == 6 + 1300);
  }
  SECTION("a bad unit after many is refused alone; without commit nothing stays") {
    {
      auto session = tm.begin_import(header);
      for (int i = 0; i < 700; ++i) session.add(numbered(i));
      StoredUnit bad = numbered(700);
      bad.confidence = -1;
      CHECK_THROWS_WITH(session.add(bad), "document bulk, unit 701: confidence -1 is outside 0..1");
      session.add(numbered(701));
      CHECK(session.added() == 701);
    }
    CHECK(tm.stats().units == 6);
    CHECK_FALSE(tm.document_info("bulk"));
    CHECK(tm.concordance("bulk import", {}).empty());
    tm.store_document(resolution());  // usable again
    CHECK(tm.stats().documents == 2);
  }
}

TEST_CASE("tm: a failed store_document leaves the previous version intact") {
  TempDir dir;
  TranslationMemory tm((dir / "tm.db").string());
  tm.store_document(libya_letter());
  StoredDocument broken = libya_letter();
  broken.units[1].segments["xx1"] = "bad";
  CHECK_THROWS_WITH(tm.store_document(broken),
                    "document S_2011_245, unit 2: language 'xx1': not a language code. Give a two-letter ISO 639-1 "
                    "code such as ar, zh, en, fr, ru or es.");
  broken = libya_letter();
  broken.units[3].segments["en"] = "bad \xC3\x28 byte";
  CHECK_THROWS_WITH(tm.store_document(broken),
                    "document S_2011_245, unit 4, en: the text is not valid UTF-8 (byte offset 4). Give UTF-8 text.");
  broken = libya_letter();
  broken.units[0].confidence = 1.5;
  CHECK_THROWS_WITH(tm.store_document(broken), "document S_2011_245, unit 1: confidence 1.5 is outside 0..1");
  broken = libya_letter();
  broken.units.push_back(StoredUnit{});
  CHECK_THROWS_WITH(tm.store_document(broken),
                    "document S_2011_245, unit 7: no text in any language; a unit needs one at least");
  const TmStats s = tm.stats();
  CHECK(s.units == 6);
  CHECK(s.segments == 17);
  CHECK(texts(tm, "en").front() == "The Security Council decided to remain seized of the matter.");
  LookupOptions o;
  o.from = "zh";
  o.min_score = 100;
  CHECK(tm.lookup("要求立即实现停火。", o).size() == 1);
  CHECK(tm.concordance("停火", {}).size() == 1);
}

TEST_CASE("tm: schema version, application id and WAL") {
  TempDir dir;
  const std::string path = (dir / "tm.db").string();
  { TranslationMemory tm(path); }
  sql::Connection db(path, sql::OpenMode::read_only);
  CHECK(db.query_int("PRAGMA user_version", "test") == schema::kVersion);
  CHECK(db.query_int("PRAGMA application_id", "test") == schema::kApplicationId);
  sql::Statement mode(db, "PRAGMA journal_mode");
  REQUIRE(mode.step());
  CHECK(mode.column_string(0) == "wal");
}

TEST_CASE("tm: migrations run forward, one transaction per step") {
  TempDir dir;
  const std::string path = (dir / "tm.db").string();
  { TranslationMemory tm(path); }  // version 4
  sql::Connection db(path, sql::OpenMode::read_write);
  std::vector<schema::Migration> steps = schema::migrations();
  REQUIRE(steps.size() == 4);
  int earlier_runs = 0;
  for (schema::Migration& step : steps) step.apply = [&](sql::Connection&) { ++earlier_runs; };

  SECTION("a file at version 4 gets only the version 5 step") {
    steps.push_back({5, "adding documents.note (version 5)",
                     [](sql::Connection& c) { c.exec("ALTER TABLE documents ADD COLUMN note TEXT", "adding note"); }});
    CHECK(schema::migrate(db, steps) == 5);
    CHECK(earlier_runs == 0);
    CHECK(db.query_int("PRAGMA user_version", "test") == 5);
    CHECK(db.query_int("SELECT count(*) FROM pragma_table_info('documents') WHERE name = 'note'", "test") == 1);
    // Running again does nothing.
    CHECK(schema::migrate(db, steps) == 5);
  }
  SECTION("a failing step leaves the file at the previous version") {
    steps.push_back({5, "a step that fails", [](sql::Connection& c) {
                       c.exec("CREATE TABLE half_done (x)", "creating half_done");
                       c.exec("INSERT INTO no_such_table VALUES (1)", "filling a missing table");
                     }});
    CHECK_THROWS_AS(schema::migrate(db, steps), DatabaseError);
    CHECK(db.query_int("PRAGMA user_version", "test") == 4);
    CHECK(db.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'", "test") == 0);
  }
  SECTION("an empty file gets every step") {
    const std::string fresh = (dir / "fresh.db").string();
    sql::Connection empty(fresh, sql::OpenMode::create);
    CHECK(schema::migrate(empty, schema::migrations()) == 4);
    CHECK(empty.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'segments'", "test") == 1);
    CHECK(empty.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'gram_postings'", "test") == 1);
    // Version 3's exact-match table replaces the index segments_match.
    CHECK(empty.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'exact_index'", "test") == 1);
    CHECK(empty.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'segments_match'", "test") == 0);
    // Version 1's FTS5 tables and trigram counts are gone.
    CHECK(empty.query_int("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'segments_cjk%' OR name = "
                          "'trigram_counts'",
                          "test") == 0);
    // Version 4's counts per language replace the index segments_lang.
    CHECK(empty.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'segment_langs'", "test") == 1);
    CHECK(empty.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'segments_lang'", "test") == 0);
  }
}

TEST_CASE("tm: a version 3 TM gets its segments counted per language; writes keep the counts") {
  TempDir dir;
  const std::string path = (dir / "tm.db").string();
  {
    TranslationMemory tm(path);
    tm.store_document(libya_letter());
    tm.store_document(resolution());
  }
  {
    // Back to version 3 as that untm wrote it: the index, no count table.
    sql::Connection db(path, sql::OpenMode::read_write);
    db.exec("DROP TABLE segment_langs; CREATE INDEX segments_lang ON segments(lang); PRAGMA user_version = 3", "test");
  }
  const auto counts = [](const TranslationMemory& tm) {
    std::string out;
    for (const auto& [lang, n] : tm.stats().segments_per_lang) out += lang + " " + std::to_string(n) + ", ";
    return out;
  };
  TranslationMemory tm(path);
  CHECK(tm.stats().schema_version == 4);
  CHECK(counts(tm) == "ar 5, en 7, zh 7, ");
  CHECK(tm.languages() == std::vector<std::string>{"ar", "zh", "en"});
  // A replaced document's segments leave the counts, a new one's join them.
  StoredDocument french = resolution();
  french.units[0].segments = {{"fr", "L'Assemblée générale a décidé de rester saisie de la question."}};
  tm.store_document(french);
  CHECK(counts(tm) == "ar 5, en 6, fr 1, zh 6, ");
  CHECK(tm.languages() == std::vector<std::string>{"ar", "zh", "en", "fr"});
  tm.store_document(resolution());  // French gone again
  CHECK(counts(tm) == "ar 5, en 7, zh 7, ");
  CHECK(tm.languages() == std::vector<std::string>{"ar", "zh", "en"});
  StoredDocument again = libya_letter();
  again.key = "S_2011_245_copy";
  tm.store_document(again);
  CHECK(counts(tm) == "ar 10, en 13, zh 13, ");
  // An import session counts its units too, also before it commits.
  {
    StoredDocument header = resolution();
    header.key = "session";
    header.units.clear();
    TranslationMemory::ImportSession session = tm.begin_import(header);
    for (int i = 0; i < 600; ++i) session.add(unit("Paragraph " + std::to_string(i) + " of the session.", "", ""));
    CHECK(counts(tm) == "ar 10, en 613, zh 13, ");
    session.commit();
  }
  CHECK(counts(tm) == "ar 10, en 613, zh 13, ");
  sql::Connection db(path, sql::OpenMode::read_only);
  CHECK(db.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'segments_lang'", "test") == 0);
  CHECK(db.query_int("SELECT count(*) FROM (SELECT lang, count(*) FROM segments GROUP BY lang "
                     "EXCEPT SELECT lang, segments FROM segment_langs WHERE segments > 0)",
                     "test") == 0);
}

TEST_CASE("tm: files that are not a usable TM are refused with the fix") {
  TempDir dir;
  SECTION("missing, when not creating") {
    const std::string path = (dir / "missing.db").string();
    OpenOptions o;
    o.create = false;
    const std::string fix = "Create one with untm align FILE… --db " + path + ", untm batch DIR --db " + path +
                            " or untm import FILE.tmx --db " + path;
    CHECK(error_of([&] { TranslationMemory tm(path, o); }) == path + ": no such TM. " + fix);
    CHECK_FALSE(std::filesystem::exists(path));
    o.read_only = true;
    CHECK(error_of([&] { TranslationMemory tm(path, o); }) == path + ": no such TM. " + fix);
    CHECK_FALSE(std::filesystem::exists(path));
  }
  SECTION("an empty file, read-only") {
    const std::string path = (dir / "empty.db").string();
    write_file(path, "");
    OpenOptions o;
    o.create = false;
    o.read_only = true;
    CHECK(error_of([&] { TranslationMemory tm(path, o); }) ==
          path + ": no such TM (the file is empty). Create one with untm align FILE… --db " + path +
              ", untm batch DIR --db " + path + " or untm import FILE.tmx --db " + path);
  }
  SECTION("a SQLite file of another program") {
    const std::string path = (dir / "other.db").string();
    {
      sql::Connection db(path, sql::OpenMode::create);
      db.exec("CREATE TABLE customers (name TEXT)", "test");
    }
    CHECK(error_of([&] { TranslationMemory tm(path); }) ==
          path + ": not a untm TM: give a file made by untm or a new path");
  }
  SECTION("a file that is not SQLite at all") {
    const std::string path = (dir / "notes.txt").string();
    write_file(path, std::string(2000, 'x'));
    CHECK(error_of([&] { TranslationMemory tm(path); }) ==
          path + ": reading the file: file is not a database; not a untm TM: give a file made by untm or a new path");
  }
  SECTION("a newer schema") {
    const std::string path = (dir / "tm.db").string();
    { TranslationMemory tm(path); }
    {
      sql::Connection db(path, sql::OpenMode::read_write);
      db.exec("PRAGMA user_version = 7", "test");
    }
    CHECK(error_of([&] { TranslationMemory tm(path); }) ==
          path + ": made by a newer untm (schema 7): upgrade untm (this one reads schema 4 and older)");
    OpenOptions o;
    o.read_only = true;
    CHECK_THROWS_AS(TranslationMemory(path, o), DatabaseError);
  }
  SECTION("a folder") {
    CHECK(error_of([&] { TranslationMemory tm(dir.path().string()); }) ==
          dir.path().string() + ": is a folder, not a TM file. Give the path of a TM file");
  }
}

TEST_CASE("tm: a WAL reader sees the last commit while a writer holds a transaction") {
  TempDir dir;
  const std::string path = (dir / "tm.db").string();
  TranslationMemory writer(path);
  writer.store_document(resolution());
  OpenOptions ro;
  ro.read_only = true;
  ro.create = false;
  TranslationMemory reader(path, ro);
  LookupOptions o;
  o.from = "en";
  o.min_score = 100;

  StoredDocument header = libya_letter();
  auto session = writer.begin_import(header);  // holds the write transaction
  session.add(unit("Added while a reader reads.", "", ""));
  CHECK(reader.stats().units == 1);
  CHECK(reader.lookup("The General Assembly decided to remain seized of the matter.", o).size() == 1);
  CHECK(reader.lookup("Added while a reader reads.", o).empty());
  CHECK(reader.concordance("while a reader", {}).empty());

  // A second writer waits for the busy timeout, then says what to do.
  OpenOptions impatient;
  impatient.busy_timeout_ms = 50;
  TranslationMemory second(path, impatient);
  CHECK(error_of([&] { second.store_document(resolution()); }) ==
        path + ": starting a write transaction: database is locked; the database is locked by another writer: wait or "
               "close it");

  session.commit();
  CHECK(reader.stats().units == 8);
  CHECK(reader.lookup("Added while a reader reads.", o).size() == 1);
  CHECK(reader.concordance("while a reader", {}).size() == 1);
  CHECK_THROWS_WITH(reader.store_document(resolution()),
                    Catch::Contains("the TM is open read-only"));
}

TEST_CASE("tm: lookups score exact, near-exact and fuzzy matches") {
  TempDir dir;
  const int index_mode = GENERATE(0, 1, 2);
  CAPTURE(index_mode);
  TranslationMemory tm = small_tm((dir / "tm.db").string(), index_mode);
  LookupOptions o;
  o.from = "en";

  SECTION("exact, with targets and provenance") {
    const auto hits = tm.lookup("The Contact Group met in Doha on 13 April 2011.", o);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].score == 100);
    CHECK(hits[0].source == "The Contact Group met in Doha on 13 April 2011.");
    CHECK(hits[0].targets == std::map<std::string, std::string>{
                                 {"zh", "联络小组于2011年4月13日在多哈举行会议。"},
                                 {"ar", "اجتمع فريق الاتصال في الدوحة في 13 نيسان/أبريل 2011."}});
    CHECK(hits[0].document_key == "S_2011_245");
    CHECK(hits[0].symbol == "S/2011/245");
    CHECK(hits[0].paragraph_key == "2");
    CHECK(hits[0].confidence == Approx(0.8));
    CHECK(hits[0].substitutions.empty());
  }
  SECTION("a number substitution: 97 and the pair") {
    const auto hits = tm.lookup("Recalling its resolution 1973 (2011) of 26 February 2011,", o);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].score == 97);
    CHECK(hits[0].substitutions == std::vector<std::pair<std::string, std::string>>{{"1973", "1970"}});
  }
  SECTION("case only: 99; fuzzy: exact percentages; ranking") {
    o.limit = 10;
    const auto hits = tm.lookup("the security council decided to remain seized of the matter.", o);
    REQUIRE(hits.size() == 2);
    CHECK(hits[0].score == 99);
    CHECK(hits[0].document_key == "S_2011_245");
    // "the general assembly" for "the security council": 2 of 10 words.
    CHECK(hits[1].score == 80);
    CHECK(hits[1].document_key == "A_RES_55_100");
    CHECK(hits[1].status == UnitStatus::confirmed);

    const auto fuzzy = tm.lookup("The Security Council decided to remain seized of this matter.", o);
    REQUIRE(fuzzy.size() == 2);
    CHECK(fuzzy[0].score == 90);
    CHECK(fuzzy[1].score == 70);
  }
  SECTION("min and limit") {
    o.min_score = 85;
    CHECK(tm.lookup("The Security Council decided to remain seized of this matter.", o).size() == 1);
    o.min_score = 0;
    o.limit = 1;
    CHECK(tm.lookup("The Security Council decided to remain seized of this matter.", o).size() == 1);
  }
  SECTION("target languages") {
    o.to = {"ar"};
    const auto hits = tm.lookup("The Security Council decided to remain seized of the matter.", o);
    REQUIRE(hits.size() == 1);  // the General Assembly unit has no Arabic
    CHECK(hits[0].targets == std::map<std::string, std::string>{{"ar", "وقرر مجلس الأمن أن يبقي المسألة قيد نظره."}});
  }
  SECTION("rejected units never match") {
    o.min_score = 100;
    const auto hits = tm.lookup("Demands the immediate establishment of a cease-fire.", o);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].targets.at("zh") == "要求立即实现停火。");
  }
  SECTION("Chinese: characters") {
    o.from = "zh";
    const auto hits = tm.lookup("安全理事会决定继续审议此案。", o);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].score == 84);
    CHECK(hits[0].targets.at("en") == "The Security Council decided to remain seized of the matter.");
    const auto numbers = tm.lookup("回顾其2011年2月26日第1973(2011)号决议，", o);
    REQUIRE(numbers.size() == 1);
    CHECK(numbers[0].score == 97);
    CHECK(numbers[0].substitutions == std::vector<std::pair<std::string, std::string>>{{"1973", "1970"}});
  }
  SECTION("Arabic: harakat are form, not edits") {
    o.from = "ar";
    const auto hits = tm.lookup("وقرر مَجْلِسُ الأمنِ أن يبقي المسألة قيد نظره.", o);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].score == 99);
    CHECK(hits[0].source == "وقرر مجلس الأمن أن يبقي المسألة قيد نظره.");
  }
  SECTION("errors") {
    CHECK_THROWS_WITH(tm.lookup("   ", o), "empty query: give the text to look up");
    o.from = "english";
    CHECK_THROWS_WITH(tm.lookup("x", o), "from language 'english': not a language code. Give a two-letter ISO 639-1 "
                                         "code such as ar, zh, en, fr, ru or es.");
    o.from = "de";
    CHECK(tm.lookup("Der Sicherheitsrat", o).empty());  // a valid language the TM lacks
  }
}

TEST_CASE("tm: concordance finds substrings in any language and maps them to the original") {
  TempDir dir;
  const int index_mode = GENERATE(0, 1, 2);
  CAPTURE(index_mode);
  TranslationMemory tm = small_tm((dir / "tm.db").string(), index_mode);
  const auto matched = [](const ConcordanceHit& h) { return h.text.substr(h.match_begin, h.match_end - h.match_begin); };

  SECTION("one Chinese character") {
    const auto hits = tm.concordance("会", {});
    REQUIRE(hits.size() == 4);  // 安全理事会, 会议, 安理会, 大会; not the rejected unit
    CHECK(hits[0].lang == "zh");
    CHECK(hits[0].text == "安全理事会决定继续处理此案。");
    CHECK(hits[0].match_begin == 12);
    CHECK(hits[0].match_end == 15);
    CHECK(hits[0].others.at("en") == "The Security Council decided to remain seized of the matter.");
    CHECK(hits[0].document_key == "S_2011_245");
    CHECK(hits[0].symbol == "S/2011/245");
    CHECK(hits[0].paragraph_key == "12");
    CHECK(hits[2].text == "小组呼吁安理会采取行动。");
    CHECK(hits[3].document_key == "A_RES_55_100");
  }
  SECTION("two Chinese characters, and a digit beside one") {
    auto hits = tm.concordance("小组", {});
    REQUIRE(hits.size() == 2);
    CHECK(matched(hits[0]) == "小组");
    CHECK(hits[0].text == "联络小组于2011年4月13日在多哈举行会议。");
    CHECK(hits[1].ranges == std::vector<std::pair<std::size_t, std::size_t>>{{0, 6}});
    hits = tm.concordance("4月", {});
    REQUIRE(hits.size() == 1);
    CHECK(matched(hits[0]) == "4月");
    CHECK(tm.concordance("继续", {}).size() == 2);
  }
  SECTION("Arabic with and without harakat") {
    // The text has harakat, the term none.
    auto hits = tm.concordance("مجلس الأمن", {});
    REQUIRE(hits.size() == 2);
    CHECK(matched(hits[0]) == "مجلس الأمن");
    CHECK(matched(hits[1]) == "مَجْلِسَ الأمن");
    // The term has harakat, one text none.
    hits = tm.concordance("مَجْلِسُ", {});
    REQUIRE(hits.size() == 2);
    CHECK(matched(hits[0]) == "مجلس");
    CHECK(matched(hits[1]) == "مَجْلِسَ");
  }
  SECTION("case and digit style do not matter; one hit per unit; every occurrence marked") {
    auto hits = tm.concordance("SECURITY COUNCIL", {});
    REQUIRE(hits.size() == 1);
    CHECK(matched(hits[0]) == "Security Council");
    hits = tm.concordance("٢٠١١", {});  // Arabic-Indic digits find 2011 in every language
    REQUIRE(hits.size() == 2);          // units 2 and 4, listed once each
    CHECK(hits[0].lang == "ar");        // the first language in UN order
    CHECK(hits[0].ranges.size() == 2);  // 1970 (2011) … 2011
    ConcordanceOptions en;
    en.lang = "en";
    hits = tm.concordance("2011", en);
    REQUIRE(hits.size() == 2);
    CHECK(hits[0].lang == "en");
    CHECK(hits[0].ranges == std::vector<std::pair<std::size_t, std::size_t>>{{31, 35}, {52, 56}});
    en.limit = 1;
    CHECK(tm.concordance("2011", en).size() == 1);
  }
  SECTION("two Latin or Arabic characters; unknown trigrams find nothing") {
    ConcordanceOptions en;
    en.lang = "en";
    auto hits = tm.concordance("Do", en);  // in "Doha" only
    REQUIRE(hits.size() == 1);
    CHECK(matched(hits[0]) == "Do");
    hits = tm.concordance("ct", {});  // "Contact", "act.": inside and at the end of a word
    REQUIRE(hits.size() == 2);
    CHECK(hits[1].text == "The Group called on the Council to act.");
    CHECK(tm.concordance("في", {}).size() == 1);
    CHECK(tm.concordance("zzzq", {}).empty());
    StoredDocument tiny;
    tiny.key = "tiny";
    tiny.aligner_version = "0.1.0";
    tiny.units = {unit("OK", "", "")};  // a key of two characters has no trigram
    tm.store_document(tiny);
    CHECK(tm.concordance("ok", {}).size() == 1);
  }
  SECTION("errors") {
    CHECK_THROWS_WITH(tm.concordance(" ", {}), "empty search term: give the text to look for");
    CHECK_THROWS_WITH(tm.concordance("a", {}), "search term 'a' is one character: it would match too much. Give at "
                                               "least two characters (one is enough in Chinese and Japanese).");
    ConcordanceOptions bad;
    bad.lang = "chinese";
    CHECK_THROWS_AS(tm.concordance("x", bad), ArgumentError);
  }
}

// ---- the CLI ----

namespace {

struct CliTm {
  TempDir dir;
  std::string path = (dir / "tm.db").string();
  CliTm() {
    TranslationMemory tm(path);
    tm.store_document(libya_letter());
    tm.store_document(resolution());
  }
  std::string db() const { return " --db " + shell_quote(path); }
  std::string scrub(const std::string& s) const { return replace_all(s, path, "<tm>"); }
};

}  // namespace

TEST_CASE("cli: untm lookup, text and JSON") {
  CliTm t;
  auto r = run_untm("lookup " + shell_quote("Recalling its resolution 1973 (2011) of 26 February 2011,") + t.db() +
                    " --from en");
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(r.out ==
        "# query (en): Recalling its resolution 1973 (2011) of 26 February 2011,\n"
        "# 1 hit at or above 70%\n"
        "\n"
        "[1] 97%  doc S_2011_245 (S/2011/245)  paragraph 1  unit 2  confidence 0.90\n"
        "  en: Recalling its resolution 1970 (2011) of 26 February 2011,\n"
        "  ar: إذ يشير إلى قراره 1970 (2011) المؤرخ 26 شباط/فبراير 2011،\n"
        "  zh: 回顾其2011年2月26日第1970(2011)号决议，\n"
        "  numbers: 1973 → 1970\n");

  r = run_untm("lookup " + shell_quote("The Security Council decided to remain seized of this matter.") + t.db() +
               " --from en --to zh --json");
  CHECK(r.exit_code == 0);
  CHECK(r.out == R"({
  "query": "The Security Council decided to remain seized of this matter.",
  "from": "en",
  "to": [
    "zh"
  ],
  "min": 70,
  "limit": 5,
  "hits": [
    {
      "score": 90,
      "source": "The Security Council decided to remain seized of the matter.",
      "targets": {
        "zh": "安全理事会决定继续处理此案。"
      },
      "substitutions": [],
      "document": "S_2011_245",
      "symbol": "S/2011/245",
      "paragraph": "12",
      "unit": 1,
      "confidence": 0.95,
      "status": "auto"
    },
    {
      "score": 70,
      "source": "The General Assembly decided to remain seized of the matter.",
      "targets": {
        "zh": "大会决定继续处理此事。"
      },
      "substitutions": [],
      "document": "A_RES_55_100",
      "symbol": "A/RES/55/100",
      "paragraph": "7",
      "unit": 7,
      "confidence": 1.0,
      "status": "confirmed"
    }
  ]
}
)");

  r = run_untm("lookup " + shell_quote("Nothing like it") + t.db() + " --from en");
  CHECK(r.exit_code == 0);
  CHECK(r.out == "# query (en): Nothing like it\n# 0 hits at or above 70%\n");
}

TEST_CASE("cli: untm concordance, text and JSON") {
  CliTm t;
  auto r = run_untm("concordance 小组" + t.db());
  CHECK(r.exit_code == 0);
  CHECK(r.out ==
        "# term: 小组 (any language)\n"
        "# 2 hits\n"
        "\n"
        "[1] zh  doc S_2011_245 (S/2011/245)  paragraph 2  unit 4  confidence 0.80\n"
        "  zh: 联络«小组»于2011年4月13日在多哈举行会议。\n"
        "  ar: اجتمع فريق الاتصال في الدوحة في 13 نيسان/أبريل 2011.\n"
        "  en: The Contact Group met in Doha on 13 April 2011.\n"
        "\n"
        "[2] zh  doc S_2011_245 (S/2011/245)  paragraph 3  unit 5  confidence 0.70\n"
        "  zh: «小组»呼吁安理会采取行动。\n"
        "  ar: ودعا الفريق مَجْلِسَ الأمن إلى التحرك.\n"
        "  en: The Group called on the Council to act.\n");

  r = run_untm("concordance " + shell_quote("مجلس") + t.db() + " --lang ar --limit 1 --json");
  CHECK(r.exit_code == 0);
  CHECK(r.out == R"({
  "term": "مجلس",
  "lang": "ar",
  "limit": 1,
  "hits": [
    {
      "lang": "ar",
      "text": "وقرر مجلس الأمن أن يبقي المسألة قيد نظره.",
      "match": {
        "begin": 9,
        "end": 17
      },
      "matched": "مجلس",
      "ranges": [
        [
          9,
          17
        ]
      ],
      "others": {
        "zh": "安全理事会决定继续处理此案。",
        "en": "The Security Council decided to remain seized of the matter."
      },
      "document": "S_2011_245",
      "symbol": "S/2011/245",
      "paragraph": "12",
      "unit": 1,
      "confidence": 0.95
    }
  ]
}
)");
}

TEST_CASE("cli: untm stats, text and JSON") {
  CliTm t;
  auto r = run_untm("stats" + t.db());
  CHECK(r.exit_code == 0);
  // The file size varies with SQLite's page layout: scrubbed.
  std::string out = t.scrub(r.out);
  const auto size_at = out.find("file size: ");
  REQUIRE(size_at != std::string::npos);
  out = out.substr(0, size_at) + "file size: <bytes>\n";
  CHECK(out ==
        "TM: <tm>\n"
        "schema version: 4\n"
        "documents: 2\n"
        "units: 7\n"
        "segments: 19 (ar 5, zh 7, en 7)\n"
        "low-confidence units (< 0.5): 1\n"
        "n-gram index: 0 segments indexed, 19 waiting (read directly until indexed), 0 deleted with stale postings\n"
        "file size: <bytes>\n");
  r = run_untm("stats" + t.db() + " --json");
  CHECK(r.exit_code == 0);
  const std::string json = t.scrub(r.out);
  const auto bytes_at = json.find("\"file_bytes\": ");
  REQUIRE(bytes_at != std::string::npos);
  CHECK(json.substr(0, bytes_at) == R"({
  "path": "<tm>",
  "schema_version": 4,
  "documents": 2,
  "units": 7,
  "segments": 19,
  "segments_per_lang": {
    "ar": 5,
    "zh": 7,
    "en": 7
  },
  "low_confidence_units": 1,
  "low_confidence_below": 0.5,
  "index": {
    "indexed_segments": 0,
    "waiting_segments": 19,
    "stale_segments": 0
  },
  )");
  // After indexing (as a batch does at its end): everything in the index.
  TranslationMemory(t.path).update_index();
  r = run_untm("stats" + t.db());
  CHECK(r.out.find("n-gram index: 19 segments indexed, 0 waiting (read directly until indexed), 0 deleted with stale "
                   "postings\n") != std::string::npos);
}

TEST_CASE("cli: TM commands' errors and exit codes") {
  CliTm t;
  TempDir other;
  SECTION("no such TM: exit 4, and no file is created") {
    const std::string missing = (other / "missing.db").string();
    const auto r = run_untm("lookup x --db " + shell_quote(missing) + " --from en");
    CHECK(r.exit_code == 4);
    CHECK(r.err == "untm: error: " + missing + ": no such TM. Create one with untm align FILE… --db " + missing +
                       ", untm batch DIR --db " + missing + " or untm import FILE.tmx --db " + missing + "\n");
    CHECK(r.out.empty());
    CHECK_FALSE(std::filesystem::exists(missing));
    CHECK(run_untm("stats --db " + shell_quote(missing)).exit_code == 4);
    CHECK(run_untm("concordance x --db " + shell_quote(missing)).exit_code == 4);
  }
  SECTION("not a TM: exit 4") {
    const std::string notes = (other / "notes.db").string();
    write_file(notes, std::string(3000, 'n'));
    const auto r = run_untm("stats --db " + shell_quote(notes));
    CHECK(r.exit_code == 4);
    CHECK(r.err == "untm: error: " + notes +
                       ": reading the file: file is not a database; not a untm TM: give a file made by untm or a new "
                       "path\n");
  }
  SECTION("usage errors: exit 2") {
    auto r = run_untm("lookup x" + t.db() + " --from english");
    CHECK(r.exit_code == 2);
    CHECK(r.err == "untm: error: --from english: not a language code. Give a two-letter ISO 639-1 code such as ar, "
                   "zh, en, fr, ru or es.\n");
    r = run_untm("lookup x" + t.db() + " --from en --to zh,chinese");
    CHECK(r.exit_code == 2);
    CHECK(r.err == "untm: error: --to zh,chinese: 'chinese' is not a language code. Give two-letter ISO 639-1 codes "
                   "separated by commas, e.g. --to zh,en,ar.\n");
    r = run_untm("lookup ' '" + t.db() + " --from en");
    CHECK(r.exit_code == 2);
    CHECK(r.err == "untm: error: empty query: give the text to look up\n");
    r = run_untm("concordance ''" + t.db());
    CHECK(r.exit_code == 2);
    CHECK(r.err == "untm: error: empty search term: give the text to look for\n");
    CHECK(run_untm("lookup x" + t.db() + " --from en --min 120").exit_code == 2);
    CHECK(run_untm("lookup x" + t.db()).exit_code == 2);  // --from is required
  }
  SECTION("a language the TM lacks: a warning, no error") {
    const auto r = run_untm("lookup Sicherheitsrat" + t.db() + " --from de");
    CHECK(r.exit_code == 0);
    CHECK(t.scrub(r.err) == "untm: warning: <tm> has no segments in de (it has: ar, zh, en)\n");
  }
}
