// Errors of the translation memory.
#pragma once

#include <string>

#include "aligner/errors.h"

namespace untm {

// The database cannot be used: cannot open or create, not a untm TM, a newer
// schema than this untm knows, disk full, locked by another writer. The
// message names the file and the fix.
class DatabaseError : public Error {
 public:
  DatabaseError(std::string path, const std::string& message) : Error(message), path_(std::move(path)) {}
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

}  // namespace untm
