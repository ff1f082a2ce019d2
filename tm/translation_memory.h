// The translation memory: one SQLite file (WAL, foreign keys on, schema
// versioned with PRAGMA user_version and migrated forward) holding documents,
// their language versions, multi-language units with provenance, and an
// n-gram index (trigrams of each segment's matching key, and CJK unigrams)
// for candidate retrieval (tm/gram_index.h).
//
// Every change happens in one transaction: a document is stored whole or not
// at all, and re-storing a document key replaces it (re-runs never
// duplicate). SQLite stays private to tm/: no header includes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tm/tm_types.h"

namespace untm {

// A problem with the database file: cannot open, not a TM, newer schema,
// disk full, locked. The message names the file and the fix.
class DatabaseError;  // defined in tm/tm_errors.h

struct OpenOptions {
  bool create = true;      // create the file and schema when missing
  bool read_only = false;  // lookups only (WAL readers run beside a writer)
  // With read_only: a TM of an older schema is upgraded first (opened for
  // writing once, which runs its migrations), instead of refused.
  bool upgrade = false;
  int busy_timeout_ms = 5000;  // how long a writer waits for another writer before "locked"
  // Segments stored outside an import session go into the n-gram index in
  // bulk, once this many have accumulated (until then lookups read them
  // directly): a larger value makes writes cheaper and lookups slower.
  std::size_t index_tail_segments = 4096;
  // For a long-lived writer that stores many documents (a batch): collect
  // the tail's postings in memory as each store_document writes its
  // segments, so that indexing the tail writes them out instead of reading
  // every segment back. They are used only while this object is the TM's
  // only writer (else the tail is read back as without this option).
  bool tail_postings_in_memory = false;
  // For a long-lived writer that commits often (a batch): checkpoint the
  // write-ahead log from a second connection in a thread of its own, so that
  // the writer never waits for the disk's syncs (tm/log_checkpointer.h).
  bool background_checkpoints = false;
  // Postings an import session holds in memory (~1.3 bytes each) before it
  // writes them out as index blocks.
  std::size_t import_postings = std::size_t{1} << 26;
};

struct LookupOptions {
  std::string from;                // language of the query
  std::vector<std::string> to;     // target languages; empty = all others. Given, a hit needs one of them
  int min_score = 70;              // 0..100
  std::size_t limit = 5;
};

// Rejected units never match. Hits rank by score, then confirmed before
// automatic, then confidence, then unit id.
struct LookupHit {
  int score = 0;                   // 100 exact; 95–99 differences only in numbers, punctuation or case; else fuzzy
                                   // (scale: tm/fuzzy_match.h)
  std::string source;              // the stored source segment
  std::map<std::string, std::string> targets;  // lang → text
  std::vector<std::pair<std::string, std::string>> substitutions;  // number differences: (in query, in hit)
  std::string document_key;
  std::optional<std::string> symbol;
  std::optional<std::string> paragraph_key;
  double confidence = 1.0;         // of the unit
  std::int64_t unit_id = 0;
  UnitStatus status = UnitStatus::automatic;  // of the unit
  std::int64_t segment_id = 0;     // the source segment
};

// The term is matched on matching keys (case, digit style, width and Arabic
// marks do not count). It needs two characters at least, except in Chinese
// and Japanese (ArgumentError otherwise).
struct ConcordanceOptions {
  std::optional<std::string> lang;  // search only this language; default all
  std::size_t limit = 50;
};

// One hit per unit (a unit whose segments in several languages hold the
// term is listed once, in its first language in UN order), in unit order;
// rejected units are left out.
struct ConcordanceHit {
  std::string lang;                 // language of the segment that matched
  std::string text;                 // that segment
  std::size_t match_begin = 0;      // byte range of the hit in `text`
  std::size_t match_end = 0;
  std::map<std::string, std::string> others;  // the unit's other languages
  std::string document_key;
  std::optional<std::string> paragraph_key;
  std::int64_t unit_id = 0;
  std::optional<std::string> symbol;  // of the document
  double confidence = 1.0;            // of the unit
  // Every occurrence of the term in `text` (byte ranges; the first is
  // match_begin..match_end).
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
};

struct TmStats {
  std::size_t documents = 0;
  std::size_t units = 0;
  std::size_t segments = 0;
  std::map<std::string, std::size_t> segments_per_lang;
  std::size_t low_confidence_units = 0;  // confidence < 0.5
  // The n-gram index: segments in it, segments stored since the last
  // indexing (read directly by lookups until indexed), and deleted segments
  // whose postings remain until the index is rebuilt.
  std::size_t indexed_segments = 0;
  std::size_t waiting_segments = 0;
  std::size_t stale_segments = 0;
  int schema_version = 0;
  std::uint64_t file_bytes = 0;
};

// Not thread-safe: one object (one SQLite connection) per thread; several
// objects, also in several processes, may use the same file (WAL: readers
// never wait; a second writer waits up to busy_timeout_ms).
class TranslationMemory {
 public:
  // Opens (and, with create, creates or migrates) the TM at `path`.
  explicit TranslationMemory(const std::string& path, const OpenOptions& options = {});

