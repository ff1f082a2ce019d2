#include "batch/batch_runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <new>
#include <set>
#include <thread>
#include <utility>

#include "aligner/errors.h"
#include "aligner/sha256.h"
#include "aligner/text_reader.h"
#include "batch/bounded_queue.h"
#include "batch/discovery.h"
#include "tm/aligned_document.h"
#include "tm/translation_memory.h"

namespace untm {

std::string_view to_string(SetStatus status) {
  switch (status) {
    case SetStatus::stored: return "stored";
    case SetStatus::replaced: return "replaced";
    case SetStatus::unchanged: return "unchanged";
    case SetStatus::incomplete: return "incomplete";
    case SetStatus::failed: return "failed";
  }
  return "failed";
}

namespace {

using Clock = std::chrono::steady_clock;

// Aligned sets that may wait for the writer, per job, and their input bytes
// in all: enough that the workers go on aligning while the writer indexes
// the tail (~0.3 s for 32,768 segments: 2 per job left both sides idle a
// quarter of the time, 8 made a 1,098-set batch 7% faster, 128 another 3%),
// bounded so that memory never grows with the batch, whatever the sets' sizes.
constexpr std::size_t kQueuedSetsPerJob = 128;
constexpr std::size_t kQueuedInputBytes = std::size_t{16} << 20;
// Sets a worker claims at once, their stored versions read in one snapshot
// (one read of a set's row each took ~100 µs: the writer's commits between
// them emptied the reader's page cache and moved its map of the file).
constexpr std::size_t kSetsPerClaim = 8;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// What the TM holds under a set's key, read before the set is aligned.
struct StoredInfo {
  std::optional<StoredDocument> document;
  std::exception_ptr error;  // reading it failed: rethrown where the set is aligned, which then fails
};

// The stored versions of sets [begin, end), or why they could not be read.
std::vector<StoredInfo> read_stored_infos(const TranslationMemory& tm, const std::vector<DiscoveredSet>& sets,
                                          std::size_t begin, std::size_t end) {
  std::vector<StoredInfo> out(end - begin);
  try {
    std::vector<std::string> keys;
    for (std::size_t i = begin; i < end; ++i) keys.push_back(sets[i].key);
    auto documents = tm.document_infos(keys);
    for (std::size_t i = 0; i < out.size(); ++i) out[i].document = std::move(documents[i]);
  } catch (...) {
    for (auto& info : out) info.error = std::current_exception();
  }
  return out;
}

// What a worker hands the writer: the report, and the document to store
// unless the set was skipped or failed.
struct WorkResult {
  SetReport report;
  std::optional<StoredDocument> document;
};

// What the queue counts against kQueuedInputBytes: a set's input.
struct InputBytes {
  std::size_t operator()(const WorkResult& result) const { return result.report.input_bytes; }
};
using ResultQueue = BoundedQueue<WorkResult, InputBytes>;

// Joins the workers however run_batch leaves (a writer error included).
class WorkerGroup {
 public:
  explicit WorkerGroup(ResultQueue& queue) : queue_(queue) {}
  ~WorkerGroup() {
    queue_.close();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  WorkerGroup(const WorkerGroup&) = delete;
  WorkerGroup& operator=(const WorkerGroup&) = delete;
  template <typename F>
  void start(F&& body) {
    threads_.emplace_back(std::forward<F>(body));
  }

 private:
  ResultQueue& queue_;
  std::vector<std::thread> threads_;
};

std::uint64_t file_size(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw InputError(path, path + ": cannot read the file (" + ec.message() + "). Check the path.");
  return size;
}

class SetWorker {
 public:
  // `prepare`: the worker makes the texts' checks, keys and hashes
  // (TranslationMemory::prepare_for_store), else the writer's store does.
  SetWorker(const BatchOptions& options, const std::vector<std::string>& expected_langs, bool langs_given,
            bool prepare)
      : options_(options), expected_langs_(expected_langs), langs_given_(langs_given), prepare_(prepare) {}

