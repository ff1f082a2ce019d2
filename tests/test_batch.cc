// untm batch: discovery, shards, the runner (incremental, resumable after
// kill -9, lookups while it runs), shards + merge, and the CLI.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "aligner/errors.h"
#include "batch/batch_runner.h"
#include "batch/discovery.h"
#include "batch/shard.h"
#include "tests/test_support.h"
#include "tm/sqlite_handle.h"
#include "tm/tm_merge.h"
#include "tm/translation_memory.h"

using namespace untm;
using untm::test::read_file;
using untm::test::run_untm;
using untm::test::shell_quote;
using untm::test::TempDir;
using untm::test::write_file;
namespace fs = std::filesystem;

namespace {

const fs::path kSeed = untm::test::source_dir() / "corpora" / "libya-contact-group-2011";

// Keys of generated sets: set_000, set_001, …
std::string fmt_key(int i) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "set_%03d", i);
  return buffer;
}

// `count` copies of the seed corpus (en, ar, zh) as folder sets set_000/LANG.txt.
void make_corpus(const fs::path& root, int count, const std::vector<std::string>& langs = {"en", "ar", "zh"}) {
  for (int i = 0; i < count; ++i) {
    const fs::path dir = root / fmt_key(i);
    fs::create_directories(dir);
    for (const auto& lang : langs) fs::copy_file(kSeed / (lang + ".txt"), dir / (lang + ".txt"));
  }
}

struct Recorder : BatchObserver {
  std::vector<SetReport> reports;
  std::vector<std::string> discovery_warnings;
  std::size_t started_with = 0;
  void on_start(std::size_t sets, const std::vector<std::string>& warnings) override {
    started_with = sets;
    discovery_warnings = warnings;
  }
  void on_set(const SetReport& report, const BatchProgress&) override { reports.push_back(report); }
  const SetReport& find(const std::string& key) const {
    for (const auto& r : reports)
      if (r.key == key) return r;
    throw std::runtime_error("no report for " + key);
  }
};

// Every unit as text, in export order: what "the same TM content" means.
std::vector<std::string> tm_content(const std::string& path) {
  TranslationMemory tm(path, OpenOptions{.create = false, .read_only = true});
  std::vector<std::string> out;
  tm.for_each_unit([&](const UnitRecord& u) {
    std::string line = u.document_key + "|" + std::to_string(u.position) + "|" + u.paragraph_key.value_or("-") + "|" +
                       std::to_string(u.confidence);
    for (const auto& [lang, text] : u.segments) line += "|" + lang + "=" + text;
    out.push_back(line);
  });
  for (const auto& key : tm.document_keys()) {
    auto info = tm.document_info(key);
    std::string line = "doc " + key + " " + info->aligner_version;
    for (const auto& v : info->versions)
      line += " " + v.lang + ":" + v.sha256 + ":" + std::to_string(v.paragraphs) + ":" + std::to_string(v.sentences);
    out.push_back(line);
  }
  return out;
}

std::string integrity(const std::string& path) {
  sql::Connection db(path, sql::OpenMode::read_only);
  sql::Statement check(db, "PRAGMA integrity_check");
  std::string result;
  while (check.step()) result += check.column_string(0);
  return result;
}

std::int64_t count_rows(const std::string& path, const std::string& query) {
  sql::Connection db(path, sql::OpenMode::read_only);
  sql::Statement s(db, query);
  REQUIRE(s.step());
  return s.column_int64(0);
}

}  // namespace

