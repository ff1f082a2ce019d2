#include "tm/sqlite_handle.h"

#include <sqlite3.h>

#include <mutex>
#include <new>
#include <utility>

namespace untm::sql {
namespace {

// The first words of a statement, for error messages when the caller named
// no operation.
std::string describe_sql(std::string_view sql) {
  std::string out;
  bool space = false;
  for (char c : sql) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
    if (out.size() >= 48) {
      out += "…";
      break;
    }
  }
  return "running \"" + out + "\"";
}

}  // namespace

std::string fix_for(int result_code) {
  if (result_code == SQLITE_IOERR_NOMEM) return "out of memory: free memory and try again";
  switch (result_code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "the database is locked by another writer: wait or close it";
    case SQLITE_FULL:
      return "disk full: free space on the disk and try again";
    case SQLITE_NOTADB:
      return "not a untm TM: give a file made by untm or a new path";
    case SQLITE_CANTOPEN:
      return "cannot open the file: check the path, and that its folder exists and is writable";
    case SQLITE_READONLY:
      return "the file or its folder is read-only: check the permissions";
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return "permission denied: check the file's permissions";
    case SQLITE_CORRUPT:
      return "the file is damaged: restore it from a backup or build the TM again";
    case SQLITE_IOERR:
      return "input/output error: check the disk and try again";
    case SQLITE_NOMEM:
      return "out of memory: free memory and try again";
    case SQLITE_TOOBIG:
      return "a text is too large to store: split it";
    case SQLITE_INTERRUPT:
      return "the operation was interrupted: run it again";
    default:
      return "this is a bug in untm: please report it with the command that caused it";
  }
}

DatabaseError make_error(const std::string& path, std::string_view what, int result_code,
                         std::string_view sqlite_message) {
  std::string message = path;
  message += ": ";
  message += what;
  message += ": ";
  message += sqlite_message.empty() ? std::string_view(sqlite3_errstr(result_code)) : sqlite_message;
  message += "; ";
  message += fix_for(result_code);
  return DatabaseError(path, message);
}

namespace {

// Before SQLite's first use in the process: no memory statistics (untm
// reads none), so allocations take no global mutex; a bulk import makes
// hundreds of millions. Has no effect when the process used SQLite before.
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

// ---- untm_rows: an eponymous table-valued function over a RowSource
// bound as a pointer (sqlite3_bind_pointer, so SQL text can never forge
// one) ----

constexpr const char* kRowsPointer = "untm_rows";
constexpr int kRowsSourceColumn = RowSource::kColumns;  // the hidden column the argument binds to

struct RowsCursor {
  sqlite3_vtab_cursor base{};  // first: SQLite hands it back as this cursor
  const RowSource* rows = nullptr;
  std::size_t size = 0;
  std::size_t at = 0;
};

RowsCursor& as_cursor(sqlite3_vtab_cursor* base) { return *reinterpret_cast<RowsCursor*>(base); }

}  // namespace

struct RowsModule {
  static int connect(sqlite3* db, void*, int, const char* const*, sqlite3_vtab** out, char**) {
    static_assert(RowSource::kColumns == 8);
    const int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(c0, c1, c2, c3, c4, c5, c6, c7, source HIDDEN)");
    if (rc != SQLITE_OK) return rc;
    auto* vtab = static_cast<sqlite3_vtab*>(sqlite3_malloc(sizeof(sqlite3_vtab)));
    if (vtab == nullptr) return SQLITE_NOMEM;
    *vtab = sqlite3_vtab{};
    *out = vtab;
    return SQLITE_OK;
  }

  static int disconnect(sqlite3_vtab* vtab) {
    sqlite3_free(vtab);
    return SQLITE_OK;
  }

  // Only a scan with the source given: untm_rows(?).
  static int best_index(sqlite3_vtab*, sqlite3_index_info* info) {
    for (int i = 0; i < info->nConstraint; ++i) {
      const auto& constraint = info->aConstraint[i];
      if (constraint.iColumn != kRowsSourceColumn || constraint.op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
      if (!constraint.usable) return SQLITE_CONSTRAINT;
      info->aConstraintUsage[i].argvIndex = 1;
      info->aConstraintUsage[i].omit = 1;
      info->estimatedCost = 1;
      return SQLITE_OK;
    }
    return SQLITE_CONSTRAINT;
  }

  static int open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
    auto* cursor = new (std::nothrow) RowsCursor;
    if (cursor == nullptr) return SQLITE_NOMEM;
    *out = &cursor->base;
    return SQLITE_OK;
  }

