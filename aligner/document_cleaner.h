// Cleaning text pulled from PDF or Word into paragraphs: page furniture out,
// hard-wrapped lines rejoined, paragraph boundaries found even when every line
// is followed by a blank line, labels parsed, paragraphs classified, document
// properties (symbol, original language, dates) kept.
#pragma once

#include <string>
#include <string_view>

#include "aligner/document.h"

namespace untm {

struct CleanOptions {
  // Split sentences too (segment_document does; alignment always wants them).
  bool split_sentences = true;
  // Give each sentence of aligned paragraphs its matching key
  // (Sentence::key), which alignment and the TM start from; a caller that
  // only segments has no use for them.
  bool sentence_keys = false;
};

// Builds a Document from document text (UTF-8, NFC, "\n" line ends) in
// language `lang` (ISO 639-1).
Document clean_document(std::string_view text, std::string_view lang,
                        const CleanOptions& options = {});

}  // namespace untm
