# Writes a C++ source that embeds every migration of one backend, so the one binary carries
# its schema and never reads SQL files at run time.
#
#   cmake -DSQL_DIR=<dir of NNN_name.sql> -DOUTPUT=<file.cc> -DHEADER=<include path>
#         -DFUNCTION=<C++ function name> -P embed_sql.cmake
#
# The generated FUNCTION() returns std::span<const SqlMigration>, ascending by version (the
# numeric prefix of the file name). Content is emitted as byte arrays, so any SQL is safe.
cmake_minimum_required(VERSION 3.25)
include("${CMAKE_CURRENT_LIST_DIR}/embed_common.cmake")

file(GLOB sql_files LIST_DIRECTORIES false "${SQL_DIR}/*.sql")
list(SORT sql_files COMPARE NATURAL)

set(arrays "")
set(entries "")
set(seen_versions "")
foreach(path IN LISTS sql_files)
  get_filename_component(name "${path}" NAME)
  if(NOT name MATCHES "^([0-9]+)_[A-Za-z0-9_]+\\.sql$")
    message(FATAL_ERROR "migration file name must be NNN_name.sql: ${name}")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  if(version IN_LIST seen_versions)
    message(FATAL_ERROR "duplicate migration version ${version}: ${name}")
  endif()
  list(APPEND seen_versions ${version})
  embed_byte_array(array "${path}" kSql${version})
  string(APPEND arrays "${array}")
  string(APPEND entries
         "      {${version}, \"${name}\", std::string_view(kSql${version}, sizeof(kSql${version}) - 1)},\n")
endforeach()

embed_write_source("${OUTPUT}" "${HEADER}" "${FUNCTION}" SqlMigration "${arrays}" "${entries}"
                   cmake/embed_sql.cmake "${SQL_DIR}")