TEST_CASE("batch: shards are K/N, fixed and a partition") {
  CHECK(shard_hash("") == 0xcbf29ce484222325ULL);
  CHECK(shard_hash("a") == 0xaf63dc4c8601ec8cULL);  // FNV-1a 64 reference vector
  const Shard s = parse_shard("3/8");
  CHECK(s.index == 3);
  CHECK(s.count == 8);
  for (const char* bad : {"0/4", "5/4", "4", "a/b", "1/0", "/2", "1/", "1/2x", "-1/2"}) {
    CHECK_THROWS_WITH(parse_shard(bad), std::string("--shard ") + bad +
                                            ": give K/N with 1 <= K <= N, e.g. --shard 3/8 for the third of eight "
                                            "shards.");
  }
  std::map<unsigned, int> sizes;
  for (int i = 0; i < 1000; ++i) {
    int owners = 0;
    for (unsigned k = 1; k <= 4; ++k) {
      if (in_shard(fmt_key(i), Shard{k, 4})) {
        ++owners;
        ++sizes[k];
      }
    }
    CHECK(owners == 1);
  }
  for (const auto& [k, n] : sizes) CHECK(n > 200);  // roughly even
}

TEST_CASE("batch: document sets are discovered by file and folder name") {
  TempDir dir;
  const fs::path root = dir / "in";
  for (const char* f : {"S_2011_1.en.txt", "S_2011_1.ar.txt", "S_2011_1_C.txt", "sub/S_2011_2-en.txt",
                        "sub/S_2011_2-S.txt", "docB/en.txt", "docB/fr.txt", "byLang/en/S_3.en.txt",
                        "byLang/ar/S_3_A.txt", "a/S_4.en.txt", "b/S_4.en.txt", ".hidden/S_5.en.txt", "S_6.en.TXT"}) {
    fs::create_directories((root / f).parent_path());
    write_file(root / f, "text\n");
  }
  write_file(root / "README.txt", "notes\n");
  write_file(root / "notes.md", "ignored\n");
  write_file(root / "S_7.en.pdf", "ignored\n");

  const Discovery d = discover_document_sets({root.string()});
  std::vector<std::string> keys;
  for (const auto& s : d.sets) keys.push_back(s.key);
  CHECK(keys == std::vector<std::string>{"S_2011_1", "S_2011_2", "S_3", "S_4", "S_6", "docB"});
  const auto langs_of = [&](const std::string& key) {
    std::vector<std::string> langs;
    for (const auto& s : d.sets)
      if (s.key == key)
        for (const auto& f : s.files) langs.push_back(*f.lang);
    return langs;
  };
  CHECK(langs_of("S_2011_1") == std::vector<std::string>{"ar", "zh", "en"});  // UN order
  CHECK(langs_of("S_2011_2") == std::vector<std::string>{"en", "es"});
  CHECK(langs_of("S_3") == std::vector<std::string>{"ar", "en"});
  CHECK(langs_of("docB") == std::vector<std::string>{"en", "fr"});
  CHECK(langs_of("S_6") == std::vector<std::string>{"en"});
  CHECK(d.languages == std::vector<std::string>{"ar", "zh", "en", "fr", "es"});
  CHECK(d.files == 12);  // 13 named, the hidden one not searched
  REQUIRE(d.warnings.size() == 1);
  CHECK(d.warnings[0] == (root / "README.txt").string() +
                             ": skipped: the name gives no language. Name it KEY.LANG.txt (e.g. S_2011_245.en.txt) "
                             "or put it in a folder as LANG.txt.");
  const auto& s4 = d.sets[3];
  REQUIRE(s4.conflicts.size() == 1);
  CHECK(s4.conflicts[0] == "set S_4: 2 files in en (" + (root / "a/S_4.en.txt").string() + ", " +
                               (root / "b/S_4.en.txt").string() +
                               "). Keys must be unique across the batch: rename or remove all but one.");

  const Discovery only = discover_document_sets({root.string()}, {"en", "ar"});
  CHECK(only.languages == std::vector<std::string>{"ar", "en"});
  CHECK(only.sets.front().files.size() == 2);

  CHECK_THROWS_WITH(discover_document_sets({(root / "S_2011_1.en.txt").string()}),
                    (root / "S_2011_1.en.txt").string() +
                        ": not a folder. Give folders that hold document sets (KEY.LANG.txt files or KEY/LANG.txt).");
}

