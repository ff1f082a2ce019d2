// The translation memory (see translation_memory.h; schema in
// migrations() below, score scale in fuzzy_match.h).
//
// Lookups never scan the TM: an exact match comes from the table
// exact_index, keyed by (skeleton_hash, key_hash); a match that differs only
// in numbers or punctuation from the same table by skeleton_hash alone
// (both hashes are also stored in each segment's row); a fuzzy match from
// the n-gram index (gram_index.h) through a bounded set of posting-list reads
// built from the query's rarest trigrams, then exact scoring of the
// candidates that match the most of them (fuzzy_candidates). Concordance
// intersects the postings of the term's rarest trigrams (each hit verified on
// the key), or, for two characters, unites the postings of every gram that
// starts with them (of any script), or, for one Chinese or Japanese
// character, reads its CJK unigram.
//
// The n-gram index and exact_index are written in bulk, together: an import
// session indexes its segments as it goes; other writes leave their segments
// in the "tail" (ids above tm_state.indexed_through), which lookups scan,
// until the tail holds OpenOptions::index_tail_segments segments and the
// write that passes it indexes it in the same transaction. Deleted segments
// keep their postings and exact rows until the index is rebuilt (readers
// check every candidate), which a write does once stale postings are half
// of the index. Changing how keys or grams are made needs a migration that
// rebuilds the index from segments.key.
#include "tm/translation_memory.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <system_error>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "aligner/errors.h"
#include "aligner/language.h"
#include "aligner/normalizer.h"
#include "aligner/utf8_util.h"
#include "tm/fuzzy_match.h"
#include "tm/gram_index.h"
#include "tm/log_checkpointer.h"
#include "tm/sqlite_handle.h"
#include "tm/tm_errors.h"
#include "tm/tm_schema.h"

namespace untm {
namespace {

constexpr double kLowConfidence = 0.5;
// Page cache (negative: KiB): normal use, and during an import session.
constexpr int kCacheKib = -131072;
constexpr int kImportCacheKib = -1048576;
constexpr std::int64_t kMmapBytes = std::int64_t{1} << 34;
constexpr int kPageBytes = 16384;
// A full scan (for_each_unit): 8 MiB.
constexpr int kScanCacheKib = -8192;

// Fuzzy candidate retrieval (see fuzzy_candidates). Tuned with
// tools/bench/bench_tm on 1,000,000 units: fewer pairs or ids per feature
// lose best matches, more cost time.
constexpr std::size_t kFeatureRows = 1000;        // ids read per feature
constexpr std::int64_t kSingleCap = 1000;         // a trigram this rare is a feature on its own
constexpr std::int64_t kSingleBudget = 5000;      // postings read for such trigrams, in all
constexpr std::size_t kMaxPairs = 8;              // pairs of distant stretches
constexpr std::size_t kMaxFuzzyCandidates = 100;  // candidates scored exactly
constexpr double kTruncatedWeight = 0.1;          // of a feature with more ids than kFeatureRows
// The query is cut into up to kMaxRegions stretches of at least
// kTrigramsPerRegion trigrams.
constexpr std::size_t kMaxRegions = 8;
constexpr std::size_t kTrigramsPerRegion = 6;
// Exact and near-exact matches read at most this many rows per hash.
constexpr int kMaxHashRows = 1000;
// Concordance: trigrams intersected per query, and candidates verified per
// hit asked for before the search gives up on a language (false positives
// of trigram intersections are rare; this only bounds pathological terms).
constexpr std::size_t kMaxConcordanceTrigrams = 6;
constexpr std::size_t kConcordanceChecksPerHit = 20;
// An import session hands units to its writer thread in batches of this
// many.
constexpr std::size_t kBatchUnits = 256;
// An import session keeps its exact-match rows (24 bytes each) until a
// flush of postings finds this many, then writes them, sorted, into
// exact_index; the rest when it commits. Their hashes are random, so each
// write is a merge that touches most of the table's pages: written at every
// flush of postings (every ~450,000 segments), they took 2.0 s of a 1M-unit
// import, and 1.6 s written once at its end.
constexpr std::size_t kMaxPendingExactRows = std::size_t{1} << 22;
// The index is rebuilt when its stale postings (of deleted segments) come
// from more segments than this and than its live ones.
constexpr std::int64_t kMinStaleSegments = 1000;

void check_language(const std::string& lang, std::string_view what) {
  if (!is_language_code(lang))
    throw ArgumentError(std::string(what) + " '" + lang +
                        "': not a language code. Give a two-letter ISO 639-1 code such as ar, zh, en, fr, ru or es.");
}

std::string invalid_utf8_message(const std::string& where, std::int64_t offset) {
  return where + ": the text is not valid UTF-8 (byte offset " + std::to_string(offset) + "). Give UTF-8 text.";
}

// Valid UTF-8 in NFC: the text as given when it already is, else its NFC.
// Throws ArgumentError on invalid UTF-8.
std::string checked_nfc(std::string_view text, const std::string& where) {
  const TextCheck check = check_utf8_and_nfc(text);
  if (check.invalid_at >= 0) throw ArgumentError(invalid_utf8_message(where, check.invalid_at));
  return check.nfc ? std::string(text) : to_nfc(text);
}

// ---- schema version 1 ----

void create_schema_v1(sql::Connection& db) {
  db.exec(R"sql(
CREATE TABLE documents (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  symbol TEXT,
  title TEXT,
  date TEXT,
  original_lang TEXT,
  aligner_version TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX documents_symbol ON documents(symbol);
CREATE TABLE versions (
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  lang TEXT NOT NULL,
  file_name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  paragraphs INTEGER NOT NULL,
  sentences INTEGER NOT NULL,
  PRIMARY KEY (document_id, lang)
) WITHOUT ROWID;
CREATE TABLE units (
  id INTEGER PRIMARY KEY,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  paragraph_key TEXT,
  confidence REAL NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('auto', 'confirmed', 'rejected')),
  UNIQUE (document_id, position)
);
CREATE TABLE segments (
  id INTEGER PRIMARY KEY,
  unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
  lang TEXT NOT NULL,
  text TEXT NOT NULL,
  key TEXT NOT NULL,
  key_hash INTEGER NOT NULL,
  skeleton_hash INTEGER NOT NULL,
  inline_codes TEXT,
  UNIQUE (unit_id, lang)
);
CREATE INDEX segments_match ON segments(skeleton_hash, key_hash);
CREATE INDEX segments_lang ON segments(lang);
CREATE TABLE trigram_counts (
  lang TEXT NOT NULL,
  trigram INTEGER NOT NULL,
  occurrences INTEGER NOT NULL,
  PRIMARY KEY (lang, trigram)
) WITHOUT ROWID;
CREATE INDEX trigram_counts_suffix ON trigram_counts(lang, trigram & 4398046511103);
CREATE VIRTUAL TABLE segments_cjk USING fts5(
  ngrams, content='', tokenize='ascii', detail='none', columnsize=0);
)sql",
          "creating the TM schema (version 1)");
  db.exec("PRAGMA application_id = " + std::to_string(schema::kApplicationId), "marking the file as a untm TM");
}

// ---- schema version 2: untm's own n-gram index (tm/gram_index.h) ----

void migrate_to_v2(sql::Connection& db) {
  // Version 1's FTS5 indexes and trigram counts go (dropping an FTS5 table
  // drops its shadow tables).
  std::vector<std::string> fts_tables;
  {
    sql::Statement tables(db, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name GLOB 'segments_fts_*' "
                              "AND sql LIKE 'CREATE VIRTUAL TABLE%'",
                          "reading the schema");
    while (tables.step()) fts_tables.push_back(tables.column_string(0));
  }
  for (const std::string& table : fts_tables) db.exec("DROP TABLE " + table, "dropping the FTS5 index " + table);
  db.exec(R"sql(
DROP TABLE segments_cjk;
DROP TABLE trigram_counts;
CREATE TABLE gram_postings (
  lang TEXT NOT NULL,
  gram INTEGER NOT NULL,
  first_id INTEGER NOT NULL,
  last_id INTEGER NOT NULL,
  count INTEGER NOT NULL,
  total INTEGER NOT NULL,
  ids BLOB NOT NULL,
  PRIMARY KEY (lang, gram, first_id)
) WITHOUT ROWID;
CREATE TABLE tm_state (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
          "creating the n-gram index (schema version 2)");
  const grams::AddedSegments indexed = grams::index_segments_after(db, 0);
  sql::Statement state(db, "INSERT INTO tm_state (name, value) VALUES (?1, ?2)", "writing the index state");
  for (const auto& [name, value] : {std::pair<const char*, std::int64_t>{"last_segment_id", indexed.last_id},
                                    {"indexed_through", indexed.last_id},
                                    {"indexed_segments", indexed.count},
                                    {"stale_segments", 0}}) {
    state.bind(1, name).bind(2, value);
    state.execute();
  }
}

// ---- schema version 3: exact-match table; no CJK bigrams ----

// The exact-match rows of the segments with ids in (?1, ?2], in key order.
constexpr const char* kExactRowsSql =
    "INSERT INTO exact_index (skeleton_hash, key_hash, segment_id) SELECT skeleton_hash, key_hash, id FROM segments "
    "WHERE id > ?1 AND id <= ?2 ORDER BY 1, 2, 3";

// The SQL index segments_match (skeleton_hash, key_hash) becomes the table
// exact_index, which holds the same entries for the indexed segments (ids
// up to tm_state.indexed_through) and is written in bulk, in key order,
// where the n-gram index is: the index cost a random B-tree insert per
// segment as rows came (1M-unit import without it: 43.6 -> 37.7 s; a batch
// up to 11%). Lookups read the tail's hashes from segments.
//
// Two-character terms of every script are found through the range of
// trigrams (a, b, *) (gram_index.h); the CJK bigrams (0, a, b), grams in
// [2^21, 2^42), go: a range delete per language on the primary key.
void migrate_to_v3(sql::Connection& db) {
  db.exec(R"sql(
DROP INDEX segments_match;
CREATE TABLE exact_index (
  skeleton_hash INTEGER NOT NULL,
  key_hash INTEGER NOT NULL,
  segment_id INTEGER NOT NULL,
  PRIMARY KEY (skeleton_hash, key_hash, segment_id)
) WITHOUT ROWID;
)sql",
          "creating the exact-match table (schema version 3)");
  {
    sql::Statement fill(db, kExactRowsSql, "filling the exact-match table (schema version 3)");
    fill.bind(1, std::int64_t{0})
        .bind(2, db.query_int("SELECT value FROM tm_state WHERE name = 'indexed_through'", "reading the index state"));
    fill.execute();
  }
  std::vector<std::string> langs;
  {
    sql::Statement next(db, "SELECT min(lang) FROM gram_postings WHERE lang > ?1", "listing the index's languages");
    for (std::string last;;) {
      sql::ResetOnExit reset(next);
      next.bind(1, last);
      if (!next.step() || next.is_null(0)) break;
      last = next.column_string(0);
      langs.push_back(last);
    }
  }
  sql::Statement drop(db, "DELETE FROM gram_postings WHERE lang = ?1 AND gram >= ?2 AND gram < ?3",
                      "dropping the CJK bigrams (schema version 3)");
  for (const std::string& lang : langs) {
    drop.bind(1, lang).bind(2, std::int64_t{1} << 21).bind(3, std::int64_t{1} << 42);
    drop.execute();
  }
}

// ---- schema version 4: segments per language in a table ----

// The index segments_lang (lang) served only to list the languages and to
// count each one's segments; its insert cost 1.0 s of a 24 s 1M-unit import
// (docs/BENCHMARKS.md). The counts now live in segment_langs, kept by the
// writes (Impl::language_changes).
void migrate_to_v4(sql::Connection& db) {
  db.exec(R"sql(
CREATE TABLE segment_langs (
  lang TEXT PRIMARY KEY,
  segments INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO segment_langs (lang, segments) SELECT lang, count(*) FROM segments GROUP BY lang;
DROP INDEX segments_lang;
)sql",
          "counting segments per language (schema version 4)");
}

// How to make a TM at `path` (for "no such TM" errors).
std::string create_hint(const std::string& path) {
  return "Create one with untm align FILE… --db " + path + ", untm batch DIR --db " + path +
         " or untm import FILE.tmx --db " + path;
}

// Makes a reader's queries see one snapshot, unless the connection is
// already inside a transaction (an import session's own reads).
class ReadScope {
 public:
  explicit ReadScope(sql::Connection& db) {
    if (!db.in_transaction()) transaction_.emplace(db, sql::Transaction::Mode::deferred);
  }
  ~ReadScope() {
    if (transaction_ && transaction_->active()) {
      try {
        transaction_->commit();  // read-only: ends the snapshot
      } catch (...) {
        // the destructor of transaction_ rolls back; nothing was written
      }
    }
  }
  ReadScope(const ReadScope&) = delete;
  ReadScope& operator=(const ReadScope&) = delete;

