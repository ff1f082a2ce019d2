#include "tm/sqlite_info.h"

#include <sqlite3.h>

namespace untm {

std::string sqlite_version() { return sqlite3_libversion(); }

bool sqlite_has_fts5() { return sqlite3_compileoption_used("ENABLE_FTS5") != 0; }

}  // namespace untm
