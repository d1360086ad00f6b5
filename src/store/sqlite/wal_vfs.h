#pragma once

#include "common/status.h"

struct sqlite3;

namespace thrad {

// "thrad-wal": an SQLite VFS over the default one ("unix") that writes each transaction's WAL
// frames with one write instead of two per frame.
//
// SQLite writes a WAL frame as two pwrite calls, its 24-byte header and then its page, so a
// commit of 66 pages costs 132 system calls. This VFS gathers the contiguous writes to a WAL
// file in a buffer (up to kWalBufferBytes: 3 calls for those 66 pages) and writes them out
// when it is full and when SQLite
// syncs the WAL at commit, before the commit is published in the wal-index, so no other
// connection can read a frame that is not in the file yet. It also writes them out before any
// read, size query, truncation or close of that WAL, before a write elsewhere in it, and in
// the database file's xShmBarrier (reached at commit even with synchronous=NORMAL; a write
// error there cannot be returned, so the store runs every connection at synchronous=FULL).
// Every other file and every other call goes to the base VFS unchanged.
//
// Deferred commit syncs (DeferWalCommitSync): the sync at commit only writes the buffer, and
// the caller fdatasyncs the WAL itself before it treats the commit as durable (the pipelined
// sync of large batches). Checkpoints are never deferred: connections run with PRAGMA
// checkpoint_fullfsync, so SQLite passes SQLITE_SYNC_FULL for a checkpoint's syncs and
// SQLITE_SYNC_NORMAL for a commit's, and only the latter is deferred.
inline constexpr char kWalVfsName[] = "thrad-wal";
// At most 128 KiB - 1: the unix VFS writes no more than that per call (its seekAndWrite masks
// the length with 0x1ffff), so the buffer is one write; 31 frames of 4 KiB pages.
inline constexpr int kWalBufferBytes = 0x1ffff;

// Registers the VFS `name` over `base` (nullptr: SQLite's default) once per process; later
// calls with a registered name return Ok. Thread-safe.
Status RegisterWalVfs(const char* name = kWalVfsName, const char* base = nullptr);

// Defers (or stops deferring) the commit syncs of db's WAL, as described above. db's main
// database must have been opened through a VFS from RegisterWalVfs.
Status DeferWalCommitSync(sqlite3* db, bool defer);

}  // namespace thrad
