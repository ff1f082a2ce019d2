// What every untm command shares: exit codes, error reporting, and how a
// file's language is decided.
#pragma once

#include <chrono>
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

// Checks of a numeric option's text, for CLI11's Option::check: "" when the
// value is good, else what to give ("give a whole number from 0 to 100 (got
// '101')"), which CLI11 prints after the option's name. They also catch text
// that is not a number, which CLI11's own conversion reports without advice.
using ValueCheck = std::function<std::string(const std::string&)>;
// A whole number, at least `min` and, when given, at most `max`; `note`
// follows the range ("0: one per core").
ValueCheck whole_number_check(long long min, std::optional<long long> max = std::nullopt, std::string note = "");
// A number from 0 to 1 (confidences).
ValueCheck fraction_check();

// JSON text (indent -1: one line). Bytes that are not UTF-8 (a file or
// folder name in another encoding) become U+FFFD instead of an exception.
std::string json_text(const nlohmann::ordered_json& value, int indent = 2);

// Prints "untm: warning: MESSAGE" on stderr.
void warn(const std::string& message);

// "m:ss", or "h:mm:ss" from an hour on (progress lines, ETAs).
std::string duration_text(double seconds);

// A long command's progress on stderr: on a terminal a bar and a line
// redrawn in place (at most every 0.1 s), otherwise "untm: COMMAND: TEXT"
// every 5 s (logs, CI: a short run prints none); nothing when quiet.
class ProgressLine {
 public:
  ProgressLine(std::string command, bool quiet);
  ~ProgressLine();  // finish()
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  bool terminal() const { return terminal_; }
  // Whether to show the progress now (always when `last`, never when quiet).
  bool due(bool last);
  // Shows `text`, after a bar filled to `share` (0..1) on a terminal.
  void show(double share, const std::string& text);
  // Erases the redrawn line (before a warning or an error).
  void clear();
  // Ends the redrawn line, which stays on screen.
  void finish();

 private:
  std::string command_;
  bool quiet_;
  bool terminal_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_shown_ = std::chrono::steady_clock::now();
};

}  // namespace untm::cli