TEST_CASE("batch: overlapping folders count a file once; links under other names are other sets") {
  TempDir dir;
  const fs::path root = dir / "in";
  fs::create_directories(root / "sub");
  write_file(root / "sub" / "S_1.en.txt", "text\n");
  write_file(root / "sub" / "S_1.fr.txt", "texte\n");
  fs::create_symlink(root / "sub" / "S_1.en.txt", root / "S_2.en.txt");
  fs::create_symlink(root / "sub" / "S_1.fr.txt", root / "S_2.fr.txt");
  const Discovery d = discover_document_sets({root.string(), (root / "sub").string(), (root / "sub" / ".." / "sub").string()});
  REQUIRE(d.sets.size() == 2);
  CHECK(d.sets[0].key == "S_1");
  CHECK(d.sets[1].key == "S_2");
  CHECK(d.files == 4);
  CHECK(d.sets[0].conflicts.empty());
}

TEST_CASE("batch: aligns sets, reports each, skips unchanged ones and replaces changed ones") {
  TempDir dir;
  const fs::path root = dir / "in";
  make_corpus(root, 4);
  fs::create_directories(root / "lonely");
  fs::copy_file(kSeed / "en.txt", root / "lonely" / "en.txt");
  fs::create_directories(root / "broken");
  fs::copy_file(kSeed / "en.txt", root / "broken" / "en.txt");
  write_file(root / "broken" / "ar.txt", std::string("%PDF-1.4\0\x01" "binary", 16));
  fs::create_directories(root / "two");
  fs::copy_file(kSeed / "en.txt", root / "two" / "en.txt");
  fs::copy_file(kSeed / "zh.txt", root / "two" / "zh.txt");

  BatchOptions options;
  options.roots = {root.string()};
  options.db_path = (dir / "tm.sqlite").string();
  options.jobs = 2;
  Recorder first;
  const BatchTotals t = run_batch(options, first);
  CHECK(first.started_with == 7);
  CHECK(t.sets == 7);
  CHECK(t.count(SetStatus::stored) == 5);
  CHECK(t.count(SetStatus::incomplete) == 1);
  CHECK(t.count(SetStatus::failed) == 1);
  CHECK(t.jobs == 2);
  CHECK(t.sets_per_language == std::map<std::string, std::size_t>{{"ar", 4}, {"zh", 5}, {"en", 5}});

  const SetReport& broken = first.find("broken");
  CHECK(broken.status == SetStatus::failed);
  CHECK(broken.error.find((root / "broken" / "ar.txt").string()) != std::string::npos);
  CHECK(broken.missing_langs == std::vector<std::string>{"zh"});
  const SetReport& lonely = first.find("lonely");
  CHECK(lonely.status == SetStatus::incomplete);
  CHECK(lonely.missing_langs == std::vector<std::string>{"ar", "zh"});
  const SetReport& two = first.find("two");
  CHECK(two.missing_langs == std::vector<std::string>{"ar"});
  CHECK(std::find(two.warnings.begin(), two.warnings.end(),
                  "set two: no ar version (most sets in the batch have one)") != two.warnings.end());

  const SetReport& s0 = first.find("set_000");
  CHECK(s0.status == SetStatus::stored);
  CHECK(s0.missing_langs.empty());
  REQUIRE(s0.versions.size() == 3);
  CHECK(s0.versions[0].lang == "ar");
  CHECK(s0.versions[0].bytes == fs::file_size(kSeed / "ar.txt"));
  CHECK(s0.versions[0].detected_lang == "ar");
  CHECK(s0.versions[2].paragraphs > 10);
  CHECK(s0.units > 50);
  CHECK(s0.mean_confidence > 0.8);
  CHECK(s0.min_confidence <= s0.mean_confidence);
  std::size_t units = 0;
  for (const auto& r : first.reports) units += r.units;
  CHECK(t.units == units);
  {
    TranslationMemory tm(options.db_path);
    CHECK(tm.stats().units == units);
    CHECK(tm.stats().documents == 5);
  }

  // Again: nothing changed, nothing aligned.
  Recorder second;
  const BatchTotals t2 = run_batch(options, second);
  CHECK(t2.count(SetStatus::unchanged) == 5);
  CHECK(t2.units == 0);
  // A changed file: that set alone is aligned again and replaces the old one.
  std::ofstream(root / "set_002" / "en.txt", std::ios::app) << "\n42. A paragraph added later.\n";
  Recorder third;
  const BatchTotals t3 = run_batch(options, third);
  CHECK(t3.count(SetStatus::replaced) == 1);
  CHECK(t3.count(SetStatus::unchanged) == 4);
  CHECK(third.find("set_002").status == SetStatus::replaced);
  TranslationMemory tm(options.db_path);
  CHECK(tm.stats().documents == 5);
  CHECK(tm.stats().units == units - s0.units + third.find("set_002").units);
  // --force aligns everything again, still without duplicates.
  options.force = true;
  Recorder fourth;
  CHECK(run_batch(options, fourth).count(SetStatus::replaced) == 5);
  CHECK(tm.stats().documents == 5);
}

