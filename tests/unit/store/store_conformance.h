// The store conformance suite: what every backend must do alike, one test body run against each
// backend's fixture: SqliteStoreTest always, PgStoreTest against THRAD_TEST_DATABASE_URL (each
// of its tests skipped when that is unset). One file per role beside this one
// (write_store_events_test.cc, key_store_test.cc, ...), each with a fixture of its own:
//
//   template <typename Backend>
//   class KeyStoreTest : public Backend {};
//   TYPED_TEST_SUITE(KeyStoreTest, StoreBackends, StoreBackendNames);
//   TYPED_TEST(KeyStoreTest, Something) { ... this->store() ... }
//
// Test names read "KeyStoreTest/Sqlite.Something". What only one backend does (SQLite's files,
// PostgreSQL's COPY, reconnecting) stays in sqlite/ and postgres/.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <type_traits>

#include "store/postgres/pg_test_fixture.h"
#include "store/sqlite/sqlite_test_fixture.h"

namespace thrad::test {

using StoreBackends = ::testing::Types<SqliteStoreTest, PgStoreTest>;

struct StoreBackendNames {
  template <typename Backend>
  static std::string GetName(int) {
    return std::is_same_v<Backend, SqliteStoreTest> ? "Sqlite" : "Postgres";
  }
};

}  // namespace thrad::test
