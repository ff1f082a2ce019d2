// Tokens of a matching key for the sentence aligner: anchors that carry
// across languages (numbers, dates, document symbols, Latin tokens, a few
// punctuation marks) and word tokens. Internal to aligner/; the public view
// is SentenceFeatures in sentence_aligner.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace untm {

// Kinds of anchor, told apart by their spelling. Cognates ("~abcd") are not
// extracted here: the aligner derives them from words in same-script pairs.
enum class AnchorKind { number, symbol, latin, cognate, punctuation };
inline constexpr int kAnchorKindCount = 5;

AnchorKind anchor_kind(std::string_view anchor);

// True where numbers are written 3,6 and 4 400 / 4.400 (fr, es, ru, de, ...);
// false where they are written 3.6 and 4,400 (en, zh, ar, ja, ko, ...).
bool uses_decimal_comma(std::string_view lang);

// True for languages written in Latin script (en, fr, es, de, hu, and any
// code not known to use another script).
bool is_latin_script_language(std::string_view lang);

// Appends the anchors (unique, in order of appearance) and word tokens of a
// matching key (see normalizer.h) in language `lang`.
void tokenize_key(std::string_view key, std::string_view lang, std::vector<std::string>& anchors,
                  std::vector<std::string>& words);

// The cognate key of a word for same-script pairs: its first four letters
// without diacritics ("résolution" -> "~reso"), or empty for shorter words.
std::string cognate_key(std::string_view word);
// The same, written into `buffer` (no allocation once it has grown): a view
// of it, or empty.
std::string_view cognate_key(std::string_view word, std::string& buffer);

}  // namespace untm
