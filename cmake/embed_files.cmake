# Writes a C++ source that embeds every file under one directory (web/: tag.js, ptag.js, and
# whatever assets come later), so the one binary serves them and never reads them at run time.
#
#   cmake -DDIR=<directory> -DOUTPUT=<file.cc> -DHEADER=<include path> -DFUNCTION=<C++ name>
#         -P embed_files.cmake
#
# The generated FUNCTION() returns std::span<const EmbeddedFile> (common/embedded_file.h),
# sorted by name: each file's path relative to DIR ("tag.js", "dashboard/app.css"), its bytes
# and the lowercase hex SHA-256 of those bytes. Files whose name starts with a dot are skipped.
# Content is emitted as byte arrays, so any file (text or binary) is safe.
cmake_minimum_required(VERSION 3.25)
include("${CMAKE_CURRENT_LIST_DIR}/embed_common.cmake")

file(GLOB_RECURSE paths LIST_DIRECTORIES false RELATIVE "${DIR}" "${DIR}/*")
list(SORT paths)

set(arrays "")
set(entries "")
set(index 0)
foreach(name IN LISTS paths)
  if(name MATCHES "(^|/)\\.")
    continue()
  endif()
  if(name MATCHES "[\"\\\\]")
    message(FATAL_ERROR "embedded file name with a quote or backslash: ${name}")
  endif()
  file(SHA256 "${DIR}/${name}" digest)
  embed_byte_array(array "${DIR}/${name}" kFile${index})
  string(APPEND arrays "// ${name}\n${array}")
  string(APPEND entries "      {\"${name}\", std::string_view(kFile${index}, sizeof(kFile${index}) - 1),\n"
                        "       \"${digest}\"},\n")
  math(EXPR index "${index} + 1")
endforeach()
if(index EQUAL 0)
  message(FATAL_ERROR "no file to embed under ${DIR}")
endif()

embed_write_source("${OUTPUT}" "${HEADER}" "${FUNCTION}" EmbeddedFile "${arrays}" "${entries}"
                   cmake/embed_files.cmake "${DIR}")