 private:
  std::optional<sql::Transaction> transaction_;
};

// The checks of a unit to store, in this order (store_document and
// prepare_for_store throw the same errors): its confidence, that it has a
// text, each language code, each text valid UTF-8. Appends to `nfc`
// whether each text is NFC already (every one, where the unit says so).
template <typename Where>
void check_unit(const Where& where, const StoredUnit& unit, std::vector<bool>& nfc) {
  if (!std::isfinite(unit.confidence) || unit.confidence < 0 || unit.confidence > 1) {
    char value[32];
    std::snprintf(value, sizeof value, "%g", unit.confidence);
    throw ArgumentError(where() + ": confidence " + value + " is outside 0..1");
  }
  if (unit.segments.empty()) throw ArgumentError(where() + ": no text in any language; a unit needs one at least");
  for (const auto& [lang, text] : unit.segments) {
    if (!is_language_code(lang)) check_language(lang, where() + ": language");  // throws
    if (unit.texts_in_nfc) {
      nfc.push_back(true);
      continue;
    }
    const TextCheck check = check_utf8_and_nfc(text);
    if (check.invalid_at >= 0) throw ArgumentError(invalid_utf8_message(where() + ", " + lang, check.invalid_at));
    nfc.push_back(check.nfc);
  }
}

// A unit ready to be written: checked, in NFC, with its segment ids and
// keys (Impl::prepare_unit; write_prepared hashes the keys whose hashes
// the unit did not give). Buffers are reused from unit to unit.
struct PreparedSegment {
  std::string lang, text, key, codes;
  bool has_codes = false;
  bool has_hashes = false;  // the unit gave the key's hashes (prepare_for_store)
  fuzzy::KeyHashes hashes;
  std::int64_t id = 0;  // given by prepare_unit (ids are never reused: gram_index.h)
};
struct PreparedUnit {
  std::int64_t document_id = 0;
  std::uint32_t position = 0;
  std::optional<std::string> paragraph_key;
  double confidence = 1.0;
  UnitStatus status = UnitStatus::automatic;
  std::vector<PreparedSegment> segments;  // the first `count` are this unit's
  std::size_t count = 0;
};

// Prepared units as rows of `units` (untm_rows): id, document_id, position,
// paragraph_key, confidence, status.
class UnitRows final : public sql::RowSource {
 public:
  UnitRows(std::span<const PreparedUnit> units, std::int64_t first_id) : units_(units), first_id_(first_id) {}
  std::size_t size() const override { return units_.size(); }
  void column(std::size_t row, int column, sql::ColumnSink& out) const override {
    const PreparedUnit& unit = units_[row];
    switch (column) {
      case 0: out.int64(first_id_ + static_cast<std::int64_t>(row)); break;
      case 1: out.int64(unit.document_id); break;
      case 2: out.int64(unit.position); break;
      case 3: if (unit.paragraph_key) out.text_static(*unit.paragraph_key); break;
      case 4: out.real(unit.confidence); break;
      case 5: out.text_static(status_name(unit.status)); break;
      default: break;
    }
  }

 private:
  std::span<const PreparedUnit> units_;
  std::int64_t first_id_;
};

// Prepared segments as rows of `segments` (untm_rows): id, unit_id, lang,
// text, key, key_hash, skeleton_hash, inline_codes. Holds pointers: the
// segments stay in place until the rows are written.
class SegmentRows final : public sql::RowSource {
 public:
  void clear() { rows_.clear(); }
  void add(const PreparedSegment& segment, std::int64_t unit_id, const fuzzy::KeyHashes& hashes) {
    rows_.push_back({&segment, unit_id, hashes});
  }
  std::size_t size() const override { return rows_.size(); }
  void column(std::size_t row, int column, sql::ColumnSink& out) const override {
    const Row& r = rows_[row];
    switch (column) {
      case 0: out.int64(r.segment->id); break;
      case 1: out.int64(r.unit_id); break;
      case 2: out.text_static(r.segment->lang); break;
      case 3: out.text_static(r.segment->text); break;
      case 4: out.text_static(r.segment->key); break;
      case 5: out.int64(r.hashes.key); break;
      case 6: out.int64(r.hashes.skeleton); break;
      case 7: if (r.segment->has_codes) out.text_static(r.segment->codes); break;
      default: break;
    }
  }

 private:
  struct Row {
    const PreparedSegment* segment;
    std::int64_t unit_id;
    fuzzy::KeyHashes hashes;
  };
  std::vector<Row> rows_;
};

// The thread that runs an import session's inserts (and writes out the
// postings the session hands over when they fill up) while the caller's
// thread reads the input, prepares the next units and collects their
// postings. The two threads never use the connection at the same time: the
// caller's thread touches it only after wait_idle() (or before the first
// submit()), the writer thread only between taking a batch and reporting it
// done, under the mutex's hand-over. The first error stops the writing;
// submit() and wait_idle() rethrow it (the session then rolls back).
class WriterThread {
 public:
  using Batch = std::vector<PreparedUnit>;
  using Postings = std::unique_ptr<grams::PostingBuilder>;

  WriterThread(std::function<void(std::span<const PreparedUnit>)> write,
               std::function<void(grams::PostingBuilder&)> write_postings)
      : write_(std::move(write)), write_postings_(std::move(write_postings)) {
    thread_ = std::thread([this] { run(); });
  }
  // Stops after the batch being written (the rest is dropped) and joins.
  ~WriterThread() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  WriterThread(const WriterThread&) = delete;
  WriterThread& operator=(const WriterThread&) = delete;

  // Queues the first `used` units of `batch`, then `postings` if any
  // (waits while kMaxQueued batches are queued), and returns an empty batch
  // to fill: one the writer has finished, so its buffers are reused.
  Batch submit(Batch batch, std::size_t used, Postings postings = nullptr) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return error_ || queue_.size() < kMaxQueued; });
    if (error_) std::rethrow_exception(error_);
    queue_.push_back({std::move(batch), used, std::move(postings)});
    changed_.notify_all();
    if (done_.empty()) return {};
    Batch recycled = std::move(done_.back());
    done_.pop_back();
    return recycled;
  }

  // Waits until every queued unit is written.
  void wait_idle() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return error_ || (queue_.empty() && !busy_); });
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static constexpr std::size_t kMaxQueued = 64;

  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      changed_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      Job job = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      const bool failed = static_cast<bool>(error_);
      lock.unlock();
      std::exception_ptr error;
      if (!failed) {
        try {
          write_({job.batch.data(), job.used});
          if (job.postings) write_postings_(*job.postings);
        } catch (...) {
          error = std::current_exception();
        }
      }
      job.postings.reset();  // its memory goes here, not on the reading thread
      lock.lock();
      if (error) error_ = error;
      busy_ = false;
      done_.push_back(std::move(job.batch));
      changed_.notify_all();
    }
  }

  struct Job {
    Batch batch;
    std::size_t used = 0;
    Postings postings;
  };
  std::function<void(std::span<const PreparedUnit>)> write_;
  std::function<void(grams::PostingBuilder&)> write_postings_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> queue_;
  std::vector<Batch> done_;
  bool busy_ = false;
  bool stop_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

// Reads a file into the page cache ahead of a full scan, on a thread of
// its own, so that the scan finds its pages there instead of waiting for
// the disk at each one: the TMX export of a 2.5 GB TM took 5.4-7.6 s from
// a cold cache (half of it in the kernel) and 3.8 s with the file read
// beside it (3.6 s warm). Only when the file fits in half the available
// memory (larger files would push out the pages before the scan gets to
// them). Only speed depends on it, so errors just end it.
class FilePrefetch {
 public:
  explicit FilePrefetch(const std::string& path) {
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(path, error);
    if (error || size > available_memory() / 2) return;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    // Plain reads: when the file is cached already, they cost a copy on
    // another core (pread of chunks found missing by mincore was slower
    // from a cold cache: 4.9-5.7 s against 3.8-4.3 s).
    try {
      thread_ = std::thread([this, fd] {
        std::vector<char> buffer(kChunkBytes);
        while (!stop_.load(std::memory_order_relaxed) && ::read(fd, buffer.data(), buffer.size()) > 0) {
        }
        ::close(fd);
      });
    } catch (...) {
      ::close(fd);  // no thread: the scan reads from the disk itself
    }
  }
  ~FilePrefetch() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  FilePrefetch(const FilePrefetch&) = delete;
  FilePrefetch& operator=(const FilePrefetch&) = delete;

 private:
  static constexpr std::size_t kChunkBytes = 1 << 20;
  // MemAvailable of /proc/meminfo (free memory plus what the page cache can
  // give back), or 0 when unknown.
  static std::uintmax_t available_memory() {
    std::ifstream meminfo("/proc/meminfo");
    constexpr std::string_view kField = "MemAvailable:";
    for (std::string line; std::getline(meminfo, line);) {
      if (!line.starts_with(kField)) continue;
      const std::size_t digits = line.find_first_not_of(' ', kField.size());
      std::uintmax_t kib = 0;
      if (digits != std::string::npos) std::from_chars(line.data() + digits, line.data() + line.size(), kib);
      return kib * 1024;
    }
    return 0;
  }
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A full scan's connection settings, restored when it ends: a small page
// cache and no memory map, so reading every page of a large file keeps
// neither in memory (sequential reads gain nothing from either).
class ScanSettings {
 public:
  ScanSettings(sql::Connection& db, int restore_cache_kib) : db_(db), restore_cache_kib_(restore_cache_kib) {
    db_.exec("PRAGMA cache_size = " + std::to_string(kScanCacheKib), "setting the cache size");
    db_.exec("PRAGMA mmap_size = 0", "unmapping the file");
  }
  ~ScanSettings() {
    try {
      db_.exec("PRAGMA mmap_size = " + std::to_string(kMmapBytes), "mapping the file");
      db_.exec("PRAGMA cache_size = " + std::to_string(restore_cache_kib_), "setting the cache size");
    } catch (...) {
      // only speed and memory use differ
    }
  }
  ScanSettings(const ScanSettings&) = delete;
  ScanSettings& operator=(const ScanSettings&) = delete;

 private:
  sql::Connection& db_;
  int restore_cache_kib_;
};

}  // namespace

namespace schema {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> steps = {
      {1, "creating the TM schema (version 1)", create_schema_v1},
      {2, "replacing the FTS5 indexes by the n-gram index (version 2)", migrate_to_v2},
      {3, "moving exact matches to a table written in bulk and dropping the CJK bigrams (version 3)",
       migrate_to_v3},
      {4, "counting segments per language in a table (version 4)", migrate_to_v4},
      // {5, "…", migrate_to_v5},  ← the next schema change goes here
  };
  return steps;
}

