// The TM's schema and its forward migrations. Internal to tm/ (and tests).
//
// A file's schema version is PRAGMA user_version; PRAGMA application_id
// marks it as a untm TM. Opening a file runs, in order, every migration step
// newer than its version, each in its own write transaction that also sets
// user_version, so a failed step leaves the file at the previous version.
// To change the schema, append a step (version 2, 3, …) to migrations() in
// translation_memory.cc and raise kVersion; never edit a released step.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tm/sqlite_handle.h"

namespace untm::schema {

// The schema this untm writes and reads.
inline constexpr int kVersion = 4;

// PRAGMA application_id of a untm TM: "untm" in ASCII.
inline constexpr std::int64_t kApplicationId = 0x756E746D;

struct Migration {
  int version = 0;          // user_version after the step
  std::string description;  // for error messages
  std::function<void(sql::Connection&)> apply;
};

// The steps from an empty file to kVersion.
const std::vector<Migration>& migrations();

// Runs the steps of `steps` newer than the file's user_version, each in its
// own transaction. Returns the version reached. Throws DatabaseError (the
// step's description in the message) when a step fails.
int migrate(sql::Connection& db, const std::vector<Migration>& steps);

}  // namespace untm::schema