  static int close(sqlite3_vtab_cursor* base) {
    delete &as_cursor(base);
    return SQLITE_OK;
  }

  static int filter(sqlite3_vtab_cursor* base, int, const char*, int argc, sqlite3_value** argv) {
    RowsCursor& cursor = as_cursor(base);
    cursor.rows = argc == 1 ? static_cast<const RowSource*>(sqlite3_value_pointer(argv[0], kRowsPointer)) : nullptr;
    cursor.size = cursor.rows != nullptr ? cursor.rows->size() : 0;
    cursor.at = 0;
    return SQLITE_OK;
  }

  static int next(sqlite3_vtab_cursor* base) {
    ++as_cursor(base).at;
    return SQLITE_OK;
  }

  static int eof(sqlite3_vtab_cursor* base) {
    const RowsCursor& cursor = as_cursor(base);
    return cursor.at >= cursor.size;
  }

  static int column(sqlite3_vtab_cursor* base, sqlite3_context* context, int column) {
    const RowsCursor& cursor = as_cursor(base);
    sqlite3_result_null(context);
    if (column < kRowsSourceColumn) {
      ColumnSink sink(context);
      cursor.rows->column(cursor.at, column, sink);
    }
    return SQLITE_OK;
  }

  static int rowid(sqlite3_vtab_cursor* base, sqlite3_int64* rowid) {
    *rowid = static_cast<sqlite3_int64>(as_cursor(base).at);
    return SQLITE_OK;
  }

  static const sqlite3_module& module() {
    static const sqlite3_module m = [] {
      sqlite3_module x{};
      x.xCreate = nullptr;  // eponymous only: no CREATE VIRTUAL TABLE
      x.xConnect = connect;
      x.xBestIndex = best_index;
      x.xDisconnect = disconnect;
      x.xOpen = open;
      x.xClose = close;
      x.xFilter = filter;
      x.xNext = next;
      x.xEof = eof;
      x.xColumn = column;
      x.xRowid = rowid;
      return x;
    }();
    return m;
  }
};

void ColumnSink::int64(std::int64_t value) { sqlite3_result_int64(static_cast<sqlite3_context*>(context_), value); }
void ColumnSink::real(double value) { sqlite3_result_double(static_cast<sqlite3_context*>(context_), value); }
void ColumnSink::text_static(std::string_view value) {
  sqlite3_result_text64(static_cast<sqlite3_context*>(context_), value.empty() ? "" : value.data(), value.size(),
                        SQLITE_STATIC, SQLITE_UTF8);
}
void ColumnSink::blob_static(std::string_view bytes) {
  if (bytes.empty())
    sqlite3_result_zeroblob(static_cast<sqlite3_context*>(context_), 0);
  else
    sqlite3_result_blob64(static_cast<sqlite3_context*>(context_), bytes.data(), bytes.size(), SQLITE_STATIC);
}
void ColumnSink::null() { sqlite3_result_null(static_cast<sqlite3_context*>(context_)); }

// ---- Connection ----

