// Match scoring (see fuzzy_match.h for the scale).
#include "tm/fuzzy_match.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>

#include <algorithm>
#include <bit>
#include <limits>
#include <map>

#include "aligner/bmp_table.h"
#include "aligner/errors.h"
#include "aligner/utf8_util.h"

namespace untm::fuzzy {
namespace {

enum class CharClass { space, digit, word, mark, punct };

[[gnu::noinline]] CharClass classify_by_icu(char32_t c) {
  if (c < 0x80) {
    if (c == ' ' || (c >= 0x09 && c <= 0x0D)) return CharClass::space;
    if (c >= '0' && c <= '9') return CharClass::digit;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return CharClass::word;
    return CharClass::punct;
  }
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
    case U_DECIMAL_DIGIT_NUMBER:  // the key maps these to ASCII; kept as letters if one slips through
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
      return CharClass::word;
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_COMBINING_SPACING_MARK:
      return CharClass::mark;
    case U_SPACE_SEPARATOR:
    case U_LINE_SEPARATOR:
    case U_PARAGRAPH_SEPARATOR:
      return CharClass::space;
    default:
      return CharClass::punct;
  }
}

// classify_by_icu, cached for the BMP (keys and texts are classified a
// character at a time on every import and lookup).
constinit const BmpTable<CharClass> kClasses(classify_by_icu);

inline CharClass classify(char32_t c) {
  if (c < BmpTable<CharClass>::kEnd) [[likely]]
    return kClasses[c];
  return classify_by_icu(c);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// End of the digit run starting at `i`: digits, and "." or "," between two
// digits (1,000.5 is one number).
std::size_t number_end(std::string_view key, std::size_t i) {
  while (i < key.size()) {
    if (is_digit(key[i])) {
      ++i;
    } else if ((key[i] == '.' || key[i] == ',') && i + 1 < key.size() && is_digit(key[i + 1])) {
      i += 2;
    } else {
      break;
    }
  }
  return i;
}

// CJK characters written without spaces (utf8::is_cjk), letters and marks
// only: punctuation never makes an n-gram.
bool is_cjk_char(char32_t c) {
  if (!utf8::is_cjk(c)) return false;
  const CharClass cls = classify(c);
  return cls == CharClass::word || cls == CharClass::mark;
}

// The text with white space runs as one space and no leading or trailing
// white space: what "equal up to white space" compares.
std::string squash_spaces(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending = false;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t start = i;
    const char32_t c = utf8::next(text, i);
    if (classify(c) == CharClass::space) {
      pending = !out.empty();
      continue;
    }
    if (pending) out.push_back(' ');
    pending = false;
    out.append(text.substr(start, i - start));
  }
  return out;
}

// Letters and marks of the original text, as written: differs between two
// texts with equal skeletons only in case, width or Arabic marks.
std::string letters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t start = i;
    const char32_t c = utf8::next(text, i);
    const CharClass cls = classify(c);
    if (cls == CharClass::word || cls == CharClass::mark) out.append(text.substr(start, i - start));
  }
  return out;
}

const icu::Normalizer2& nfc() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* instance = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status) || instance == nullptr)
    throw Error(std::string("ICU NFC normalizer unavailable: ") + u_errorName(status));
  return *instance;
}

constexpr std::uint32_t kUnknownToken = std::numeric_limits<std::uint32_t>::max();

// One ICU word break iterator per language and thread: creating one costs
// far more than a lookup's tokenizing.
icu::BreakIterator* word_breaker(const std::string& lang) {
  thread_local std::map<std::string, std::unique_ptr<icu::BreakIterator>> cache;
  auto& slot = cache[lang];
  if (!slot) {
    UErrorCode status = U_ZERO_ERROR;
    slot.reset(icu::BreakIterator::createWordInstance(icu::Locale(lang.c_str()), status));
    if (U_FAILURE(status) || !slot)
      throw Error("ICU word break iterator unavailable for " + lang + ": " + u_errorName(status));
  }
  return slot.get();
}

}  // namespace

struct Matcher::WordBreaker {
  icu::BreakIterator* iterator = nullptr;
};

bool character_based(std::string_view lang) { return lang == "zh" || lang == "ja"; }

