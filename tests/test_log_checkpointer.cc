// LogCheckpointer: a writer's log checkpointed from a second connection in
// its own thread (tm/log_checkpointer.h). Small limits so that a few hundred
// commits of 4 KiB pages pass them several times.
#include "tm/log_checkpointer.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>

#include "test_support.h"
#include "tm/sqlite_handle.h"

using namespace untm;
using namespace untm::test;

namespace {

constexpr int kPageBytes = 4096;
constexpr LogCheckpointer::Limits kLimits{.wake_frames = 20, .forced_frames = 100};

void create_table(sql::Connection& db) {
  db.exec("PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
          "CREATE TABLE t (id INTEGER PRIMARY KEY, x BLOB NOT NULL)",
          "test");
}

// Commits one row of 3,000 bytes: a page or two of log each.
void commit_row(sql::Connection& db) { db.exec("INSERT INTO t (x) VALUES (randomblob(3000))", "test"); }

// The log's size in frames, from its file.
std::int64_t log_frames(const std::filesystem::path& db_path) {
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(db_path.string() + "-wal", ec);
  if (ec || bytes < 32) return 0;
  return static_cast<std::int64_t>((bytes - 32) / (kPageBytes + 24));
}

// Frames in the log, as a checkpoint from another connection reports them
// (it also copies what it can).
std::int64_t frames_reported(const std::filesystem::path& db_path) {
  sql::Connection db(db_path.string(), sql::OpenMode::read_write);
  sql::Statement s(db, "PRAGMA wal_checkpoint(PASSIVE)");
  REQUIRE(s.step());
  return s.column_int64(1);
}

std::int64_t rows(const std::filesystem::path& db_path) {
  sql::Connection db(db_path.string(), sql::OpenMode::read_only);
  return db.query_int("SELECT count(*) FROM t", "test");
}

std::int64_t integrity_problems(const std::filesystem::path& db_path) {
  sql::Connection db(db_path.string(), sql::OpenMode::read_only);
  return db.query_int("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'", "test");
}

}  // namespace

TEST_CASE("a background checkpointer keeps the log bounded and loses no commit", "[log_checkpointer]") {
  TempDir dir;
  const auto path = dir / "t.sqlite";
  sql::Connection writer(path.string(), sql::OpenMode::create);
  create_table(writer);
  std::int64_t largest = 0;
  {
    LogCheckpointer checkpointer(path.string(), writer, kLimits);
    for (int k = 0; k < 600; ++k) {
      commit_row(writer);
      largest = std::max(largest, log_frames(path));
    }
    CHECK(checkpointer.background_checkpoints() > 0);
    CHECK(checkpointer.forced_checkpoints() > 0);
  }
  // Without checkpoints the log would hold every page written (over 600);
  // it restarts once past 100 frames (a commit adds a few).
  CHECK(largest >= kLimits.forced_frames);
  CHECK(largest <= kLimits.forced_frames + 10);
  CHECK(rows(path) == 600);
  CHECK(integrity_problems(path) == 0);
}

TEST_CASE("a background checkpointer waits for no reader, and the log restarts after it", "[log_checkpointer]") {
  TempDir dir;
  const auto path = dir / "t.sqlite";
  sql::Connection writer(path.string(), sql::OpenMode::create);
  create_table(writer);
  // A checkpoint that waited for readers (RESTART, FULL) would wait this
  // long for the reader below, then give up busy, and not count.
  writer.exec("PRAGMA busy_timeout = 5000", "test");
  LogCheckpointer checkpointer(path.string(), writer, kLimits);
  for (int k = 0; k < 50; ++k) commit_row(writer);

  // A reader keeps its snapshot (and the log's frames) while the writer
  // goes on: every commit is made, and the writer's own checkpoints, past
  // every 100 frames, run without waiting for the reader.
  sql::Connection reader(path.string(), sql::OpenMode::read_only);
  reader.exec("BEGIN", "test");
  CHECK(reader.query_int("SELECT count(*) FROM t", "test") == 50);
  const std::int64_t forced_before = checkpointer.forced_checkpoints();
  for (int k = 0; k < 300; ++k) commit_row(writer);
  CHECK(checkpointer.forced_checkpoints() >= forced_before + 2);
  CHECK(reader.query_int("SELECT count(*) FROM t", "test") == 50);
  CHECK(log_frames(path) > 300);  // not restarted under the reader
  reader.exec("COMMIT", "test");

  for (int k = 0; k < 300; ++k) commit_row(writer);
  CHECK(frames_reported(path) <= kLimits.forced_frames + 10);  // restarted since
  CHECK(rows(path) == 650);
  CHECK(integrity_problems(path) == 0);
}
