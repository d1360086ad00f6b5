#pragma once

#include <cstddef>
#include <string>

// Transitional: Sha256Hex moved to common/sha256.h; src/auth/api_key.cc (owned by another
// reshape branch) still finds it through this header. Remove once it includes sha256.h.
#include "common/sha256.h"

namespace thrad {

// Bytes from OpenSSL's CSPRNG, encoded. Abort the process if the CSPRNG fails: a key or id
// from a broken generator must never be handed out.
std::string RandomHex(size_t bytes);
std::string RandomBase64Url(size_t bytes);  // unpadded
std::string RandomUuidV4();                 // lowercase 8-4-4-4-12

}  // namespace thrad
