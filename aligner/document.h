// The document model: what reading, cleaning and segmentation produce and
// what alignment consumes. Every span is a byte range in the document text
// (the decoded, NFC, "\n"-normalized text of the file; see text_reader.h).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace untm {

enum class ParagraphKind { meta, title, heading, numbered, body, signature, footnote };

// "meta", "title", ... as used in JSON output.
std::string_view to_string(ParagraphKind kind);

struct ByteSpan {
  std::size_t begin = 0;
  std::size_t end = 0;
};

struct Sentence {
  std::string text;
  // Where the sentence lies in Paragraph::text.
  std::size_t begin = 0;
  std::size_t end = 0;
  // matching_key_text(text) (normalizer.h), made once by clean_document
  // when asked (CleanOptions::sentence_keys; align_document_set does): the
  // aligner's features start from it, and a TM unit whose text is this
  // sentence stores it instead of making it again. Empty otherwise.
  std::optional<std::string> key;
};

struct Paragraph {
  ParagraphKind kind = ParagraphKind::body;
  std::optional<std::string> label;  // as written: "1．", "١ -", "(a)"
  std::optional<std::string> key;    // language independent: "1", "(a)", "A", "IV"
  std::string text;                  // cleaned: one line, label removed
  std::vector<Sentence> sentences;
  // The source lines this paragraph was built from, as byte ranges in the
  // document text (furniture lines in between are not included).
  std::vector<ByteSpan> source_lines;
};

struct DocumentProperties {
  std::optional<std::string> symbol;         // "S/2011/463"
  std::optional<std::string> original_lang;  // ISO 639-1, from "Original: …" / "[原件：…]"
  std::vector<std::string> dates;            // as written in the masthead and datelines
};

struct Document {
  std::string path;
  std::string lang;  // ISO 639-1
  DocumentProperties properties;
  std::vector<Paragraph> paragraphs;
};

}  // namespace untm