  WorkResult process(const DiscoveredSet& set, const StoredInfo& stored) const {
    const auto start = Clock::now();
    WorkResult result;
    SetReport& report = result.report;
    report.key = set.key;
    for (const auto& f : set.files) report.versions.push_back(SetVersionReport{*f.lang, f.path, 0, "", "", 0, 0});
    for (const auto& lang : expected_langs_) {
      if (std::none_of(set.files.begin(), set.files.end(), [&](const VersionFile& f) { return *f.lang == lang; })) {
        report.missing_langs.push_back(lang);
        report.warnings.push_back("set " + set.key + ": no " + lang + " version (" +
                                  (langs_given_ ? "asked for by --langs" : "most sets in the batch have one") + ")");
      }
    }
    try {
      if (!set.conflicts.empty()) {
        report.status = SetStatus::failed;
        report.error = set.conflicts.front();
        for (std::size_t i = 1; i < set.conflicts.size(); ++i) report.error += " " + set.conflicts[i];
      } else if (set.files.size() < 2) {
        report.status = SetStatus::incomplete;
        for (auto& v : report.versions) report.input_bytes += v.bytes = file_size(v.path);
        report.warnings.push_back("set " + set.key + ": only " + (set.files.empty() ? "no" : *set.files.front().lang) +
                                  " found; a set needs two language versions to be aligned");
      } else {
        align(set, stored, result);
      }
    } catch (const Error& e) {
      fail(report, e.what());
    } catch (const std::bad_alloc&) {
      fail(report, "out of memory while aligning this set. Free memory or lower --jobs and run the batch again.");
    } catch (const std::exception& e) {
      fail(report, std::string("internal error: ") + e.what() + ". Please report it with the set's files.");
    }
    report.seconds = seconds_since(start);
    return result;
  }

 private:
  static void fail(SetReport& report, const std::string& message) {
    report.status = SetStatus::failed;
    report.error = message;
  }

  void align(const DiscoveredSet& set, const StoredInfo& info, WorkResult& result) const {
    SetReport& report = result.report;
    std::vector<std::string> hashes;
    std::vector<std::string> contents;  // handed to the aligner: each file is read once
    for (auto& v : report.versions) {
      contents.push_back(read_file_bytes(v.path));
      hashes.push_back(sha256_hex(contents.back()));
      report.input_bytes += v.bytes = contents.back().size();
    }
    if (info.error) std::rethrow_exception(info.error);  // process() reports it as the set's failure
    const std::optional<StoredDocument>& stored = info.document;
    std::vector<StoredVersion> given;
    for (std::size_t i = 0; i < set.files.size(); ++i) given.push_back({*set.files[i].lang, "", hashes[i], 0, 0});
    if (stored && !options_.force && same_source(*stored, kAlignerVersion, given)) {
      report.status = SetStatus::unchanged;
      for (auto& v : report.versions) {
        for (const auto& s : stored->versions) {
          if (s.lang != v.lang) continue;
          v.paragraphs = s.paragraphs;
          v.sentences = s.sentences;
        }
      }
      return;
    }
    DocumentSetInput input{set.key, set.files};
    for (std::size_t i = 0; i < input.files.size(); ++i) {
      input.files[i].bytes = std::move(contents[i]);
      input.files[i].sha256 = hashes[i];
    }
    AlignedDocumentSet aligned = align_document_set(input, options_.align);
    for (std::size_t i = 0; i < aligned.versions.size() && i < report.versions.size(); ++i) {
      const VersionReport& v = aligned.versions[i];
      SetVersionReport& r = report.versions[i];
      r.detected_lang = v.detected_lang;
      r.encoding = v.encoding;
      r.paragraphs = v.paragraphs;
      r.sentences = v.sentences;
    }
    for (const auto& w : aligned.warnings) report.warnings.push_back(w);
    const auto& units = aligned.alignment.units;
    double sum = 0;
    report.min_confidence = units.empty() ? 0 : 1;
    for (const auto& u : units) {
      sum += u.confidence;
      report.min_confidence = std::min(report.min_confidence, u.confidence);
      if (u.low_confidence) ++report.low_confidence;
    }
    report.mean_confidence = units.empty() ? 0 : sum / static_cast<double>(units.size());
    StoredDocument document = to_stored_document(aligned);
    if (prepare_) TranslationMemory::prepare_for_store(document);
    result.document = std::move(document);
    report.units = result.document->units.size();
    report.status = stored ? SetStatus::replaced : SetStatus::stored;
  }