  // Creates a new TM at `path`, which must not exist, and fills it with
  // `fill` (an import): a bulk load without write-ahead log or syncs, about
  // twice as fast. The TM is built beside `path` (PATH.partial) and renamed
  // into place only after `fill` returned and the file is on disk, so an
  // error or a crash leaves no TM at `path`. Throws ArgumentError when
  // `path` exists.
  static void create_in_bulk(const std::string& path, const std::function<void(TranslationMemory&)>& fill,
                             const OpenOptions& options = {});
  ~TranslationMemory();
  TranslationMemory(TranslationMemory&&) noexcept;
  TranslationMemory& operator=(TranslationMemory&&) noexcept;

  const std::string& path() const;

  // Stores one document in one transaction, replacing any document with the
  // same key. Returns the number of units stored.
  std::size_t store_document(const StoredDocument& doc);
  // Does store_document's work on the texts ahead, on any thread (it uses
  // no TM): checks every unit as store_document would (and throws the same
  // ArgumentError), makes each text NFC, and gives every segment its
  // matching key and that key's hashes, which store_document then takes
  // as they are. The batch's aligning threads call it, so that the one
  // thread that writes only writes.
  static void prepare_for_store(StoredDocument& doc);

  // The stored document's versions (to skip unchanged sets in batches).
  std::optional<StoredDocument> document_info(const std::string& key) const;  // units left empty
  // The same for several keys, read in one snapshot (a batch worker asks
  // for the next few sets at once: one snapshot, and one refill of the page
  // cache after the writer's commits, instead of one per set).
  std::vector<std::optional<StoredDocument>> document_infos(std::span<const std::string> keys) const;

  // Every stored document key, sorted (byte order).
  std::vector<std::string> document_keys() const;

  // Indexes the segments stored since the last indexing, in one
  // transaction (a batch calls it at its end, so lookups afterwards read
  // only the index). Returns how many segments it indexed.
  std::size_t update_index();

  // Compares the whole n-gram index and exact-match table with the segments
  // (for tests and diagnosis; reads everything). Returns a summary: "ok"
  // when every indexed segment has exactly its postings and its exact-match
  // row, else what is wrong.
  struct IndexReport {
    std::int64_t indexed = 0, waiting = 0;  // segments in the index, and in the tail
    std::int64_t missing = 0, wrong = 0, stale = 0;
    bool ok() const { return missing == 0 && wrong == 0; }
  };
  IndexReport check_index() const;
  // With OpenOptions::tail_postings_in_memory: how many of the tail's
  // segments have their postings in memory now (0 when none are kept).
  std::size_t tail_segments_in_memory() const;

  std::vector<LookupHit> lookup(const std::string& text, const LookupOptions& options) const;
  std::vector<ConcordanceHit> concordance(const std::string& term, const ConcordanceOptions& options) const;
  TmStats stats() const;

  // The languages that have segments, in UN order (ar zh en fr ru es), then
  // the others alphabetically.
  std::vector<std::string> languages() const;

  // Streams every unit (optionally of one document, at or above a
  // confidence), in document (key) then position order, with flat memory:
  // no sort, and during the scan a small page cache and no memory map (a
  // full scan would otherwise keep the whole file resident).
  void for_each_unit(const std::function<void(const UnitRecord&)>& visit,
                     const std::optional<std::string>& document_key = std::nullopt,
                     double min_confidence = 0.0) const;

  // Bulk import (TMX, merges): units grouped under one document key, stored
  // in one transaction by the caller-visible ImportSession. Like
  // store_document, the header replaces a stored document with the same key
  // (when the session commits); the header's own units, if any, come first.
  // One session at a time per TranslationMemory, which must outlive it;
  // store_document during a session throws ArgumentError, and this object's
  // own reads see the session's uncommitted units (other connections do
  // not). A session uses a larger page cache (1 GiB at most; the normal one
  // in a bulk load) and indexes its segments as it goes (postings in
  // memory, written as blocks every OpenOptions::import_postings and at
  // commit; a session of fewer than index_tail_segments segments leaves
  // them to be indexed later in bulk). From its 257th unit on, a second
  // thread runs the inserts (and hashes the keys) and writes the blocks
  // while add() checks the next units, makes their keys and collects their
  // postings on the caller's thread.
  class ImportSession;
  ImportSession begin_import(const StoredDocument& header);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Adds units to one document inside one transaction; commit() makes them
// visible, the destructor without commit() rolls everything back (so an
// error or a crash mid-import leaves nothing behind).
class TranslationMemory::ImportSession {
 public:
  ~ImportSession();
  ImportSession(ImportSession&&) noexcept;
  ImportSession& operator=(ImportSession&&) = delete;
  // Throws ArgumentError for a unit that cannot be stored (nothing of it is
  // kept; the session goes on), and the writer thread's error (disk full,
  // …) for any later call once it failed (the session can only roll back).
  void add(const StoredUnit& unit);
  std::size_t added() const;
  void commit();

 private:
  friend class TranslationMemory;
  struct State;
  explicit ImportSession(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace untm
