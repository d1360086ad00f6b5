#include "store/sqlite/wal_vfs.h"

#include <sqlite3.h>

#include <cstring>
#include <mutex>
#include <string>

namespace thrad {
namespace {

// A file control of our own (far above SQLite's SQLITE_FCNTL_* codes): *(int*)arg is the
// new deferral flag of the database's WAL commit syncs.
constexpr int kDeferCommitSyncOp = 0x74687201;

// Both wrapped kinds (the main database and its WAL) are this struct, followed in the same
// allocation by the base VFS's own file object. SQLite aligns the allocation to 8 bytes only,
// so no member may need more (the static_assert below keeps the base file aligned too).
struct ShimFile {
  sqlite3_file base;   // pMethods: kDbMethods or kWalMethods
  sqlite3_file* real;  // the base VFS's file, right after this struct
  // Database file: its connection's WAL file while open, and the deferral flag.
  ShimFile* wal;
  bool defer_commit_sync;
  // WAL file: its database file, and the gathered writes [offset, offset + len).
  ShimFile* db;
  char* buf;
  int len;
  sqlite3_int64 offset;
};

static_assert(alignof(ShimFile) <= 8 && sizeof(ShimFile) % 8 == 0);

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->real; }
ShimFile* Shim(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f); }

// Writes the gathered frames with one call. On failure they are dropped: SQLite fails the
// transaction and writes its frames again, at the same offsets, in the next one.
int Flush(ShimFile* wal) {
  if (wal->len == 0) return SQLITE_OK;
  const int n = wal->len;
  wal->len = 0;
  return wal->real->pMethods->xWrite(wal->real, wal->buf, n, wal->offset);
}

// --- Calls forwarded unchanged ------------------------------------------------------------

int FwdLock(sqlite3_file* f, int lock) { return Real(f)->pMethods->xLock(Real(f), lock); }
int FwdUnlock(sqlite3_file* f, int lock) { return Real(f)->pMethods->xUnlock(Real(f), lock); }
int FwdCheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FwdSectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int FwdDeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int FwdShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), page, size, extend, out);
}
int FwdShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
int FwdShmUnmap(sqlite3_file* f, int remove) {
  return Real(f)->pMethods->xShmUnmap(Real(f), remove);
}
int FwdFetch(sqlite3_file* f, sqlite3_int64 offset, int amt, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), offset, amt, out);
}
int FwdUnfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), offset, p);
}
int FwdRead(sqlite3_file* f, void* out, int amt, sqlite3_int64 offset) {
  return Real(f)->pMethods->xRead(Real(f), out, amt, offset);
}
int FwdWrite(sqlite3_file* f, const void* data, int amt, sqlite3_int64 offset) {
  return Real(f)->pMethods->xWrite(Real(f), data, amt, offset);
}
int FwdTruncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int FwdSync(sqlite3_file* f, int flags) { return Real(f)->pMethods->xSync(Real(f), flags); }
int FwdFileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
void FwdShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int FwdFileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}

// --- The database file --------------------------------------------------------------------

int DbClose(sqlite3_file* f) {
  ShimFile* s = Shim(f);
  if (s->wal != nullptr) s->wal->db = nullptr;
  return s->real->pMethods->xClose(s->real);
}

int DbFileControl(sqlite3_file* f, int op, void* arg) {
  if (op == kDeferCommitSyncOp) {
    Shim(f)->defer_commit_sync = *static_cast<int*>(arg) != 0;
    return SQLITE_OK;
  }
  return FwdFileControl(f, op, arg);
}

// SQLite calls this between its two copies of the wal-index header when it publishes a
// commit: the commit's frames must be in the file by then. With synchronous=FULL the sync at
// commit has already written them and this finds nothing to do.
void DbShmBarrier(sqlite3_file* f) {
  ShimFile* s = Shim(f);
  if (s->wal != nullptr) (void)Flush(s->wal);
  FwdShmBarrier(f);
}

