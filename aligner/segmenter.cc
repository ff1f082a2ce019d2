// Sentence segmentation: ICU's sentence BreakIterator proposes boundaries,
// then UN rules veto the ones that are not sentence ends.
//
// Pipeline for one paragraph:
//   1. One linear scan pairs quotes and brackets; a boundary strictly inside a
//      matched pair is dropped (unmatched marks are ignored).
//   2. ICU proposes sentence boundaries, read one at a time and mapped to byte
//      offsets (ICU reads a UTF-16 copy: much faster than a UTF-8 UText).
//   3. Each boundary is checked against the text around it:
//      abbreviations ("para.", "Sales No. E.95.II.A.1"), initials
//      ("J. F. Kennedy"), a "." not followed by white space ("E/CN.4/L.10"),
//      and in Chinese/Japanese an ASCII "." that is not followed by a space and
//      a capital.
// ICU's own suppression lists ("ss=standard") are not used: they exist for a
// few languages only and suppress unconditionally, while the UN lists below
// need context ("etc." ends a sentence unless a lower-case word follows).
#include "aligner/segmenter.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>
#include <unicode/utext.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aligner/bmp_table.h"
#include "aligner/errors.h"
#include "aligner/utf8_util.h"

namespace untm {
namespace {

// ---------------------------------------------------------------------------
// Language rules

struct LanguageRules {
  std::size_t index = 0;   // position in the table of rules
  std::string code;        // normalized ISO 639-1 code; "" = root
  std::string icu_locale;  // "" = ICU root rules
  // Abbreviations (without their final ".") after which a sentence never
  // ends. Case-sensitive; may contain spaces ("p. ej").
  std::vector<std::string_view> abbreviations;
  // Abbreviations that do end a sentence unless a lower-case word follows
  // ("etc.", "т.д.").
  std::vector<std::string_view> lower_only;
  // No white space between sentences (zh, ja): an ASCII "." only ends a
  // sentence when a space and a capital follow, since it is Latin text.
  bool cjk = false;
  // The script has case: a sentence never starts with a lower-case letter
  // ("“Certainly not!” said the delegate"), and "J. F. Kennedy" style
  // initials do not end a sentence.
  bool cased = false;
  // Japanese: a particle after a closing quote continues the sentence.
  bool quote_particles = false;
};

// UN rules for every language.
constexpr std::string_view kCommonAbbreviations[] = {
    "Mr",   "Mrs", "Ms",   "Dr",   "No",   "Nos",  "para", "paras",
    "Para", "Paras", "art", "arts", "Art",  "Arts", "vol",  "Vol",
    "p",    "pp",  "e.g",  "E.g",  "i.e",  "I.e",  "cf",   "Cf",
    "U.N",  "H.E", "a.m",  "p.m",  "Corr", "Rev",  "Add",  "Sect",
    "St",   "Jr",  "Gen",  "Prof"};
constexpr std::string_view kCommonLowerOnly[] = {"etc"};

constexpr std::string_view kEnglishAbbreviations[] = {
    "Jan", "Feb", "Aug", "Sept", "Oct",    "Nov", "Dec",
    "approx", "Co", "Inc", "Ltd", "Messrs", "Mmes"};

constexpr std::string_view kFrenchAbbreviations[] = {
    "M",   "MM",  "Mme", "Mmes", "Mlle", "Mlles", "no",   "nos",
    "No",  "Nos", "par", "chap", "éd",   "suppl", "S. E", "S.E"};

constexpr std::string_view kSpanishAbbreviations[] = {
    "Sr",  "Sra", "Sres", "Srta",  "Dra",   "núm", "Núm", "párr",
    "párrs", "pág", "págs", "cap", "p. ej", "S.E", "EE.UU"};

// "г." (год): "в 2011 г. Совет" is ambiguous; the UN rule is not to break.
// "им." is also the pronoun; the UN rule treats it as "имени".
constexpr std::string_view kRussianAbbreviations[] = {
    "г",   "гг", "т.е", "т. е", "Т.е", "см", "См",
    "стр", "п",  "пп",  "ст",   "им",  "No"};
// "т.д.", "т.п." and "и др." mean "etc." / "et al.": they often end a
// sentence, so like "etc." they only hold when a lower-case word follows.
constexpr std::string_view kRussianLowerOnly[] = {"т.д", "т. д", "т.п",
                                                  "т. п", "др"};

// "د." = doctor. "م." after a year is left to ICU: Arabic has no case, so a
// real sentence end cannot be told from a date.
constexpr std::string_view kArabicAbbreviations[] = {"د", "أ.د"};

// Words after which a single capital is a label ("annex I.", "Plan B."),
// which may end a sentence, rather than an initial. Lower-case prefixes, so
// Russian case endings match too.
constexpr std::string_view kDesignatorPrefixes[] = {
    // en
    "annex", "part", "chapter", "section", "table", "figure",
    "appendix", "schedule", "title", "article", "category", "group", "phase",
    "plan", "option", "item", "level", "class", "type", "volume", "book",
    "resolution", "decision", "recommendation", "protocol", "stage", "step",
    "war", "list", "model", "grade", "tier", "sector", "region",
    // fr
    "partie", "chapitre", "tableau", "appendice", "titre", "groupe",
    "catégorie", "résolution", "décision", "projet", "livre", "niveau",
    "classe", "guerre", "point", "phase",
    // es
    "anexo", "parte", "capítulo", "sección", "cuadro", "figura", "apéndice",
    "título", "grupo", "categoría", "opción", "resolución", "decisión",
    "proyecto", "volumen", "libro", "fase", "nivel", "clase", "tipo",
    "artículo", "guerra", "tomo",
    // ru
    "приложени", "част", "глав", "раздел", "таблиц", "рисун", "групп",
    "категори", "вариант", "резолюци", "решени", "проект", "том", "книг",
    "этап", "уровн", "уровен", "класс", "тип", "стать", "войн", "пункт"};

template <typename... Lists>
std::vector<std::string_view> join_lists(const Lists&... lists) {
  std::vector<std::string_view> out;
  (out.insert(out.end(), std::begin(lists), std::end(lists)), ...);
  return out;
}

// "en", "EN", "en-GB", "zh_Hans" -> "en", "en", "en", "zh".
std::string normalize_code(std::string_view lang) {
  std::string code;
  for (char c : lang) {
    if (c == '-' || c == '_' || c == '@' || c == '.') break;
    code += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return code;
}

LanguageRules make_rules(const std::string& code) {
  LanguageRules r;
  r.code = code;
  r.icu_locale = code;
  r.cased = true;
  if (code == "en") {
    r.abbreviations = join_lists(kCommonAbbreviations, kEnglishAbbreviations);
  } else if (code == "fr") {
    r.abbreviations = join_lists(kCommonAbbreviations, kFrenchAbbreviations);
  } else if (code == "es") {
    r.abbreviations = join_lists(kCommonAbbreviations, kSpanishAbbreviations);
  } else if (code == "ru") {
    r.abbreviations = join_lists(kCommonAbbreviations, kRussianAbbreviations);
    r.lower_only = join_lists(kRussianLowerOnly);
  } else if (code == "ar") {
    r.abbreviations = join_lists(kCommonAbbreviations, kArabicAbbreviations);
    r.cased = false;
  } else if (code == "zh" || code == "ja") {
    r.abbreviations = join_lists(kCommonAbbreviations);
    r.cjk = true;
    r.quote_particles = code == "ja";
    r.cased = false;
  } else {
    r.code.clear();
    r.icu_locale.clear();
    r.abbreviations = join_lists(kCommonAbbreviations);
  }
  auto common_lower = join_lists(kCommonLowerOnly);
  r.lower_only.insert(r.lower_only.end(), common_lower.begin(),
                      common_lower.end());
  return r;
}

// Languages with their own rules; the last entry, "", is the root.
constexpr std::array<std::string_view, 8> kLanguages = {"en", "fr", "es", "ru",
                                                        "ar", "zh", "ja", ""};
constexpr std::size_t kLanguageCount = kLanguages.size();

const LanguageRules& rules_for(std::string_view lang) {
  // Built once, read-only afterwards: safe to share between threads.
  static const std::array<LanguageRules, kLanguageCount> kRules = [] {
    std::array<LanguageRules, kLanguageCount> rules;
    for (std::size_t i = 0; i < kLanguageCount; ++i) {
      rules[i] = make_rules(std::string(kLanguages[i]));
      rules[i].index = i;
    }
    return rules;
  }();
  const std::string code = normalize_code(lang);
  for (const LanguageRules& r : kRules) {
    if (r.code == code) return r;
  }
  return kRules.back();
}

// ---------------------------------------------------------------------------
// UTF-8 and character classes

struct CodePoint {
  UChar32 cp = 0;
  std::size_t begin = 0;  // byte offset of its first byte
  std::size_t end = 0;    // byte offset after its last byte
};

// Decodes the code point at `i`; an ill-formed byte decodes as U+FFFD alone.
CodePoint decode_at(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  const CodePoint bad{0xFFFD, i, i + 1};
  if (b0 < 0x80) return {b0, i, i + 1};
  std::size_t extra = 0;
  UChar32 cp = 0;
  UChar32 min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return bad;
  }
  if (s.size() - i <= extra) return bad;
  for (std::size_t k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return bad;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return bad;
  return {cp, i, i + extra + 1};
}

// The code point that ends at byte `i` (i > 0).
CodePoint decode_before(std::string_view s, std::size_t i) {
  std::size_t start = i - 1;
  const std::size_t limit = i >= 4 ? i - 4 : 0;
  while (start > limit && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
    --start;
  const CodePoint cp = decode_at(s, start);
  if (cp.end == i) return cp;
  return {0xFFFD, i - 1, i};
}

bool is_space(UChar32 cp) { return u_isUWhiteSpace(cp); }
bool is_upper(UChar32 cp) {
  return u_isupper(cp) || u_charType(cp) == U_TITLECASE_LETTER;
}
bool is_lower(UChar32 cp) { return u_islower(cp); }

bool is_word_char(UChar32 cp) {
  const int8_t type = u_charType(cp);
  return u_isalnum(cp) || type == U_NON_SPACING_MARK ||
         type == U_COMBINING_SPACING_MARK || type == U_ENCLOSING_MARK;
}

// Punctuation that can stand right before a word: "(para.", "«art.", "¿Sr.".
bool is_leading_punct(UChar32 cp) {
  const int8_t type = u_charType(cp);
  return type == U_START_PUNCTUATION || type == U_INITIAL_PUNCTUATION ||
         cp == '"' || cp == 0x00BF /* ¿ */ || cp == 0x00A1 /* ¡ */ ||
         cp == 0x201E /* „ */;
}

// Marks that ICU glues to the end of a sentence after its terminator.
bool is_trailing_punct(UChar32 cp) {
  const int8_t type = u_charType(cp);
  return type == U_END_PUNCTUATION || type == U_FINAL_PUNCTUATION ||
         type == U_INITIAL_PUNCTUATION || cp == '"' || cp == '\'';
}

// Han, kana: scripts written without spaces between words.
bool is_ideographic(UChar32 cp) {
  return u_getIntPropertyValue(cp, UCHAR_LINE_BREAK) == U_LB_IDEOGRAPHIC;
}

// An abbreviation, initial or word starts at `pos` when nothing word-like
// is glued to it on the left ("N" in "U.N." is no word). An elided article
// is no word either ("l’art. 5", "l'Add. 3"), and Chinese and Japanese text
// needs no space before Latin text ("由Mr. Smith").
bool is_word_start(std::string_view s, std::size_t pos) {
  if (pos == 0) return true;
  const UChar32 prev = decode_before(s, pos).cp;
  if (is_ideographic(prev)) return true;
  switch (prev) {
    case '.': case '-': case '/': case '_': case '&': case '@':
    case 0x2010:  // ‐
    case 0x2011:  // non-breaking hyphen
      return false;
    default:
      return !is_word_char(prev);
  }
}

// ---------------------------------------------------------------------------
// Paired quotes and brackets

// Pair types: the index of a bit in a closer mask.
constexpr int kPairTypes = 19;
constexpr int kLowQuote = 17;     // „ closes with “ (ru, de) or ”
constexpr int kStraightQuote = 18;

// The pair type that `cp` opens, or -1.
int opener_type(UChar32 cp) {
  switch (cp) {
    case '(': return 0;
    case '[': return 1;
    case '{': return 2;
    case 0x201C: return 3;   // “
    case 0x2018: return 4;   // ‘
    case 0x00AB: return 5;   // «
    case 0x2039: return 6;   // ‹
    case 0x300C: return 7;   // 「
    case 0x300E: return 8;   // 『
    case 0xFF08: return 9;   // （
    case 0x300A: return 10;  // 《
    case 0x3010: return 11;  // 【
    case 0x3014: return 12;  // 〔
    case 0x3008: return 13;  // 〈
    case 0xFF3B: return 14;  // ［
    case 0xFF5B: return 15;  // ｛
    case 0x3016: return 16;  // 〖
    case 0x201E: return kLowQuote;  // „
    case '"': return kStraightQuote;
    default: return -1;
  }
}

// Bit set of the pair types that `cp` can close.
uint32_t closer_mask(UChar32 cp) {
  switch (cp) {
    case ')': return 1u << 0;
    case ']': return 1u << 1;
    case '}': return 1u << 2;
    case 0x201D: return (1u << 3) | (1u << kLowQuote);  // ”
    case 0x2019: return 1u << 4;                        // ’
    case 0x00BB: return 1u << 5;                        // »
    case 0x203A: return 1u << 6;                        // ›
    case 0x300D: return 1u << 7;                        // 」
    case 0x300F: return 1u << 8;                        // 』
    case 0xFF09: return 1u << 9;                        // ）
    case 0x300B: return 1u << 10;                       // 》
    case 0x3011: return 1u << 11;                       // 】
    case 0x3015: return 1u << 12;                       // 〕
    case 0x3009: return 1u << 13;                       // 〉
    case 0xFF3D: return 1u << 14;                       // ］
    case 0xFF5D: return 1u << 15;                       // ｝
    case 0x3017: return 1u << 16;                       // 〗
    case 0x201C: return 1u << kLowQuote;                // “ after „
    case '"': return 1u << kStraightQuote;
    default: return 0;
  }
}

// Bytes a quote or bracket can start with. Every mark above is ASCII or
// starts with one of four lead bytes, so the pairing scan skips all other
// bytes with one table look-up and no decoding. A lead byte is never a
// continuation byte, so no mark is missed whatever precedes it.
constexpr std::array<bool, 256> kMayStartMark = [] {
  std::array<bool, 256> table{};
  for (unsigned char b : {'(', ')', '[', ']', '{', '}', '"'}) table[b] = true;
  table[0xC2] = true;  // « »
  table[0xE2] = true;  // ‘ ’ “ ” „ ‹ ›
  table[0xE3] = true;  // CJK brackets
  table[0xEF] = true;  // full-width brackets
  return table;
}();

// The first byte at or after `i` that can start a mark, or s.size().
std::size_t next_mark_start(std::string_view s, std::size_t i) {
  const auto may_start = [](char b) {
    return kMayStartMark[static_cast<unsigned char>(b)];
  };
  // std::find_if is unrolled, which matters on this per-byte path.
  const auto it = std::find_if(s.begin() + static_cast<std::ptrdiff_t>(i),
                               s.end(), may_start);
  return static_cast<std::size_t>(it - s.begin());
}

enum class MarkRole : uint8_t { none, opener, closer };

// The matched marks of a paragraph. Usually there are few, so they are kept
// as sorted offsets and searched, not as a table the size of the paragraph.
struct PairedMarks {
  std::vector<std::size_t> openers;  // byte offsets, ascending
  std::vector<std::size_t> closers;  // byte offsets, ascending
  // The outermost pairs as (open, close), ascending and disjoint: matched
  // pairs nest, so a boundary is inside some pair iff it is inside one of
  // these.
  std::vector<std::pair<std::size_t, std::size_t>> outer;

  // Does boundary `b` lie inside a matched pair (open < b <= close)?
  bool inside_pair(std::size_t b) const {
    auto it = std::lower_bound(
        outer.begin(), outer.end(), b,
        [](const auto& pair, std::size_t pos) { return pair.first < pos; });
    return it != outer.begin() && b <= std::prev(it)->second;
  }
  // What the mark starting at byte `i` turned out to be (matched only).
  MarkRole role_at(std::size_t i) const {
    if (std::binary_search(openers.begin(), openers.end(), i))
      return MarkRole::opener;
    if (std::binary_search(closers.begin(), closers.end(), i))
      return MarkRole::closer;
    return MarkRole::none;
  }
};

// Matches each closing mark with the nearest open mark it can close; marks
// left unmatched (an apostrophe, a list item "a)") are ignored. Linear: every
// open mark is pushed and popped once, and the stack is only searched when a
// match is known to be on it.
PairedMarks pair_marks(std::string_view s) {
  struct Open {
    int type;
    std::size_t pos;
  };
  std::vector<Open> stack;
  std::array<int, kPairTypes> open_count{};
  uint32_t open_types = 0;  // bit t: open_count[t] > 0
  PairedMarks marks;

  for (std::size_t i = next_mark_start(s, 0); i < s.size();
       i = next_mark_start(s, i)) {
    const CodePoint c = decode_at(s, i);
    i = c.end;
    uint32_t mask = closer_mask(c.cp);
    int type = opener_type(c.cp);
    if (mask == 0 && type < 0) continue;  // some other character
    // ’ between letters is an apostrophe ("Council’s", "l’art"), not a
    // closing quote; in Chinese ("‘任务区’一词") it is always a quote.
    if (c.cp == 0x2019 && c.begin > 0 && c.end < s.size()) {
      const UChar32 prev = decode_before(s, c.begin).cp;
      const UChar32 next = decode_at(s, c.end).cp;
      if (is_word_char(prev) && is_word_char(next) && !is_ideographic(prev) &&
          !is_ideographic(next)) {
        mask = 0;
      }
    }
    // A straight quote opens after a space or an opening mark and closes
    // elsewhere, so an inch mark ("a 5" pipe") stays unmatched.
    if (c.cp == '"') {
      bool opens = c.begin == 0;
      if (!opens) {
        const UChar32 prev = decode_before(s, c.begin).cp;
        opens = is_space(prev) || is_leading_punct(prev);
      }
      if (opens) {
        mask = 0;
      } else {
        type = -1;
      }
    }
    if (mask & open_types) {
      while (true) {
        const Open top = stack.back();
        stack.pop_back();
        if (--open_count[static_cast<std::size_t>(top.type)] == 0)
          open_types &= ~(1u << top.type);
        if (mask & (1u << top.type)) {
          marks.openers.push_back(top.pos);
          marks.closers.push_back(c.begin);
          // Pairs close in order, inner ones first: this pair encloses the
          // earlier pairs that opened after it.
          while (!marks.outer.empty() && marks.outer.back().first > top.pos)
            marks.outer.pop_back();
          marks.outer.emplace_back(top.pos, c.begin);
          break;
        }
      }
      continue;
    }
    if (type >= 0) {
      stack.push_back({type, c.begin});
      ++open_count[static_cast<std::size_t>(type)];
      open_types |= 1u << type;
    }
  }
  std::sort(marks.openers.begin(), marks.openers.end());
  return marks;
}

// ---------------------------------------------------------------------------
// ICU

using BreakIteratorPtr = std::unique_ptr<icu::BreakIterator>;

// A fresh iterator for `rules`, cloned from a shared prototype: building one
// from the rule data is the expensive part, cloning is cheap.
BreakIteratorPtr clone_prototype(const LanguageRules& rules) {
  static std::mutex mutex;
  static std::array<BreakIteratorPtr, kLanguageCount> prototypes;
  std::lock_guard<std::mutex> lock(mutex);
  BreakIteratorPtr& proto = prototypes[rules.index];
  if (!proto) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Locale locale = rules.icu_locale.empty()
                                   ? icu::Locale::getRoot()
                                   : icu::Locale(rules.icu_locale.c_str());
    BreakIteratorPtr made(
        icu::BreakIterator::createSentenceInstance(locale, status));
    if (U_FAILURE(status) || !made) {
      throw Error(std::string("cannot create the ICU sentence break iterator "
                              "for language '") +
                  rules.code + "': " + u_errorName(status) +
                  "; check that the ICU data is installed");
    }
    proto = std::move(made);
  }
  BreakIteratorPtr copy(proto->clone());
  if (!copy) throw Error("cannot clone the ICU sentence break iterator");
  return copy;
}

// One iterator per language and thread: BreakIterator is not thread-safe.
icu::BreakIterator& iterator_for(const LanguageRules& rules) {
  thread_local std::array<BreakIteratorPtr, kLanguageCount> cache;
  BreakIteratorPtr& slot = cache[rules.index];
  if (!slot) slot = clone_prototype(rules);
  return *slot;
}

// Per-thread state for handing a paragraph to ICU, reused between calls.
struct ThreadText {
  UText text = UTEXT_INITIALIZER;
  // The paragraph in UTF-16; grows to the largest paragraph so far, up to
  // kKeepUnits.
  std::vector<UChar> utf16;
  ThreadText() = default;
  ThreadText(const ThreadText&) = delete;
  ThreadText& operator=(const ThreadText&) = delete;
  ~ThreadText() { utext_close(&text); }
};

// Paragraphs above this many UTF-16 units do not keep their buffer.
constexpr std::size_t kKeepUnits = std::size_t{1} << 20;

// Converts `s` to UTF-16 in `out` (at least s.size() units); returns the
// number of units, or std::nullopt if `s` is ill-formed. Validity is ICU's
// own (U8_NEXT), the decoding ICU's UTF-8 UText uses.
std::optional<int32_t> to_utf16(std::string_view s, UChar* out) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const auto n = static_cast<int32_t>(s.size());
  int32_t i = 0;
  int32_t k = 0;
  while (i < n) {
    // ASCII runs, the common case, 8 bytes at once.
    if (p[i] < 0x80 && i + 8 <= n && utf8::ascii8(s.data() + i)) {
      for (int j = 0; j < 8; ++j) out[k + j] = p[i + j];
      i += 8;
      k += 8;
      continue;
    }
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) return std::nullopt;
    U16_APPEND_UNSAFE(out, k, c);
  }
  return k;
}

// ICU's sentence boundaries strictly inside a paragraph, as byte offsets,
// read one at a time so no list of them is built.
//
// ICU iterates UTF-16 text much faster than UTF-8 text, which it converts
// chunk by chunk behind a UText, so a valid paragraph (the normal case) is
// converted once and ICU's UTF-16 indices are mapped back to byte offsets.
// Ill-formed UTF-8 goes through ICU's UTF-8 UText as it is, so its U+FFFD
// substitutions, and thus the boundaries, are ICU's own.
class IcuBoundaries {
 public:
  IcuBoundaries(std::string_view s, const LanguageRules& rules)
      : it_(iterator_for(rules)), s_(s) {
    thread_local ThreadText thread_text;
    state_ = &thread_text;
    std::vector<UChar>& utf16 = state_->utf16;
    // UTF-16 never needs more units than UTF-8 has bytes.
    if (utf16.size() < s.size()) utf16.resize(s.size());
    UErrorCode status = U_ZERO_ERROR;
    if (const std::optional<int32_t> units = to_utf16(s, utf16.data())) {
      // As many units as bytes: ASCII, where both indices agree.
      map_to_bytes_ = static_cast<std::size_t>(*units) != s.size();
      utext_openUChars(&state_->text, utf16.data(), *units, &status);
    } else {
      utext_openUTF8(&state_->text, s.data(), static_cast<int64_t>(s.size()),
                     &status);
    }
    if (U_SUCCESS(status)) it_.setText(&state_->text, status);
    if (U_FAILURE(status)) {
      reset();
      throw Error(std::string("ICU cannot read the paragraph: ") +
                  u_errorName(status));
    }
  }
  ~IcuBoundaries() { reset(); }
  IcuBoundaries(const IcuBoundaries&) = delete;
  IcuBoundaries& operator=(const IcuBoundaries&) = delete;