int migrate(sql::Connection& db, const std::vector<Migration>& steps) {
  int version = static_cast<int>(db.query_int("PRAGMA user_version", "reading the schema version"));
  for (const Migration& step : steps) {
    if (step.version <= version) continue;
    sql::Transaction transaction(db, sql::Transaction::Mode::immediate);
    // Another process may have migrated the file while this one waited.
    version = static_cast<int>(db.query_int("PRAGMA user_version", "reading the schema version"));
    if (step.version <= version) continue;
    step.apply(db);
    db.exec("PRAGMA user_version = " + std::to_string(step.version), step.description);
    transaction.commit();
    version = step.version;
  }
  return version;
}

}  // namespace schema

// ---- Impl ----

struct TranslationMemory::Impl {
  std::string path;
  OpenOptions options;
  sql::Connection db;
  // With OpenOptions::background_checkpoints; declared after db, so it stops
  // before db closes.
  std::unique_ptr<LogCheckpointer> checkpointer;
  int schema_version = 0;

  // Statements, prepared once per connection.
  std::unordered_map<std::string, std::unique_ptr<sql::Statement>> statements;

  // The n-gram index's state (tm_state), read when a write transaction
  // begins and written before it commits.
  struct IndexState {
    // The highest id given as of the last write that deleted segments: it
    // and the segments' largest id bound every id ever given.
    std::int64_t last_segment_id = 0;
    std::int64_t indexed_through = 0;   // segments up to this id are in the index
    std::int64_t indexed_segments = 0;  // segments with postings, stale ones included
    std::int64_t stale_segments = 0;    // deleted segments that still have postings
  };
  IndexState index_state;
  IndexState loaded_state;          // as the write transaction found it
  bool deleted_segments = false;    // this write transaction deleted some
  std::int64_t next_segment_id = 1;

  // With OpenOptions::tail_postings_in_memory: the postings of the tail's
  // segments, (after, through], added by each store_document as it writes
  // them (from the keys in hand), so that index_tail only writes blocks.
  // Valid while no other connection has written the TM since (its
  // data_version is unchanged) and they cover exactly the tail; dropped
  // otherwise, and after any failed write (the tail is then read back from
  // the table, as without the option, and collecting starts again once the
  // tail is empty).
  struct TailPostings {
    grams::PostingBuilder builder;
    std::int64_t after = 0, through = 0;
    std::int64_t segments = 0;
    std::int64_t data_version = 0;  // PRAGMA data_version: other connections' commits change it
  };
  std::unique_ptr<TailPostings> tail_postings;

  // Write state.
  bool writing = false;
  int cache_kib = kCacheKib;  // the cache size set (import sessions change it)
  bool bulk_load = false;     // a new TM filled by create_in_bulk
  // An import session's postings not yet handed to the writer.
  std::unique_ptr<grams::PostingBuilder> session_postings;
  std::unique_ptr<grams::GramTotals> session_totals;  // every block the session writes goes through it
  std::int64_t session_segments = 0;      // in its postings, the tail's included
  bool session_wrote_postings = false;     // some were written already
  std::int64_t session_tail_through = 0;  // the tail's last id when it began
  // In an import session (set before its writer thread starts, cleared
  // after it ends), write_prepared keeps each segment's exact-match row in
  // pending_exact until write_exact_rows; other writes leave their rows to
  // the tail's indexing.
  bool collect_exact = false;
  // (skeleton_hash, key_hash, segment_id): exact_index's key order.
  std::vector<sql::Int64Triple> pending_exact;
  // Reused for every unit.
  std::vector<bool> nfc_flags;
  std::vector<grams::Gram> key_grams;
  std::vector<PreparedUnit> prepared_here;  // write_units'
  SegmentRows segment_rows;  // write_prepared's, reused
  // An import session's units prepared and not yet handed to the writer
  // thread (started once a batch is full).
  std::vector<PreparedUnit> batch;
  std::size_t batch_used = 0;
  std::unique_ptr<WriterThread> writer_thread;
  // Readers' statements for the n-gram index (prepared on first use).
  std::unique_ptr<grams::PostingStore> posting_store;

  Impl(std::string p, const OpenOptions& o, sql::Connection connection)
      : path(std::move(p)), options(o), db(std::move(connection)) {}

  sql::Statement& statement(const std::string& sql, std::string_view what = {}) {
    auto& slot = statements[sql];
    if (!slot) slot = std::make_unique<sql::Statement>(db, sql, what);
    return *slot;
  }

  // The first column of a cached statement's first row (0 when none).
  std::int64_t statement_int(const std::string& sql, std::string_view what) {
    sql::Statement& s = statement(sql, what);
    sql::ResetOnExit reset(s);
    return s.step() ? s.column_int64(0) : 0;
  }

  grams::PostingStore& postings() {
    if (!posting_store) posting_store = std::make_unique<grams::PostingStore>(db);
    return *posting_store;
  }

  std::int64_t state_value(const char* name) {
    sql::Statement& s = statement("SELECT value FROM tm_state WHERE name = ?1", "reading the index state");
    sql::ResetOnExit reset(s);
    s.bind(1, name);
    return s.step() ? s.column_int64(0) : 0;
  }

  // Segments stored since the last indexing are above this id.
  std::int64_t indexed_through() { return state_value("indexed_through"); }

  // Segments per language, this object's uncommitted writes included.
  std::map<std::string, std::int64_t> language_counts() {
    std::map<std::string, std::int64_t> counts;
    sql::Statement& s = statement("SELECT lang, segments FROM segment_langs", "counting segments per language");
    {
      sql::ResetOnExit reset(s);
      while (s.step()) counts[s.column_string(0)] = s.column_int64(1);
    }
    for (const auto& [lang, change] : language_changes) counts[lang] += change;
    std::erase_if(counts, [](const auto& entry) { return entry.second <= 0; });
    return counts;
  }

  std::vector<std::string> languages() {
    std::vector<std::string> out;
    for (const auto& [lang, n] : language_counts()) out.push_back(lang);
    std::sort(out.begin(), out.end(), language_before);
    return out;
  }

  // ---- the n-gram index ----

  // Inside a write transaction: reads the index state and the next segment
  // id (above every id ever given, so stale postings never point at a new
  // segment).
  void load_index_state() {
    language_changes.clear();
    index_state = IndexState{};
    {
      sql::Statement& s = statement("SELECT name, value FROM tm_state", "reading the index state");
      sql::ResetOnExit reset(s);
      while (s.step()) {
        const std::string_view name = s.column_view(0);
        const std::int64_t value = s.column_int64(1);
        if (name == "last_segment_id") index_state.last_segment_id = value;
        else if (name == "indexed_through") index_state.indexed_through = value;
        else if (name == "indexed_segments") index_state.indexed_segments = value;
        else if (name == "stale_segments") index_state.stale_segments = value;
      }
    }
    loaded_state = index_state;
    deleted_segments = false;
    const std::int64_t max_id = statement_int("SELECT coalesce(max(id), 0) FROM segments", "reading segment ids");
    next_segment_id = std::max(index_state.last_segment_id, max_id) + 1;
    if (tail_postings && (tail_postings->after != index_state.indexed_through ||
                          tail_postings->through != next_segment_id - 1 || data_version() != tail_postings->data_version))
      tail_postings.reset();
  }

  // Writes the values that changed, so that a write that only adds
  // segments leaves tm_state's page alone (one page less in every commit).
  // The highest id given is needed only once segments were deleted: until
  // then the segments table's largest id is it.
  void save_index_state() {
    if (deleted_segments) index_state.last_segment_id = std::max(index_state.last_segment_id, next_segment_id - 1);
    sql::Statement& s = statement("UPDATE tm_state SET value = ?2 WHERE name = ?1", "writing the index state");
    for (const auto& [name, value, before] :
         {std::tuple<const char*, std::int64_t, std::int64_t>{"last_segment_id", index_state.last_segment_id,
                                                              loaded_state.last_segment_id},
          {"indexed_through", index_state.indexed_through, loaded_state.indexed_through},
          {"indexed_segments", index_state.indexed_segments, loaded_state.indexed_segments},
          {"stale_segments", index_state.stale_segments, loaded_state.stale_segments}}) {
      if (value == before) continue;
      s.bind(1, name).bind(2, value);
      s.execute();
    }
  }

  std::int64_t data_version() { return statement_int("PRAGMA data_version", "reading the TM's version"); }

  // Inside store_document's transaction: adds the segments it wrote (ids
  // from first_id up, in prepared_here's first `units` units) to the tail's
  // postings, which begin with them when the tail was empty.
  void collect_tail_postings(std::int64_t first_id, std::size_t units) {
    if (!options.tail_postings_in_memory) return;
    if (!tail_postings) {
      if (index_state.indexed_through != first_id - 1) return;  // older tail segments: read back when indexed
      tail_postings = std::make_unique<TailPostings>();
      tail_postings->after = tail_postings->through = index_state.indexed_through;
      tail_postings->data_version = data_version();
    }
    for (std::size_t u = 0; u < units; ++u) {
      const PreparedUnit& unit = prepared_here[u];
      for (std::size_t i = 0; i < unit.count; ++i) {
        const PreparedSegment& segment = unit.segments[i];
        grams::key_grams(segment.key, key_grams);
        tail_postings->builder.add(segment.lang, segment.id, key_grams);
        tail_postings->through = segment.id;
        ++tail_postings->segments;
      }
    }
  }

  // Indexes the tail (segments above indexed_through).
  void index_tail() {
    grams::AddedSegments added;
    if (tail_postings) {
      // load_index_state and collect_tail_postings kept them exactly the tail's.
      grams::GramTotals totals(db);
      tail_postings->builder.write_blocks(db, &totals);
      added.last_id = tail_postings->through;
      added.count = std::exchange(tail_postings->segments, 0);
      tail_postings->after = tail_postings->through;
    } else {
      added = grams::index_segments_after(db, index_state.indexed_through);
    }
    add_exact_rows(index_state.indexed_through, added.last_id);
    index_state.indexed_through = added.last_id;
    index_state.indexed_segments += added.count;
  }

  // Drops every posting and exact-match row and indexes every segment again.
  void rebuild_index() {
    tail_postings.reset();  // all indexed now; collecting starts again with the next write
    db.exec("DELETE FROM gram_postings", "clearing the n-gram index");
    db.exec("DELETE FROM exact_index", "clearing the exact-match table");
    const grams::AddedSegments added = grams::index_segments_after(db, 0);
    add_exact_rows(0, added.last_id);
    index_state.indexed_through = added.last_id;
    index_state.indexed_segments = added.count;
    index_state.stale_segments = 0;
  }

  // The exact-match rows of the stored segments with ids in (after, through].
  void add_exact_rows(std::int64_t after, std::int64_t through) {
    if (through <= after) return;
    sql::Statement& rows = statement(kExactRowsSql, "filling the exact-match table");
    rows.bind(1, after).bind(2, through);
    rows.execute();
  }

  // Writes pending_exact, sorted (in key order: sequential B-tree writes).
  // OR FAIL: no statement journal of the pages the rows touch (the
  // transaction rolls back on any failure anyway; see write_blocks).
  void write_exact_rows() {
    std::sort(pending_exact.begin(), pending_exact.end());
    sql::Statement& insert = statement(
        "INSERT OR FAIL INTO exact_index (skeleton_hash, key_hash, segment_id) SELECT c0, c1, c2 FROM untm_rows(?1)",
        "filling the exact-match table");
    const sql::Int64Triples rows{pending_exact.data(), pending_exact.size()};
    insert.bind_rows(1, rows);
    insert.execute();
    pending_exact.clear();
  }