const sqlite3_io_methods kDbMethods = {
    3,
    DbClose,
    FwdRead,
    FwdWrite,
    FwdTruncate,
    FwdSync,
    FwdFileSize,
    FwdLock,
    FwdUnlock,
    FwdCheckReservedLock,
    DbFileControl,
    FwdSectorSize,
    FwdDeviceCharacteristics,
    FwdShmMap,
    FwdShmLock,
    DbShmBarrier,
    FwdShmUnmap,
    FwdFetch,
    FwdUnfetch,
};

// --- The WAL file -------------------------------------------------------------------------

int WalClose(sqlite3_file* f) {
  ShimFile* s = Shim(f);
  int rc = Flush(s);
  if (s->db != nullptr) s->db->wal = nullptr;
  sqlite3_free(s->buf);
  s->buf = nullptr;
  const int closed = s->real->pMethods->xClose(s->real);
  return rc != SQLITE_OK ? rc : closed;
}

int WalWrite(sqlite3_file* f, const void* data, int amt, sqlite3_int64 offset) {
  ShimFile* s = Shim(f);
  const bool follows = s->len > 0 && offset == s->offset + s->len;
  if (!follows || s->len + amt > kWalBufferBytes) {
    if (int rc = Flush(s); rc != SQLITE_OK) return rc;
    if (amt > kWalBufferBytes) return FwdWrite(f, data, amt, offset);
    s->offset = offset;
  }
  if (s->buf == nullptr) {
    s->buf = static_cast<char*>(sqlite3_malloc(kWalBufferBytes));
    if (s->buf == nullptr) return FwdWrite(f, data, amt, offset);
  }
  std::memcpy(s->buf + s->len, data, static_cast<size_t>(amt));
  s->len += amt;
  return SQLITE_OK;
}

int WalRead(sqlite3_file* f, void* out, int amt, sqlite3_int64 offset) {
  if (int rc = Flush(Shim(f)); rc != SQLITE_OK) return rc;
  return FwdRead(f, out, amt, offset);
}

int WalTruncate(sqlite3_file* f, sqlite3_int64 size) {
  if (int rc = Flush(Shim(f)); rc != SQLITE_OK) return rc;
  return FwdTruncate(f, size);
}

int WalFileSize(sqlite3_file* f, sqlite3_int64* size) {
  if (int rc = Flush(Shim(f)); rc != SQLITE_OK) return rc;
  return FwdFileSize(f, size);
}

int WalSync(sqlite3_file* f, int flags) {
  ShimFile* s = Shim(f);
  if (int rc = Flush(s); rc != SQLITE_OK) return rc;
  const bool commit_sync = (flags & 0x0f) == SQLITE_SYNC_NORMAL;
  if (commit_sync && s->db != nullptr && s->db->defer_commit_sync) return SQLITE_OK;
  return FwdSync(f, flags);
}

const sqlite3_io_methods kWalMethods = {
    3,
    WalClose,
    WalRead,
    WalWrite,
    WalTruncate,
    WalSync,
    WalFileSize,
    FwdLock,
    FwdUnlock,
    FwdCheckReservedLock,
    FwdFileControl,
    FwdSectorSize,
    FwdDeviceCharacteristics,
    FwdShmMap,
    FwdShmLock,
    FwdShmBarrier,
    FwdShmUnmap,
    FwdFetch,
    FwdUnfetch,
};

// --- The VFS ------------------------------------------------------------------------------

sqlite3_vfs* Base(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out) {
  sqlite3_vfs* base = Base(vfs);
  const bool db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  const bool wal = (flags & SQLITE_OPEN_WAL) != 0;
  // Anything else (journals, temporary files) is the base VFS's file, in our allocation.
  if (!db && !wal) return base->xOpen(base, name, file, flags, out);
  ShimFile* s = Shim(file);
  std::memset(s, 0, sizeof(ShimFile));
  s->real = reinterpret_cast<sqlite3_file*>(s + 1);
  int rc = base->xOpen(base, name, s->real, flags, out);
  if (rc != SQLITE_OK) {
    if (s->real->pMethods != nullptr) s->real->pMethods->xClose(s->real);
    file->pMethods = nullptr;
    return rc;
  }
  if (db) {
    file->pMethods = &kDbMethods;
    return SQLITE_OK;
  }
  file->pMethods = &kWalMethods;
  sqlite3_file* main = sqlite3_database_file_object(name);
  if (main != nullptr && main->pMethods == &kDbMethods) {
    s->db = Shim(main);
    s->db->wal = s;
  }
  return SQLITE_OK;
}

