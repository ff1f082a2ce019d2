// The translation memory (see translation_memory.h; schema in
// migrations() below, score scale in fuzzy_match.h).
//
// Lookups never scan: an exact match comes from the index on
// (skeleton_hash, key_hash); a match that differs only in numbers or
// punctuation from the same index by skeleton_hash alone; a fuzzy match from
// the language's FTS5 trigram index through a bounded set of FTS5 queries
// built from the query's rarest trigrams (rarity from trigram_counts, which
// the writer keeps up to date), then exact scoring of the candidates that
// match the most of them (fuzzy_candidates). Concordance reads the trigram
// index too (the term's rarest trigrams ANDed, each hit verified on the
// key), or, for 1- and 2-character Chinese and Japanese terms that trigrams
// cannot serve, an index of CJK unigrams and bigrams.
//
// The FTS5 tables are contentless: this file inserts and deletes their
// entries (deletes repeat the stored key, or its CJK n-grams). Changing how
// keys, trigrams or n-grams are made therefore needs a migration that
// rebuilds the indexes and trigram_counts from segments.key.
#include "tm/translation_memory.h"

#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <filesystem>
#include <limits>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "aligner/errors.h"
#include "aligner/language.h"
#include "aligner/normalizer.h"
#include "tm/fuzzy_match.h"
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
// A full scan (for_each_unit): 8 MiB.
constexpr int kScanCacheKib = -8192;

// Fuzzy candidate retrieval (see fuzzy_candidates). Tuned with
// tools/bench/bench_tm on 1,000,000 units: fewer pairs or rows per feature
// lose best matches, more cost time.
constexpr std::int64_t kFeatureRows = 1000;      // rows read per feature (FTS5 query)
constexpr std::int64_t kSingleCap = 1000;        // a trigram this rare is a feature on its own
constexpr std::int64_t kSingleBudget = 5000;     // postings read for such trigrams, in all
constexpr std::size_t kMaxPairs = 8;             // pairs of distant stretches
constexpr std::size_t kMaxFuzzyCandidates = 100;  // candidates scored exactly
constexpr double kTruncatedWeight = 0.1;          // of a feature with more rows than kFeatureRows
// The query is cut into up to kMaxRegions stretches of at least
// kTrigramsPerRegion trigrams.
constexpr std::size_t kMaxRegions = 8;
constexpr std::size_t kTrigramsPerRegion = 6;
// Exact and near-exact matches read at most this many rows per hash.
constexpr int kMaxHashRows = 1000;
// Concordance: trigrams ANDed per query, and candidates verified per hit
// asked for before the search gives up on a language (false positives of
// trigram ANDs are rare; this only bounds pathological terms).
constexpr std::size_t kMaxConcordanceTrigrams = 6;
constexpr std::size_t kConcordanceChecksPerHit = 20;
// An import session of this many units merges the trigram indexes into one
// segment each before it commits: lookups then seek one b-tree per term
// instead of one per FTS5 segment (~30% faster fuzzy lookups; takes ~3 s
// per million segments).
constexpr std::size_t kOptimizeAfterUnits = 100000;
// FTS5 settings during an import session (see bulk_fts_options), and the
// defaults restored before it commits.
constexpr std::int64_t kBulkHashBytes = std::int64_t{64} << 20;
constexpr std::int64_t kBulkAutomerge = 0;
constexpr std::int64_t kDefaultHashBytes = std::int64_t{1} << 20;
constexpr std::int64_t kDefaultAutomerge = 4;
// An import session hands units to its writer thread in batches of this
// many.
constexpr std::size_t kBatchUnits = 256;
// Pending trigram counts are written out when this many accumulate.
constexpr std::size_t kMaxPendingCounts = std::size_t{1} << 22;

void check_language(const std::string& lang, std::string_view what) {
  if (!is_language_code(lang))
    throw ArgumentError(std::string(what) + " '" + lang +
                        "': not a language code. Give a two-letter ISO 639-1 code such as ar, zh, en, fr, ru or es.");
}

// Checks that `text` is valid UTF-8 and tells whether it is in NFC
// already (the aligner's text always is). Returns the byte offset of the
// first invalid sequence, or -1 when the text is valid.
std::int64_t check_utf8_nfc(std::string_view text, bool& is_nfc) {
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto n = static_cast<std::int64_t>(text.size());
  bool ascii = true;
  for (std::int64_t i = 0; i < n;) {
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    ascii = false;
    const std::int64_t start = i;
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0) return start;
  }
  is_nfc = true;
  if (ascii) return -1;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status) || nfc == nullptr) throw Error(std::string("ICU NFC normalizer unavailable: ") + u_errorName(status));
  is_nfc = text.size() < static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()) &&
           nfc->isNormalizedUTF8(icu::StringPiece(text.data(), static_cast<std::int32_t>(text.size())), status) &&
           U_SUCCESS(status);
  return -1;
}

std::string invalid_utf8_message(const std::string& where, std::int64_t offset) {
  return where + ": the text is not valid UTF-8 (byte offset " + std::to_string(offset) + "). Give UTF-8 text.";
}