  // Segments added (or, negative, deleted) per language in this write
  // transaction, added to segment_langs before it commits.
  std::vector<std::pair<std::string, std::int64_t>> language_changes;

  void count_language(std::string_view lang, std::int64_t change) {
    for (auto& [name, n] : language_changes)
      if (name == lang) {
        n += change;
        return;
      }
    language_changes.emplace_back(std::string(lang), change);
  }

  void save_language_counts() {
    sql::Statement& s = statement(
        "INSERT INTO segment_langs (lang, segments) VALUES (?1, ?2) "
        "ON CONFLICT (lang) DO UPDATE SET segments = segments + excluded.segments",
        "counting segments per language");
    for (const auto& [lang, change] : language_changes) {
      if (change == 0) continue;
      s.bind(1, lang).bind(2, change);
      s.execute();
    }
    language_changes.clear();
  }

  // Before a write transaction commits: indexes the tail once it is long
  // enough (or always, with `index_all`), rebuilds the index once stale
  // postings dominate, and saves the state and the language counts.
  void finish_index(bool index_all) {
    const std::int64_t live = index_state.indexed_segments - index_state.stale_segments;
    if (index_state.stale_segments > kMinStaleSegments && index_state.stale_segments > live) {
      rebuild_index();
    } else if (index_all || next_segment_id - 1 - index_state.indexed_through >=
                                static_cast<std::int64_t>(options.index_tail_segments)) {
      index_tail();
    }
    save_index_state();
    save_language_counts();
  }

  // ---- writing ----

  void begin_write() {
    if (options.read_only)
      throw ArgumentError(path + ": the TM is open read-only; open it without read_only to store documents");
    if (writing)
      throw ArgumentError(path + ": an import session is still open on this TM; commit it or let it go first");
    writing = true;
  }

  void end_write() noexcept {
    writer_thread.reset();  // stops and joins it (queued units are dropped)
    batch_used = 0;
    session_postings.reset();
    session_totals.reset();
    session_segments = 0;
    session_wrote_postings = false;
    collect_exact = false;
    pending_exact.clear();
    language_changes.clear();
    if (cache_kib != kCacheKib) {
      // Back to the normal cache (the pages go; nothing is written).
      try {
        db.exec("PRAGMA cache_size = " + std::to_string(kCacheKib), "setting the cache size");
      } catch (...) {
        // only the memory use differs
      }
      cache_kib = kCacheKib;
    }
    writing = false;
  }

  // Deletes a document's units and segments (the document row stays: its
  // id and creation time survive a replace). Their postings stay until the
  // index is rebuilt.
  void delete_units(std::int64_t document_id) {
    // One read of the document's segments: per language, how many go, and
    // how many of them the index holds (they become stale postings).
    sql::Statement& going = statement(
        "SELECT s.lang, count(*), sum(s.id <= ?2) FROM units u JOIN segments s ON s.unit_id = u.id "
        "WHERE u.document_id = ?1 GROUP BY s.lang",
        "reading the stored document");
    {
      sql::ResetOnExit reset(going);
      going.bind(1, document_id).bind(2, index_state.indexed_through);
      while (going.step()) {
        count_language(going.column_view(0), -going.column_int64(1));
        index_state.stale_segments += going.column_int64(2);
        // Segments of the tail go: its postings in memory would outlive them.
        if (going.column_int64(1) > going.column_int64(2)) tail_postings.reset();
      }
    }
    deleted_segments = true;
    sql::Statement& remove = statement("DELETE FROM units WHERE document_id = ?1", "deleting the old units");
    remove.bind(1, document_id);
    remove.execute();
    sql::Statement& versions = statement("DELETE FROM versions WHERE document_id = ?1", "deleting the old versions");
    versions.bind(1, document_id);
    versions.execute();
  }

