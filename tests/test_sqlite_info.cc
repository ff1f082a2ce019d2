#include <catch2/catch.hpp>

#include "tm/sqlite_info.h"

TEST_CASE("the linked SQLite has FTS5, which upgrading schema-1 TMs needs") {
  CHECK(untm::sqlite_version().starts_with("3."));
  CHECK(untm::sqlite_has_fts5());
}