// Valid UTF-8 in NFC: the text as given when it already is, else its NFC.
// Throws ArgumentError on invalid UTF-8.
std::string checked_nfc(std::string_view text, const std::string& where) {
  bool is_nfc = false;
  const std::int64_t bad = check_utf8_nfc(text, is_nfc);
  if (bad >= 0) throw ArgumentError(invalid_utf8_message(where, bad));
  return is_nfc ? std::string(text) : to_nfc(text);
}

// The FTS5 query for a trigram: a quoted string ("" escapes a quote).
std::string fts_phrase(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

// Counts of trigrams per language, added up in memory while writing and
// flushed into trigram_counts before the transaction commits. Open
// addressing: millions of increments per import must stay cheap.
class CountTable {
 public:
  void add(std::uint64_t key, std::int64_t delta) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    std::size_t i = slot(key);
    while (slots_[i].key != kEmpty && slots_[i].key != key) i = (i + 1) & mask_;
    if (slots_[i].key == kEmpty) {
      slots_[i].key = key;
      ++size_;
    }
    slots_[i].count += delta;
  }
  std::size_t size() const { return size_; }
  std::vector<std::pair<std::uint64_t, std::int64_t>> entries() const {
    std::vector<std::pair<std::uint64_t, std::int64_t>> out;
    out.reserve(size_);
    for (const Slot& s : slots_)
      if (s.key != kEmpty && s.count != 0) out.emplace_back(s.key, s.count);
    std::sort(out.begin(), out.end());  // key order: sequential b-tree writes
    return out;
  }
  void clear() {
    slots_.clear();
    size_ = 0;
    mask_ = 0;
  }

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};  // trigrams use 63 bits
  struct Slot {
    std::uint64_t key = kEmpty;
    std::int64_t count = 0;
  };
  std::size_t slot(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> 20) & mask_;
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 4096 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    size_ = 0;
    for (const Slot& s : old) {
      if (s.key == kEmpty) continue;
      std::size_t j = slot(s.key);
      while (slots_[j].key != kEmpty) j = (j + 1) & mask_;
      slots_[j] = s;
      ++size_;
    }
  }
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  std::size_t mask_ = 0;
};

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

void create_language_index(sql::Connection& db, std::string_view lang) {
  db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS " + schema::trigram_table(lang) +
              " USING fts5(key, content='', tokenize='trigram case_sensitive 1', detail='none', columnsize=0)",
          "creating the trigram index for " + std::string(lang));
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

// A unit ready to be written: checked, in NFC, with its keys, hashes and
// CJK n-grams (Impl::prepare_unit). Buffers are reused from unit to unit.
struct PreparedSegment {
  std::string lang, text, key, ngrams, codes;
  bool has_codes = false;
  std::int64_t key_hash = 0, skeleton_hash = 0;
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

// The thread that runs an import session's inserts while the caller's
// thread reads the input and prepares the next units. The two threads never
// use the connection at the same time: the caller's thread touches it only
// after wait_idle() (or before the first submit()), the writer thread only
// between taking a batch and reporting it done, under the mutex's
// hand-over. The first error stops the writing; submit() and wait_idle()
// rethrow it (the session then rolls back).
class WriterThread {
 public:
  using Batch = std::vector<PreparedUnit>;

  explicit WriterThread(std::function<void(const PreparedUnit&)> write) : write_(std::move(write)) {
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

  // Queues the first `used` units of `batch` (waits while kMaxQueued
  // batches are queued) and returns an empty batch to fill: one the writer
  // has finished, so its buffers are reused.
  Batch submit(Batch batch, std::size_t used) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return error_ || queue_.size() < kMaxQueued; });
    if (error_) std::rethrow_exception(error_);
    queue_.emplace_back(std::move(batch), used);
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
  static constexpr std::size_t kMaxQueued = 4;

  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      changed_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      auto [batch, used] = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      const bool failed = static_cast<bool>(error_);
      lock.unlock();
      std::exception_ptr error;
      if (!failed) {
        try {
          for (std::size_t i = 0; i < used; ++i) write_(batch[i]);
        } catch (...) {
          error = std::current_exception();
        }
      }
      lock.lock();
      if (error) error_ = error;
      busy_ = false;
      done_.push_back(std::move(batch));
      changed_.notify_all();
    }
  }

  std::function<void(const PreparedUnit&)> write_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::pair<Batch, std::size_t>> queue_;
  std::vector<Batch> done_;
  bool busy_ = false;
  bool stop_ = false;
  std::exception_ptr error_;
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
      // {2, "…", migrate_to_v2},  ← the next schema change goes here
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

std::string trigram_table(std::string_view lang) { return "segments_fts_" + std::string(lang); }

}  // namespace schema

// ---- Impl ----

struct TranslationMemory::Impl {
  std::string path;
  OpenOptions options;
  sql::Connection db;
  int schema_version = 0;

  // Statements, prepared once per connection.
  std::unordered_map<std::string, std::unique_ptr<sql::Statement>> statements;

