#include "store/sqlite/sqlite_checkpointer.h"

#include <pthread.h>
#include <sqlite3.h>

#include <utility>

namespace thrad {

SqliteCheckpointer::SqliteCheckpointer(sqlite3* writer, std::unique_ptr<SqliteDb> conn)
    : writer_(writer), conn_(std::move(conn)) {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "thrad-ckpt");  // for top -H, perf and /proc
    Run();
  });
  sqlite3_wal_hook(writer_, &SqliteCheckpointer::OnCommit, this);
}

SqliteCheckpointer::~SqliteCheckpointer() {
  sqlite3_wal_autocheckpoint(writer_, kCheckpointPages);  // removes our hook
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

uint64_t SqliteCheckpointer::checkpoints() const {
  std::lock_guard lock(mu_);
  return done_;
}

int SqliteCheckpointer::OnCommit(void* arg, sqlite3* db, const char* schema, int wal_pages) {
  auto* self = static_cast<SqliteCheckpointer*>(arg);
  if (wal_pages < self->last_wal_pages_) self->next_checkpoint_at_ = kCheckpointPages;  // restarted
  self->last_wal_pages_ = wal_pages;
  if (wal_pages >= kWriterCheckpointPages) {
    // Far behind (a long reader, a slow disk): checkpoint here, as SQLite would by itself.
    // SQLITE_BUSY (the background thread is at it) is fine.
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
  }
  if (wal_pages >= self->next_checkpoint_at_) {
    self->next_checkpoint_at_ = wal_pages + kCheckpointPages;
    {
      std::lock_guard lock(self->mu_);
      self->wanted_ = true;
    }
    self->cv_.notify_one();
  }
  return SQLITE_OK;  // the commit itself succeeded whatever happens here
}

void SqliteCheckpointer::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return wanted_ || stopping_; });
    if (stopping_) return;
    wanted_ = false;
    lock.unlock();
    // PASSIVE: copies what it can without waiting for readers or the writer. Errors (busy,
    // I/O) are left to the next attempt; the WAL keeps every committed page meanwhile.
    sqlite3_wal_checkpoint_v2(conn_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
    ++done_;
  }
}

}  // namespace thrad
