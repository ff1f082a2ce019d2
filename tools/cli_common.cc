#include "tools/cli_common.h"

#include <fmt/core.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstdio>
#include <exception>
#include <sstream>

#include "aligner/errors.h"
#include "aligner/language.h"
#include "tm/tm_errors.h"

namespace untm::cli {

int run_guarded(const std::function<int()>& body) {
  try {
    return body();
  } catch (const ArgumentError& e) {
    fmt::print(stderr, "untm: error: {}\n", e.what());
    return kExitUsage;
  } catch (const InputError& e) {
    fmt::print(stderr, "untm: error: {}\n", e.what());
    return kExitInput;
  } catch (const DatabaseError& e) {
    fmt::print(stderr, "untm: error: {}\n", e.what());
    return kExitDatabase;
  } catch (const Error& e) {
    fmt::print(stderr, "untm: error: {}\n", e.what());
    return kExitInternal;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "untm: error: out of memory. Split the input or free memory and try again.\n");
    return kExitInternal;
  } catch (const std::exception& e) {
    fmt::print(stderr, "untm: internal error: {}. Please report this with the command and input that caused it.\n",
               e.what());
    return kExitInternal;
  }
}

std::vector<std::string> split_language_list(const std::string& option, const std::string& list,
                                             const std::string& rule) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  for (std::string item; std::getline(ss, item, ',');) {
    if (!is_language_code(item))
      throw ArgumentError(fmt::format("{} {}: '{}' is not a language code. Give two-letter ISO 639-1 codes "
                                      "separated by commas{}, e.g. {} zh,en,ar.",
                                      option, list, item, rule, option));
    out.push_back(item);
  }
  if (out.empty() || list.back() == ',')
    throw ArgumentError(fmt::format("{} {}: an empty language code. Give two-letter ISO 639-1 codes separated by "
                                    "commas{}, e.g. {} zh,en,ar.",
                                    option, list, rule, option));
  return out;
}

std::string json_text(const nlohmann::ordered_json& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void warn(const std::string& message) { fmt::print(stderr, "untm: warning: {}\n", message); }

LanguageChoice choose_language(const std::optional<std::string>& option, const std::string& path,
                               const std::string& text) {
  if (option) {
    if (!is_language_code(*option))
      throw ArgumentError(fmt::format("--lang {}: not a language code. Give a two-letter ISO 639-1 code such as "
                                      "ar, zh, en, fr, ru or es.",
                                      *option));
    return {*option, "option", ""};
  }
  // Detection only when the file name says nothing (decide_language would
  // always detect, for warnings this command does not give).
  if (auto from_name = language_from_file_name(path)) return {*from_name, "file name", ""};
  const LanguageGuess guess = detect_language(text);
  if (guess.lang.empty())
    throw ArgumentError(fmt::format("{}: cannot tell the language ({}). Pass --lang, or name the file LANG.txt "
                                    "or NAME.LANG.txt.",
                                    path, guess.evidence));
  return {guess.lang, "detected", fmt::format("{}, confidence {:.2f}", guess.evidence, guess.confidence)};
}

ValueCheck whole_number_check(long long min, std::optional<long long> max, std::string note) {
  return [min, max, note = std::move(note)](const std::string& text) -> std::string {
    long long value = 0;
    const char* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error == std::errc() && stop == end && value >= min && (!max || value <= *max)) return "";
    std::string range = max ? fmt::format(" from {} to {}", min, *max) : fmt::format(", {} or more", min);
    if (!note.empty()) range += " (" + note + ")";
    return fmt::format("give a whole number{} (got '{}')", range, text);
  };
}

ValueCheck fraction_check() {
  return [](const std::string& text) -> std::string {
    const std::string advice = fmt::format("give a number from 0 to 1, such as 0.5 (got '{}')", text);
    // strtod skips leading spaces and reads "nan" and "inf": take only a
    // whole text it reads, in range (NaN fails both comparisons).
    if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return advice;
    char* stop = nullptr;
    const double value = std::strtod(text.c_str(), &stop);
    return stop == text.c_str() + text.size() && value >= 0 && value <= 1 ? "" : advice;
  };
}

std::string duration_text(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

ProgressLine::ProgressLine(std::string command, bool quiet)
    : command_(std::move(command)), quiet_(quiet), terminal_(::isatty(STDERR_FILENO) != 0) {}

ProgressLine::~ProgressLine() { finish(); }

bool ProgressLine::due(bool last) {
  if (quiet_) return false;
  const auto now = std::chrono::steady_clock::now();
  if (!last && std::chrono::duration<double>(now - last_shown_).count() < (terminal_ ? 0.1 : 5.0)) return false;
  last_shown_ = now;
  return true;
}

void ProgressLine::show(double share, const std::string& text) {
  if (!terminal_) {
    fmt::print(stderr, "untm: {}: {}\n", command_, text);
    return;
  }
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(kWidth * std::clamp(share, 0.0, 1.0));
  std::string bar;
  for (int i = 0; i < kWidth; ++i) bar += i < filled ? "█" : "░";
  fmt::print(stderr, "\r\x1b[K{} {}", bar, text);
  drawn_ = true;
}

void ProgressLine::clear() {
  if (drawn_) fmt::print(stderr, "\r\x1b[K");
  drawn_ = false;
}

void ProgressLine::finish() {
  if (drawn_) fmt::print(stderr, "\n");
  drawn_ = false;
}

}  // namespace untm::cli