  // Write state: the open write transaction's trigram counts and language
  // indexes known to exist in it.
  bool writing = false;
  bool import_cache = false;  // the cache is enlarged for an import session
  bool bulk = false;          // the FTS5 indexes use bulk settings (import session)
  std::map<std::string, CountTable> pending_counts;
  std::size_t pending_total = 0;
  // The languages written in this transaction, each with its index's
  // insert statement.
  std::map<std::string, sql::Statement*, std::less<>> writers;
  // Reused for every unit.
  std::vector<bool> nfc_flags;
  PreparedUnit single;
  // An import session's units prepared and not yet handed to the writer
  // thread (started once a batch is full).
  std::vector<PreparedUnit> batch;
  std::size_t batch_used = 0;
  std::unique_ptr<WriterThread> writer_thread;

  Impl(std::string p, const OpenOptions& o, sql::Connection connection)
      : path(std::move(p)), options(o), db(std::move(connection)) {}

  sql::Statement& statement(const std::string& sql, std::string_view what = {}) {
    auto& slot = statements[sql];
    if (!slot) slot = std::make_unique<sql::Statement>(db, sql, what);
    return *slot;
  }

  bool has_table(const std::string& name) {
    sql::Statement& s = statement("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1", "reading the schema");
    sql::ResetOnExit reset(s);
    s.bind(1, name);
    return s.step();
  }

  std::vector<std::string> languages() {
    // Distinct languages by index seeks, not a scan of the segments.
    std::vector<std::string> out;
    sql::Statement& s = statement("SELECT min(lang) FROM segments WHERE lang > ?1", "listing languages");
    std::string last;
    for (;;) {
      sql::ResetOnExit reset(s);
      s.bind(1, last);
      if (!s.step() || s.is_null(0)) break;
      last = s.column_string(0);
      out.push_back(last);
    }
    std::sort(out.begin(), out.end(), language_before);
    return out;
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
    if (import_cache) {
      // Back to the normal cache (the pages go; nothing is written).
      try {
        db.exec("PRAGMA cache_size = " + std::to_string(kCacheKib), "setting the cache size");
      } catch (...) {
        // only the memory use differs
      }
      import_cache = false;
    }
    writing = false;
    pending_counts.clear();
    pending_total = 0;
    writers.clear();
    bulk = false;
  }

  // Sets one FTS5 option of an index (stored in the index, so inside the
  // transaction like any write).
  void set_fts_option(const std::string& table, std::string_view option, std::int64_t value) {
    db.exec("INSERT INTO " + table + " (" + table + ", rank) VALUES ('" + std::string(option) + "', " +
                std::to_string(value) + ")",
            "configuring the index " + table);
  }

  // Bulk settings for the indexes an import session writes: a large
  // in-memory hash of pending entries (flushed as one FTS5 segment when
  // full: fewer, larger segments, fewer merges) and no incremental merging
  // (one merge at commit). restore_fts_options() sets the defaults again
  // before the session commits.
  void bulk_fts_options(const std::string& table) {
    set_fts_option(table, "hashsize", kBulkHashBytes);
    set_fts_option(table, "automerge", kBulkAutomerge);
  }

  void restore_fts_options() {
    std::vector<std::string> tables{"segments_cjk"};
    for (const auto& [lang, writer] : writers) tables.push_back(schema::trigram_table(lang));
    for (const std::string& table : tables) {
      set_fts_option(table, "hashsize", kDefaultHashBytes);
      set_fts_option(table, "automerge", kDefaultAutomerge);
    }
  }

  // The statement that adds a segment to its language's trigram index
  // (created when the language is new).
  sql::Statement& language_writer(const std::string& lang) {
    const auto found = writers.find(lang);
    if (found != writers.end()) return *found->second;
    const std::string table = schema::trigram_table(lang);
    if (!has_table(table)) create_language_index(db, lang);
    if (bulk) bulk_fts_options(table);
    sql::Statement* index = &statement("INSERT INTO " + table + " (rowid, key) VALUES (?1, ?2)", "indexing a segment");
    return *writers.emplace(lang, index).first->second;
  }

  // Adds a key's trigrams to the pending counts (flush_counts writes them;
  // callers flush when pending_total exceeds kMaxPendingCounts).
  void count_trigrams(const std::string& lang, std::string_view key, std::int64_t delta) {
    CountTable& table = pending_counts[lang];
    const std::size_t before = table.size();
    fuzzy::for_each_trigram(key, [&](fuzzy::Trigram t) { table.add(t, delta); });
    pending_total += table.size() - before;
  }

  void flush_counts() {
    sql::Statement& upsert = statement(
        "INSERT INTO trigram_counts (lang, trigram, occurrences) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (lang, trigram) DO UPDATE SET occurrences = occurrences + excluded.occurrences",
        "updating trigram counts");
    for (auto& [lang, table] : pending_counts) {
      for (const auto& [trigram, count] : table.entries()) {
        upsert.bind(1, lang).bind(2, static_cast<std::int64_t>(trigram)).bind(3, count);
        upsert.execute();
      }
      table.clear();
    }
    pending_total = 0;
  }

