#include "tm/log_checkpointer.h"

#include <sqlite3.h>

namespace untm {

LogCheckpointer::LogCheckpointer(const std::string& path, sql::Connection& writer, Limits limits)
    : writer_(writer), limits_(limits), connection_(path, sql::OpenMode::read_write), forced_at_(limits.forced_frames) {
  // Each connection syncs its own checkpoints: as the writer's would have.
  connection_.exec("PRAGMA synchronous = NORMAL", "setting the checkpointer's sync mode");
  connection_.exec("PRAGMA mmap_size = 0", "setting the checkpointer's reads");
  thread_ = std::thread([this] { run(); });
  // Replaces the writer's automatic checkpoints (sqlite3_wal_autocheckpoint
  // is this same hook); last, so that nothing here throws after it.
  sqlite3_wal_hook(writer_.handle(), &LogCheckpointer::on_commit, this);
}

LogCheckpointer::~LogCheckpointer() {
  sqlite3_wal_hook(writer_.handle(), nullptr, nullptr);
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

std::int64_t LogCheckpointer::background_checkpoints() const {
  std::lock_guard lock(mutex_);
  return background_;
}

std::int64_t LogCheckpointer::forced_checkpoints() const {
  std::lock_guard lock(mutex_);
  return forced_;
}

// In the writer's thread, after each commit, with the log's size in frames.
int LogCheckpointer::on_commit(void* self, sqlite3* db, const char* schema, int frames) {
  auto& me = *static_cast<LogCheckpointer*>(self);
  std::unique_lock lock(me.mutex_);
  if (frames < me.last_frames_) {  // the log restarted
    me.forced_at_ = me.limits_.forced_frames;
    me.copied_ = 0;
  }
  me.last_frames_ = frames;
  if (frames >= me.forced_at_) {
    // After the thread's pass, a PASSIVE checkpoint here copies the few
    // frames committed since; the next write transaction then starts the
    // log over, unless a reader still reads from it (then this is tried
    // again after as many frames more). Waits for no reader.
    me.forced_at_ = frames + me.limits_.forced_frames;
    me.idle_.wait(lock, [&] { return !me.checkpointing_; });
    me.checkpointing_ = true;  // the thread waits for this one
    me.requested_ = false;     // which copies what it was asked for
    lock.unlock();
    int log_frames = 0, copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied);
    lock.lock();
    me.checkpointing_ = false;
    if (rc == SQLITE_OK) {
      ++me.forced_;
      me.copied_ = copied;
    }
    return SQLITE_OK;  // the commit is done either way: a failed checkpoint only leaves the log longer
  }
  if (!me.requested_ && frames - me.copied_ >= me.limits_.wake_frames) {
    me.requested_ = true;
    lock.unlock();
    me.wake_.notify_one();
  }
  return SQLITE_OK;
}

void LogCheckpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || (requested_ && !checkpointing_); });
    if (stop_) return;
    requested_ = false;
    checkpointing_ = true;
    lock.unlock();
    // PASSIVE: copies what no reader still needs, waits for nobody. A
    // failure is left for the next request: checkpoints are never needed
    // for correctness.
    int log_frames = 0, copied = 0;
    const int rc =
        sqlite3_wal_checkpoint_v2(connection_.handle(), "main", SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied);
    lock.lock();
    checkpointing_ = false;
    if (rc == SQLITE_OK) {
      ++background_;
      copied_ = copied;
    }
    idle_.notify_all();
  }
}

}  // namespace untm