TEST_CASE("batch: a file whose text is not in its name's language is named, with the fix (rename it)") {
  TempDir dir;
  const fs::path root = dir / "in";
  // A folder set whose en.txt holds the Arabic text, and a KEY_LANG set whose
  // file named E (English) holds the Chinese one.
  fs::create_directories(root / "folder");
  fs::copy_file(kSeed / "ar.txt", root / "folder" / "en.txt");
  fs::copy_file(kSeed / "zh.txt", root / "folder" / "zh.txt");
  fs::create_directories(root / "files");
  fs::copy_file(kSeed / "zh.txt", root / "files" / "K_E.txt");
  fs::copy_file(kSeed / "ar.txt", root / "files" / "K_A.txt");

  BatchOptions options;
  options.roots = {root.string()};
  options.db_path = (dir / "tm.sqlite").string();
  options.jobs = 1;
  Recorder recorder;
  run_batch(options, recorder);
  const auto has = [](const SetReport& r, const std::string& warning) {
    return std::find(r.warnings.begin(), r.warnings.end(), warning) != r.warnings.end();
  };
  const SetReport& folder = recorder.find("folder");
  CHECK(has(folder, (root / "folder" / "en.txt").string() +
                        ": the file name says en (English) but the text looks Arabic (Arabic script, confidence "
                        "1.00); check that the right file is there, or rename it"));
  const SetReport& files = recorder.find("K");
  CHECK(has(files, (root / "files" / "K_E.txt").string() +
                       ": the file name says en (English) but the text looks Chinese (Han characters, confidence "
                       "1.00); check that the right file is there, or rename it"));
  // The correctly named versions raise nothing.
  const auto contradictions = [](const SetReport& r) {
    return std::count_if(r.warnings.begin(), r.warnings.end(),
                         [](const std::string& w) { return w.find("but the text looks") != std::string::npos; });
  };
  CHECK(contradictions(folder) == 1);
  CHECK(contradictions(files) == 1);
}

TEST_CASE("batch: lookups answer while the batch writes") {
  TempDir dir;
  make_corpus(dir / "in", 6);
  BatchOptions options;
  options.roots = {(dir / "in").string()};
  options.db_path = (dir / "tm.sqlite").string();
  options.jobs = 2;
  // Each stored set holds this sentence once: a reader on its own
  // connection must find one exact match per set committed so far.
  struct LookupWhileWriting : BatchObserver {
    std::string db;
    std::vector<std::pair<std::size_t, std::size_t>> done_and_hits;
    std::vector<std::size_t> concordance_hits;
    void on_set(const SetReport&, const BatchProgress& progress) override {
      TranslationMemory reader(db, OpenOptions{.create = false, .read_only = true});
      LookupOptions lookup;
      lookup.from = "en";
      lookup.min_score = 100;
      lookup.limit = 50;
      done_and_hits.emplace_back(progress.done,
                                 reader.lookup("The African Union participated in the meeting by invitation.", lookup).size());
      ConcordanceOptions concordance;
      concordance.lang = "en";
      concordance.limit = 1000;
      concordance_hits.push_back(reader.concordance("Contact Group", concordance).size());
    }
  } observer;
  observer.db = options.db_path;
  run_batch(options, observer);
  REQUIRE(observer.done_and_hits.size() == 6);
  for (const auto& [done, hits] : observer.done_and_hits) CHECK(hits == done);
  for (std::size_t i = 1; i < observer.concordance_hits.size(); ++i)
    CHECK(observer.concordance_hits[i] == observer.concordance_hits[0] * (i + 1));
  CHECK(observer.concordance_hits[0] > 0);
}