  const BatchOptions& options_;
  const std::vector<std::string>& expected_langs_;
  bool langs_given_;
  bool prepare_;
};

}  // namespace

BatchTotals run_batch(const BatchOptions& options, BatchObserver& observer) {
  const auto start = Clock::now();
  if (options.roots.empty()) throw ArgumentError("untm batch needs at least one folder of document sets.");
  Discovery discovery = discover_document_sets(options.roots, options.langs);
  // A set lacks a language when --langs asks for it, or else when at least
  // half of all the sets found (every shard sees the same) have it: a batch
  // of en/ar/es sets with one zh set does not make every other set lack zh.
  std::vector<std::string> expected_langs = options.langs;
  if (expected_langs.empty()) {
    std::map<std::string, std::size_t> sets_with;
    for (const auto& s : discovery.sets)
      for (const auto& f : s.files) ++sets_with[*f.lang];
    for (const auto& lang : discovery.languages)
      if (2 * sets_with[lang] >= discovery.sets.size()) expected_langs.push_back(lang);
  }
  std::vector<DiscoveredSet> sets;
  for (auto& s : discovery.sets)
    if (!options.shard || in_shard(s.key, *options.shard)) sets.push_back(std::move(s));

  BatchTotals totals;
  totals.sets = sets.size();
  totals.warnings = discovery.warnings.size();
  unsigned jobs = options.jobs != 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(jobs, sets.size())));
  totals.jobs = jobs;

  // The writer's connection creates the TM; each worker reads through its own.
  OpenOptions writer_options;
  writer_options.index_tail_segments = options.index_tail_segments;
  writer_options.tail_postings_in_memory = true;  // the tail is indexed without reading it back
  // With two jobs or more the writer sets the pace: its checkpoints' syncs
  // move to a thread of their own, and the jobs prepare the texts for
  // storing. With one job the job sets it and the writer is idle half the
  // time: the writer prepares the texts, and a checkpoint thread would only
  // take CPU from the job (docs/BENCHMARKS.md).
  const bool writer_sets_pace = jobs >= 2;
  writer_options.background_checkpoints = writer_sets_pace;
  TranslationMemory writer(options.db_path, writer_options);
  std::vector<TranslationMemory> readers;
  for (unsigned i = 0; i < jobs; ++i) readers.emplace_back(options.db_path, OpenOptions{.create = false, .read_only = true});

  observer.on_start(sets.size(), discovery.warnings);
  BatchProgress progress;
  progress.total = sets.size();
  progress.warnings = totals.warnings;

  ResultQueue queue(kQueuedSetsPerJob * static_cast<std::size_t>(jobs), kQueuedInputBytes, jobs);
  const SetWorker worker(options, expected_langs, !options.langs.empty(), writer_sets_pace);
  std::atomic<std::size_t> next{0};
  {
    WorkerGroup group(queue);
    for (unsigned j = 0; j < jobs; ++j) {
      group.start([&, j] {
        for (std::size_t begin; (begin = next.fetch_add(kSetsPerClaim)) < sets.size();) {
          const std::size_t end = std::min(sets.size(), begin + kSetsPerClaim);
          const std::vector<StoredInfo> infos = read_stored_infos(readers[j], sets, begin, end);
          bool open = true;
          for (std::size_t i = begin; open && i < end; ++i) open = queue.push(worker.process(sets[i], infos[i - begin]));
          if (!open) break;
        }
        queue.producer_done();
      });
    }
    WorkResult result;
    for (;;) {
      const auto got = queue.pop(result, std::chrono::milliseconds(1000));
      progress.elapsed_seconds = seconds_since(start);
      if (got == ResultQueue::Pop::finished) break;
      if (got == ResultQueue::Pop::timeout) {
        observer.on_tick(progress);
        continue;
      }
      SetReport& report = result.report;
      if (result.document) {
        try {
          writer.store_document(*result.document);
        } catch (const ArgumentError& e) {
          // The set's own data was refused (store_document checks it): the
          // set fails, the batch goes on. Database errors end the batch.
          report.status = SetStatus::failed;
          report.error = e.what();
        }
      }
      ++totals.by_status[report.status];
      if (report.status == SetStatus::stored || report.status == SetStatus::replaced ||
          report.status == SetStatus::unchanged) {
        for (const auto& v : report.versions) ++totals.sets_per_language[v.lang];
      }
      if (report.status == SetStatus::stored || report.status == SetStatus::replaced) {
        totals.units += report.units;
        totals.low_confidence += report.low_confidence;
      }
      totals.warnings += report.warnings.size();
      totals.input_bytes += report.input_bytes;
      ++progress.done;
      if (report.status == SetStatus::failed) ++progress.failed;
      progress.warnings += report.warnings.size();
      progress.units = totals.units;
      progress.input_bytes = totals.input_bytes;
      progress.elapsed_seconds = seconds_since(start);
      observer.on_set(report, progress);
      result = WorkResult{};
    }
  }
  // The sets stored since the TM was last indexed go into its n-gram index
  // now (the writes index them only in bulk), so lookups after the batch
  // read only the index.
  writer.update_index();
  totals.seconds = seconds_since(start);
  return totals;
}

}  // namespace untm
