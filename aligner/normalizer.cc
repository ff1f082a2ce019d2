// Unicode normalization and the matching key (see normalizer.h).
//
// The key is built in one pass: the input is split into chunks at NFKC
// casefold normalization boundaries (Normalizer2::hasBoundaryBefore), each
// chunk is normalized on its own (the concatenation equals normalizing the
// whole text), and every code point of the chunk's output goes through the
// table below. Every key byte records the offset of the chunk it came from.
//
// Key mapping, applied after NFKC + case folding:
//
//   removed         U+0640 Arabic tatweel
//                   U+064B..U+065F Arabic harakat and marks
//                   U+0670 Arabic superscript alef
//   digit (Nd)      any decimal digit (Arabic-Indic, Extended Arabic-Indic,
//                   Devanagari, ...) -> its ASCII digit; full-width and
//                   mathematical digits are already ASCII after NFKC
//   .               U+3002 。  U+066B ٫ (Arabic decimal separator)
//   ,               U+3001 、  U+060C ، (Arabic comma)
//                   U+066C ٬ (Arabic thousands separator)
//   ;               U+061B ؛ (Arabic semicolon)
//   ?               U+061F ؟ (Arabic question mark)
//   %               U+066A ٪ (Arabic percent)
//   "               U+300C 「 U+300D 」 U+300E 『 U+300F 』
//                   U+201C “ U+201D ” U+201E „
//                   U+300A 《 U+300B 》 U+3008 〈 U+3009 〉
//   '               U+2018 ‘ U+2019 ’
//   [ ]             U+3010 【 U+3014 〔 / U+3011 】 U+3015 〕
//   -               U+2010..U+2015 ‐‑‒–—―, U+2212 −
//   (NFKC itself)   U+FF01..U+FF5E full-width ASCII (，；：？！（）／ ...),
//                   U+FF61 ｡ -> 。, U+FF64 ､ -> 、, U+FF62/3 ｢｣ -> 「」
//   white space     any run of White_Space characters (space, tab, line
//                   ends, NBSP U+00A0, U+202F, U+3000, ...) -> one ASCII
//                   space; leading and trailing runs removed
//
// NFKC casefold also removes default-ignorable characters (soft hyphen,
// zero-width space and joiners). Ill-formed UTF-8 (the API wants valid
// text) becomes U+FFFD in the key; to_nfc copies it unchanged.
#include "aligner/normalizer.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "aligner/bmp_table.h"
#include "aligner/errors.h"
#include "aligner/utf8_util.h"

