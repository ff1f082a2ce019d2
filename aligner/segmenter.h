// Sentence segmentation: ICU's sentence BreakIterator per language plus UN
// rules (abbreviations such as "para." and "Sales No. E.95.II.A.1" do not end
// a sentence; Chinese does not break inside paired quotes or brackets).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace untm {

struct SentenceSpan {
  std::size_t begin = 0;  // byte offsets into the paragraph text,
  std::size_t end = 0;    // trimmed of surrounding white space
};

// Splits one paragraph (UTF-8, NFC, no line breaks) into sentences.
// `lang` is an ISO 639-1 code; unknown codes get the root rules.
std::vector<SentenceSpan> split_sentences(std::string_view paragraph,
                                          std::string_view lang);

// Convenience: the sentence texts.
std::vector<std::string> split_sentence_texts(std::string_view paragraph,
                                              std::string_view lang);

// split_sentences without its shortcut for paragraphs in which ICU can find
// no inner boundary (one sentence, the common case): ICU is always asked.
// The same spans; tests compare the two.
std::vector<SentenceSpan> split_sentences_asking_icu(std::string_view paragraph,
                                                     std::string_view lang);

}  // namespace untm