TEST_CASE("batch: shards merged give the same TM as one run; merging again changes nothing") {
  TempDir dir;
  make_corpus(dir / "in", 9);
  std::ofstream(dir / "in" / "set_004" / "en.txt", std::ios::app) << "\n43. One set differs.\n";
  BatchOptions options;
  options.roots = {(dir / "in").string()};
  options.jobs = 2;
  options.db_path = (dir / "single.sqlite").string();
  Recorder single;
  run_batch(options, single);
  {
    // Indexing the tail every few segments during the batch (not only at
    // its end) gives the same TM.
    BatchOptions small_tail = options;
    small_tail.index_tail_segments = 5;
    small_tail.db_path = (dir / "small_tail.sqlite").string();
    Recorder r;
    run_batch(small_tail, r);
    CHECK(tm_content(small_tail.db_path) == tm_content(options.db_path));
    const auto index = TranslationMemory(small_tail.db_path).check_index();
    CHECK(index.ok());
    CHECK(index.waiting == 0);
  }
  {
    // One job (the writer prepares the texts for storing and SQLite
    // checkpoints the log in the writer's thread) gives the same TM as two
    // (the jobs prepare them; a thread of its own checkpoints).
    BatchOptions one_job = options;
    one_job.jobs = 1;
    one_job.db_path = (dir / "one_job.sqlite").string();
    Recorder r;
    CHECK(run_batch(one_job, r).jobs == 1);
    CHECK(tm_content(one_job.db_path) == tm_content(options.db_path));
    const auto index = TranslationMemory(one_job.db_path).check_index();
    CHECK(index.ok());
    CHECK(index.waiting == 0);
    CHECK(integrity(one_job.db_path) == "ok");
  }

  std::size_t sharded_sets = 0;
  for (unsigned k = 1; k <= 3; ++k) {
    options.shard = Shard{k, 3};
    options.db_path = (dir / ("shard" + std::to_string(k) + ".sqlite")).string();
    Recorder r;
    sharded_sets += run_batch(options, r).sets;
  }
  CHECK(sharded_sets == 9);
  TranslationMemory merged((dir / "merged.sqlite").string());
  std::size_t copied = 0;
  for (unsigned k = 1; k <= 3; ++k) copied += merge_tm((dir / ("shard" + std::to_string(k) + ".sqlite")).string(), merged).copied;
  CHECK(copied == 9);
  CHECK(tm_content((dir / "merged.sqlite").string()) == tm_content((dir / "single.sqlite").string()));
  const MergeResult again = merge_tm((dir / "shard1.sqlite").string(), merged);
  CHECK(again.copied == 0);
  CHECK(again.unchanged == again.documents);
  CHECK(tm_content((dir / "merged.sqlite").string()) == tm_content((dir / "single.sqlite").string()));
  // Both TMs fully indexed: the batch and the merge index what they stored.
  const auto merged_index = merged.check_index();
  CHECK(merged_index.ok());
  CHECK(merged_index.waiting == 0);
  const auto single_index = TranslationMemory((dir / "single.sqlite").string()).check_index();
  CHECK(single_index.ok());
  CHECK(single_index.waiting == 0);
  CHECK(single_index.indexed == merged_index.indexed);
}