  // Inserts or updates the document row (by key) and returns its id, with
  // the old units, segments and versions gone.
  std::int64_t write_header(const StoredDocument& doc) {
    if (doc.key.empty()) throw ArgumentError("a stored document needs a key (its folder name or file stem)");
    if (doc.original_lang) check_language(*doc.original_lang, "document " + doc.key + ": original language");
    for (const StoredVersion& v : doc.versions) check_language(v.lang, "document " + doc.key + ": version language");
    sql::Statement& find = statement("SELECT id FROM documents WHERE key = ?1", "finding the document");
    std::optional<std::int64_t> id;
    {
      sql::ResetOnExit reset(find);
      find.bind(1, doc.key);
      if (find.step()) id = find.column_int64(0);
    }
    if (id) {
      delete_units(*id);
      sql::Statement& update = statement(
          "UPDATE documents SET symbol = ?2, title = ?3, date = ?4, original_lang = ?5, aligner_version = ?6, "
          "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1",
          "updating the document");
      update.bind(1, *id).bind(2, doc.symbol).bind(3, doc.title).bind(4, doc.date).bind(5, doc.original_lang);
      update.bind(6, doc.aligner_version);
      update.execute();
    } else {
      sql::Statement& insert = statement(
          "INSERT INTO documents (key, symbol, title, date, original_lang, aligner_version, created_at, updated_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), "
          "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
          "storing the document");
      insert.bind(1, doc.key).bind(2, doc.symbol).bind(3, doc.title).bind(4, doc.date).bind(5, doc.original_lang);
      insert.bind(6, doc.aligner_version);
      insert.execute();
      id = db.last_insert_rowid();
    }
    sql::Statement& version = statement(
        "INSERT INTO versions (document_id, lang, file_name, sha256, paragraphs, sentences) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        "storing the document's versions");
    for (const StoredVersion& v : doc.versions) {
      version.bind(1, *id).bind(2, v.lang).bind(3, v.file_name).bind(4, v.sha256).bind(5, v.paragraphs);
      version.bind(6, v.sentences);
      version.execute();
    }
    return *id;
  }

  // Checks a unit, computes what its rows hold (ids, NFC text, keys) and,
  // in an import session, adds its segments' grams to the session's
  // postings (this thread's: the writer thread only writes them out once
  // handed over). Touches no table: in an import session this runs on the
  // caller's thread while the writer thread runs the inserts.
  // Everything is checked before anything is kept, so a unit that fails
  // leaves nothing behind.
  void prepare_unit(std::int64_t document_id, const std::string& document_key, std::uint32_t position,
                    const StoredUnit& unit, PreparedUnit& out) {
    // The place named in error messages (built only for one).
    const auto where = [&] { return "document " + document_key + ", unit " + std::to_string(position + 1); };
    nfc_flags.clear();
    check_unit(where, unit, nfc_flags);
    out.document_id = document_id;
    out.position = position;
    out.paragraph_key = unit.paragraph_key;
    out.confidence = unit.confidence;
    out.status = unit.status;
    out.count = 0;
    std::size_t nth = 0;
    for (const auto& [lang, given] : unit.segments) {
      if (out.segments.size() <= out.count) out.segments.emplace_back();
      PreparedSegment& segment = out.segments[out.count++];
      segment.lang = lang;
      // In NFC already unless it came from elsewhere than the aligner or a
      // TMX import (both give NFC).
      const bool as_given = nfc_flags[nth++];
      if (as_given)
        segment.text.assign(given);
      else
        segment.text = to_nfc(given);
      const auto key = as_given ? unit.keys.find(lang) : unit.keys.end();
      segment.has_hashes = false;
      if (key != unit.keys.end()) {
        segment.key.assign(key->second);
        const auto hashes = unit.key_hashes.find(lang);
        segment.has_hashes = hashes != unit.key_hashes.end();
        if (segment.has_hashes) segment.hashes = hashes->second;
      } else {
        segment.key = matching_key_text(segment.text);
      }
      const auto codes = unit.inline_codes.find(lang);
      segment.has_codes = codes != unit.inline_codes.end();
      if (segment.has_codes) segment.codes.assign(codes->second);
    }
    // Nothing can fail from here on.
    for (std::size_t i = 0; i < out.count; ++i) {
      PreparedSegment& segment = out.segments[i];
      segment.id = next_segment_id++;
      if (session_postings) {
        grams::key_grams(segment.key, key_grams);
        session_postings->add(segment.lang, segment.id, key_grams);
        ++session_segments;
      }
    }
  }

  // Inserts the rows of prepared units: two INSERT … SELECT from rows in
  // memory (untm_rows), not a bind, step and reset per unit and segment.
  // Unit ids are given here, as SQLite would (the largest plus one), so
  // that segments can name their unit.
  void write_prepared(std::span<const PreparedUnit> units) {
    if (units.empty()) return;
    const std::int64_t first_unit_id =
        statement_int("SELECT coalesce(max(id), 0) + 1 FROM units", "storing a unit");
    segment_rows.clear();
    for (std::size_t u = 0; u < units.size(); ++u) {
      const PreparedUnit& unit = units[u];
      for (std::size_t i = 0; i < unit.count; ++i) {
        const PreparedSegment& segment = unit.segments[i];
        // Hashed here, not in prepare_unit: in an import session this is the
        // writer thread, and prepare_unit's thread makes the postings.
        const fuzzy::KeyHashes hashes =
            segment.has_hashes ? segment.hashes : fuzzy::key_hashes(segment.lang, segment.key);
        segment_rows.add(segment, first_unit_id + static_cast<std::int64_t>(u), hashes);
        if (collect_exact) pending_exact.push_back({hashes.skeleton, hashes.key, segment.id});
        count_language(segment.lang, 1);
      }
    }
    const UnitRows unit_rows(units, first_unit_id);
    sql::Statement& insert_units = statement(
        "INSERT INTO units (id, document_id, position, paragraph_key, confidence, status) "
        "SELECT c0, c1, c2, c3, c4, c5 FROM untm_rows(?1)",
        "storing a unit");
    insert_units.bind_rows(1, unit_rows);
    insert_units.execute();
    sql::Statement& insert_segments = statement(
        "INSERT INTO segments (id, unit_id, lang, text, key, key_hash, skeleton_hash, inline_codes) "
        "SELECT c0, c1, c2, c3, c4, c5, c6, c7 FROM untm_rows(?1)",
        "storing a segment");
    insert_segments.bind_rows(1, segment_rows);
    insert_segments.execute();
  }

  // store_document and a session's header units: prepared and written on
  // this thread, all in one write_prepared.
  void write_units(std::int64_t document_id, const std::string& document_key, std::uint32_t first_position,
                   const std::vector<StoredUnit>& units) {
    if (prepared_here.size() < units.size()) prepared_here.resize(units.size());
    for (std::size_t k = 0; k < units.size(); ++k)
      prepare_unit(document_id, document_key, first_position + static_cast<std::uint32_t>(k), units[k], prepared_here[k]);
    write_prepared({prepared_here.data(), units.size()});
  }

  // Makes the connection this thread's again in an import session: writes
  // every unit the session has prepared (on the writer thread, and waits
  // for it; or here when there is none). Rethrows the writer's error.
  void settle() {
    if (writer_thread) {
      if (batch_used > 0) batch = writer_thread->submit(std::move(batch), std::exchange(batch_used, 0));
      writer_thread->wait_idle();
      return;
    }
    const std::size_t n = std::exchange(batch_used, 0);
    write_prepared({batch.data(), n});
  }

  // ---- reading ----

  // The distinct trigrams of a key, sorted.
  static std::vector<grams::Gram> distinct_trigrams(std::string_view key) {
    std::vector<grams::Gram> out;
    fuzzy::for_each_trigram(key, [&](fuzzy::Trigram t) { out.push_back(t); });
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // The query's distinct trigrams with their segment counts, rarest first;
  // a count of 0 means no indexed segment has it.
  std::vector<std::pair<std::int64_t, grams::Gram>> rated_trigrams(const std::string& lang, std::string_view key) {
    std::vector<std::pair<std::int64_t, grams::Gram>> rated;
    for (const grams::Gram t : distinct_trigrams(key)) rated.emplace_back(postings().count(lang, t), t);
    std::sort(rated.begin(), rated.end());
    return rated;
  }

  // A cursor over each gram's postings.
  std::vector<grams::PostingCursor> cursors(const std::string& lang, const std::vector<grams::Gram>& grams) {
    std::vector<grams::PostingCursor> out;
    out.reserve(grams.size());
    for (const grams::Gram g : grams) out.emplace_back(postings(), lang, g);
    return out;
  }

  // The segments not indexed yet (ids above indexed_through).
  std::int64_t waiting_segments(std::int64_t indexed_through) {
    return db.query_int("SELECT count(*) FROM segments WHERE id > " + std::to_string(indexed_through),
                        "counting segments not indexed yet");
  }

  // Segment ids of the fuzzy candidates from the index, best first. The
  // query's distinct trigrams are cut into up to kMaxRegions stretches.
  // Features are posting-list reads of up to kFeatureRows ids each: a
  // trigram rare enough on its own, and pairs of distant stretches (the
  // intersection of each one's rarest trigram: few segments share two
  // distant stretches of a sentence unless they share most of it). The
  // pairs form a ring over the stretches, so some survive a few edits
  // anywhere in the query; short queries also get one feature per stretch.
  // Candidates are the segments with the highest sum of feature weights
  // (rarer features weigh more): a segment that shares only one stretch (a
  // name, a stock phrase) cannot crowd out one that shares the whole
  // sentence, and no long posting list is read in full. Returns up to twice
  // kMaxFuzzyCandidates: some may be deleted segments (stale postings).
  std::vector<std::int64_t> fuzzy_candidates(const std::string& lang, std::string_view key) {
    std::vector<grams::Gram> order;  // distinct trigrams, by first position
    {
      std::unordered_set<grams::Gram> seen;
      fuzzy::for_each_trigram(key, [&](fuzzy::Trigram t) {
        if (seen.insert(t).second) order.push_back(t);
      });
    }
    if (order.empty()) return {};
    const std::size_t regions = std::clamp<std::size_t>(order.size() / kTrigramsPerRegion, 1, kMaxRegions);
    std::vector<std::vector<std::pair<std::int64_t, grams::Gram>>> by_region(regions);
    for (std::size_t i = 0; i < order.size(); ++i) {
      const std::int64_t count = postings().count(lang, order[i]);
      if (count > 0) by_region[i * regions / order.size()].emplace_back(count, order[i]);
    }
    // The regions that exist in the TM, each with its trigrams rarest first.
    std::vector<std::vector<std::pair<std::int64_t, grams::Gram>>> present;
    for (auto& region : by_region) {
      if (region.empty()) continue;  // a stretch no stored segment has
      std::sort(region.begin(), region.end());
      present.push_back(std::move(region));
    }
    if (present.empty()) return {};
    std::vector<std::vector<grams::Gram>> features;
    // Rare trigrams alone (names, numbers, rare words): cheap and telling.
    std::int64_t single_budget = kSingleBudget;
    for (const auto& region : present) {
      for (std::size_t i = 0; i < region.size() && i < 2; ++i) {
        if (region[i].first > kSingleCap || region[i].first > single_budget) break;
        single_budget -= region[i].first;
        features.push_back({region[i].second});
      }
    }
    const std::size_t n = present.size();
    if (n <= 3) {
      // Few stretches: each one's two rarest trigrams.
      for (const auto& region : present) {
        std::vector<grams::Gram> feature{region[0].second};
        if (region.size() > 1) feature.push_back(region[1].second);
        features.push_back(std::move(feature));
      }
    }
    // Pairs of distant stretches, in a ring.
    std::set<std::pair<std::size_t, std::size_t>> pairs;
    if (n == 2) pairs.emplace(0, 1);
    const std::size_t half = n / 2;
    for (std::size_t i = 0; n >= 3 && i < n; ++i) {
      for (std::size_t j : {(i + half) % n, (i + half + 1) % n}) {
        if (j != i && pairs.size() < kMaxPairs) pairs.emplace(std::min(i, j), std::max(i, j));
      }
    }
    for (const auto& [i, j] : pairs) features.push_back({present[i].front().second, present[j].front().second});
    // Each segment scores the weights of its features: a feature that few
    // segments have says more than one that many have (a stock phrase, read
    // only up to kFeatureRows).
    std::vector<std::pair<std::int64_t, double>> hits;  // (segment id, weight)
    for (const auto& feature : features) {
      std::vector<grams::PostingCursor> feature_cursors = cursors(lang, feature);
      const std::vector<std::int64_t> ids = grams::intersect(feature_cursors, kFeatureRows);
      // A feature cut off at kFeatureRows holds the oldest segments that have
      // it, not the best: it weighs next to nothing, or the same old
      // segments would add up across such features.
      const double weight = ids.size() >= kFeatureRows
                                ? kTruncatedWeight
                                : 1.0 + std::log2(static_cast<double>(kFeatureRows) /
                                                  static_cast<double>(std::max<std::size_t>(1, ids.size())));
      for (const std::int64_t id : ids) hits.emplace_back(id, weight);
    }
    std::sort(hits.begin(), hits.end());
    std::vector<std::pair<double, std::int64_t>> counted;  // (score, id)
    for (std::size_t i = 0; i < hits.size();) {
      double total = 0;
      std::size_t j = i;
      for (; j < hits.size() && hits[j].first == hits[i].first; ++j) total += hits[j].second;
      counted.emplace_back(total, hits[i].first);
      i = j;
    }
    return best_ids(std::move(counted), 2 * kMaxFuzzyCandidates);
  }

  // The ids of the `limit` highest scores, best first (ties: lower id).
  static std::vector<std::int64_t> best_ids(std::vector<std::pair<double, std::int64_t>> scored, std::size_t limit) {
    const auto better = [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; };
    if (scored.size() > limit) {
      std::nth_element(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(limit), scored.end(), better);
      scored.resize(limit);
    }
    std::sort(scored.begin(), scored.end(), better);
    std::vector<std::int64_t> out;
    out.reserve(scored.size());
    for (const auto& s : scored) out.push_back(s.second);
    return out;
  }

  // Fuzzy candidates among the segments not indexed yet (ids above
  // `after`): those sharing the most distinct trigrams with the query, best
  // first. A batch leaves up to tens of thousands of segments there, so each
  // is read once, its trigrams looked up in a small table of the query's
  // (no sorting, no allocation per segment).
  std::vector<std::int64_t> tail_candidates(const std::string& lang, std::string_view key, std::int64_t after) {
    const std::vector<grams::Gram> query = distinct_trigrams(key);
    if (query.empty()) return {};
    // Open addressing, at most a quarter full; `seen` holds the last
    // segment that had the slot's trigram (so repeats count once).
    std::size_t size = 16;
    while (size < 4 * query.size()) size *= 2;
    const std::size_t mask = size - 1;
    std::vector<grams::Gram> slots(size, ~grams::Gram{0});
    std::vector<std::int64_t> seen(size, 0);
    const auto slot_of = [&](grams::Gram g) { return static_cast<std::size_t>((g * 0x9E3779B97F4A7C15ULL) >> 40) & mask; };
    for (const grams::Gram g : query) {
      std::size_t i = slot_of(g);
      while (slots[i] != ~grams::Gram{0}) i = (i + 1) & mask;
      slots[i] = g;
    }
    sql::Statement& rows =
        statement("SELECT id, key FROM segments WHERE id > ?1 AND lang = ?2", "reading the latest segments");
    sql::ResetOnExit reset(rows);
    rows.bind(1, after).bind(2, lang);
    std::vector<std::pair<double, std::int64_t>> scored;
    while (rows.step()) {
      const std::int64_t id = rows.column_int64(0);
      std::size_t shared = 0;
      fuzzy::for_each_trigram(rows.column_view(1), [&](fuzzy::Trigram t) {
        for (std::size_t i = slot_of(t); slots[i] != ~grams::Gram{0}; i = (i + 1) & mask) {
          if (slots[i] != t) continue;
          if (seen[i] != id) {
            seen[i] = id;
            ++shared;
          }
          return;
        }
      });
      if (shared > 0) scored.emplace_back(static_cast<double>(shared), id);
    }
    return best_ids(std::move(scored), kMaxFuzzyCandidates);
  }
};

// ---- TranslationMemory ----

TranslationMemory::TranslationMemory(const std::string& path, const OpenOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  if (!exists && (!options.create || options.read_only))
    throw DatabaseError(path, path + ": no such TM. " + create_hint(path));
  if (exists && fs::is_directory(path, ec))
    throw DatabaseError(path, path + ": is a folder, not a TM file. Give the path of a TM file");
  const sql::OpenMode mode = options.read_only ? sql::OpenMode::read_only
                             : options.create  ? sql::OpenMode::create
                                               : sql::OpenMode::read_write;
  sql::Connection db(path, mode);
  impl_ = std::make_unique<Impl>(path, options, std::move(db));
  Impl& m = *impl_;
  m.db.exec("PRAGMA busy_timeout = " + std::to_string(std::max(0, options.busy_timeout_ms)), "setting the busy timeout");
  // Reading the header first: a file that is not SQLite fails here, with
  // the "not a untm TM" fix.
  const std::int64_t application_id = m.db.query_int("PRAGMA application_id", "reading the file");
  int version = static_cast<int>(m.db.query_int("PRAGMA user_version", "reading the schema version"));
  const std::int64_t objects = m.db.query_int("SELECT count(*) FROM sqlite_schema", "reading the schema");
  const bool empty = application_id == 0 && version == 0 && objects == 0;
  if (!empty && application_id != schema::kApplicationId)
    throw DatabaseError(path, path + ": not a untm TM: give a file made by untm or a new path");
  if (version > schema::kVersion)
    throw DatabaseError(path, path + ": made by a newer untm (schema " + std::to_string(version) +
                                  "): upgrade untm (this one reads schema " + std::to_string(schema::kVersion) +
                                  " and older)");
  if (options.read_only) {
    if (empty) throw DatabaseError(path, path + ": no such TM (the file is empty). " + create_hint(path));
    if (version < schema::kVersion && options.upgrade) {
      OpenOptions writable = options;
      writable.create = false;
      writable.read_only = false;
      try {
        TranslationMemory upgraded(path, writable);  // runs the migrations
      } catch (const DatabaseError& e) {
        throw DatabaseError(path, path + ": made by an older untm (schema " + std::to_string(version) +
                                      ") and it could not be upgraded: " + e.what());
      }
      version = static_cast<int>(m.db.query_int("PRAGMA user_version", "reading the schema version"));
    }
    if (version < schema::kVersion)
      throw DatabaseError(path, path + ": made by an older untm (schema " + std::to_string(version) +
                                    "): open it once for writing, or read-only with OpenOptions::upgrade, to upgrade it (every "
                                    "untm command does)");
  } else {
    // WAL: readers run beside the writer; NORMAL sync is durable in WAL mode
    // except for the last transactions before a power cut.
    // A new file gets 16 KiB pages (set before anything is written): a
    // segment row or a posting block rarely spills to overflow pages, the
    // file is ~19% smaller and imports and fuzzy lookups faster than with
    // 4 KiB (docs/BENCHMARKS.md).
    if (empty) m.db.exec("PRAGMA page_size = " + std::to_string(kPageBytes), "setting the page size");
    m.db.exec("PRAGMA journal_mode = WAL", "enabling write-ahead logging");
    m.db.exec("PRAGMA synchronous = NORMAL", "setting the sync mode");
    m.db.exec("PRAGMA journal_size_limit = 67108864", "limiting the log size");
    version = schema::migrate(m.db, schema::migrations());
    if (options.background_checkpoints) m.checkpointer = std::make_unique<LogCheckpointer>(path, m.db);
  }
  m.schema_version = version;
  m.db.exec("PRAGMA foreign_keys = ON", "enabling foreign keys");
  // 128 MiB: the lookup indexes stay in memory.
  m.db.exec("PRAGMA cache_size = " + std::to_string(kCacheKib), "setting the cache size");
  m.db.exec("PRAGMA temp_store = MEMORY", "setting the temp store");
  // Reads through a memory map (SQLite caps it at its compile-time limit):
  // lookups fetch rows all over a large file, without a copy per page.
  m.db.exec("PRAGMA mmap_size = " + std::to_string(kMmapBytes), "mapping the file");
}

void TranslationMemory::create_in_bulk(const std::string& path, const std::function<void(TranslationMemory&)>& fill,
                                       const OpenOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(path, ec))
    throw ArgumentError(path + ": exists already; a bulk load makes a new TM. Give a new path, or import into the "
                               "existing TM the usual way");
  const fs::path folder = fs::absolute(fs::path(path), ec).parent_path();
  if (!fs::is_directory(folder, ec))
    throw DatabaseError(path, path + ": cannot create the TM: the folder " + folder.string() +
                                  " does not exist. Create it, or give a path in an existing folder");
  const std::string partial = path + ".partial";
  const auto remove_partial = [&] {
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(partial + suffix, ec);
  };
  remove_partial();  // left by a crash
  try {
    {
      OpenOptions o = options;
      o.create = true;
      o.read_only = false;
      TranslationMemory tm(partial, o);
      tm.impl_->bulk_load = true;
      sql::Connection& db = tm.impl_->db;
      // The file is this connection's alone until renamed: an in-memory
      // rollback journal (the file is new, so it holds almost nothing) and
      // no syncs until the end.
      db.exec("PRAGMA journal_mode = MEMORY", "starting the bulk load");
      db.exec("PRAGMA synchronous = OFF", "starting the bulk load");
      db.exec("PRAGMA locking_mode = EXCLUSIVE", "starting the bulk load");
      // Reads through the page cache, not a map of the whole file: the
      // pages the load reads back would otherwise stay in its memory.
      db.exec("PRAGMA mmap_size = 0", "starting the bulk load");
      fill(tm);
      db.exec("PRAGMA mmap_size = " + std::to_string(kMmapBytes), "finishing the bulk load");
      db.exec("PRAGMA locking_mode = NORMAL", "finishing the bulk load");
      db.exec("PRAGMA synchronous = NORMAL", "finishing the bulk load");
      db.exec("PRAGMA journal_mode = WAL", "finishing the bulk load");
    }
    // On disk before it takes the TM's name, and the name in its folder.
    const auto sync = [&](const std::string& file, int flags) {
      const int fd = ::open(file.c_str(), flags);
      const bool ok = fd >= 0 && ::fsync(fd) == 0;
      if (fd >= 0) ::close(fd);
      if (!ok)
        throw DatabaseError(path, path + ": cannot write " + file + " to disk: " + std::strerror(errno) +
                                      ". Check the disk (space, permissions) and import again");
    };
    sync(partial, O_RDONLY);
    fs::rename(partial, path, ec);
    if (ec)
      throw DatabaseError(path, path + ": cannot rename " + partial + " to it: " + ec.message() +
                                    ". Check the folder's permissions and import again");
    sync(folder.string(), O_RDONLY | O_DIRECTORY);
  } catch (...) {
    remove_partial();
    throw;
  }
}

TranslationMemory::~TranslationMemory() = default;
TranslationMemory::TranslationMemory(TranslationMemory&&) noexcept = default;
TranslationMemory& TranslationMemory::operator=(TranslationMemory&&) noexcept = default;

const std::string& TranslationMemory::path() const { return impl_->path; }

void TranslationMemory::prepare_for_store(StoredDocument& doc) {
  std::vector<bool> nfc;
  for (std::size_t u = 0; u < doc.units.size(); ++u) {
    StoredUnit& unit = doc.units[u];
    // As store_document names the unit (its position + 1).
    const auto where = [&] { return "document " + doc.key + ", unit " + std::to_string(u + 1); };
    nfc.clear();
    check_unit(where, unit, nfc);
    std::size_t nth = 0;
    for (auto& [lang, text] : unit.segments) {
      if (nfc[nth++]) continue;
      text = to_nfc(text);
      unit.keys.erase(lang);  // made from the text as it was
    }
    unit.texts_in_nfc = true;
    for (const auto& [lang, text] : unit.segments) {
      auto key = unit.keys.find(lang);
      if (key == unit.keys.end()) key = unit.keys.emplace(lang, matching_key_text(text)).first;
      unit.key_hashes.insert_or_assign(lang, fuzzy::key_hashes(lang, key->second));
    }
  }
}

std::size_t TranslationMemory::store_document(const StoredDocument& doc) {
  Impl& m = *impl_;
  m.begin_write();
  try {
    sql::Transaction transaction(m.db, sql::Transaction::Mode::immediate);
    m.load_index_state();
    const std::int64_t id = m.write_header(doc);
    const std::int64_t first_segment_id = m.next_segment_id;
    m.write_units(id, doc.key, 0, doc.units);
    m.collect_tail_postings(first_segment_id, doc.units.size());
    m.finish_index(false);
    transaction.commit();
  } catch (...) {
    m.tail_postings.reset();  // they may hold what was rolled back
    m.end_write();
    throw;
  }
  m.end_write();
  return doc.units.size();
}

std::size_t TranslationMemory::update_index() {
  Impl& m = *impl_;
  m.begin_write();
  std::size_t indexed = 0;
  try {
    sql::Transaction transaction(m.db, sql::Transaction::Mode::immediate);
    m.load_index_state();
    const std::int64_t before = m.index_state.indexed_segments;
    m.finish_index(true);
    indexed = static_cast<std::size_t>(std::max<std::int64_t>(0, m.index_state.indexed_segments - before));
    transaction.commit();
  } catch (...) {
    m.tail_postings.reset();
    m.end_write();
    throw;
  }
  m.end_write();
  return indexed;
}

TranslationMemory::IndexReport TranslationMemory::check_index() const {
  Impl& m = *impl_;
  m.settle();  // an open import session's units are visible to this object
  ReadScope scope(m.db);
  const std::int64_t through = m.indexed_through();
  const grams::IndexCheck check = grams::check_index(m.db, through);
  IndexReport report;
  report.indexed = check.segments;
  report.waiting = m.waiting_segments(through);
  report.missing = check.missing;
  report.wrong = check.wrong;
  report.stale = check.stale;
  // The exact-match rows: one per indexed segment, none beyond.
  const std::string through_text = std::to_string(through);
  report.missing += m.db.query_int(
      "SELECT count(*) FROM segments s WHERE s.id <= " + through_text +
          " AND NOT EXISTS (SELECT 1 FROM exact_index e WHERE e.skeleton_hash = s.skeleton_hash AND e.key_hash = "
          "s.key_hash AND e.segment_id = s.id)",
      "checking the exact-match table");
  report.wrong += m.db.query_int("SELECT count(*) FROM exact_index WHERE segment_id > " + through_text,
                                 "checking the exact-match table");
  return report;
}

std::size_t TranslationMemory::tail_segments_in_memory() const {
  const auto& tail = impl_->tail_postings;
  return tail ? static_cast<std::size_t>(tail->segments) : 0;
}

std::optional<StoredDocument> TranslationMemory::document_info(const std::string& key) const {
  return std::move(document_infos(std::span<const std::string>(&key, 1)).front());
}

std::vector<std::optional<StoredDocument>> TranslationMemory::document_infos(std::span<const std::string> keys) const {
  Impl& m = *impl_;
  m.settle();  // an open import session's units are visible to this object
  ReadScope scope(m.db);
  sql::Statement& s = m.statement(
      "SELECT id, symbol, title, date, original_lang, aligner_version FROM documents WHERE key = ?1",
      "reading a document");
  sql::Statement& v = m.statement(
      "SELECT lang, file_name, sha256, paragraphs, sentences FROM versions WHERE document_id = ?1",
      "reading a document's versions");
  std::vector<std::optional<StoredDocument>> out;
  out.reserve(keys.size());
  for (const std::string& key : keys) {
    std::optional<StoredDocument>& doc = out.emplace_back();
    std::int64_t id = 0;
    {
      sql::ResetOnExit reset(s);
      s.bind(1, key);
      if (!s.step()) continue;
      id = s.column_int64(0);
      doc.emplace();
      doc->key = key;
      doc->symbol = s.column_optional(1);
      doc->title = s.column_optional(2);
      doc->date = s.column_optional(3);
      doc->original_lang = s.column_optional(4);
      doc->aligner_version = s.column_string(5);
    }
    sql::ResetOnExit reset(v);
    v.bind(1, id);
    while (v.step()) {
      StoredVersion version;
      version.lang = v.column_string(0);
      version.file_name = v.column_string(1);
      version.sha256 = v.column_string(2);
      version.paragraphs = static_cast<std::uint32_t>(v.column_int64(3));
      version.sentences = static_cast<std::uint32_t>(v.column_int64(4));
      doc->versions.push_back(std::move(version));
    }
    std::sort(doc->versions.begin(), doc->versions.end(),
              [](const StoredVersion& a, const StoredVersion& b) { return language_before(a.lang, b.lang); });
  }
  return out;
}

std::vector<std::string> TranslationMemory::document_keys() const {
  Impl& m = *impl_;
  m.settle();  // an open import session's units are visible to this object
  ReadScope scope(m.db);
  sql::Statement& s = m.statement("SELECT key FROM documents ORDER BY key", "listing documents");
  sql::ResetOnExit reset(s);
  std::vector<std::string> keys;
  while (s.step()) keys.push_back(s.column_string(0));
  return keys;
}

std::vector<std::string> TranslationMemory::languages() const {
  impl_->settle();  // an open import session's units are visible to this object
  ReadScope scope(impl_->db);
  return impl_->languages();
}

namespace {

struct ScoredSegment {
  std::int64_t segment_id = 0;
  std::int64_t unit_id = 0;
  std::int64_t document_id = 0;
  std::string text;
  std::optional<std::string> paragraph_key;
  double confidence = 1.0;
  UnitStatus status = UnitStatus::automatic;
  fuzzy::MatchScore match;
};

}  // namespace

std::vector<LookupHit> TranslationMemory::lookup(const std::string& text, const LookupOptions& options) const {
  Impl& m = *impl_;
  check_language(options.from, "from language");
  for (const std::string& lang : options.to) check_language(lang, "target language");
  if (options.min_score < 0 || options.min_score > 100)
    throw ArgumentError("minimum score " + std::to_string(options.min_score) + ": give a score from 0 to 100");
  if (options.limit == 0) throw ArgumentError("limit 0: give at least 1");
  // The matcher normalizes the query itself: only its UTF-8 is checked here.
  if (const std::int64_t bad = check_utf8_and_nfc(text).invalid_at; bad >= 0)
    throw ArgumentError(invalid_utf8_message("the query", bad));
  const fuzzy::Matcher matcher(options.from, text);
  if (matcher.query_key().text.empty()) throw ArgumentError("empty query: give the text to look up");
  m.settle();  // an open import session's units are visible to this object
  ReadScope scope(m.db);

  std::map<std::int64_t, ScoredSegment> scored;  // by segment id
  const std::string select =
      "SELECT s.id, s.unit_id, s.text, s.key, u.confidence, u.status, u.document_id, u.paragraph_key "
      "FROM segments s JOIN units u ON u.id = s.unit_id ";
  // Scores the rows of `rows`; returns how many there were.
  const auto consider = [&](sql::Statement& rows) {
    std::size_t seen = 0;
    while (rows.step()) {
      ++seen;
      const std::int64_t id = rows.column_int64(0);
      if (scored.count(id) != 0) continue;
      const UnitStatus status = parse_status(rows.column_view(5));
      if (status == UnitStatus::rejected) continue;  // a translator said the alignment is wrong
      fuzzy::MatchScore match = matcher.score(rows.column_view(2), rows.column_view(3), options.min_score);
      if (match.score == 0 && options.min_score > 0) continue;
      ScoredSegment& hit = scored[id];
      hit.segment_id = id;
      hit.unit_id = rows.column_int64(1);
      hit.text = rows.column_string(2);
      hit.confidence = rows.column_double(4);
      hit.status = status;
      hit.document_id = rows.column_int64(6);
      hit.paragraph_key = rows.column_optional(7);
      hit.match = std::move(match);
    }
    return seen;
  };
  // Enough hits at or above `score` that no later step can rank higher.
  // Not with target languages: a hit without any of them is dropped below.
  const auto enough_at = [&](int score) {
    return options.to.empty() &&
           static_cast<std::size_t>(std::count_if(scored.begin(), scored.end(), [&](const auto& s) {
             return s.second.match.score >= score;
           })) >= options.limit;
  };
  const std::string& key = matcher.query_key().text;
  const auto [key_hash, skeleton_hash] = fuzzy::key_hashes(options.from, key);
  // Exact and near-exact matches: from exact_index for the indexed
  // segments (which may hold deleted ones: the join drops them), from the
  // stored hashes for the tail (a scan of its ids; "+s.lang" keeps SQLite
  // from the language index).
  const std::string from_index = "SELECT s.id, s.unit_id, s.text, s.key, u.confidence, u.status, u.document_id, "
                                 "u.paragraph_key FROM exact_index e CROSS JOIN segments s ON s.id = e.segment_id "
                                 "CROSS JOIN units u ON u.id = s.unit_id ";
  const std::int64_t tail_after = m.indexed_through();
  // 1. Exact: same key.
  {
    sql::Statement& rows = m.statement(
        from_index + "WHERE e.skeleton_hash = ?1 AND e.key_hash = ?2 AND s.lang = ?3 LIMIT ?4", "exact lookup");
    sql::ResetOnExit reset(rows);
    rows.bind(1, skeleton_hash).bind(2, key_hash).bind(3, options.from).bind(4, kMaxHashRows);
    consider(rows);
    sql::Statement& tail = m.statement(
        select + "WHERE s.id > ?1 AND s.skeleton_hash = ?2 AND s.key_hash = ?3 AND +s.lang = ?4 LIMIT ?5",
        "exact lookup in the latest segments");
    sql::ResetOnExit reset_tail(tail);
    tail.bind(1, tail_after).bind(2, skeleton_hash).bind(3, key_hash).bind(4, options.from).bind(5, kMaxHashRows);
    consider(tail);
  }
  // 2. Only numbers, punctuation or case differ: same skeleton.
  if (!enough_at(fuzzy::kExactScore) && options.min_score <= fuzzy::kExactScore - 1) {
    sql::Statement& rows =
        m.statement(from_index + "WHERE e.skeleton_hash = ?1 AND s.lang = ?2 LIMIT ?3", "near-exact lookup");
    sql::ResetOnExit reset(rows);
    rows.bind(1, skeleton_hash).bind(2, options.from).bind(3, kMaxHashRows);
    consider(rows);
    sql::Statement& tail = m.statement(select + "WHERE s.id > ?1 AND s.skeleton_hash = ?2 AND +s.lang = ?3 LIMIT ?4",
                                       "near-exact lookup in the latest segments");
    sql::ResetOnExit reset_tail(tail);
    tail.bind(1, tail_after).bind(2, skeleton_hash).bind(3, options.from).bind(4, kMaxHashRows);
    consider(tail);
  }
  // 3. Fuzzy: candidates from the n-gram index (up to kMaxFuzzyCandidates
  // that still exist), and from the segments not indexed yet.
  if (!enough_at(fuzzy::kMinNearExactScore) && options.min_score <= fuzzy::kMaxFuzzyScore) {
    sql::Statement& rows = m.statement(select + "WHERE s.id = ?1", "fuzzy lookup");
    std::size_t found = 0;
    const auto score_ids = [&](const std::vector<std::int64_t>& ids) {
      found = 0;
      for (const std::int64_t id : ids) {
        if (found >= kMaxFuzzyCandidates) break;
        if (scored.count(id) != 0) {
          ++found;
          continue;
        }
        sql::ResetOnExit reset(rows);
        rows.bind(1, id);
        found += consider(rows);
      }
    };
    score_ids(m.fuzzy_candidates(options.from, key));
    score_ids(m.tail_candidates(options.from, key, tail_after));
  }

  std::vector<ScoredSegment*> ranked;
  ranked.reserve(scored.size());
  for (auto& [id, s] : scored) ranked.push_back(&s);
  std::sort(ranked.begin(), ranked.end(), [](const ScoredSegment* a, const ScoredSegment* b) {
    if (a->match.score != b->match.score) return a->match.score > b->match.score;
    const bool ca = a->status == UnitStatus::confirmed, cb = b->status == UnitStatus::confirmed;
    if (ca != cb) return ca;
    if (a->confidence != b->confidence) return a->confidence > b->confidence;
    return a->unit_id < b->unit_id;
  });

  std::vector<LookupHit> hits;
  sql::Statement& targets = m.statement("SELECT lang, text FROM segments WHERE unit_id = ?1", "reading a unit");
  sql::Statement& document = m.statement("SELECT key, symbol FROM documents WHERE id = ?1", "reading a document");
  for (const ScoredSegment* s : ranked) {
    if (hits.size() >= options.limit) break;
    LookupHit hit;
    {
      sql::ResetOnExit reset(targets);
      targets.bind(1, s->unit_id);
      while (targets.step()) {
        std::string lang = targets.column_string(0);
        if (lang == options.from) continue;
        if (!options.to.empty() && std::find(options.to.begin(), options.to.end(), lang) == options.to.end()) continue;
        hit.targets.emplace(std::move(lang), targets.column_string(1));
      }
    }
    if (!options.to.empty() && hit.targets.empty()) continue;  // none of the languages asked for
    {
      sql::ResetOnExit reset(document);
      document.bind(1, s->document_id);
      if (document.step()) {
        hit.document_key = document.column_string(0);
        hit.symbol = document.column_optional(1);
      }
    }
    hit.score = s->match.score;
    hit.source = s->text;
    hit.substitutions = matcher.describe(s->match, s->text);
    hit.paragraph_key = s->paragraph_key;
    hit.confidence = s->confidence;
    hit.status = s->status;
    hit.unit_id = s->unit_id;
    hit.segment_id = s->segment_id;
    hits.push_back(std::move(hit));
  }
  return hits;
}

std::vector<ConcordanceHit> TranslationMemory::concordance(const std::string& term,
                                                           const ConcordanceOptions& options) const {
  Impl& m = *impl_;
  m.settle();  // an open import session's units are visible to this object
  if (options.lang) check_language(*options.lang, "search language");
  if (options.limit == 0) throw ArgumentError("limit 0: give at least 1");
  const std::string key = matching_key_text(checked_nfc(term, "the search term"));
  if (key.empty()) throw ArgumentError("empty search term: give the text to look for");
  ReadScope scope(m.db);
  const std::vector<std::string> langs = options.lang ? std::vector<std::string>{*options.lang} : m.languages();

  // Candidate segment ids per language, in id order, verified below.
  sql::Statement& fetch = m.statement(
      "SELECT s.unit_id, s.lang, s.text, u.status, u.document_id, u.paragraph_key, u.confidence "
      "FROM segments s JOIN units u ON u.id = s.unit_id WHERE s.id = ?1",
      "reading a segment");
  struct Found {
    std::int64_t document_id = 0;
    ConcordanceHit hit;
  };
  std::vector<Found> found;
  std::set<std::int64_t> units_seen;
  std::map<std::string, std::size_t> per_lang;
  const std::size_t max_checks = options.limit * kConcordanceChecksPerHit + 1000;
  // Verifies one candidate: the key must hold the term; the hit's range is
  // mapped back to the original text.
  const auto verify = [&](std::int64_t segment_id, std::optional<std::string> want_lang) -> bool {
    sql::ResetOnExit reset(fetch);
    fetch.bind(1, segment_id);
    if (!fetch.step()) return false;
    const std::string lang = fetch.column_string(1);
    if (want_lang && lang != *want_lang) return false;
    if (!options.lang && std::find(langs.begin(), langs.end(), lang) == langs.end()) return false;
    if (parse_status(fetch.column_view(3)) == UnitStatus::rejected) return false;
    const std::int64_t unit_id = fetch.column_int64(0);
    if (units_seen.count(unit_id) != 0) return false;
    std::string text = fetch.column_string(2);
    const MatchingKey text_key = make_matching_key(text);
    ConcordanceHit hit;
    for (std::size_t at = text_key.text.find(key); at != std::string::npos; at = text_key.text.find(key, at + key.size())) {
      hit.ranges.push_back(text_key.source_range(at, at + key.size()));
    }
    if (hit.ranges.empty()) return false;  // trigrams present, but not as one run
    hit.match_begin = hit.ranges.front().first;
    hit.match_end = hit.ranges.front().second;
    hit.lang = lang;
    hit.text = std::move(text);
    hit.unit_id = unit_id;
    hit.paragraph_key = fetch.column_optional(5);
    hit.confidence = fetch.column_double(6);
    units_seen.insert(unit_id);
    ++per_lang[lang];
    found.push_back({fetch.column_int64(4), std::move(hit)});
    return true;
  };

  const std::size_t length = fuzzy::code_point_count(key);
  const auto enough = [&](const std::string& lang) { return per_lang[lang] >= options.limit; };
  // Verifies candidates from a union of posting lists, in id order.
  const auto drain = [&](grams::PostingUnion& ids, const std::string& lang) {
    std::size_t checks = 0;
    std::int64_t id = 0;
    while (!enough(lang) && checks++ < max_checks && ids.next(id)) verify(id, lang);
  };
  // The grams whose postings hold every occurrence of the term (in a
  // language), and whether each candidate has all of them (else any).
  std::function<std::vector<grams::Gram>(const std::string&)> grams_for;
  bool all_of = true;
  if (length >= 3) {
    // The rarest few trigrams find the candidates; verify() checks the term.
    grams_for = [&](const std::string& lang) {
      std::vector<grams::Gram> out;
      const auto rated = m.rated_trigrams(lang, key);
      if (rated.empty() || rated.front().first <= 0) return out;  // a trigram no indexed segment has
      for (std::size_t i = 0; i < rated.size() && i < kMaxConcordanceTrigrams; ++i) out.push_back(rated[i].second);
      return out;
    };
  } else if (length == 2) {
    // Two characters, of any script: every gram that starts with them
    // (followed by a character, or the key's end gram).
    std::size_t i = 0;
    const char32_t a = utf8::next(key, i);
    const char32_t b = utf8::next(key, i);
    all_of = false;
    grams_for = [&, a, b](const std::string& lang) {
      return m.postings().grams_between(lang, grams::pack(a, b, 0), grams::pack(a, b, grams::kEndMark));
    };
  } else if (fuzzy::is_cjk_unigram(key)) {
    // One Chinese or Japanese character: its unigram.
    std::size_t i = 0;
    const grams::Gram wanted = utf8::next(key, i);
    grams_for = [wanted](const std::string&) { return std::vector<grams::Gram>{wanted}; };
  } else {
    throw ArgumentError("search term '" + term +
                        "' is one character: it would match too much. Give at least two characters (one is enough "
                        "in Chinese and Japanese).");
  }
  const std::int64_t tail_after = m.indexed_through();
  sql::Statement& tail = m.statement("SELECT id, key FROM segments WHERE id > ?1 AND lang = ?2 ORDER BY id",
                                     "reading the latest segments");
  for (const std::string& lang : langs) {
    const std::vector<grams::Gram> wanted = grams_for(lang);
    if (!wanted.empty() && all_of) {
      std::vector<grams::PostingCursor> cursors = m.cursors(lang, wanted);
      std::size_t checks = 0;
      while (!enough(lang) && checks < max_checks) {
        const std::vector<std::int64_t> ids = grams::intersect(cursors, options.limit);
        if (ids.empty()) break;
        for (const std::int64_t id : ids) {
          if (enough(lang) || checks++ >= max_checks) break;
          verify(id, lang);
        }
        if (ids.size() < options.limit) break;  // the intersection is exhausted
      }
    } else if (!wanted.empty()) {
      grams::PostingUnion ids(m.cursors(lang, wanted));
      drain(ids, lang);
    }
    // The segments stored since the last indexing: their keys are searched
    // directly (few: see OpenOptions::index_tail_segments).
    sql::ResetOnExit reset(tail);
    tail.bind(1, tail_after).bind(2, lang);
    while (!enough(lang) && tail.step()) {
      if (tail.column_view(1).find(key) != std::string_view::npos) verify(tail.column_int64(0), lang);
    }
  }

  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.hit.unit_id < b.hit.unit_id; });
  if (found.size() > options.limit) found.resize(options.limit);
  std::vector<ConcordanceHit> hits;
  sql::Statement& others = m.statement("SELECT lang, text FROM segments WHERE unit_id = ?1", "reading a unit");
  sql::Statement& document = m.statement("SELECT key, symbol FROM documents WHERE id = ?1", "reading a document");
  for (auto& [document_id, hit] : found) {
    {
      sql::ResetOnExit reset(others);
      others.bind(1, hit.unit_id);
      while (others.step()) {
        std::string lang = others.column_string(0);
        if (lang != hit.lang) hit.others.emplace(std::move(lang), others.column_string(1));
      }
    }
    {
      sql::ResetOnExit reset(document);
      document.bind(1, document_id);
      if (document.step()) {
        hit.document_key = document.column_string(0);
        hit.symbol = document.column_optional(1);
      }
    }
    hits.push_back(std::move(hit));
  }
  return hits;
}

