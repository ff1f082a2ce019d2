// Typed exceptions thrown by untm libraries. Libraries never print or exit;
// the CLI maps these types to exit codes (see tools/exit_codes.h).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace untm {

// Base of every error untm throws on purpose. The message says what went
// wrong and what the user can do about it.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A problem with an input file or text: unreadable, empty, binary, badly
// encoded. `path` names the file (may be empty for in-memory text).
class InputError : public Error {
 public:
  InputError(std::string path, const std::string& message)
      : Error(message), path_(std::move(path)) {}
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

// Bytes that are not valid in the declared or detected encoding.
class EncodingError : public InputError {
 public:
  EncodingError(std::string path, std::size_t byte_offset,
                const std::string& message)
      : InputError(std::move(path), message), byte_offset_(byte_offset) {}
  std::size_t byte_offset() const noexcept { return byte_offset_; }

 private:
  std::size_t byte_offset_;
};

// A caller asked for something the library cannot do as asked: an unknown
// language code, an option out of range.
class ArgumentError : public Error {
 public:
  using Error::Error;
};

}  // namespace untm