TEST_CASE("batch: killed with SIGKILL at random moments, re-runs finish with whole documents and no duplicates") {
  TempDir dir;
  constexpr int kSets = 24;
  make_corpus(dir / "in", kSets);
  const std::string db = (dir / "tm.sqlite").string();
  const std::string reference = (dir / "reference.sqlite").string();
  {
    BatchOptions options;
    options.roots = {(dir / "in").string()};
    options.db_path = reference;
    Recorder r;
    run_batch(options, r);
  }
  const auto expected = tm_content(reference);
  const std::int64_t expected_units = count_rows(reference, "SELECT count(*) FROM units");

  // How long a whole run takes here, to spread the kills over it.
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(run_untm("batch " + shell_quote((dir / "in").string()) + " --db " + shell_quote((dir / "timing.sqlite").string()) +
                   " --quiet --jobs 2").exit_code == 0);
  const auto full_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();

  const unsigned seed = std::random_device{}();
  INFO("seed " << seed << ", a full run takes " << full_ms << " ms");
  std::mt19937 rng(seed);
  // Within 80% of a full run, so most kills land mid-run. Every other round
  // runs with --force: it re-aligns and replaces every set, so its kill can
  // hit a replacement too (a resuming round has less and less left to do).
  std::uniform_int_distribution<long> when(0, std::max<long>(full_ms * 4 / 5, 20));
  int killed_mid_run = 0;
  for (int round = 0; round < 12; ++round) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      const int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      execl(UNTM_CLI_PATH, UNTM_CLI_PATH, "batch", (dir / "in").c_str(), "--db", db.c_str(), "--jobs", "2",
            "--quiet", round % 2 == 1 ? "--force" : "--quiet", static_cast<char*>(nullptr));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(when(rng)));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) ++killed_mid_run;
    if (fs::exists(db)) CHECK(integrity(db) == "ok");
  }
  CHECK(killed_mid_run > 0);
  const auto finish = run_untm("batch " + shell_quote((dir / "in").string()) + " --db " + shell_quote(db) + " --quiet");
  CHECK(finish.exit_code == 0);
  CHECK(integrity(db) == "ok");
  CHECK(count_rows(db, "SELECT count(*) FROM documents") == kSets);
  CHECK(count_rows(db, "SELECT count(*) FROM units") == expected_units);
  CHECK(count_rows(db, "SELECT count(*) FROM (SELECT document_id, position FROM units GROUP BY 1, 2 HAVING count(*) > 1)") == 0);
  CHECK(tm_content(db) == expected);
  // The n-gram index holds exactly the stored segments' grams (postings of
  // replaced sets may linger as stale ones until a rebuild), and the batch
  // indexed everything at its end.
  const auto index = TranslationMemory(db, OpenOptions{.create = false, .read_only = true}).check_index();
  CHECK(index.ok());
  CHECK(index.waiting == 0);
  CHECK(index.indexed == count_rows(db, "SELECT count(*) FROM segments"));
}

TEST_CASE("untm batch and untm merge: JSON of folder and file names that are not UTF-8") {
  TempDir dir;
  const fs::path in = dir / "caf\xe9";  // Latin-1 "café": a name in another encoding
  make_corpus(in, 1);
  const std::string db = (dir / "tm\xe9.sqlite").string();
  const std::string report = (dir / "report.json").string();
  auto r = run_untm("batch " + shell_quote(in.string()) + " --db " + shell_quote(db) + " --quiet --json --report " +
                    shell_quote(report));
  CHECK(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out)["stored"] == 1);
  const auto j = nlohmann::json::parse(read_file(report));
  CHECK(j["roots"][0].get<std::string>().find("caf\xef\xbf\xbd") != std::string::npos);  // U+FFFD
  CHECK(j["sets"].size() == 1);
  r = run_untm("merge " + shell_quote(db) + " --into " + shell_quote((dir / "all.sqlite").string()) + " --json");
  CHECK(r.exit_code == 0);
  const auto merged = nlohmann::json::parse(r.out);
  CHECK(merged[0]["copied"] == 1);
  CHECK(merged[0]["source"].get<std::string>().find("tm\xef\xbf\xbd.sqlite") != std::string::npos);
}