TmStats TranslationMemory::stats() const {
  Impl& m = *impl_;
  m.settle();  // an open import session's units are visible to this object
  ReadScope scope(m.db);
  TmStats stats;
  stats.schema_version = m.schema_version;
  stats.documents = static_cast<std::size_t>(m.db.query_int("SELECT count(*) FROM documents", "counting documents"));
  stats.units = static_cast<std::size_t>(m.db.query_int("SELECT count(*) FROM units", "counting units"));
  for (const auto& [lang, n] : m.language_counts()) {
    stats.segments_per_lang[lang] = static_cast<std::size_t>(n);
    stats.segments += static_cast<std::size_t>(n);
  }
  sql::Statement& low = m.statement("SELECT count(*) FROM units WHERE confidence < ?1", "counting low-confidence units");
  {
    sql::ResetOnExit reset(low);
    low.bind(1, kLowConfidence);
    stats.low_confidence_units = low.step() ? static_cast<std::size_t>(low.column_int64(0)) : 0;
  }
  stats.waiting_segments = static_cast<std::size_t>(m.waiting_segments(m.indexed_through()));
  stats.stale_segments = static_cast<std::size_t>(std::max<std::int64_t>(0, m.state_value("stale_segments")));
  stats.indexed_segments = stats.segments - stats.waiting_segments;
  stats.file_bytes = static_cast<std::uint64_t>(m.db.query_int("PRAGMA page_count", "reading the file size") *
                                                m.db.query_int("PRAGMA page_size", "reading the file size"));
  return stats;
}

