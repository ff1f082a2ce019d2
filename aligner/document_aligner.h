// Aligning the language versions of one document, all at once.
//
// Each version is aligned to a pivot (the original language when known and
// present, else English, else the first version): paragraphs first — by
// label key ("1" ↔ "1．" ↔ "١ -"), then by length between those anchors —
// and sentences inside each aligned paragraph group (sentence_aligner.h).
// The pairwise alignments are merged into N-way units through the pivot's
// sentences, so the units are consistent across every pair: every sentence of
// every version belongs to exactly one unit.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "aligner/document.h"

namespace untm {

// A sentence of a version: paragraph index in Document::paragraphs and
// sentence index in Paragraph::sentences.
struct SentenceRef {
  std::size_t paragraph = 0;
  std::size_t sentence = 0;
};

struct AlignedUnit {
  // Per version (same order as the input documents): its sentences, in order.
  std::vector<std::vector<SentenceRef>> sentences;
  std::optional<std::string> paragraph_key;  // of the pivot's paragraph (else the first version's that has one)
  double confidence = 0;                     // in [0, 1]: the weakest of the pairwise beads it is made of
  bool low_confidence = false;               // under DocumentAlignOptions::low_confidence
};

// How well one version aligns to the pivot.
struct PairSummary {
  std::string lang;                 // the version's language (the other side is the pivot)
  std::size_t paragraph_groups = 0;
  std::size_t label_anchors = 0;    // paragraphs matched by label key
  std::size_t beads = 0;
  double mean_confidence = 0;
  std::size_t low_confidence = 0;   // beads under the threshold
  double length_ratio = 0;          // estimated characters of this version per pivot character
};

struct DocumentAlignment {
  std::vector<std::string> langs;
  std::size_t pivot = 0;               // index of the pivot version
  std::vector<AlignedUnit> units;      // in document order
  std::vector<PairSummary> pairs;      // one per non-pivot version
  std::vector<std::string> warnings;   // e.g. versions that look like different documents
};

struct DocumentAlignOptions {
  std::optional<std::string> pivot;   // language code; default as described above
  double low_confidence = 0.5;        // units under this are flagged
};

// Aligns 2 to 6 versions of one document (each already cleaned and
// segmented, each in a different language). Throws ArgumentError for fewer
// than two versions, two versions in the same language, or a pivot that is
// not among them.
DocumentAlignment align_documents(const std::vector<Document>& versions, const DocumentAlignOptions& options = {});

// The text of a unit in one version: its sentences joined (nothing between
// zh/ja sentences, a space otherwise), the paragraph label in front of the
// paragraph's first sentence.
std::string unit_text(const AlignedUnit& unit, std::size_t version, const Document& doc);

}  // namespace untm