namespace {

// FNV-1a, byte by byte: the hashes are stored, so the function is fixed.
class TextHasher {
 public:
  explicit TextHasher(std::string_view lang) {
    for (char c : lang) mix(static_cast<unsigned char>(c));
    mix(0x1F);
  }
  void mix(unsigned char byte) {
    h_ ^= byte;
    h_ *= 1099511628211ULL;
  }
  void mix(std::string_view bytes) {
    for (char c : bytes) mix(static_cast<unsigned char>(c));
  }
  std::int64_t value() const { return std::bit_cast<std::int64_t>(h_); }

 private:
  std::uint64_t h_ = 14695981039346656037ULL;
};

}  // namespace

std::int64_t text_hash(std::string_view lang, std::string_view text) {
  TextHasher hasher(lang);
  hasher.mix(text);
  return hasher.value();
}

// One walk of the key: each run of letters and marks goes to the skeleton
// as it is, each number (its byte range noted) as one "0", each punctuation
// character to `punctuation`; spaces go. (key_hashes makes the same
// skeleton in its own walk; a test compares them for every BMP code point.)
KeyShape key_shape(std::string_view key) {
  KeyShape shape;
  shape.skeleton.reserve(key.size());
  std::size_t run = 0;  // start of the current run of letters and marks
  for (std::size_t i = 0; i < key.size();) {
    if (is_digit(key[i])) {
      shape.skeleton.append(key.substr(run, i - run));
      const std::size_t end = number_end(key, i);
      shape.skeleton.push_back('0');
      shape.numbers.emplace_back(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(end));
      i = run = end;
      continue;
    }
    const std::size_t start = i;
    const CharClass cls = classify(utf8::next(key, i));
    if (cls == CharClass::space || cls == CharClass::punct) {
      shape.skeleton.append(key.substr(run, start - run));
      if (cls == CharClass::punct) shape.punctuation.append(key.substr(start, i - start));
      run = i;
    }
  }
  shape.skeleton.append(key.substr(run));
  return shape;
}

std::string skeleton(std::string_view key) { return key_shape(key).skeleton; }

KeyHashes key_hashes(std::string_view lang, std::string_view key) {
  // Two FNV-1a chains side by side (the key's bytes; the skeleton's), so
  // that their multiplies overlap, in one walk of the key: the store hashes
  // every segment it writes, and the two separate passes cost 8% of an
  // import's CPU time. Same skeleton as key_shape: ASCII digit runs are one
  // "0", spaces and punctuation go, every other code point stays.
  TextHasher whole(lang);
  TextHasher skeleton(whole);
  const auto* bytes = reinterpret_cast<const unsigned char*>(key.data());
  for (std::size_t i = 0; i < key.size();) {
    const unsigned char b = bytes[i];
    if (b < 0x80) {
      if (is_digit(static_cast<char>(b))) {
        const std::size_t end = number_end(key, i);
        for (; i < end; ++i) whole.mix(bytes[i]);
        skeleton.mix('0');
        continue;
      }
      whole.mix(b);
      if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) skeleton.mix(b);
      ++i;
      continue;
    }
    const std::size_t start = i;
    const CharClass cls = classify(utf8::next(key, i));
    const bool kept = cls != CharClass::space && cls != CharClass::punct;
    for (std::size_t k = start; k < i; ++k) {
      whole.mix(bytes[k]);
      if (kept) skeleton.mix(bytes[k]);
    }
  }
  return {whole.value(), skeleton.value()};
}

std::size_t code_point_count(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

void cjk_unigram_codes(std::string_view key, std::vector<std::uint64_t>& out) {
  // CJK characters start at U+2E80, so their UTF-8 lead byte is 0xE2 or
  // above: most keys of other languages are done after one byte scan.
  if (std::none_of(key.begin(), key.end(), [](char c) { return static_cast<unsigned char>(c) >= 0xE2; })) return;
  for (std::size_t i = 0; i < key.size();) {
    const char32_t c = utf8::next(key, i);
    if (is_cjk_char(c)) out.push_back(c);
  }
}

bool is_cjk_unigram(std::string_view key) {
  std::size_t i = 0;
  if (key.empty()) return false;
  const char32_t c = utf8::next(key, i);
  return i == key.size() && is_cjk_char(c);
}

std::size_t edit_distance(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b,
                          std::size_t max_distance) {
  const std::size_t n = a.size(), m = b.size();
  if ((n > m ? n - m : m - n) > max_distance) return max_distance + 1;
  if (n == 0) return m;
  if (m == 0) return n;
  thread_local std::vector<std::size_t> previous, current;
  previous.resize(m + 1);
  current.resize(m + 1);
  for (std::size_t j = 0; j <= m; ++j) previous[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    current[0] = i;
    std::size_t row_min = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitute});
      row_min = std::min(row_min, current[j]);
    }
    if (row_min > max_distance) return max_distance + 1;
    std::swap(previous, current);
  }
  return previous[m];
}

