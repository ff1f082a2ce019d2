// Aligning a batch of document sets into one TM.
//
// Worker threads (one per job) take sets in key order, hash their files, skip
// sets the TM already holds with the same file hashes and aligner version,
// and align the rest; one writer (the calling thread) stores each aligned set
// in its own transaction, replacing an older version of the same key. So a
// run killed at any moment leaves only whole documents, and a re-run skips
// what was stored and finishes the rest. At most 8 × jobs aligned sets wait
// for the writer: memory does not grow with the batch. Lookups from other
// connections keep working during a batch (WAL readers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aligner/document_set.h"
#include "batch/shard.h"

namespace untm {

struct BatchOptions {
  std::vector<std::string> roots;  // folders to search (batch/discovery.h)
  std::string db_path;             // created when missing
  unsigned jobs = 0;               // aligning threads; 0 = one per core
  std::vector<std::string> langs;  // only these languages; empty = all found
  std::optional<Shard> shard;      // only the sets of this shard
  DocumentSetOptions align;
  bool force = false;              // re-align unchanged sets too
  // The writer indexes the TM's unindexed tail once it holds this many
  // segments (and at the end). Larger than a single write's default
  // (OpenOptions): each indexing writes a posting row per distinct gram, so
  // fewer, larger ones make the batch 15–20% faster, while lookups running
  // beside it read up to this many segments directly (docs/BENCHMARKS.md).
  std::size_t index_tail_segments = 32768;
};

enum class SetStatus {
  stored,      // new in the TM
  replaced,    // the TM had an older version (other files or aligner)
  unchanged,   // same files and aligner version as stored: skipped
  incomplete,  // fewer than two languages: nothing to align
  failed,      // a file could not be used; the TM keeps what it had
};
std::string_view to_string(SetStatus status);

struct SetVersionReport {
  std::string lang;
  std::string path;
  std::uint64_t bytes = 0;
  std::string detected_lang;  // from the text ("" when it could not be told)
  std::string encoding;
  std::size_t paragraphs = 0;
  std::size_t sentences = 0;
};

struct SetReport {
  std::string key;
  SetStatus status = SetStatus::failed;
  std::vector<SetVersionReport> versions;   // languages found, UN order
  std::vector<std::string> missing_langs;   // of --langs, else of the languages at least half the sets have
  std::size_t units = 0;
  std::size_t low_confidence = 0;           // units under DocumentSetOptions::low_confidence
  double mean_confidence = 0;
  double min_confidence = 0;
  std::vector<std::string> warnings;
  std::string error;                        // failed: why, naming the file and the fix
  std::uint64_t input_bytes = 0;
  double seconds = 0;                       // aligning time (worker)
};

struct BatchProgress {
  std::size_t total = 0;  // sets in this run (after --shard)
  std::size_t done = 0;
  std::size_t failed = 0;
  std::size_t warnings = 0;
  std::size_t units = 0;
  std::uint64_t input_bytes = 0;  // of the sets done
  double elapsed_seconds = 0;
};

struct BatchTotals {
  std::size_t sets = 0;  // in this run (after --shard)
  std::map<SetStatus, std::size_t> by_status;
  std::map<std::string, std::size_t> sets_per_language;  // of the sets aligned or unchanged
  std::size_t units = 0;                                 // stored in this run
  std::size_t low_confidence = 0;
  std::size_t warnings = 0;                              // discovery + sets
  std::uint64_t input_bytes = 0;                         // of every set read (unchanged ones too)
  double seconds = 0;
  unsigned jobs = 0;
  std::size_t count(SetStatus s) const {
    auto it = by_status.find(s);
    return it == by_status.end() ? 0 : it->second;
  }
};

// Told about the run as it goes, always on the thread that called run_batch.
class BatchObserver {
 public:
  virtual ~BatchObserver() = default;
  // After discovery: the sets to do and the discovery warnings.
  virtual void on_start(std::size_t /*sets*/, const std::vector<std::string>& /*warnings*/) {}
  // A set is finished (stored, skipped or failed).
  virtual void on_set(const SetReport& /*report*/, const BatchProgress& /*progress*/) {}
  // About once a second while sets are being aligned.
  virtual void on_tick(const BatchProgress& /*progress*/) {}
};

// Runs the batch. Bad sets are reported (SetStatus::failed) and never stop
// it. Throws InputError for a root that is not a folder, ArgumentError for
// bad options, DatabaseError when the TM cannot be opened or written (the
// sets committed before stay; a re-run continues from there).
BatchTotals run_batch(const BatchOptions& options, BatchObserver& observer);

}  // namespace untm
