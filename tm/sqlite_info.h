// What the linked SQLite offers; the TM needs FTS5 (issue: the TM store).
#pragma once

#include <string>

namespace untm {

std::string sqlite_version();
bool sqlite_has_fts5();

}  // namespace untm