  // The next boundary, or std::nullopt after the last.
  std::optional<std::size_t> next() {
    for (int32_t b = it_.next(); b != icu::BreakIterator::DONE;
         b = it_.next()) {
      const auto index = static_cast<std::size_t>(b);
      const std::size_t pos = map_to_bytes_ ? byte_offset(index) : index;
      if (pos > 0 && pos < s_.size()) return pos;
    }
    return std::nullopt;
  }

 private:
  // The byte offset of UTF-16 index `unit`. Boundaries only grow, so one
  // forward walk over the (valid) UTF-8 serves them all.
  std::size_t byte_offset(std::size_t unit) {
    while (unit_ < unit) {
      // 8 units ahead are at least 8 bytes ahead: in bounds.
      if (unit - unit_ >= 8 && utf8::ascii8(s_.data() + byte_)) {
        unit_ += 8;
        byte_ += 8;
        continue;
      }
      const auto lead = static_cast<unsigned char>(s_[byte_]);
      const std::size_t length = lead < 0x80   ? 1
                                 : lead < 0xE0 ? 2
                                 : lead < 0xF0 ? 3
                                               : 4;
      byte_ += length;
      unit_ += length == 4 ? 2 : 1;  // a surrogate pair
    }
    return byte_;
  }

  // The iterator keeps a shallow clone pointing into the paragraph (or the
  // UTF-16 copy); point it at an empty text so the cache never holds a
  // dangling pointer.
  void reset() {
    UErrorCode status = U_ZERO_ERROR;
    utext_openUChars(&state_->text, nullptr, 0, &status);
    if (U_SUCCESS(status)) it_.setText(&state_->text, status);
    if (state_->utf16.size() > kKeepUnits) state_->utf16 = {};
  }