  // Deletes a document's units, their segments and index entries (the
  // document row stays: its id and creation time survive a replace).
  void delete_units(std::int64_t document_id) {
    sql::Statement& rows = statement(
        "SELECT s.id, s.lang, s.key FROM units u JOIN segments s ON s.unit_id = u.id WHERE u.document_id = ?1",
        "reading the stored document");
    sql::ResetOnExit reset(rows);
    rows.bind(1, document_id);
    while (rows.step()) {
      const std::int64_t id = rows.column_int64(0);
      const std::string lang = rows.column_string(1);
      const std::string_view key = rows.column_view(2);
      if (has_table(schema::trigram_table(lang))) {
        sql::Statement& erase = statement("INSERT INTO " + schema::trigram_table(lang) + " (" +
                                              schema::trigram_table(lang) + ", rowid, key) VALUES ('delete', ?1, ?2)",
                                          "removing a segment from the trigram index");
        erase.bind(1, id).bind(2, key);
        erase.execute();
      }
      const std::string ngrams = fuzzy::cjk_ngrams(key);
      if (!ngrams.empty()) {
        sql::Statement& erase = statement(
            "INSERT INTO segments_cjk (segments_cjk, rowid, ngrams) VALUES ('delete', ?1, ?2)",
            "removing a segment from the CJK index");
        erase.bind(1, id).bind(2, ngrams);
        erase.execute();
      }
      count_trigrams(lang, key, -1);
      if (pending_total > kMaxPendingCounts) flush_counts();
    }
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

  // Checks a unit and computes what its rows hold (NFC text, keys,
  // hashes, CJK n-grams), and counts its trigrams. Touches no table: in an
  // import session this runs on the caller's thread while the writer
  // thread runs the inserts. Everything is checked before anything is
  // counted, so a unit that fails leaves nothing behind.
  void prepare_unit(std::int64_t document_id, const std::string& document_key, std::uint32_t position,
                    const StoredUnit& unit, PreparedUnit& out) {
    // The place named in error messages (built only for one).
    const auto where = [&] { return "document " + document_key + ", unit " + std::to_string(position + 1); };
    if (!std::isfinite(unit.confidence) || unit.confidence < 0 || unit.confidence > 1) {
      char value[32];
      std::snprintf(value, sizeof value, "%g", unit.confidence);
      throw ArgumentError(where() + ": confidence " + value + " is outside 0..1");
    }
    if (unit.segments.empty()) throw ArgumentError(where() + ": no text in any language; a unit needs one at least");
    nfc_flags.clear();
    for (const auto& [lang, text] : unit.segments) {
      if (!is_language_code(lang)) check_language(lang, where() + ": language");  // throws
      bool is_nfc = false;
      const std::int64_t bad = check_utf8_nfc(text, is_nfc);
      if (bad >= 0) throw ArgumentError(invalid_utf8_message(where() + ", " + lang, bad));
      nfc_flags.push_back(is_nfc);
    }
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
      if (nfc_flags[nth++])
        segment.text.assign(given);
      else
        segment.text = to_nfc(given);
      segment.key = matching_key_text(segment.text);
      segment.key_hash = fuzzy::text_hash(lang, segment.key);
      segment.skeleton_hash = fuzzy::text_hash(lang, fuzzy::skeleton(segment.key));
      segment.ngrams = fuzzy::cjk_ngrams(segment.key);
      const auto codes = unit.inline_codes.find(lang);
      segment.has_codes = codes != unit.inline_codes.end();
      if (segment.has_codes) segment.codes.assign(codes->second);
      count_trigrams(lang, segment.key, +1);
    }
  }

