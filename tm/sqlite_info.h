// What the linked SQLite offers. The TM needs FTS5 only to upgrade files of
// schema version 1 (their FTS5 indexes are dropped; see tm/gram_index.h).
#pragma once

#include <string>

namespace untm {

std::string sqlite_version();
bool sqlite_has_fts5();

}  // namespace untm