namespace untm {
namespace {

// ICU owns the Normalizer2 singletons (they must not be deleted), so a
// reference to the shared instance is all the "RAII" they need. They are
// fetched once under a C++ static guard: ICU makes them on first use with
// its own once-flags, which ThreadSanitizer cannot see (ICU is not
// instrumented), so two threads' first calls were reported as a race. A
// failure is not cached: the next call tries again.
const icu::Normalizer2& fetch_normalizer(const icu::Normalizer2* (*get)(UErrorCode&), const char* name) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* instance = get(status);
  if (U_FAILURE(status) || instance == nullptr)
    throw Error(std::string("ICU ") + name + " normalizer unavailable: " + u_errorName(status));
  return *instance;
}

const icu::Normalizer2& nfc_instance() {
  static const icu::Normalizer2* const instance = &fetch_normalizer(icu::Normalizer2::getNFCInstance, "NFC");
  return *instance;
}

const icu::Normalizer2& nfkc_casefold_instance() {
  static const icu::Normalizer2* const instance =
      &fetch_normalizer(icu::Normalizer2::getNFKCCasefoldInstance, "NFKC_Casefold");
  return *instance;
}

constexpr char32_t kReplacement = 0xFFFD;

// ICU reorders a run of combining marks by insertion sort, so a run of
// thousands of marks (never seen in real text) would take quadratic time.
// Like UAX #15's stream-safe format, a run is cut after this many code points
// without a normalization boundary; below it results are exact.
constexpr int kMaxCodePointsWithoutBoundary = 31;

// ICU's UTF-8 API takes int32 lengths; long texts are normalized in pieces
// cut at a normalization boundary after this many bytes.
constexpr std::int64_t kMaxPieceBytes = std::int64_t{1} << 30;
constexpr char32_t kRemoved = 0xFFFFFFFF;  // sentinel: drop the code point
constexpr char32_t kSpace = 0xFFFFFFFE;    // sentinel: white space

// The table in the file comment, for one code point of NFKC_CF output.
char32_t map_key_char(char32_t c) {
  if (c < 0x80) {
    // ASCII white space per the Unicode White_Space property.
    if (c == ' ' || (c >= 0x09 && c <= 0x0D)) return kSpace;
    return c;
  }
  switch (c) {
    case 0x0640:
    case 0x0670:
      return kRemoved;
    case 0x3002:
    case 0x066B:
      return '.';
    case 0x3001:
    case 0xFF0C:  // already ASCII after NFKC; listed for completeness
    case 0x060C:
    case 0x066C:
      return ',';
    case 0x061B:
      return ';';
    case 0x061F:
      return '?';
    case 0x066A:
      return '%';
    case 0x300C:
    case 0x300D:
    case 0x300E:
    case 0x300F:
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x300A:
    case 0x300B:
    case 0x3008:
    case 0x3009:
      return '"';
    case 0x2018:
    case 0x2019:
      return '\'';
    case 0x3010:
    case 0x3014:
      return '[';
    case 0x3011:
    case 0x3015:
      return ']';
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:
      return '-';
    default:
      break;
  }
  if (c >= 0x064B && c <= 0x065F) return kRemoved;
  const auto uc = static_cast<UChar32>(c);
  if (u_isUWhiteSpace(uc)) return kSpace;
  if (u_charType(uc) == U_DECIMAL_DIGIT_NUMBER) {
    const int32_t value = u_charDigitValue(uc);
    if (value >= 0 && value <= 9) return static_cast<char32_t>('0' + value);
  }
  return c;
}

// What the key builder and the NFC check ask ICU about one BMP code point,
// cached (aligner/bmp_table.h): the same answers, several times faster.
struct CharFacts {
  char32_t key_char = 0;         // map_key_char
  bool boundary_before = false;  // NFKC_CF Normalizer2::hasBoundaryBefore
  bool decomposes = false;       // NFKC_CF Normalizer2::getDecomposition
  bool nfc_inert = false;        // NFC_Quick_Check = Yes and combining class 0
  bool nfc_boundary_before = false;  // NFC Normalizer2::hasBoundaryBefore
  bool verbatim = false;         // alone, it keys as itself: boundary before, no decomposition, key_char == c
};

CharFacts compute_char_facts(char32_t c) {
  const auto uc = static_cast<UChar32>(c);
  const icu::Normalizer2& nfkc_cf = nfkc_casefold_instance();
  CharFacts facts;
  facts.key_char = map_key_char(c);
  facts.boundary_before = nfkc_cf.hasBoundaryBefore(uc);
  icu::UnicodeString decomposition;
  facts.decomposes = nfkc_cf.getDecomposition(uc, decomposition);
  // A text of such characters only is in NFC whatever their order (UAX #15
  // quick check): the common case skips ICU's normalizer entirely.
  facts.nfc_inert = u_getCombiningClass(uc) == 0 &&
                    u_getIntPropertyValue(uc, UCHAR_NFC_QUICK_CHECK) == UNORM_YES;
  facts.nfc_boundary_before = nfc_instance().hasBoundaryBefore(uc);
  facts.verbatim = facts.boundary_before && !facts.decomposes && facts.key_char == c;
  return facts;
}

constinit const BmpTable<CharFacts> kCharFacts(compute_char_facts);

inline const CharFacts& char_facts(char32_t c) { return kCharFacts[c]; }

// One pass over UTF-8: the byte offset of its first ill-formed sequence
// (-1 when none), and whether every code point before it is ASCII or
// NFC-inert (then the text is in NFC for certain, without asking ICU).
// With `stop_when_not_inert`, it stops at the first code point that is not
// (the text's validity is then not known).
struct NfcScan {
  std::int64_t invalid_at = -1;
  bool inert = true;
};
NfcScan scan_for_nfc(std::string_view utf8, bool stop_when_not_inert) {
  const auto* s = reinterpret_cast<const std::uint8_t*>(utf8.data());
  const auto n = static_cast<std::int64_t>(utf8.size());
  NfcScan scan;
  for (std::int64_t i = 0; i < n;) {
    if (s[i] < 0x80) {
      i = static_cast<std::int64_t>(
          untm::utf8::skip_ascii_words(utf8.data(), static_cast<std::size_t>(i), utf8.size()));
      if (i < n && s[i] < 0x80) ++i;
      continue;
    }
    const std::int64_t start = i;
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c < 0) {
      scan.invalid_at = start;
      return scan;
    }
    if (scan.inert)
      scan.inert = c < static_cast<UChar32>(BmpTable<CharFacts>::kEnd) && char_facts(static_cast<char32_t>(c)).nfc_inert;
    if (!scan.inert && stop_when_not_inert) return scan;
  }
  return scan;
}

