// Which language a document is in: from the file name (zh.txt, NAME.zh.txt,
// NAME_C.txt with the UN letters A C E F R S) or detected from script and
// content.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace untm {

// The six official UN languages, in UN order.
const std::vector<std::string>& official_languages();

// The order of languages everywhere in untm: the official ones in UN order
// (ar zh en fr ru es) first, then the other codes alphabetically.
bool language_before(std::string_view a, std::string_view b);

// True for a two-letter lower-case ISO 639-1 code ("de" and "hu" are valid,
// only the six official ones get built-in rules).
bool is_language_code(std::string_view code);

// Language named by a file name, or nothing. Accepts "zh.txt", "NAME.zh.txt",
// "NAME_zh.txt", "NAME-zh.txt" and the UN letters "NAME_C.txt", "NAME-C.txt"
// (A ar, C zh, E en, F fr, R ru, S es). Directories in the path are ignored.
std::optional<std::string> language_from_file_name(std::string_view path);

struct LanguageGuess {
  std::string lang;        // ISO 639-1, or empty when nothing could be told
  double confidence = 0;   // 0..1
  std::string evidence;    // short human-readable reason
};

// Guesses the language of UTF-8 text from its script and, for Latin script,
// from frequent function words (en, fr, es, de and a few more).
LanguageGuess detect_language(std::string_view text);

// English name of a language for messages ("ar" → "Arabic"); the code itself
// for languages without one here.
std::string language_name(std::string_view code);

// How a file's language was decided: the one given (by an option), else the
// one its name gives, else the detected one. `detected` always holds what
// the text looks like, so callers can warn when a given language is
// contradicted.
struct LanguageDecision {
  std::string lang;    // empty when nothing gives an answer (see detected.evidence)
  std::string source;  // "given", "file name", "detected"
  LanguageGuess detected;
};

// `given` is used as is (callers validate it: their messages name their
// option). Never throws: an empty `lang` means the language cannot be told.
LanguageDecision decide_language(const std::optional<std::string>& given, std::string_view path,
                                 std::string_view text);

}  // namespace untm