// Characters when `words` is null, else ICU word tokens.
static std::vector<KeyToken> tokenize_with(icu::BreakIterator* words, std::string_view key) {
  std::vector<KeyToken> tokens;
  if (words == nullptr) {
    for (std::size_t i = 0; i < key.size();) {
      if (is_digit(key[i])) {
        const std::size_t end = number_end(key, i);
        tokens.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(end), true});
        i = end;
        continue;
      }
      const std::size_t start = i;
      const char32_t c = utf8::next(key, i);
      const CharClass cls = classify(c);
      if (cls == CharClass::mark && !tokens.empty() && tokens.back().end == start && !tokens.back().number) {
        tokens.back().end = static_cast<std::uint32_t>(i);  // a mark belongs to its base character
      } else if (cls == CharClass::word || cls == CharClass::mark) {
        tokens.push_back({static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(i), false});
      }
    }
    return tokens;
  }
  UErrorCode status = U_ZERO_ERROR;
  UText text = UTEXT_INITIALIZER;
  utext_openUTF8(&text, key.data(), static_cast<std::int64_t>(key.size()), &status);
  words->setText(&text, status);
  if (U_FAILURE(status)) {
    utext_close(&text);
    throw Error(std::string("ICU word break failed: ") + u_errorName(status));
  }
  std::int32_t start = words->first();
  for (std::int32_t end = words->next(); end != icu::BreakIterator::DONE; start = end, end = words->next()) {
    const std::int32_t rule = words->getRuleStatus();
    if (rule < UBRK_WORD_NONE_LIMIT) continue;  // spaces, punctuation, symbols
    tokens.push_back({static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(end), rule < UBRK_WORD_NUMBER_LIMIT});
  }
  utext_close(&text);
  return tokens;
}

std::vector<Matcher::Token> Matcher::tokenize(std::string_view key) const {
  return tokenize_with(characters_ ? nullptr : breaker_->iterator, key);
}

std::vector<KeyToken> tokenize_key(std::string_view lang, std::string_view key) {
  if (character_based(lang)) return tokenize_with(nullptr, key);
  return tokenize_with(word_breaker(std::string(lang)), key);
}

// ---- Matcher ----

Matcher::Matcher(std::string lang, std::string_view query_text) : lang_(std::move(lang)) {
  characters_ = character_based(lang_);
  if (!characters_) breaker_ = std::make_unique<WordBreaker>(WordBreaker{word_breaker(lang_)});
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2& normalizer = nfc();
  const icu::StringPiece piece(query_text.data(), static_cast<std::int32_t>(query_text.size()));
  if (normalizer.isNormalizedUTF8(piece, status) && U_SUCCESS(status)) {
    text_ = std::string(query_text);
  } else {
    text_ = to_nfc(query_text);
  }
  key_ = make_matching_key(text_);
  shape_ = key_shape(key_.text);
  tokens_ = tokenize(key_.text);
  token_ids_.reserve(tokens_.size());
  for (const Token& token : tokens_) {
    const std::string_view text = std::string_view(key_.text).substr(token.begin, token.end - token.begin);
    const auto [it, inserted] = vocabulary_.emplace(text, static_cast<std::uint32_t>(vocabulary_.size()));
    token_ids_.push_back(it->second);
  }
}

Matcher::~Matcher() = default;

int Matcher::band_score(std::string_view hit_text, std::string_view hit_key, const KeyShape& hit_shape,
                        std::vector<NumberSubstitution>& numbers) const {
  const std::string_view query_key = key_.text;
  for (std::size_t i = 0; i < shape_.numbers.size() && i < hit_shape.numbers.size(); ++i) {
    const auto [qb, qe] = shape_.numbers[i];
    const auto [hb, he] = hit_shape.numbers[i];
    if (query_key.substr(qb, qe - qb) != hit_key.substr(hb, he - hb)) numbers.push_back({{qb, qe}, {hb, he}});
  }
  int penalty = 0;
  if (!numbers.empty()) penalty += kNumberPenalty;
  if (shape_.punctuation != hit_shape.punctuation) penalty += kPunctuationPenalty;
  if (penalty == 0) return squash_spaces(text_) == squash_spaces(hit_text) ? kExactScore : kExactScore - kFormPenalty;
  if (letters(text_) != letters(hit_text)) penalty += kFormPenalty;
  return std::max(kMinNearExactScore, kExactScore - penalty);
}