bool nfc_for_certain(std::string_view utf8) {
  const NfcScan scan = scan_for_nfc(utf8, true);
  return scan.invalid_at < 0 && scan.inert;
}

// Builds the key, with or without offsets, in one pass over the input.
class KeyBuilder {
 public:
  KeyBuilder(std::string_view input, bool with_offsets)
      : input_(input),
        with_offsets_(with_offsets),
        normalizer_(nfkc_casefold_instance()) {
    if (input.size() >= std::numeric_limits<std::uint32_t>::max()) {
      throw ArgumentError("text too large for a matching key (" +
                          std::to_string(input.size()) +
                          " bytes; the limit is 4 GiB)");
    }
    key_.text.reserve(input.size());
    if (with_offsets_) key_.source_offsets.reserve(input.size() + 1);
  }

  MatchingKey build() {
    const auto* s = reinterpret_cast<const std::uint8_t*>(input_.data());
    const auto n = static_cast<std::int64_t>(input_.size());
    std::int64_t i = 0;
    std::int64_t chunk_begin = 0;
    int chunk_code_points = 0;
    bool chunk_bad = false;   // the current chunk is one ill-formed sequence
    UChar32 chunk_first = 0;  // its first code point (decoded once)
    const CharFacts* chunk_facts = nullptr;  // chunk_first's, when in the BMP
    while (i < n) {
      if (s[i] < 0x80) {
        // ASCII always starts a chunk under NFKC_CF (checked by a test), so
        // the chunk before ends here, and in a run of ASCII each character
        // followed by another (or by the end) is a chunk of its own.
        if (i > chunk_begin) flush(chunk_begin, i, chunk_bad, chunk_code_points, chunk_first, chunk_facts);
        while (i + 1 < n && s[i + 1] < 0x80) {
          if (!with_offsets_) {
            // A run of characters that key as themselves (neither white
            // space nor capitals), each followed by ASCII: one verbatim run.
            std::int64_t end = i;
            while (end + 1 < n && s[end + 1] < 0x80 && keys_as_itself(s[end])) ++end;
            if (end > i) {
              verbatim(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(end));
              i = end;
              continue;
            }
          }
          emit_ascii(s[i], static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + 1));
          ++i;
        }
        if (i + 1 == n) {
          emit_ascii(s[i], static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(n));
          chunk_begin = i = n;
          break;
        }
        // The run's last character: a combining mark after it may join it.
        chunk_begin = i;
        chunk_code_points = 1;
        chunk_bad = false;
        chunk_first = s[i++];
        chunk_facts = nullptr;  // flush() takes ASCII on its own path
        continue;
      }
      const std::int64_t start = i;
      UChar32 c;
      U8_NEXT(s, i, n, c);
      const bool bad = c < 0;
      const CharFacts* facts =
          !bad && c < static_cast<UChar32>(BmpTable<CharFacts>::kEnd) ? &char_facts(static_cast<char32_t>(c)) : nullptr;
      const bool boundary = bad || chunk_bad || chunk_code_points >= kMaxCodePointsWithoutBoundary ||
                            (facts != nullptr ? facts->boundary_before : normalizer_.hasBoundaryBefore(c));
      if (boundary && start > chunk_begin) {
        // The common case inline: one code point that keys as itself.
        if (!with_offsets_ && chunk_code_points == 1 && chunk_facts != nullptr && chunk_facts->verbatim)
          verbatim(static_cast<std::uint32_t>(chunk_begin), static_cast<std::uint32_t>(start));
        else
          flush(chunk_begin, start, chunk_bad, chunk_code_points, chunk_first, chunk_facts);
        chunk_begin = start;
        chunk_code_points = 0;
      }
      if (chunk_code_points == 0) {
        chunk_first = c;
        chunk_facts = facts;
      }
      ++chunk_code_points;
      chunk_bad = bad;
    }
    if (n > chunk_begin) flush(chunk_begin, n, chunk_bad, chunk_code_points, chunk_first, chunk_facts);
    finish();
    return std::move(key_);
  }

 private:
  // The chunk [begin, end) of `code_points` code points, the first `first`
  // (with its facts when it is in the BMP).
  void flush(std::int64_t begin, std::int64_t end, bool bad, int code_points, UChar32 first,
             const CharFacts* first_facts) {
    const auto b = static_cast<std::uint32_t>(begin);
    const auto e = static_cast<std::uint32_t>(end);
    if (bad) {
      // Ill-formed input (the API wants valid UTF-8): keep a visible mark.
      emit(kReplacement, b, e);
      return;
    }
    if (code_points == 1) {
      // One code point without a mapping normalizes to itself: skip ICU's
      // heavier normalizeUTF8 for the common case.
      if (first < 0x80) {
        emit_ascii(static_cast<std::uint8_t>(first), b, e);
        return;
      }
      if (first_facts != nullptr) {
        if (!with_offsets_ && first_facts->verbatim) {
          verbatim(b, e);
          return;
        }
        if (!first_facts->decomposes) {
          emit_mapped(first_facts->key_char, b, e);
          return;
        }
      } else if (!normalizer_.getDecomposition(first, scratch_)) {
        emit(static_cast<char32_t>(first), b, e);
        return;
      }
    }
    UErrorCode status = U_ZERO_ERROR;
    chunk_out_.clear();
    icu::StringByteSink<std::string> sink(&chunk_out_);
    normalizer_.normalizeUTF8(
        0,
        icu::StringPiece(input_.data() + begin,
                         static_cast<std::int32_t>(end - begin)),
        sink, nullptr, status);
    if (U_FAILURE(status)) {
      throw Error(std::string("ICU normalization failed: ") +
                  u_errorName(status));
    }
    const auto* o = reinterpret_cast<const std::uint8_t*>(chunk_out_.data());
    const auto on = static_cast<std::int64_t>(chunk_out_.size());
    std::int64_t j = 0;
    while (j < on) {
      UChar32 c;
      U8_NEXT(o, j, on, c);
      emit(c < 0 ? kReplacement : static_cast<char32_t>(c), b, e);
    }
  }

  // An ASCII character that emit_ascii keeps as it is (without offsets).
  static bool keys_as_itself(std::uint8_t c) {
    return c != ' ' && !(c >= 0x09 && c <= 0x0D) && !(c >= 'A' && c <= 'Z');
  }

  // A chunk of one ASCII character (most of a Latin-script text): what
  // flush and emit do for it, without their general cases.
  void emit_ascii(std::uint8_t c, std::uint32_t begin, std::uint32_t end) {
    if (c == ' ' || (c >= 0x09 && c <= 0x0D)) {
      flush_verbatim();
      space_at(begin);
      return;
    }
    if (!with_offsets_ && !(c >= 'A' && c <= 'Z')) {
      verbatim(begin, end);
      return;
    }
    flush_verbatim();
    put_pending_space();
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    push(static_cast<char>(c), begin);
    last_chunk_end_ = end;
  }

  // One code point of normalized output from the chunk [begin, end).
  void emit(char32_t c, std::uint32_t begin, std::uint32_t end) {
    emit_mapped(c >= 0x80 && c < BmpTable<CharFacts>::kEnd ? char_facts(c).key_char : map_key_char(c), begin, end);
  }

  // The same, with the code point already through map_key_char.
  void emit_mapped(char32_t mapped, std::uint32_t begin, std::uint32_t end) {
    flush_verbatim();
    if (mapped == kRemoved) return;
    if (mapped == kSpace) {
      space_at(begin);
      return;
    }
    put_pending_space();
    if (mapped < 0x80) {
      push(static_cast<char>(mapped), begin);
    } else {
      const std::size_t before = key_.text.size();
      utf8::append(key_.text, mapped);
      if (with_offsets_) {
        key_.source_offsets.insert(key_.source_offsets.end(),
                                   key_.text.size() - before, begin);
      }
    }
    last_chunk_end_ = end;
  }

  // A chunk whose key is its own bytes (without offsets only): kept as a
  // run of the input, copied at once when something else comes. Most of a
  // text is such runs (Arabic and Chinese characters, lower-case Latin).
  void verbatim(std::uint32_t begin, std::uint32_t end) {
    if (begin != verbatim_end_ || verbatim_end_ == verbatim_begin_) {
      flush_verbatim();
      put_pending_space();
      verbatim_begin_ = begin;
    }
    verbatim_end_ = end;
    last_chunk_end_ = end;
  }

  void flush_verbatim() {
    if (verbatim_end_ == verbatim_begin_) return;
    key_.text.append(input_.data() + verbatim_begin_, verbatim_end_ - verbatim_begin_);
    verbatim_begin_ = verbatim_end_;
  }

  // White space at `begin`: leading white space is dropped; a run becomes
  // one space with the offset of its first character.
  void space_at(std::uint32_t begin) {
    if (!key_.text.empty() && !pending_space_) {
      pending_space_ = true;
      space_offset_ = begin;
    }
  }

  // Writes the space of the run before the character that ends it.
  void put_pending_space() {
    if (pending_space_) {
      push(' ', space_offset_);
      pending_space_ = false;
    }
  }

  void push(char byte, std::uint32_t offset) {
    key_.text.push_back(byte);
    if (with_offsets_) key_.source_offsets.push_back(offset);
  }

  void finish() {
    flush_verbatim();
    if (!with_offsets_) return;
    const auto size = static_cast<std::uint32_t>(input_.size());
    key_.source_offsets.push_back(size);
    // Trailing white space belongs to no key byte; removed characters
    // (tatweel, marks, ignorables) stay with the character before them.
    key_.content_end = pending_space_ ? std::max(space_offset_, last_chunk_end_)
                                      : (key_.text.empty() ? 0 : size);
  }

  std::string_view input_;
  bool with_offsets_;
  const icu::Normalizer2& normalizer_;
  MatchingKey key_;
  std::string chunk_out_;       // reused so chunks do not allocate
  icu::UnicodeString scratch_;  // reused by getDecomposition
  bool pending_space_ = false;
  std::uint32_t space_offset_ = 0;
  std::uint32_t last_chunk_end_ = 0;
  std::uint32_t verbatim_begin_ = 0, verbatim_end_ = 0;  // the pending run of input bytes
};

}  // namespace