int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return Base(vfs)->xDelete(Base(vfs), name, sync_dir);
}
int Access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return Base(vfs)->xAccess(Base(vfs), name, flags, out);
}
int FullPathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  return Base(vfs)->xFullPathname(Base(vfs), name, n, out);
}
void* DlOpen(sqlite3_vfs* vfs, const char* name) { return Base(vfs)->xDlOpen(Base(vfs), name); }
void DlError(sqlite3_vfs* vfs, int n, char* out) { Base(vfs)->xDlError(Base(vfs), n, out); }
void (*DlSym(sqlite3_vfs* vfs, void* lib, const char* symbol))(void) {
  return Base(vfs)->xDlSym(Base(vfs), lib, symbol);
}
void DlClose(sqlite3_vfs* vfs, void* lib) { Base(vfs)->xDlClose(Base(vfs), lib); }
int Randomness(sqlite3_vfs* vfs, int n, char* out) {
  return Base(vfs)->xRandomness(Base(vfs), n, out);
}
int Sleep(sqlite3_vfs* vfs, int micros) { return Base(vfs)->xSleep(Base(vfs), micros); }
int CurrentTime(sqlite3_vfs* vfs, double* out) { return Base(vfs)->xCurrentTime(Base(vfs), out); }
int GetLastError(sqlite3_vfs* vfs, int n, char* out) {
  return Base(vfs)->xGetLastError(Base(vfs), n, out);
}
int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return Base(vfs)->xCurrentTimeInt64(Base(vfs), out);
}

}  // namespace

Status RegisterWalVfs(const char* name, const char* base_name) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  if (sqlite3_vfs_find(name) != nullptr) return Status::Ok();
  sqlite3_vfs* base = sqlite3_vfs_find(base_name);
  if (base == nullptr) {
    return Status::Internal(std::string("no SQLite VFS named ") +
                            (base_name != nullptr ? base_name : "(default)"));
  }
  if (base->iVersion < 2) return Status::Internal("the base SQLite VFS is older than version 2");
  // Registered for the life of the process (SQLite keeps the pointer): never freed.
  auto* vfs = new sqlite3_vfs{};
  vfs->iVersion = 2;
  vfs->szOsFile = static_cast<int>(sizeof(ShimFile)) + base->szOsFile;
  vfs->mxPathname = base->mxPathname;
  vfs->zName = (new std::string(name))->c_str();
  vfs->pAppData = base;
  vfs->xOpen = Open;
  vfs->xDelete = Delete;
  vfs->xAccess = Access;
  vfs->xFullPathname = FullPathname;
  vfs->xDlOpen = DlOpen;
  vfs->xDlError = DlError;
  vfs->xDlSym = DlSym;
  vfs->xDlClose = DlClose;
  vfs->xRandomness = Randomness;
  vfs->xSleep = Sleep;
  vfs->xCurrentTime = CurrentTime;
  vfs->xGetLastError = GetLastError;
  vfs->xCurrentTimeInt64 = CurrentTimeInt64;
  if (int rc = sqlite3_vfs_register(vfs, /*makeDflt=*/0); rc != SQLITE_OK) {
    return Status::Internal("sqlite3_vfs_register failed: " + std::string(sqlite3_errstr(rc)));
  }
  return Status::Ok();
}

Status DeferWalCommitSync(sqlite3* db, bool defer) {
  int flag = defer ? 1 : 0;
  if (int rc = sqlite3_file_control(db, "main", kDeferCommitSyncOp, &flag); rc != SQLITE_OK) {
    return Status::Internal("the database was not opened through the thrad-wal VFS (" +
                            std::string(sqlite3_errstr(rc)) + ")");
  }
  return Status::Ok();
}

}  // namespace thrad
