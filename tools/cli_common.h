// What every untm command shares: exit codes, error reporting, and how a
// file's language is decided.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace untm::cli {

// Exit codes, documented in README ("Exit codes").
enum ExitCode : int {
  kExitOk = 0,
  kExitInternal = 1,  // a bug: please report it
  kExitUsage = 2,     // wrong arguments; see --help
  kExitInput = 3,     // an input file cannot be used (unreadable, empty, binary, bad encoding)
  kExitDatabase = 4,  // the TM cannot be used: cannot create, not a TM, newer schema, locked, disk full
};

// Runs a command body and maps untm's typed exceptions to messages on stderr
// and exit codes (DatabaseError → kExitDatabase), so no command ends in a
// crash.
int run_guarded(const std::function<int()>& body);

struct LanguageChoice {
  std::string lang;
  std::string source;  // "option", "file name", "detected"
  std::string detail;  // for "detected": the evidence and confidence
};

// --lang if given (validated), else the file name, else detection from the
// text (the order of decide_language in aligner/language.h). Throws
// ArgumentError when none gives an answer.
LanguageChoice choose_language(const std::optional<std::string>& option, const std::string& path,
                               const std::string& text);

// Splits a list of languages given to `option` ("--langs", "--to"; value
// "zh,en,ar") and checks every code; `rule` is added to the error's advice
// (", one per file"). Throws ArgumentError.
std::vector<std::string> split_language_list(const std::string& option, const std::string& list,
                                             const std::string& rule = "");

// JSON text (indent -1: one line). Bytes that are not UTF-8 (a file or
// folder name in another encoding) become U+FFFD instead of an exception.
std::string json_text(const nlohmann::ordered_json& value, int indent = 2);

// Prints "untm: warning: MESSAGE" on stderr.
void warn(const std::string& message);

// "m:ss", or "h:mm:ss" from an hour on (progress lines, ETAs).
std::string duration_text(double seconds);

}  // namespace untm::cli