void TranslationMemory::for_each_unit(const std::function<void(const UnitRecord&)>& visit,
                                      const std::optional<std::string>& document_key, double min_confidence) const {
  Impl& m = *impl_;
  m.settle();  // an open import session's units are visible to this object
  ScanSettings settings(m.db, m.cache_kib);
  std::optional<FilePrefetch> prefetch;
  if (!document_key) prefetch.emplace(m.path);  // the scan reads most of the file
  ReadScope scope(m.db);
  // One statement whose joins run in the order written (CROSS JOIN): the
  // documents by the index on key, each one's units by the index on
  // (document_id, position), each unit's segments by the index on
  // (unit_id, lang). The rows come out in ORDER BY order without a sort
  // (a sort would hold the whole TM in memory).
  const std::string sql = std::string(
                              "SELECT u.id, d.key, d.symbol, d.original_lang, u.paragraph_key, u.position, "
                              "u.confidence, u.status, s.lang, s.text, s.inline_codes "
                              "FROM documents d CROSS JOIN units u ON u.document_id = d.id "
                              "CROSS JOIN segments s ON s.unit_id = u.id WHERE u.confidence >= ?1 ") +
                          (document_key ? "AND d.key = ?2 " : "") + "ORDER BY d.key, u.position, s.lang";
  sql::Statement& rows = m.statement(sql, "reading units");
  sql::ResetOnExit reset(rows);
  rows.bind(1, min_confidence);
  if (document_key) rows.bind(2, *document_key);
  UnitRecord record;
  bool have = false;
  while (rows.step()) {
    const std::int64_t id = rows.column_int64(0);
    if (!have || id != record.id) {
      if (have) visit(record);
      record.id = id;
      if (!have || record.document_key != rows.column_view(1)) {
        record.document_key = rows.column_string(1);
        record.symbol = rows.column_optional(2);
        record.original_lang = rows.column_optional(3);
      }
      record.paragraph_key = rows.column_optional(4);
      record.position = static_cast<std::uint32_t>(rows.column_int64(5));
      record.confidence = rows.column_double(6);
      record.status = parse_status(rows.column_view(7));
      record.segments.clear();
      record.inline_codes.clear();
      have = true;
    }
    std::string lang = rows.column_string(8);
    if (!rows.is_null(10)) record.inline_codes.emplace(lang, rows.column_string(10));
    record.segments.emplace(std::move(lang), rows.column_string(9));
  }
  if (have) visit(record);
}