TEST_CASE("untm batch and untm merge: summary, JSON report, exit codes") {
  TempDir dir;
  const fs::path in = dir / "in";
  make_corpus(in, 3);
  fs::create_directories(in / "broken");
  fs::copy_file(kSeed / "en.txt", in / "broken" / "en.txt");
  write_file(in / "broken" / "zh.txt", std::string("\xff\xfe\x00", 3));
  const std::string db = (dir / "tm.sqlite").string();
  const std::string report = (dir / "report.json").string();

  auto r = run_untm("batch " + shell_quote(in.string()) + " --db " + shell_quote(db) + " --jobs 2 --report " +
                    shell_quote(report));
  CHECK(r.exit_code == 5);  // one set failed
  CHECK(r.out.find("sets        4 (stored 3, replaced 0, unchanged 0, incomplete 0, failed 1)\n") == 0);
  CHECK(r.out.find("languages   ar 3, zh 3, en 3 (sets per language)\n") != std::string::npos);
  CHECK(r.err.find("untm: batch: 4 document sets to do\n") != std::string::npos);  // not a terminal: plain lines
  CHECK(r.err.find("untm: error: set broken: ") != std::string::npos);
  const auto j = nlohmann::json::parse(read_file(report));
  CHECK(j["aligner_version"] == "untm-align 1");
  REQUIRE(j["sets"].size() == 4);
  std::set<std::string> statuses;
  for (const auto& s : j["sets"]) {
    statuses.insert(s["status"].get<std::string>());
    if (s["key"] == "set_001") {
      CHECK(s["languages"] == nlohmann::json::array({"ar", "zh", "en"}));
      CHECK(s["units"].get<int>() > 50);
      CHECK(s["confidence"]["mean"].get<double>() > 0.8);
      CHECK(s["versions"][2]["file"] == (in / "set_001" / "en.txt").string());
    }
    if (s["key"] == "broken") CHECK(s["error"].get<std::string>().find("zh.txt") != std::string::npos);
  }
  CHECK(statuses == std::set<std::string>{"stored", "failed"});
  CHECK(j["summary"]["stored"] == 3);
  CHECK(j["summary"]["failed"] == 1);
  CHECK(!fs::exists(report + ".partial"));

  fs::remove_all(in / "broken");
  r = run_untm("batch " + shell_quote(in.string()) + " --db " + shell_quote(db) + " --json");
  CHECK(r.exit_code == 0);
  const auto summary = nlohmann::json::parse(r.out);
  CHECK(summary["unchanged"] == 3);
  CHECK(summary["sets"] == 3);

  r = run_untm("batch " + shell_quote(in.string()) + " --db " + shell_quote(db) + " --shard 4/3");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "untm: error: --shard 4/3: give K/N with 1 <= K <= N, e.g. --shard 3/8 for the third of eight "
                 "shards.\n");
  r = run_untm("batch " + shell_quote((dir / "nowhere").string()) + " --db " + shell_quote(db));
  CHECK(r.exit_code == 3);
  CHECK(r.err == "untm: error: " + (dir / "nowhere").string() +
                     ": not a folder. Give folders that hold document sets (KEY.LANG.txt files or KEY/LANG.txt).\n");

  fs::create_directories(dir / "empty");
  r = run_untm("batch " + shell_quote((dir / "empty").string()) + " --db " + shell_quote(db) + " --quiet");
  CHECK(r.exit_code == 0);
  CHECK(r.err == "untm: warning: no document sets found. untm batch looks for KEY.LANG.txt, KEY_LANG.txt, "
                 "KEY-LANG.txt and KEY/LANG.txt files.\n");

  const std::string merged = (dir / "merged.sqlite").string();
  r = run_untm("merge " + shell_quote(db) + " --into " + shell_quote(merged));
  CHECK(r.exit_code == 0);
  CHECK(r.out == db + ": 3 documents: 3 copied (" + std::to_string(TranslationMemory(db).stats().units) +
                     " units), 0 already in " + merged + "\n");
  r = run_untm("merge " + shell_quote(merged) + " --into " + shell_quote(merged));
  CHECK(r.exit_code == 2);
  CHECK(r.err == "untm: error: " + merged + ": this is the TM being merged into. Give the shard TMs and a different "
                                            "--into.\n");
}