std::string to_nfc(std::string_view utf8) {
  if (nfc_for_certain(utf8)) return std::string(utf8);
  const icu::Normalizer2& nfc = nfc_instance();
  std::string out;
  out.reserve(utf8.size());
  icu::StringByteSink<std::string> sink(&out);
  const auto normalize_piece = [&](std::int64_t begin, std::int64_t end) {
    UErrorCode status = U_ZERO_ERROR;
    nfc.normalizeUTF8(0,
                      icu::StringPiece(utf8.data() + begin,
                                       static_cast<std::int32_t>(end - begin)),
                      sink, nullptr, status);
    if (U_FAILURE(status)) {
      throw Error(std::string("ICU NFC normalization failed: ") +
                  u_errorName(status));
    }
  };
  // Normally one piece; see kMaxCodePointsWithoutBoundary and kMaxPieceBytes.
  const auto* s = reinterpret_cast<const std::uint8_t*>(utf8.data());
  const auto n = static_cast<std::int64_t>(utf8.size());
  std::int64_t piece_begin = 0;
  std::int64_t i = 0;
  int without_boundary = 0;
  while (i < n) {
    const std::int64_t start = i;
    UChar32 c;
    if (s[i] < 0x80) {
      c = s[i++];
    } else {
      U8_NEXT(s, i, n, c);
    }
    // ASCII and ill-formed bytes (c < 0) always have a boundary; the BMP's
    // answers are cached.
    const bool boundary = c < 0x80 || (c < static_cast<UChar32>(BmpTable<CharFacts>::kEnd)
                                           ? char_facts(static_cast<char32_t>(c)).nfc_boundary_before
                                           : nfc.hasBoundaryBefore(c));
    if (boundary) {
      without_boundary = 0;
      if (start - piece_begin >= kMaxPieceBytes) {
        normalize_piece(piece_begin, start);
        piece_begin = start;
      }
    } else if (++without_boundary >= kMaxCodePointsWithoutBoundary) {
      normalize_piece(piece_begin, start);
      piece_begin = start;
      without_boundary = 0;
    }
  }
  if (n > piece_begin) normalize_piece(piece_begin, n);
  return out;
}