Connection::Connection(std::string path, OpenMode mode) : path_(std::move(path)), mode_(mode) {
  configure_sqlite_once();
  open(mode);
  if (mode == OpenMode::read_only) {
    // A writer killed mid-write leaves a write-ahead log to recover or a hot
    // rollback journal, and only a connection that may write repairs them:
    // a read-only one fails at its first read ("attempt to write a readonly
    // database"). So a read-only open reads once; if the file needs that
    // repair, a read-write connection does it (as any writer's first read
    // would) and the file is opened read-only again.
    const int rc = sqlite3_exec(db_, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
    if (rc == SQLITE_READONLY_RECOVERY || rc == SQLITE_READONLY_ROLLBACK) {
      close();
      open(OpenMode::read_write);
      const int repair_rc = sqlite3_exec(db_, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
      if (repair_rc != SQLITE_OK) {
        const DatabaseError error = make_error(path_, "recovering after an interrupted write", repair_rc, sqlite3_errmsg(db_));
        close();  // a constructor that throws runs no destructor
        throw error;
      }
      close();
      open(OpenMode::read_only);
    }
  }
}

void Connection::open(OpenMode mode) {
  int flags = SQLITE_OPEN_NOMUTEX;  // one thread per connection
  switch (mode) {
    case OpenMode::read_only:
      flags |= SQLITE_OPEN_READONLY;
      break;
    case OpenMode::read_write:
      flags |= SQLITE_OPEN_READWRITE;
      break;
    case OpenMode::create:
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
  }
  const int rc = sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    close();
    throw make_error(path_, mode == mode_ ? "opening" : "opening to recover after an interrupted write", rc, message);
  }
  sqlite3_extended_result_codes(db_, 1);
  const int module_rc = sqlite3_create_module_v2(db_, kRowsPointer, &RowsModule::module(), nullptr, nullptr);
  if (module_rc != SQLITE_OK) {
    const std::string message = sqlite3_errmsg(db_);
    close();
    throw make_error(path_, "registering untm_rows", module_rc, message);
  }
}

Connection::~Connection() { close(); }

Connection::Connection(Connection&& other) noexcept
    : path_(std::move(other.path_)), mode_(other.mode_), db_(std::exchange(other.db_, nullptr)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    close();
    path_ = std::move(other.path_);
    mode_ = other.mode_;
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

void Connection::close() noexcept {
  // close_v2 defers the close until every statement is finalized, so the
  // order in which owners are destroyed does not matter.
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

void Connection::exec(std::string_view sql, std::string_view what) {
  const std::string text(sql);
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    const std::string message = error != nullptr ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    throw make_error(path_, what.empty() ? describe_sql(sql) : std::string(what), rc, message);
  }
}

std::int64_t Connection::query_int(std::string_view sql, std::string_view what, std::int64_t fallback) {
  Statement statement(*this, sql, what);
  return statement.step() ? statement.column_int64(0) : fallback;
}

std::int64_t Connection::last_insert_rowid() const noexcept { return sqlite3_last_insert_rowid(db_); }

bool Connection::in_transaction() const noexcept { return sqlite3_get_autocommit(db_) == 0; }

void Connection::fail(int rc, std::string_view what) const {
  throw make_error(path_, what, rc, sqlite3_errmsg(db_));
}

// ---- Statement ----

Statement::Statement(Connection& db, std::string_view sql, std::string_view what)
    : db_(&db), what_(what.empty() ? describe_sql(sql) : std::string(what)) {
  const int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                    &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    db.fail(rc, what_);
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), what_(std::move(other.what_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    what_ = std::move(other.what_);
  }
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) db_->fail(rc, what_);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  const int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK) db_->fail(rc, what_);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies the bytes, so the caller's string may go.
  const int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) db_->fail(rc, what_);
  return *this;
}

Statement& Statement::bind_static(int index, std::string_view value) {
  const int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK) db_->fail(rc, what_);
  return *this;
}

Statement& Statement::bind_blob_static(int index, std::string_view bytes) {
  const int rc = sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_STATIC);
  if (rc != SQLITE_OK) db_->fail(rc, what_);
  return *this;
}

Statement& Statement::bind_rows(int index, const RowSource& rows) {
  const int rc = sqlite3_bind_pointer(stmt_, index, const_cast<RowSource*>(&rows), kRowsPointer, nullptr);
  if (rc != SQLITE_OK) db_->fail(rc, what_);
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
  return value ? bind(index, std::string_view(*value)) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) db_->fail(rc, what_);
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_->fail(rc, what_);
}

void Statement::execute() {
  ResetOnExit reset(*this);
  while (step()) {
  }
}

void Statement::reset() noexcept {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::int64_t Statement::column_int64(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::column_double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string_view Statement::column_view(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return {text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::string_view Statement::column_blob(int column) const {
  const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  if (bytes == nullptr) return {};
  return {bytes, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::optional<std::string> Statement::column_optional(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_string(column);
}

// ---- Transaction ----

Transaction::Transaction(Connection& db, Mode mode) : db_(db) {
  db_.exec(mode == Mode::immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED",
           mode == Mode::immediate ? "starting a write transaction" : "starting a read transaction");
  active_ = true;
}

Transaction::~Transaction() {
  // SQLite may already have rolled back after an error (disk full, I/O):
  // then there is nothing left to undo.
  if (active_ && db_.in_transaction()) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec("COMMIT", "committing");
  active_ = false;
}

}  // namespace untm::sql
