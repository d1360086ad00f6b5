#pragma once

#include <cstddef>
#include <string>

namespace thrad {

// Bytes from OpenSSL's CSPRNG, encoded. Abort the process if the CSPRNG fails: a key or id
// from a broken generator must never be handed out.
std::string RandomHex(size_t bytes);
std::string RandomBase64Url(size_t bytes);  // unpadded
std::string RandomUuidV4();                 // lowercase 8-4-4-4-12

}  // namespace thrad