// ---- ImportSession ----

struct TranslationMemory::ImportSession::State {
  Impl* tm = nullptr;
  std::optional<sql::Transaction> transaction;
  std::int64_t document_id = 0;
  std::string document_key;
  std::uint32_t next_position = 0;
  std::size_t added = 0;
  bool done = false;

  ~State() {
    if (!done && tm != nullptr) {
      tm->writer_thread.reset();  // the connection is this thread's again
      transaction.reset();        // rolls back
      tm->end_write();
    }
  }
};

TranslationMemory::ImportSession TranslationMemory::begin_import(const StoredDocument& header) {
  Impl& m = *impl_;
  m.begin_write();
  auto state = std::make_unique<ImportSession::State>();
  try {
    // An import into a TM touches index pages all over the file: a large
    // cache keeps them from being spilled to the log and re-read again and
    // again. A bulk load has no log: with the normal cache, pages go to the
    // file as the load goes (on the writer thread), not all at the commit.
    const int cache_kib = m.bulk_load ? kCacheKib : kImportCacheKib;
    m.db.exec("PRAGMA cache_size = " + std::to_string(cache_kib), "setting the cache size");
    m.cache_kib = cache_kib;
    state->transaction.emplace(m.db, sql::Transaction::Mode::immediate);
    state->tm = &m;
    m.load_index_state();
    state->document_id = m.write_header(header);  // deletes the document it replaces
    // The session's postings start with the segments stored since the last
    // indexing (the tail); its own follow, all above them.
    m.tail_postings.reset();  // the session reads the tail back and indexes it with its own
    m.session_postings = std::make_unique<grams::PostingBuilder>();
    m.session_totals = std::make_unique<grams::GramTotals>(m.db);
    const grams::AddedSegments tail = grams::add_segments_after(m.db, m.index_state.indexed_through, *m.session_postings,
                                                                m.session_totals.get(), m.options.import_postings);
    m.session_segments = tail.count;
    m.session_wrote_postings = tail.wrote_blocks;
    m.session_tail_through = tail.last_id;
    m.collect_exact = true;
    state->document_key = header.key;
    m.write_units(state->document_id, header.key, state->next_position, header.units);
    state->next_position += static_cast<std::uint32_t>(header.units.size());
    state->added = header.units.size();
  } catch (...) {
    if (state->tm == nullptr) m.end_write();  // else ~State rolls back and ends the write
    throw;
  }
  return ImportSession(std::move(state));
}

TranslationMemory::ImportSession::ImportSession(std::unique_ptr<State> state) : state_(std::move(state)) {}
TranslationMemory::ImportSession::~ImportSession() = default;
TranslationMemory::ImportSession::ImportSession(ImportSession&&) noexcept = default;

void TranslationMemory::ImportSession::add(const StoredUnit& unit) {
  if (!state_ || state_->done) throw ArgumentError("import session already committed: begin a new one to add units");
  Impl& m = *state_->tm;
  if (m.batch.size() <= m.batch_used) m.batch.resize(m.batch_used + 1);
  m.prepare_unit(state_->document_id, state_->document_key, state_->next_position, unit, m.batch[m.batch_used]);
  ++m.batch_used;
  ++state_->next_position;
  ++state_->added;
  const bool postings_full = m.session_postings->postings() >= m.options.import_postings;
  if (m.batch_used == kBatchUnits || postings_full) {
    // From the first full batch on, a thread runs the inserts; full
    // postings go with the batch and a new builder starts here.
    if (!m.writer_thread)
      m.writer_thread = std::make_unique<WriterThread>([&m](std::span<const PreparedUnit> units) { m.write_prepared(units); },
                                                       [&m](grams::PostingBuilder& p) {
                                                         // The postings written cover every unit written before them.
                                                         p.write_blocks(m.db, m.session_totals.get());
                                                         if (m.pending_exact.size() >= kMaxPendingExactRows)
                                                           m.write_exact_rows();
                                                       });
    WriterThread::Postings postings;
    if (postings_full) {
      postings = std::exchange(m.session_postings, std::make_unique<grams::PostingBuilder>());
      m.session_wrote_postings = true;
    }
    m.batch = m.writer_thread->submit(std::move(m.batch), std::exchange(m.batch_used, 0), std::move(postings));
  }
}

std::size_t TranslationMemory::ImportSession::added() const { return state_ ? state_->added : 0; }

void TranslationMemory::ImportSession::commit() {
  if (!state_ || state_->done) throw ArgumentError("import session already committed");
  Impl& m = *state_->tm;
  m.settle();
  m.writer_thread.reset();
  if (m.session_wrote_postings || m.session_segments >= static_cast<std::int64_t>(m.options.index_tail_segments)) {
    // Every segment up to the last id given is now indexed.
    m.session_postings->write_blocks(m.db, m.session_totals.get());
    m.write_exact_rows();
    m.add_exact_rows(m.index_state.indexed_through, m.session_tail_through);
    m.index_state.indexed_segments += m.session_segments;
    m.index_state.indexed_through = m.next_segment_id - 1;
  }
  // Else a small session (untm merge copies a document per session): its
  // segments join the tail, indexed in bulk later. finish_index also
  // rebuilds the index if stale postings dominate.
  m.finish_index(false);
  state_->transaction->commit();
  state_->done = true;
  state_->tm->end_write();
}

}  // namespace untm
