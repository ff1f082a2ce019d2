// Match scoring for TM lookups, and the key-derived values the store
// indexes (hashes, trigrams, CJK n-grams). Internal to tm/.
//
// Everything is computed on the matching key (aligner/normalizer.h), so case,
// digit styles, full-width forms, Arabic marks and white space never count
// as edits. The score scale (memoQ style):
//
//   100     exact: same key, and the texts are equal up to white space
//   95–99   the keys differ only in numbers, punctuation, case or form. The
//           score is 100 minus the sum of the penalties of what differs,
//           never below 95:
//             1  case or form only (letter case, full-width letters, Arabic
//                harakat/tatweel, digit style, punctuation style such as
//                "，" for ",", white space inside words)
//             2  punctuation or symbols ("." "," "%" "/" …) added, removed
//                or changed
//             3  numbers (a digit run such as 1973 or 1,000.5) changed
//           e.g. 99 case only, 98 punctuation, 97 numbers, 96 numbers and
//           case, 95 numbers and punctuation.
//   0–94    fuzzy: 100 × (1 − d / max(n, m)) rounded down and capped at 94,
//           where d is the edit distance between the token sequences of the
//           two keys (n and m tokens): characters for zh and ja, ICU word
//           tokens otherwise; spaces, punctuation and symbols are not tokens,
//           a digit run is one token.
//
// "Differ only in numbers and punctuation" is decided on the key's skeleton:
// the key without spaces, punctuation and symbols, with every digit run
// replaced by one "0". Equal skeletons mean a 95–99 (or 100) match.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aligner/normalizer.h"
#include "aligner/utf8_util.h"
#include "tm/tm_types.h"

namespace untm::fuzzy {

inline constexpr int kExactScore = 100;
inline constexpr int kMinNearExactScore = 95;
inline constexpr int kMaxFuzzyScore = 94;
inline constexpr int kFormPenalty = 1;
inline constexpr int kPunctuationPenalty = 2;
inline constexpr int kNumberPenalty = 3;

// True for languages compared character by character (no spaces between
// words): zh, ja.
bool character_based(std::string_view lang);

// A stable 64-bit hash (FNV-1a) of lang, U+001F and text, as a signed
// integer for SQLite. Stored in the TM: it must never change.
std::int64_t text_hash(std::string_view lang, std::string_view text);

// The shape of a key: its skeleton (see the file comment), the byte ranges
// of its digit runs, and its punctuation and symbols in order.
struct KeyShape {
  std::string skeleton;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> numbers;
  std::string punctuation;
};
KeyShape key_shape(std::string_view key);

// Only the skeleton (what the store hashes for near-exact lookups).
std::string skeleton(std::string_view key);

// text_hash(lang, key) and text_hash(lang, skeleton(key)), in one walk of
// the key and without making the skeleton: what the store computes for
// every segment, and lookups for the query.
using KeyHashes = SegmentKeyHashes;
KeyHashes key_hashes(std::string_view lang, std::string_view key);

// A trigram: three consecutive code points of the key, packed 21 bits each
// (as the n-gram index stores them, tm/gram_index.h).
using Trigram = std::uint64_t;

// Calls visit(Trigram) for every trigram of `key`, in order (repeats too).
template <class Visit>
void for_each_trigram(std::string_view key, Visit&& visit);

// Number of code points of valid UTF-8.
std::size_t code_point_count(std::string_view text);

// The unigrams that serve one-character Chinese and Japanese queries
// (trigrams cannot; two characters are the range of trigrams (a, b, *), see
// gram_index.h): the code point of each CJK character, appended to `out` in
// order. None when the key has no CJK character.
void cjk_unigram_codes(std::string_view key, std::vector<std::uint64_t>& out);

// True when `key` is one CJK character (one of the unigrams cjk_unigram_codes makes).
bool is_cjk_unigram(std::string_view key);

// A token that edit distance counts: a character (zh, ja) or an ICU word
// token (other languages), a digit run as one token; spaces, punctuation
// and symbols are no tokens. Byte range in the key.
struct KeyToken {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  bool number = false;
};
std::vector<KeyToken> tokenize_key(std::string_view lang, std::string_view key);

// Byte range of a number token in the query key and in the hit key that
// replaced it.
struct NumberSubstitution {
  std::pair<std::uint32_t, std::uint32_t> query;
  std::pair<std::uint32_t, std::uint32_t> hit;
};

struct MatchScore {
  int score = 0;
  std::vector<NumberSubstitution> numbers;  // numbers the hit has in place of the query's
};

// Scores stored segments against one query. Not thread-safe (it reuses an
// ICU word break iterator); cheap to construct.
class Matcher {
 public:
  Matcher(std::string lang, std::string_view query_text);
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  const std::string& lang() const { return lang_; }
  const std::string& query_text() const { return text_; }  // NFC
  const MatchingKey& query_key() const { return key_; }
  std::size_t query_tokens() const { return tokens_.size(); }

  // The score of a stored segment (its text and matching key). Returns
  // score 0 when the score would be below min_score (work is cut short).
  MatchScore score(std::string_view hit_text, std::string_view hit_key, int min_score) const;

  // The number substitutions of a scored hit as text: (in the query, in the
  // hit), both as written in the original texts.
  std::vector<std::pair<std::string, std::string>> describe(const MatchScore& match,
                                                            std::string_view hit_text) const;

 private:
  using Token = KeyToken;
  std::vector<Token> tokenize(std::string_view key) const;
  int band_score(std::string_view hit_text, std::string_view hit_key, const KeyShape& hit_shape,
                 std::vector<NumberSubstitution>& numbers) const;

  std::string lang_;
  bool characters_ = false;
  std::string text_;
  MatchingKey key_;
  KeyShape shape_;
  std::vector<Token> tokens_;
  std::vector<std::uint32_t> token_ids_;
  std::unordered_map<std::string_view, std::uint32_t> vocabulary_;  // query token → id
  struct WordBreaker;
  std::unique_ptr<WordBreaker> breaker_;
};

// Token-level edit distance between two id sequences; stops early and returns
// a value > max_distance when the distance exceeds it.
std::size_t edit_distance(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b,
                          std::size_t max_distance);

// ---- template implementation ----

template <class Visit>
void for_each_trigram(std::string_view key, Visit&& visit) {
  char32_t a = 0, b = 0;
  int have = 0;
  for (std::size_t i = 0; i < key.size();) {
    const char32_t c = utf8::next(key, i);
    if (have >= 2) visit((static_cast<Trigram>(a) << 42) | (static_cast<Trigram>(b) << 21) | c);
    a = b;
    b = c;
    if (have < 2) ++have;
  }
}

}  // namespace untm::fuzzy
