#pragma once

#include <string_view>

namespace thrad {

// A file compiled into the binary at build time (cmake/embed_files.cmake). Every view points
// into static storage: valid for the life of the process.
struct EmbeddedFile {
  std::string_view name;        // path relative to the embedded directory: "tag.js"
  std::string_view content;     // the file's bytes
  std::string_view sha256_hex;  // lowercase hex SHA-256 of `content`
};

}  // namespace thrad
