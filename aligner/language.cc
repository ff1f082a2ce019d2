#include "aligner/language.h"

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <map>
#include <vector>

#include "aligner/bmp_table.h"
#include "aligner/errors.h"

namespace untm {
namespace {

// UN document symbols end in the language letter of the version: A C E F R S.
std::optional<std::string> language_from_un_letter(char letter) {
  switch (letter) {
    case 'A': return "ar";
    case 'C': return "zh";
    case 'E': return "en";
    case 'F': return "fr";
    case 'R': return "ru";
    case 'S': return "es";
    default: return std::nullopt;
  }
}

bool is_lower_ascii_word(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

// Frequent function words that tell Latin-script languages apart. Short,
// language-specific words carry most of the signal in UN prose.
const std::map<std::string, std::vector<std::string_view>>& latin_function_words() {
  static const std::map<std::string, std::vector<std::string_view>> words = {
      {"en", {"the", "and", "of", "to", "that", "is", "for", "with", "which", "on", "by", "its", "has", "this"}},
      {"fr", {"le", "les", "des", "et", "du", "est", "une", "dans", "pour", "qui", "sur", "au", "aux", "ne"}},
      {"es", {"el", "los", "las", "y", "del", "por", "con", "para", "una", "se", "al", "lo", "su"}},
      {"de", {"der", "die", "und", "das", "den", "von", "ist", "mit", "sich", "nicht", "auf", "dem", "zu"}},
      {"it", {"il", "che", "di", "della", "per", "non", "sono", "gli", "nel", "delle", "alla"}},
      {"pt", {"os", "do", "da", "em", "uma", "com", "não", "dos", "das", "pela", "pelo"}},
      {"nl", {"het", "een", "van", "dat", "niet", "voor", "zijn", "ook", "worden"}},
  };
  return words;
}

// The function words for detection: each packed into 8 bytes (zero-padded;
// no word holds a NUL) with the languages whose list holds it (bit k:
// latin_function_words()'s k-th), sorted, so a word is looked up without
// hashing a string. Words longer than `max_bytes` are no function word.
struct FunctionWords {
  std::vector<std::pair<std::uint64_t, std::uint8_t>> packed;
  std::size_t max_bytes = 0;

  static std::uint64_t pack(const char* p, std::size_t n) {
    std::uint64_t v = 0;
    std::memcpy(&v, p, n);
    return v;
  }
  // The languages of the word p[0, n), n <= max_bytes (0: none).
  std::uint8_t languages(const char* p, std::size_t n) const {
    const std::uint64_t key = pack(p, n);
    const auto it = std::lower_bound(packed.begin(), packed.end(), std::pair<std::uint64_t, std::uint8_t>(key, 0));
    return it != packed.end() && it->first == key ? it->second : 0;
  }
};

const FunctionWords& function_words() {
  static const FunctionWords table = [] {
    FunctionWords t;
    std::map<std::uint64_t, std::uint8_t> languages;
    std::size_t k = 0;
    for (const auto& [lang, words] : latin_function_words()) {
      if (k >= 8) throw Error("language detection: more than 8 languages of function words (internal error)");
      for (std::string_view w : words) {
        if (w.empty() || w.size() > 8) throw Error("language detection: a function word of 1 to 8 bytes expected (internal error)");
        languages[FunctionWords::pack(w.data(), w.size())] |= static_cast<std::uint8_t>(1u << k);
        t.max_bytes = std::max(t.max_bytes, w.size());
      }
      ++k;
    }
    t.packed.assign(languages.begin(), languages.end());
    return t;
  }();
  return table;
}

// What detection asks ICU of a code point, cached per BMP code point (ICU's
// answers; ASCII letters never get here).
struct LetterFacts {
  bool alpha = false;
  bool script_known = false;  // uscript_getScript succeeded
  UScriptCode script = USCRIPT_COMMON;
  UChar32 lower = 0;
};

LetterFacts letter_facts_by_icu(char32_t c) {
  LetterFacts f;
  const auto uc = static_cast<UChar32>(c);
  f.alpha = u_isalpha(uc);
  if (!f.alpha) return f;
  UErrorCode status = U_ZERO_ERROR;
  f.script = uscript_getScript(uc, &status);
  f.script_known = U_SUCCESS(status);
  f.lower = u_tolower(uc);
  return f;
}

constinit const BmpTable<LetterFacts> kLetterFacts(letter_facts_by_icu);

}  // namespace

const std::vector<std::string>& official_languages() {
  static const std::vector<std::string> langs = {"ar", "zh", "en", "fr", "ru", "es"};
  return langs;
}

bool language_before(std::string_view a, std::string_view b) {
  const auto& official = official_languages();
  const auto rank = [&](std::string_view lang) { return std::find(official.begin(), official.end(), lang) - official.begin(); };
  const auto ra = rank(a), rb = rank(b);
  return ra != rb ? ra < rb : a < b;
}

bool is_language_code(std::string_view code) {
  return code.size() == 2 && is_lower_ascii_word(code);
}

std::optional<std::string> language_from_file_name(std::string_view path) {
  std::string name = std::filesystem::path(std::string(path)).filename().string();
  // Drop the extension(s) we read: ".txt" (and nothing else: "S_2011_463.zh"
  // is a name whose last part is the language).
  std::string stem = name;
  if (auto dot = stem.rfind('.'); dot != std::string::npos) {
    std::string ext = stem.substr(dot + 1);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == "txt" || ext == "text") stem.resize(dot);
  }
  if (stem.empty()) return std::nullopt;
  // The whole stem is a code: "zh.txt".
  {
    std::string lower = stem;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (is_language_code(lower) && stem.size() == 2) {
      if (is_lower_ascii_word(stem)) return lower;
    }
  }
  auto sep = stem.find_last_of("._-");
  if (sep == std::string::npos || sep + 1 >= stem.size()) return std::nullopt;
  std::string tail = stem.substr(sep + 1);
  if (tail.size() == 2 && is_language_code(tail)) return tail;
  if (tail.size() == 1 && (stem[sep] == '_' || stem[sep] == '-')) return language_from_un_letter(tail[0]);
  return std::nullopt;
}

LanguageGuess detect_language(std::string_view text) {
  // Count letters per script over (at most) the first 64 KiB: enough to
  // tell, and keeps detection cheap on huge files.
  const std::size_t limit = std::min<std::size_t>(text.size(), 64 * 1024);
  // Per script code (a hash map here cost 1% of a whole batch run).
  static const auto script_codes = static_cast<std::size_t>(u_getIntPropertyMaxValue(UCHAR_SCRIPT)) + 1;
  std::vector<std::size_t> script_counts(script_codes, 0);
  std::size_t letters = 0;
  std::size_t kana = 0, hangul = 0;
  // Hits per language of latin_function_words, counted as words end. A
  // word is kept only while it could still be a function word.
  const FunctionWords& function_word_table = function_words();
  std::vector<std::size_t> language_hits(latin_function_words().size(), 0);
  std::array<char, 8> word{};
  std::size_t word_size = 0;
  bool word_too_long = false;
  // Bytes p[0, n) onto the word (ASCII capitals lower-cased).
  auto add_to_word = [&](const std::uint8_t* p, std::size_t n) {
    if (word_too_long || word_size + n > function_word_table.max_bytes) {
      word_too_long = true;
      return;
    }
    for (std::size_t k = 0; k < n; ++k)
      word[word_size++] = static_cast<char>(p[k] >= 'A' && p[k] <= 'Z' ? p[k] - 'A' + 'a' : p[k]);
  };
  auto flush_word = [&] {
    if (word_size > 0 && !word_too_long) {
      for (std::uint8_t langs = function_word_table.languages(word.data(), word_size); langs != 0; langs &= langs - 1)
        ++language_hits[static_cast<std::size_t>(std::countr_zero(langs))];
    }
    word_size = 0;
    word_too_long = false;
  };
  int32_t i = 0;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(limit);
  while (i < length) {
    // ASCII without ICU: letters are exactly A-Z and a-z, all Latin; a run
    // of them at a time.
    if (s[i] < 0x80) {
      const auto is_letter = [](std::uint8_t b) { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'); };
      if (!is_letter(s[i])) {
        ++i;
        flush_word();
        continue;
      }
      const int32_t begin = i;
      while (i < length && is_letter(s[i])) ++i;
      const auto run = static_cast<std::size_t>(i - begin);
      letters += run;
      script_counts[USCRIPT_LATIN] += run;
      add_to_word(s + begin, run);
      continue;
    }
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) continue;
    const LetterFacts f = c < static_cast<UChar32>(BmpTable<LetterFacts>::kEnd)
                              ? kLetterFacts[static_cast<char32_t>(c)]
                              : letter_facts_by_icu(static_cast<char32_t>(c));
    if (!f.alpha) {
      flush_word();
      continue;
    }
    if (!f.script_known) continue;
    const UScriptCode script = f.script;
    ++letters;
    if (static_cast<std::size_t>(script) < script_codes) ++script_counts[static_cast<std::size_t>(script)];
    if (script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA) ++kana;
    if (script == USCRIPT_HANGUL) ++hangul;
    if (script == USCRIPT_LATIN) {
      char buf[8];
      int32_t n = 0;
      UBool error = false;
      U8_APPEND(reinterpret_cast<uint8_t*>(buf), n, 8, f.lower, error);
      if (!error) add_to_word(reinterpret_cast<const std::uint8_t*>(buf), static_cast<std::size_t>(n));
    } else {
      flush_word();
    }
  }
  flush_word();
  if (letters == 0) return {"", 0.0, "no letters"};

  auto share = [&](UScriptCode sc) {
    return double(script_counts[static_cast<std::size_t>(sc)]) / double(letters);
  };
  const double han = share(USCRIPT_HAN), arabic = share(USCRIPT_ARABIC), cyrillic = share(USCRIPT_CYRILLIC),
               latin = share(USCRIPT_LATIN);
  if (kana > letters / 20) return {"ja", 0.9, "kana characters"};
  if (hangul > letters / 5) return {"ko", 0.9, "hangul characters"};
  if (han >= 0.3) return {"zh", std::min(1.0, 0.5 + han), "Han characters"};
  if (arabic >= 0.3) return {"ar", std::min(1.0, 0.5 + arabic), "Arabic script"};
  if (cyrillic >= 0.3) return {"ru", std::min(1.0, 0.5 + cyrillic), "Cyrillic script"};
  if (latin < 0.3) return {"", 0.0, "no script the detector knows"};

  // Latin script: score function words.
  std::string best;
  std::size_t best_hits = 0, second_hits = 0;
  std::size_t k = 0;
  for (const auto& [lang, words] : latin_function_words()) {
    const std::size_t hits = language_hits[k++];
    if (hits > best_hits) {
      second_hits = best_hits;
      best_hits = hits;
      best = lang;
    } else if (hits > second_hits) {
      second_hits = hits;
    }
  }
  if (best_hits == 0) return {"en", 0.3, "Latin script, no function words recognised (assumed English)"};
  double margin = double(best_hits - second_hits) / double(best_hits);
  return {best, std::clamp(0.4 + 0.6 * margin, 0.0, 1.0), "Latin script and function words"};
}

std::string language_name(std::string_view code) {
  static const std::map<std::string_view, std::string_view> names = {
      {"ar", "Arabic"}, {"zh", "Chinese"}, {"en", "English"}, {"fr", "French"},     {"ru", "Russian"},
      {"es", "Spanish"}, {"ja", "Japanese"}, {"ko", "Korean"}, {"de", "German"},    {"it", "Italian"},
      {"pt", "Portuguese"}, {"nl", "Dutch"},
  };
  const auto it = names.find(code);
  return std::string(it == names.end() ? code : it->second);
}

LanguageDecision decide_language(const std::optional<std::string>& given, std::string_view path,
                                 std::string_view text) {
  LanguageDecision decision;
  decision.detected = detect_language(text);
  if (given) {
    decision.lang = *given;
    decision.source = "given";
  } else if (auto from_name = language_from_file_name(path)) {
    decision.lang = *from_name;
    decision.source = "file name";
  } else {
    decision.lang = decision.detected.lang;
    decision.source = "detected";
  }
  return decision;
}

}  // namespace untm