MatchScore Matcher::score(std::string_view hit_text, std::string_view hit_key, int min_score) const {
  MatchScore out;
  const KeyShape hit_shape = key_shape(hit_key);
  if (hit_shape.skeleton == shape_.skeleton) {
    out.score = band_score(hit_text, hit_key, hit_shape, out.numbers);
    if (out.score < min_score) out = {};
    return out;
  }
  if (min_score > kMaxFuzzyScore) return out;
  const std::vector<Token> hit_tokens = tokenize(hit_key);
  const std::size_t n = std::max(tokens_.size(), hit_tokens.size());
  if (n == 0) return out;
  const std::size_t floor_score = static_cast<std::size_t>(std::max(min_score, 0));
  const std::size_t max_distance = n * (100 - std::min<std::size_t>(floor_score, 100)) / 100;
  std::vector<std::uint32_t> hit_ids;
  hit_ids.reserve(hit_tokens.size());
  for (const Token& token : hit_tokens) {
    const auto it = vocabulary_.find(hit_key.substr(token.begin, token.end - token.begin));
    hit_ids.push_back(it == vocabulary_.end() ? kUnknownToken : it->second);
  }
  const std::size_t distance = edit_distance(token_ids_, hit_ids, max_distance);
  if (distance > max_distance) return out;
  out.score = std::min(kMaxFuzzyScore, static_cast<int>(100 * (n - distance) / n));
  if (out.score < min_score) return {};

  // Numbers the hit has in place of the query's: substitutions of a number
  // token by a number token on one cheapest edit path.
  const bool query_has_number = std::any_of(tokens_.begin(), tokens_.end(), [](const Token& t) { return t.number; });
  const bool hit_has_number = std::any_of(hit_tokens.begin(), hit_tokens.end(), [](const Token& t) { return t.number; });
  if (!query_has_number || !hit_has_number) return out;
  const std::size_t rows = tokens_.size() + 1, cols = hit_ids.size() + 1;
  std::vector<std::uint32_t> table(rows * cols);
  for (std::size_t i = 0; i < rows; ++i) table[i * cols] = static_cast<std::uint32_t>(i);
  for (std::size_t j = 0; j < cols; ++j) table[j] = static_cast<std::uint32_t>(j);
  for (std::size_t i = 1; i < rows; ++i) {
    for (std::size_t j = 1; j < cols; ++j) {
      const std::uint32_t substitute = table[(i - 1) * cols + j - 1] + (token_ids_[i - 1] == hit_ids[j - 1] ? 0 : 1);
      table[i * cols + j] = std::min({table[(i - 1) * cols + j] + 1, table[i * cols + j - 1] + 1, substitute});
    }
  }
  std::vector<NumberSubstitution> found;
  for (std::size_t i = rows - 1, j = cols - 1; i > 0 && j > 0;) {
    const std::uint32_t here = table[i * cols + j];
    const bool same = token_ids_[i - 1] == hit_ids[j - 1];
    if (here == table[(i - 1) * cols + j - 1] + (same ? 0 : 1)) {
      const Token& q = tokens_[i - 1];
      const Token& h = hit_tokens[j - 1];
      if (!same && q.number && h.number) found.push_back({{q.begin, q.end}, {h.begin, h.end}});
      --i;
      --j;
    } else if (here == table[(i - 1) * cols + j] + 1) {
      --i;
    } else {
      --j;
    }
  }
  std::reverse(found.begin(), found.end());
  out.numbers = std::move(found);
  return out;
}

std::vector<std::pair<std::string, std::string>> Matcher::describe(const MatchScore& match,
                                                                   std::string_view hit_text) const {
  std::vector<std::pair<std::string, std::string>> out;
  if (match.numbers.empty()) return out;
  const MatchingKey hit_key = make_matching_key(hit_text);
  for (const NumberSubstitution& s : match.numbers) {
    const auto [qb, qe] = key_.source_range(s.query.first, s.query.second);
    const auto [hb, he] = hit_key.source_range(s.hit.first, s.hit.second);
    out.emplace_back(text_.substr(qb, qe - qb), std::string(hit_text.substr(hb, he - hb)));
  }
  return out;
}

}  // namespace untm::fuzzy
