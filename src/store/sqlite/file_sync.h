#pragma once

#include <string>

#include "common/status.h"

namespace thrad {

// fsync(2) of `path` opened with `flags` (O_RDONLY for a file, O_RDONLY | O_DIRECTORY for a
// directory); IoError naming the path on failure.
Status SyncPath(const std::string& path, int flags);

// fsync of the directory holding `path` ("." when it has none), so that a file created or
// renamed there survives a crash.
Status SyncDirectoryOf(const std::string& path);

}  // namespace thrad
