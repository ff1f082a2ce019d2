// Checkpoints a writer's write-ahead log from a second connection in a
// thread of its own (inside tm/; not part of the public API).
//
// A checkpoint copies the log's pages into the database file and syncs both:
// run by the writer at its commits (SQLite's automatic checkpoints), every
// such sync made a batch's writer wait for the disk (docs/BENCHMARKS.md,
// "Batch throughput"). Here the writer's commits only wake the thread, which
// runs PASSIVE checkpoints: they never block the writer, nor readers.
//
// A log the thread has not fully copied is not restarted, so under a steady
// stream of commits it would only grow: past Limits::forced_frames the writer
// waits for the thread's pass and copies the rest itself at its commit (a
// few frames), and its next transaction writes the log from its start.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "tm/sqlite_handle.h"

namespace untm {

class LogCheckpointer {
 public:
  struct Limits {
    // Log frames (pages) not yet copied that wake the thread: SQLite's
    // automatic checkpoint threshold.
    int wake_frames = 1000;
    // Log frames past which the writer checkpoints (and restarts the log)
    // itself: 64 MiB of 16 KiB pages, the TM's journal_size_limit.
    int forced_frames = 4096;
  };

  // Takes over `writer`'s checkpoints (its automatic ones stop) and opens a
  // second connection to `path`. Throws DatabaseError when it cannot.
  LogCheckpointer(const std::string& path, sql::Connection& writer, Limits limits);
  LogCheckpointer(const std::string& path, sql::Connection& writer) : LogCheckpointer(path, writer, Limits{}) {}
  // Stops and joins the thread; the log is left to the writer (SQLite
  // checkpoints it when the last connection closes).
  ~LogCheckpointer();
  LogCheckpointer(const LogCheckpointer&) = delete;
  LogCheckpointer& operator=(const LogCheckpointer&) = delete;

  // Checkpoints the thread ran to their end, and the writer's forced ones
  // (for tests and diagnosis).
  std::int64_t background_checkpoints() const;
  std::int64_t forced_checkpoints() const;

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int frames);
  void run();

  sql::Connection& writer_;
  const Limits limits_;
  sql::Connection connection_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;  // the thread: a checkpoint is asked for
  std::condition_variable idle_;  // the writer: the thread's checkpoint is done
  bool requested_ = false;
  bool checkpointing_ = false;  // a checkpoint runs (the thread's or the writer's)
  bool stop_ = false;
  int copied_ = 0;       // frames of the log the thread's last checkpoint had copied
  int last_frames_ = 0;  // the log's size at the previous commit (smaller now: it restarted)
  int forced_at_;
  std::int64_t background_ = 0, forced_ = 0;
  std::thread thread_;
};

}  // namespace untm
