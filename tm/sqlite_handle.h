// RAII wrappers around the SQLite C API, in the style of SQLiteCpp: a
// Connection owns the sqlite3 handle, a Statement a prepared statement
// (values bound by copy, rows stepped, columns read), a Transaction rolls
// back in its destructor unless committed. Every SQLite failure becomes a
// DatabaseError (tm/tm_errors.h) naming the file, what failed (SQLite's own
// message) and the fix.
//
// Internal to tm/: only tm/*.cc and the tests include this header, so the
// public headers stay free of sqlite3.h.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tm/tm_errors.h"

struct sqlite3;
struct sqlite3_stmt;

namespace untm::sql {

enum class OpenMode {
  read_only,   // never writes; a WAL reader beside a writer
  read_write,  // the file must exist
  create,      // created when missing
};

// The fix shown for a SQLite result code (primary or extended), e.g. for
// SQLITE_BUSY "the database is locked by another writer: wait or close it".
std::string fix_for(int result_code);

// "PATH: WHAT: SQLITE MESSAGE; FIX" as a DatabaseError.
DatabaseError make_error(const std::string& path, std::string_view what, int result_code,
                         std::string_view sqlite_message);

// Rows made in memory, handed to SQL through the table-valued function
// untm_rows(?) that every connection has (bind with Statement::bind_rows):
// one INSERT … SELECT writes them all, without a bind, step and reset per
// row (3M sorted rows of three integers: 1.6 → 0.78 s, sort included). Its
// columns are c0 … c7, untyped (each value keeps the type it is given).
class ColumnSink;
class RowSource {
 public:
  static constexpr int kColumns = 8;
  virtual ~RowSource() = default;
  virtual std::size_t size() const = 0;
  // Column `column` (0 … kColumns - 1) of row `row` (below size()); a column
  // given nothing is NULL. Text given stays valid while the statement runs.
  virtual void column(std::size_t row, int column, ColumnSink& out) const = 0;
};

// Where a RowSource puts one value (SQLite's result context, kept private).
class ColumnSink {
 public:
  void int64(std::int64_t value);
  void real(double value);
  // Not copied: the source keeps the bytes alive while the statement runs.
  void text_static(std::string_view value);
  // The same for a blob (an empty one is a blob, not NULL).
  void blob_static(std::string_view bytes);
  void null();

 private:
  friend struct RowsModule;
  explicit ColumnSink(void* context) : context_(context) {}
  void* context_;
};

// Rows of three integers (the exact-match table's).
using Int64Triple = std::array<std::int64_t, 3>;
class Int64Triples final : public RowSource {
 public:
  Int64Triples() = default;
  Int64Triples(const Int64Triple* rows, std::size_t count) : rows_(rows), count_(count) {}
  std::size_t size() const override { return count_; }
  void column(std::size_t row, int column, ColumnSink& out) const override {
    if (column < 3) out.int64(rows_[row][static_cast<std::size_t>(column)]);
  }

 private:
  const Int64Triple* rows_ = nullptr;
  std::size_t count_ = 0;
};

class Connection {
 public:
  // Opens `path`; throws DatabaseError when it cannot ("no such file" for a
  // missing file unless mode is create).
  Connection(std::string path, OpenMode mode);
  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const std::string& path() const noexcept { return path_; }
  sqlite3* handle() const noexcept { return db_; }
  bool read_only() const noexcept { return mode_ == OpenMode::read_only; }

  // Runs one or more statements without results; `what` names the step in
  // an error message ("enabling WAL").
  void exec(std::string_view sql, std::string_view what);

  // Runs a query whose first row's first column is an integer (PRAGMAs,
  // counts); `fallback` when there is no row.
  std::int64_t query_int(std::string_view sql, std::string_view what, std::int64_t fallback = 0);

  std::int64_t last_insert_rowid() const noexcept;
  bool in_transaction() const noexcept;

  // Throws the DatabaseError for result code `rc` with sqlite3_errmsg.
  [[noreturn]] void fail(int rc, std::string_view what) const;

 private:
  void open(OpenMode mode);  // into db_, with the module registered
  void close() noexcept;

  std::string path_;
  OpenMode mode_ = OpenMode::read_only;
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  // Prepares `sql` (persistent: statements are reused many times). `what`
  // names the operation in error messages; default: the SQL's first words.
  Statement(Connection& db, std::string_view sql, std::string_view what = {});
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based as in SQLite. Text and blobs are copied.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, std::uint32_t value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::optional<std::string>& value);
  Statement& bind_null(int index);
  // Binds text without copying it: the caller keeps the bytes alive and
  // unchanged until the statement is reset (execute() resets it).
  Statement& bind_static(int index, std::string_view value);
  // The same for a blob.
  Statement& bind_blob_static(int index, std::string_view bytes);
  // The rows that untm_rows(?index) yields; the caller keeps them alive
  // and unchanged until the statement is reset.
  Statement& bind_rows(int index, const RowSource& rows);
  Statement& bind_rows(int index, RowSource&& rows) = delete;  // would dangle

  // Advances: true when a row is available, false when done.
  bool step();
  // Steps to the end (statements without rows); then resets.
  void execute();
  // Ready to run again: resets and clears the bindings. Never throws (the
  // error of a failed step was already reported by step()).
  void reset() noexcept;

  // Columns are 0-based as in SQLite.
  bool is_null(int column) const;
  std::int64_t column_int64(int column) const;
  double column_double(int column) const;
  // Valid until the next step() or reset().
  std::string_view column_view(int column) const;
  std::string column_string(int column) const { return std::string(column_view(column)); }
  // A blob's bytes; valid until the next step() or reset().
  std::string_view column_blob(int column) const;
  std::optional<std::string> column_optional(int column) const;

 private:
  Connection* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::string what_;
};

// Resets a (reused) statement when the scope ends, also on exceptions, so
// no statement keeps a read transaction open.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& statement) noexcept : statement_(statement) {}
  ~ResetOnExit() { statement_.reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Statement& statement_;
};

class Transaction {
 public:
  enum class Mode {
    deferred,   // readers: a consistent snapshot
    immediate,  // writers: take the write lock now, so a busy writer fails early
  };
  explicit Transaction(Connection& db, Mode mode = Mode::immediate);
  // Rolls back unless commit() succeeded.
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();
  bool active() const noexcept { return active_; }

 private:
  Connection& db_;
  bool active_ = false;
};

}  // namespace untm::sql