  icu::BreakIterator& it_;
  std::string_view s_;
  ThreadText* state_ = nullptr;
  // ICU reads a UTF-16 copy whose indices are not byte offsets.
  bool map_to_bytes_ = false;
  std::size_t unit_ = 0;  // byte_offset()'s position: a UTF-16 index
  std::size_t byte_ = 0;  // and the byte offset it maps to
};

// ---------------------------------------------------------------------------
// UN rules

// The first letter of the next sentence, skipping opening marks; 0 if none.
UChar32 next_letter(std::string_view s, std::size_t b) {
  while (b < s.size()) {
    const CodePoint c = decode_at(s, b);
    if (!is_leading_punct(c.cp) && !is_space(c.cp)) return c.cp;
    b = c.end;
  }
  return 0;
}

// Hiragana particles that attach a quotation to its sentence; none of them
// starts a sentence.
bool is_quote_particle(UChar32 cp) {
  switch (cp) {
    case 0x3068:  // と
    case 0x306E:  // の
    case 0x3092:  // を
    case 0x306F:  // は
    case 0x304C:  // が
    case 0x306B:  // に
      return true;
    default:
      return false;
  }
}

// Does `s` have `word` ending at `end`, starting a word?
bool has_word_ending_at(std::string_view s, std::size_t end,
                        std::string_view word) {
  return end >= word.size() && s.substr(end - word.size(), word.size()) == word &&
         is_word_start(s, end - word.size());
}

bool has_designator_prefix(std::string_view word_utf8) {
  std::string lower;
  icu::UnicodeString::fromUTF8(
      icu::StringPiece(word_utf8.data(), static_cast<int32_t>(word_utf8.size())))
      .toLower(icu::Locale::getRoot())
      .toUTF8String(lower);
  for (std::string_view prefix : kDesignatorPrefixes) {
    if (lower.starts_with(prefix)) return true;
  }
  return false;
}

// Initials ending at `dot`: "F" in "J. F. Kennedy" or "J.F" in "J.F. Kennedy".
// A single capital after a designator ("annex I.") is a label instead.
bool ends_with_initials(std::string_view s, std::size_t dot) {
  std::size_t pos = dot;
  int letters = 0;
  while (true) {
    if (pos == 0) return false;
    const CodePoint letter = decode_before(s, pos);
    if (!is_upper(letter.cp)) return false;
    ++letters;
    pos = letter.begin;
    if (is_word_start(s, pos)) break;
    const CodePoint prev = decode_before(s, pos);
    if (prev.cp != '.') return false;
    pos = prev.begin;
  }
  if (letters > 1) return true;
  // The word before the single capital.
  std::size_t word_end = pos;
  while (word_end > 0) {
    const CodePoint c = decode_before(s, word_end);
    if (!is_space(c.cp)) break;
    word_end = c.begin;
  }
  std::size_t word_begin = word_end;
  while (word_begin > 0) {
    const CodePoint c = decode_before(s, word_begin);
    if (!is_word_char(c.cp)) break;
    word_begin = c.begin;
  }
  return !has_designator_prefix(s.substr(word_begin, word_end - word_begin));
}

// Is the "." at byte `dot` the end of an abbreviation or initial rather than
// of a sentence? `next` is the first letter after it.
bool ends_abbreviation(std::string_view s, std::size_t dot, UChar32 next,
                       const LanguageRules& rules) {
  for (std::string_view word : rules.abbreviations) {
    if (has_word_ending_at(s, dot, word)) return true;
  }
  if (is_lower(next)) {
    for (std::string_view word : rules.lower_only) {
      if (has_word_ending_at(s, dot, word)) return true;
    }
  }
  return rules.cased && is_upper(next) && ends_with_initials(s, dot);
}

// [begin, end) holds only opening quotes or brackets and an enumerator:
// 1–3 digits, a roman numeral or a single letter.
bool is_enumerator_only(std::string_view s, std::size_t begin, std::size_t end) {
  std::size_t i = begin;
  while (i < end) {
    const CodePoint c = decode_at(s, i);
    const bool opening = c.cp == '"' || c.cp == '\'' || c.cp == '(' || c.cp == 0x201C || c.cp == 0x2018 ||
                         c.cp == 0x00AB || c.cp == 0x201E || is_space(c.cp);
    if (!opening) break;
    i = c.end;
  }
  const std::size_t body = end - i;
  if (body == 0 || body > 6) return false;
  const std::string_view token = s.substr(i, body);
  const bool digits = body <= 3 && std::all_of(token.begin(), token.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  const bool roman = std::all_of(token.begin(), token.end(), [](char ch) {
    return std::string_view("IVXLCivxlc").find(ch) != std::string_view::npos;
  });
  const bool letter = body == 1 && std::isalpha(static_cast<unsigned char>(token[0]));
  return digits || roman || letter;
}

// Checks ICU boundary `b` (> start, the previous kept boundary). Returns the
// boundary to use, possibly moved before opening marks, or nothing to drop it.
std::optional<std::size_t> check_boundary(std::string_view s, std::size_t b,
                                          std::size_t start,
                                          const LanguageRules& rules,
                                          const PairedMarks& marks) {
  // ICU's "Close" class includes opening quotes and brackets, so in text
  // without spaces ("。“安理会…") it glues them to the previous sentence.
  while (b > start) {
    const CodePoint c = decode_before(s, b);
    const MarkRole role = marks.role_at(c.begin);
    const bool opener = role == MarkRole::opener ||
                        (role == MarkRole::none && opener_type(c.cp) >= 0 &&
                         c.cp != '"');
    if (!opener) break;
    b = c.begin;
  }
  if (b <= start) return std::nullopt;
  if (marks.inside_pair(b)) {
    // French spacing ("Il agira. » La…", with a no-break space): ICU breaks before a closing mark
    // that follows a space. Move past the closing marks, or drop.
    std::size_t after = b;
    bool closed = false;
    while (after < s.size()) {
      const CodePoint c = decode_at(s, after);
      if (marks.role_at(c.begin) == MarkRole::closer) {
        closed = true;
      } else if (!is_space(c.cp)) {
        break;
      }
      after = c.end;
    }
    if (!closed || after >= s.size() || marks.inside_pair(after))
      return std::nullopt;
    b = after;
  }

  std::size_t end = b;  // end of the sentence without trailing spaces
  while (end > start) {
    const CodePoint c = decode_before(s, end);
    if (!is_space(c.cp)) break;
    end = c.begin;
  }
  std::size_t term_end = end;  // end of the terminator, before closing marks
  while (term_end > start) {
    const CodePoint c = decode_before(s, term_end);
    if (!is_trailing_punct(c.cp) && !is_space(c.cp)) break;
    term_end = c.begin;
  }
  if (term_end <= start) return b;
  const UChar32 next = next_letter(s, b);
  // ICU already holds "." before a lower-case word, but not "!" or "?".
  if (rules.cased && is_lower(next)) return std::nullopt;
  // Japanese quotes run on into the sentence: 「…。」と述べた.
  if (rules.quote_particles && term_end < end && is_quote_particle(next))
    return std::nullopt;
  const CodePoint term = decode_before(s, term_end);
  if (term.cp != '.') return b;
  // A quoted paragraph's number ("\"30. On 18 March…", "“2. Decides…") or a
  // lone enumerator is no sentence of its own.
  if (is_enumerator_only(s, start, term.begin)) return std::nullopt;

  // A "." glued to what follows is inside a symbol or number:
  // "E/CN.4/2005/L.10", "E.95.II.A.1", "1.5", "A/65/1.安理会".
  if (end == b) return std::nullopt;
  // In Chinese/Japanese an ASCII "." belongs to embedded Latin text.
  if (rules.cjk && !is_upper(next)) return std::nullopt;
  // "(see para.)" ends with the bracket, not the abbreviation.
  if (term_end == end && ends_abbreviation(s, term.begin, next, rules))
    return std::nullopt;
  return b;
}

bool all_space(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const CodePoint c = decode_at(s, i);
    if (!is_space(c.cp)) return false;
    i = c.end;
  }
  return true;
}

// Adds [begin, end) trimmed of white space, unless nothing is left.
void add_trimmed(std::string_view s, std::size_t begin, std::size_t end,
                 std::vector<SentenceSpan>& out) {
  while (begin < end) {
    const CodePoint c = decode_at(s, begin);
    if (!is_space(c.cp)) break;
    begin = c.end;
  }
  while (end > begin) {
    const CodePoint c = decode_before(s, end);
    if (!is_space(c.cp)) break;
    end = c.begin;
  }
  if (begin < end) out.push_back({begin, end});
}

// What a code point can do to ICU's sentence breaks (UAX #29's classes).
enum class BreakRole : std::uint8_t {
  none,        // breaks neither before nor after
  terminator,  // STerm or ATerm
  close,       // Close: may follow a terminator
  space,       // Sp
  ask_icu,     // Sep, CR, LF (a break after it), and ";" (see below)
};

BreakRole compute_break_role(char32_t c) {
  // Greek's tailoring makes ";" (U+003B) and U+037E terminators, which the
  // root rules do not: ICU decides wherever they occur.
  if (c == ';' || c == 0x037E) return BreakRole::ask_icu;
  switch (u_getIntPropertyValue(static_cast<UChar32>(c), UCHAR_SENTENCE_BREAK)) {
    case U_SB_STERM:
    case U_SB_ATERM: return BreakRole::terminator;
    case U_SB_CLOSE: return BreakRole::close;
    case U_SB_SP: return BreakRole::space;
    case U_SB_SEP:
    case U_SB_CR:
    case U_SB_LF: return BreakRole::ask_icu;
    default: return BreakRole::none;
  }
}

constinit const BmpTable<BreakRole> kBreakRoles(compute_break_role);

// True when ICU can find no boundary inside `s`: UAX #29 breaks only after
// a terminator (with the closing marks and spaces that follow it) or a
// separator, so a text with no separator and no terminator before its final
// cluster of terminators and closing marks (then spaces) has none (rules SB4,
// SB8a-SB11). Anything else goes to ICU: inside the cluster any other
// character (Extend and Format included) may start a sentence. Most
// paragraphs are one sentence. Checked against ICU on every line of the
// shared corpora and on random strings of the characters that matter
// (tests/test_segmenter.cc).
bool has_no_inner_break(std::string_view s) {
  // ASCII's roles without the table's page lookup: most characters are.
  static const std::array<BreakRole, 0x80> kAscii = [] {
    std::array<BreakRole, 0x80> roles{};
    for (char32_t c = 0; c < 0x80; ++c) roles[c] = compute_break_role(c);
    return roles;
  }();
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  const auto n = static_cast<std::int32_t>(s.size());
  bool in_cluster = false;  // past the first terminator
  bool in_spaces = false;   // past the cluster's first space
  for (std::int32_t i = 0; i < n;) {
    BreakRole role;
    if (p[i] < 0x80) {
      role = kAscii[p[i++]];
    } else {
      UChar32 c;
      U8_NEXT(p, i, n, c);
      if (c < 0 || c >= static_cast<UChar32>(BmpTable<BreakRole>::kEnd)) return false;
      role = kBreakRoles[static_cast<char32_t>(c)];
    }
    if (role == BreakRole::none) {
      if (in_cluster) return false;
      continue;
    }
    if (role == BreakRole::ask_icu) return false;
    if (!in_cluster) {
      in_cluster = role == BreakRole::terminator;  // closing marks and spaces before it change nothing
      continue;
    }
    // In the cluster: terminators and closing marks, then spaces only.
    if (role == BreakRole::space)
      in_spaces = true;
    else if (in_spaces)
      return false;
  }
  return true;
}

std::vector<SentenceSpan> split(std::string_view paragraph, std::string_view lang, bool shortcut) {
  std::vector<SentenceSpan> out;
  if (all_space(paragraph)) return out;
  // BreakIterator reports positions as int32_t.
  if (paragraph.size() >
      static_cast<std::size_t>(std::numeric_limits<int32_t>::max())) {
    throw ArgumentError("paragraph of " + std::to_string(paragraph.size()) +
                        " bytes is too long to segment (limit 2 GiB)");
  }
  const LanguageRules& rules = rules_for(lang);
  if (shortcut && has_no_inner_break(paragraph)) {
    add_trimmed(paragraph, 0, paragraph.size(), out);
    return out;
  }
  const PairedMarks marks = pair_marks(paragraph);
  IcuBoundaries candidates(paragraph, rules);

  std::size_t start = 0;
  while (const std::optional<std::size_t> candidate = candidates.next()) {
    if (*candidate <= start) continue;
    const std::optional<std::size_t> b =
        check_boundary(paragraph, *candidate, start, rules, marks);
    if (!b) continue;
    add_trimmed(paragraph, start, *b, out);
    start = *b;
  }
  add_trimmed(paragraph, start, paragraph.size(), out);
  return out;
}

}  // namespace

std::vector<SentenceSpan> split_sentences(std::string_view paragraph, std::string_view lang) {
  return split(paragraph, lang, true);
}

std::vector<SentenceSpan> split_sentences_asking_icu(std::string_view paragraph, std::string_view lang) {
  return split(paragraph, lang, false);
}

std::vector<std::string> split_sentence_texts(std::string_view paragraph,
                                              std::string_view lang) {
  std::vector<std::string> texts;
  for (const SentenceSpan& span : split_sentences(paragraph, lang))
    texts.emplace_back(paragraph.substr(span.begin, span.end - span.begin));
  return texts;
}

}  // namespace untm