  // Inserts a prepared unit's rows and index entries.
  void write_prepared(const PreparedUnit& unit) {
    sql::Statement& insert_unit = statement(
        "INSERT INTO units (document_id, position, paragraph_key, confidence, status) VALUES (?1, ?2, ?3, ?4, ?5)",
        "storing a unit");
    insert_unit.bind(1, unit.document_id).bind(2, unit.position).bind(3, unit.paragraph_key);
    insert_unit.bind(4, unit.confidence).bind(5, status_name(unit.status));
    insert_unit.execute();
    const std::int64_t unit_id = db.last_insert_rowid();
    sql::Statement& insert_segment = statement(
        "INSERT INTO segments (unit_id, lang, text, key, key_hash, skeleton_hash, inline_codes) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        "storing a segment");
    for (std::size_t i = 0; i < unit.count; ++i) {
      const PreparedSegment& segment = unit.segments[i];
      // The bound texts outlive each execute(): no copies.
      insert_segment.bind(1, unit_id).bind_static(2, segment.lang).bind_static(3, segment.text);
      insert_segment.bind_static(4, segment.key).bind(5, segment.key_hash).bind(6, segment.skeleton_hash);
      if (segment.has_codes)
        insert_segment.bind_static(7, segment.codes);
      else
        insert_segment.bind_null(7);
      insert_segment.execute();
      const std::int64_t segment_id = db.last_insert_rowid();
      sql::Statement& index = language_writer(segment.lang);
      index.bind(1, segment_id).bind_static(2, segment.key);
      index.execute();
      if (!segment.ngrams.empty()) {
        sql::Statement& cjk = statement("INSERT INTO segments_cjk (rowid, ngrams) VALUES (?1, ?2)",
                                        "indexing a segment's CJK characters");
        cjk.bind(1, segment_id).bind_static(2, segment.ngrams);
        cjk.execute();
      }
    }
  }

  // store_document and a session's first units: prepared and written on
  // this thread.
  void write_unit(std::int64_t document_id, const std::string& document_key, std::uint32_t position,
                  const StoredUnit& unit) {
    prepare_unit(document_id, document_key, position, unit, single);
    write_prepared(single);
    if (pending_total > kMaxPendingCounts) flush_counts();
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
    for (std::size_t i = 0; i < n; ++i) write_prepared(batch[i]);
  }

  // Merges every trigram index into one FTS5 segment.
  void optimize_indexes() {
    for (const std::string& lang : languages()) {
      const std::string table = schema::trigram_table(lang);
      if (has_table(table))
        db.exec("INSERT INTO " + table + " (" + table + ") VALUES ('optimize')", "merging the " + lang + " index");
    }
    db.exec("INSERT INTO segments_cjk (segments_cjk) VALUES ('optimize')", "merging the CJK index");
  }

  // ---- reading ----

  std::int64_t trigram_occurrences(const std::string& lang, fuzzy::Trigram trigram) {
    sql::Statement& s = statement("SELECT occurrences FROM trigram_counts WHERE lang = ?1 AND trigram = ?2",
                                  "reading trigram counts");
    sql::ResetOnExit reset(s);
    s.bind(1, lang).bind(2, static_cast<std::int64_t>(trigram));
    return s.step() ? s.column_int64(0) : 0;
  }

  // The query's distinct trigrams with their counts, rarest first; a count
  // of 0 means no stored segment has it.
  std::vector<std::pair<std::int64_t, fuzzy::Trigram>> rated_trigrams(const std::string& lang, std::string_view key) {
    std::vector<fuzzy::Trigram> trigrams;
    fuzzy::for_each_trigram(key, [&](fuzzy::Trigram t) { trigrams.push_back(t); });
    std::sort(trigrams.begin(), trigrams.end());
    trigrams.erase(std::unique(trigrams.begin(), trigrams.end()), trigrams.end());
    std::vector<std::pair<std::int64_t, fuzzy::Trigram>> rated;
    rated.reserve(trigrams.size());
    for (fuzzy::Trigram t : trigrams) rated.emplace_back(trigram_occurrences(lang, t), t);
    std::sort(rated.begin(), rated.end());
    return rated;
  }

  // Segment ids of the fuzzy candidates. The query's distinct trigrams are
  // cut into up to kMaxRegions stretches. Features are FTS5 queries read up
  // to kFeatureRows rows each: a trigram rare enough on its own, and pairs
  // of distant stretches (the AND of each one's rarest trigram; FTS5
  // intersects long posting lists by skipping, and few segments share two
  // distant stretches of a sentence unless they share most of it). The
  // pairs form a ring over the stretches, so some survive a few edits
  // anywhere in the query; short queries also get one feature per stretch.
  // Candidates are the segments with the highest sum of feature weights
  // (rarer features weigh more): a segment that shares only one stretch (a
  // name, a stock phrase) cannot crowd out one that shares the whole
  // sentence, and no long posting list is read in full.
  std::vector<std::int64_t> fuzzy_candidates(const std::string& lang, std::string_view key) {
    const std::string table = schema::trigram_table(lang);
    if (!has_table(table)) return {};
    std::vector<fuzzy::Trigram> order;  // distinct trigrams, by first position
    {
      std::unordered_set<fuzzy::Trigram> seen;
      fuzzy::for_each_trigram(key, [&](fuzzy::Trigram t) {
        if (seen.insert(t).second) order.push_back(t);
      });
    }
    if (order.empty()) return {};
    const std::size_t regions = std::clamp<std::size_t>(order.size() / kTrigramsPerRegion, 1, kMaxRegions);
    std::vector<std::vector<std::pair<std::int64_t, fuzzy::Trigram>>> by_region(regions);
    for (std::size_t i = 0; i < order.size(); ++i) {
      const std::int64_t count = trigram_occurrences(lang, order[i]);
      if (count > 0) by_region[i * regions / order.size()].emplace_back(count, order[i]);
    }
    // The regions that exist in the TM, each with its trigrams rarest first.
    std::vector<std::vector<std::pair<std::int64_t, fuzzy::Trigram>>> present;
    for (auto& region : by_region) {
      if (region.empty()) continue;  // a stretch no stored segment has
      std::sort(region.begin(), region.end());
      present.push_back(std::move(region));
    }
    if (present.empty()) return {};
    std::vector<std::string> features;
    // Rare trigrams alone (names, numbers, rare words): cheap and telling.
    std::int64_t single_budget = kSingleBudget;
    for (const auto& region : present) {
      for (std::size_t i = 0; i < region.size() && i < 2; ++i) {
        if (region[i].first > kSingleCap || region[i].first > single_budget) break;
        single_budget -= region[i].first;
        features.push_back(fts_phrase(fuzzy::trigram_text(region[i].second)));
      }
    }
    const std::size_t n = present.size();
    if (n <= 3) {
      // Few stretches: each one's two rarest trigrams.
      for (const auto& region : present) {
        std::string query = fts_phrase(fuzzy::trigram_text(region[0].second));
        if (region.size() > 1) query += " AND " + fts_phrase(fuzzy::trigram_text(region[1].second));
        features.push_back(std::move(query));
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
    const auto representative = [&](std::size_t region) {
      return fts_phrase(fuzzy::trigram_text(present[region].front().second));
    };
    for (const auto& [i, j] : pairs) features.push_back(representative(i) + " AND " + representative(j));
    sql::Statement& rows =
        statement("SELECT rowid FROM " + table + " WHERE " + table + " MATCH ?1 LIMIT ?2", "reading the trigram index");
    // Each segment scores the weights of its features: a feature that few
    // segments have says more than one that many have (a stock phrase, read
    // only up to kFeatureRows).
    std::vector<std::pair<std::int64_t, double>> hits;  // (segment id, weight)
    for (const std::string& feature : features) {
      sql::ResetOnExit reset(rows);
      rows.bind(1, feature).bind(2, kFeatureRows);
      const std::size_t first = hits.size();
      while (rows.step()) hits.emplace_back(rows.column_int64(0), 0.0);
      // A feature cut off at kFeatureRows holds the oldest segments that have
      // it, not the best: it weighs next to nothing, or the same old
      // segments would add up across such features.
      const auto rows_read = static_cast<std::int64_t>(hits.size() - first);
      const double weight = rows_read >= kFeatureRows
                                ? kTruncatedWeight
                                : 1.0 + std::log2(static_cast<double>(kFeatureRows) /
                                                  static_cast<double>(std::max<std::int64_t>(1, rows_read)));
      for (std::size_t i = first; i < hits.size(); ++i) hits[i].second = weight;
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
    const auto better = [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; };
    if (counted.size() > kMaxFuzzyCandidates) {
      std::nth_element(counted.begin(), counted.begin() + kMaxFuzzyCandidates, counted.end(), better);
      counted.resize(kMaxFuzzyCandidates);
    }
    std::sort(counted.begin(), counted.end(), better);
    std::vector<std::int64_t> out;
    out.reserve(counted.size());
    for (const auto& c : counted) out.push_back(c.second);
    return out;
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
    if (version < schema::kVersion)
      throw DatabaseError(path, path + ": made by an older untm (schema " + std::to_string(version) +
                                    "): open it once for writing (untm import FILE.tmx --db " + path + ") to upgrade it");
  } else {
    // WAL: readers run beside the writer; NORMAL sync is durable in WAL mode
    // except for the last transactions before a power cut.
    m.db.exec("PRAGMA journal_mode = WAL", "enabling write-ahead logging");
    m.db.exec("PRAGMA synchronous = NORMAL", "setting the sync mode");
    m.db.exec("PRAGMA journal_size_limit = 67108864", "limiting the log size");
    version = schema::migrate(m.db, schema::migrations());
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

TranslationMemory::~TranslationMemory() = default;
TranslationMemory::TranslationMemory(TranslationMemory&&) noexcept = default;
TranslationMemory& TranslationMemory::operator=(TranslationMemory&&) noexcept = default;

const std::string& TranslationMemory::path() const { return impl_->path; }

std::size_t TranslationMemory::store_document(const StoredDocument& doc) {
  Impl& m = *impl_;
  m.begin_write();
  try {
    sql::Transaction transaction(m.db, sql::Transaction::Mode::immediate);
    const std::int64_t id = m.write_header(doc);
    std::uint32_t position = 0;
    for (const StoredUnit& unit : doc.units) m.write_unit(id, doc.key, position++, unit);
    m.flush_counts();
    transaction.commit();
  } catch (...) {
    m.end_write();
    throw;
  }
  m.end_write();
  return doc.units.size();
}

std::optional<StoredDocument> TranslationMemory::document_info(const std::string& key) const {
  Impl& m = *impl_;
  m.settle();  // an open import session's units are visible to this object
  ReadScope scope(m.db);
  sql::Statement& s = m.statement(
      "SELECT id, symbol, title, date, original_lang, aligner_version FROM documents WHERE key = ?1",
      "reading a document");
  StoredDocument doc;
  std::int64_t id = 0;
  {
    sql::ResetOnExit reset(s);
    s.bind(1, key);
    if (!s.step()) return std::nullopt;
    id = s.column_int64(0);
    doc.key = key;
    doc.symbol = s.column_optional(1);
    doc.title = s.column_optional(2);
    doc.date = s.column_optional(3);
    doc.original_lang = s.column_optional(4);
    doc.aligner_version = s.column_string(5);
  }
  sql::Statement& v = m.statement(
      "SELECT lang, file_name, sha256, paragraphs, sentences FROM versions WHERE document_id = ?1",
      "reading a document's versions");
  sql::ResetOnExit reset(v);
  v.bind(1, id);
  while (v.step()) {
    StoredVersion version;
    version.lang = v.column_string(0);
    version.file_name = v.column_string(1);
    version.sha256 = v.column_string(2);
    version.paragraphs = static_cast<std::uint32_t>(v.column_int64(3));
    version.sentences = static_cast<std::uint32_t>(v.column_int64(4));
    doc.versions.push_back(std::move(version));
  }
  std::sort(doc.versions.begin(), doc.versions.end(),
            [](const StoredVersion& a, const StoredVersion& b) { return language_before(a.lang, b.lang); });
  return doc;
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
  bool is_nfc = false;  // the matcher normalizes the query itself: only its UTF-8 is checked here
  if (const std::int64_t bad = check_utf8_nfc(text, is_nfc); bad >= 0)
    throw ArgumentError(invalid_utf8_message("the query", bad));
  const fuzzy::Matcher matcher(options.from, text);
  if (matcher.query_key().text.empty()) throw ArgumentError("empty query: give the text to look up");
  m.settle();  // an open import session's units are visible to this object
  ReadScope scope(m.db);

  std::map<std::int64_t, ScoredSegment> scored;  // by segment id
  const std::string select =
      "SELECT s.id, s.unit_id, s.text, s.key, u.confidence, u.status, u.document_id, u.paragraph_key "
      "FROM segments s JOIN units u ON u.id = s.unit_id ";
  const auto consider = [&](sql::Statement& rows) {
    while (rows.step()) {
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
  const std::int64_t key_hash = fuzzy::text_hash(options.from, key);
  const std::int64_t skeleton_hash = fuzzy::text_hash(options.from, fuzzy::skeleton(key));
  // 1. Exact: same key.
  {
    sql::Statement& rows =
        m.statement(select + "WHERE s.skeleton_hash = ?1 AND s.key_hash = ?2 AND s.lang = ?3 LIMIT ?4", "exact lookup");
    sql::ResetOnExit reset(rows);
    rows.bind(1, skeleton_hash).bind(2, key_hash).bind(3, options.from).bind(4, kMaxHashRows);
    consider(rows);
  }
  // 2. Only numbers, punctuation or case differ: same skeleton.
  if (!enough_at(fuzzy::kExactScore) && options.min_score <= fuzzy::kExactScore - 1) {
    sql::Statement& rows = m.statement(select + "WHERE s.skeleton_hash = ?1 AND s.lang = ?2 LIMIT ?3", "near-exact lookup");
    sql::ResetOnExit reset(rows);
    rows.bind(1, skeleton_hash).bind(2, options.from).bind(3, kMaxHashRows);
    consider(rows);
  }
  // 3. Fuzzy: candidates from the trigram index.
  if (!enough_at(fuzzy::kMinNearExactScore) && options.min_score <= fuzzy::kMaxFuzzyScore) {
    sql::Statement& rows = m.statement(select + "WHERE s.id = ?1", "fuzzy lookup");
    for (std::int64_t id : m.fuzzy_candidates(options.from, key)) {
      if (scored.count(id) != 0) continue;
      sql::ResetOnExit reset(rows);
      rows.bind(1, id);
      consider(rows);
    }
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
  // Reads candidate rowids from a statement and verifies them until `lang`
  // (or, for the all-language CJK index, the search) has enough hits.
  const auto drain = [&](sql::Statement& rows, const std::optional<std::string>& lang) {
    std::size_t checks = 0;
    const auto enough = [&] { return lang ? per_lang[*lang] >= options.limit : found.size() >= options.limit; };
    while (!enough() && checks++ < max_checks && rows.step()) verify(rows.column_int64(0), lang);
  };
  if (length >= 3) {
    // Every trigram of the term (the rarest few suffice to find the
    // candidates; verify() checks the whole term).
    for (const std::string& lang : langs) {
      const std::string table = schema::trigram_table(lang);
      if (!m.has_table(table)) continue;
      const auto rated = m.rated_trigrams(lang, key);
      if (rated.empty() || rated.front().first <= 0) continue;  // a trigram no segment has
      std::string query;
      for (std::size_t i = 0; i < rated.size() && i < kMaxConcordanceTrigrams; ++i) {
        if (!query.empty()) query += " AND ";
        query += fts_phrase(fuzzy::trigram_text(rated[i].second));
      }
      sql::Statement& rows = m.statement("SELECT rowid FROM " + table + " WHERE " + table + " MATCH ?1",
                                         "searching the trigram index");
      sql::ResetOnExit reset(rows);
      rows.bind(1, query);
      drain(rows, lang);
    }
  } else if (const std::string cjk = fuzzy::is_cjk_ngram(key) ? key : fuzzy::first_cjk_char(key); !cjk.empty()) {
    // Chinese and Japanese: 1 and 2 characters from the n-gram index (a CJK
    // character beside punctuation: its unigram, then verified).
    sql::Statement& rows =
        m.statement("SELECT rowid FROM segments_cjk WHERE segments_cjk MATCH ?1", "searching the CJK index");
    sql::ResetOnExit reset(rows);
    rows.bind(1, fts_phrase(cjk));
    drain(rows, options.lang);
  } else if (length == 2) {
    // Two characters of another script: every trigram that starts or ends
    // with them (from trigram_counts), ORed; a key of just these two
    // characters has no trigram and is found by its hash.
    std::size_t i = 0;
    const auto a = static_cast<fuzzy::Trigram>(fuzzy::detail::decode(key, i));
    const auto b = static_cast<fuzzy::Trigram>(fuzzy::detail::decode(key, i));
    const std::int64_t prefix = static_cast<std::int64_t>((a << 42) | (b << 21));
    const std::int64_t suffix = static_cast<std::int64_t>((a << 21) | b);
    sql::Statement& starting = m.statement(
        "SELECT trigram FROM trigram_counts WHERE lang = ?1 AND trigram BETWEEN ?2 AND ?3 AND occurrences > 0",
        "reading trigram counts");
    sql::Statement& ending = m.statement(
        "SELECT trigram FROM trigram_counts WHERE lang = ?1 AND (trigram & 4398046511103) = ?2 AND occurrences > 0",
        "reading trigram counts");
    sql::Statement& exact = m.statement(
        "SELECT id FROM segments WHERE skeleton_hash = ?1 AND key_hash = ?2 AND lang = ?3", "exact key search");
    for (const std::string& lang : langs) {
      {
        sql::ResetOnExit reset(exact);
        exact.bind(1, fuzzy::text_hash(lang, fuzzy::skeleton(key))).bind(2, fuzzy::text_hash(lang, key)).bind(3, lang);
        drain(exact, lang);
      }
      const std::string table = schema::trigram_table(lang);
      if (!m.has_table(table)) continue;
      // Occurrences followed by a character first; those at the very end of
      // a key (key-final trigrams) only when that leaves room.
      for (sql::Statement* list : {&starting, &ending}) {
        if (per_lang[lang] >= options.limit) break;
        std::string query;
        {
          sql::ResetOnExit reset(*list);
          list->bind(1, lang).bind(2, list == &starting ? prefix : suffix);
          if (list == &starting) list->bind(3, prefix | 0x1FFFFF);
          while (list->step()) {
            if (!query.empty()) query += " OR ";
            query += fts_phrase(fuzzy::trigram_text(static_cast<fuzzy::Trigram>(list->column_int64(0))));
          }
        }
        if (query.empty()) continue;
        sql::Statement& rows = m.statement("SELECT rowid FROM " + table + " WHERE " + table + " MATCH ?1",
                                           "searching the trigram index");
        sql::ResetOnExit reset(rows);
        rows.bind(1, query);
        drain(rows, lang);
      }
    }
  } else {
    throw ArgumentError("search term '" + term +
                        "' is one character: it would match too much. Give at least two characters (one is enough "
                        "in Chinese and Japanese).");
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
  sql::Statement& per_lang =
      m.statement("SELECT count(*) FROM segments WHERE lang = ?1", "counting segments");
  for (const std::string& lang : m.languages()) {
    sql::ResetOnExit reset(per_lang);
    per_lang.bind(1, lang);
    const std::size_t n = per_lang.step() ? static_cast<std::size_t>(per_lang.column_int64(0)) : 0;
    stats.segments_per_lang[lang] = n;
    stats.segments += n;
  }
  sql::Statement& low = m.statement("SELECT count(*) FROM units WHERE confidence < ?1", "counting low-confidence units");
  {
    sql::ResetOnExit reset(low);
    low.bind(1, kLowConfidence);
    stats.low_confidence_units = low.step() ? static_cast<std::size_t>(low.column_int64(0)) : 0;
  }
  stats.file_bytes = static_cast<std::uint64_t>(m.db.query_int("PRAGMA page_count", "reading the file size") *
                                                m.db.query_int("PRAGMA page_size", "reading the file size"));
  return stats;
}

void TranslationMemory::for_each_unit(const std::function<void(const UnitRecord&)>& visit,
                                      const std::optional<std::string>& document_key, double min_confidence) const {
  Impl& m = *impl_;
  m.settle();  // an open import session's units are visible to this object
  ScanSettings settings(m.db, m.import_cache ? kImportCacheKib : kCacheKib);
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
    // A bulk import touches index pages all over the file: a large cache
    // keeps them from being spilled to the log and re-read again and again.
    m.db.exec("PRAGMA cache_size = " + std::to_string(kImportCacheKib), "setting the cache size");
    m.import_cache = true;
    state->transaction.emplace(m.db, sql::Transaction::Mode::immediate);
    state->tm = &m;
    m.bulk = true;
    m.bulk_fts_options("segments_cjk");
    state->document_id = m.write_header(header);
    state->document_key = header.key;
    for (const StoredUnit& unit : header.units) m.write_unit(state->document_id, header.key, state->next_position++, unit);
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
  if (m.pending_total > kMaxPendingCounts) {
    m.settle();
    m.flush_counts();
  } else if (m.batch_used == kBatchUnits) {
    // From the first full batch on, a thread runs the inserts.
    if (!m.writer_thread) m.writer_thread = std::make_unique<WriterThread>([&m](const PreparedUnit& u) { m.write_prepared(u); });
    m.batch = m.writer_thread->submit(std::move(m.batch), std::exchange(m.batch_used, 0));
  }
}

std::size_t TranslationMemory::ImportSession::added() const { return state_ ? state_->added : 0; }

void TranslationMemory::ImportSession::commit() {
  if (!state_ || state_->done) throw ArgumentError("import session already committed");
  Impl& m = *state_->tm;
  m.settle();
  m.writer_thread.reset();
  m.flush_counts();
  if (state_->added >= kOptimizeAfterUnits) m.optimize_indexes();
  m.restore_fts_options();
  state_->transaction->commit();
  state_->done = true;
  state_->tm->end_write();
}

}  // namespace untm