std::pair<std::size_t, std::size_t> MatchingKey::source_range(
    std::size_t key_begin, std::size_t key_end) const {
  if (source_offsets.size() != text.size() + 1) {
    throw ArgumentError("matching key of " + std::to_string(text.size()) +
                        " bytes has " + std::to_string(source_offsets.size()) +
                        " source offsets; it needs one more than its size");
  }
  if (key_begin > key_end || key_end > text.size()) {
    throw ArgumentError("key range [" + std::to_string(key_begin) + ", " +
                        std::to_string(key_end) +
                        ") is outside the matching key of " +
                        std::to_string(text.size()) + " bytes");
  }
  const std::size_t begin = source_offsets[key_begin];
  if (key_begin == key_end) return {begin, begin};
  // The source of key byte key_end-1 runs to the next chunk that produced key
  // bytes (offsets never decrease), or to content_end for the last one.
  const std::uint32_t last = source_offsets[key_end - 1];
  const auto next = std::upper_bound(
      source_offsets.begin() + static_cast<std::ptrdiff_t>(key_end),
      source_offsets.end(), last);
  std::size_t end = source_offsets.back();
  if (next != source_offsets.end() - 1 && next != source_offsets.end()) {
    end = *next;
  } else if (content_end > last && content_end < end) {
    end = content_end;
  }
  return {begin, end};
}

namespace {

// ICU's answer, for texts with code points that are not NFC-inert.
bool icu_is_nfc(std::string_view utf8) {
  if (utf8.size() >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) return to_nfc(utf8) == utf8;
  UErrorCode status = U_ZERO_ERROR;
  const bool normalized =
      nfc_instance().isNormalizedUTF8(icu::StringPiece(utf8.data(), static_cast<std::int32_t>(utf8.size())), status);
  if (U_FAILURE(status)) throw Error(std::string("ICU NFC check failed: ") + u_errorName(status));
  return normalized;
}

}  // namespace

bool is_nfc(std::string_view utf8) { return nfc_for_certain(utf8) || icu_is_nfc(utf8); }

TextCheck check_utf8_and_nfc(std::string_view text) {
  const NfcScan scan = scan_for_nfc(text, false);
  if (scan.invalid_at >= 0) return {scan.invalid_at, false};
  return {-1, scan.inert || icu_is_nfc(text)};
}

MatchingKey make_matching_key(std::string_view utf8) {
  return KeyBuilder(utf8, true).build();
}

std::string matching_key_text(std::string_view utf8) {
  return KeyBuilder(utf8, false).build().text;
}

}  // namespace untm
