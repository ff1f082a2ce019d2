#include "tm/aligned_document.h"

#include <algorithm>

namespace untm {
namespace {

// The symbol as the original's masthead writes it (translations sometimes
// drop or garble it), else the first version that has one.
std::optional<std::string> choose_symbol(const std::vector<Document>& documents,
                                         const std::optional<std::string>& original_lang) {
  if (original_lang)
    for (const Document& d : documents)
      if (d.lang == *original_lang && d.properties.symbol) return d.properties.symbol;
  for (const Document& d : documents)
    if (d.properties.symbol) return d.properties.symbol;
  return std::nullopt;
}

}  // namespace

StoredDocument to_stored_document(const AlignedDocumentSet& set) {
  StoredDocument doc;
  doc.key = set.key;
  doc.aligner_version = std::string(kAlignerVersion);
  for (const Document& d : set.documents)
    if (d.properties.original_lang) {
      doc.original_lang = d.properties.original_lang;
      break;
    }
  doc.symbol = choose_symbol(set.documents, doc.original_lang);

  for (const VersionReport& v : set.versions) {
    StoredVersion stored;
    stored.lang = v.lang;
    stored.file_name = v.path;
    stored.sha256 = v.sha256;
    stored.paragraphs = static_cast<std::uint32_t>(v.paragraphs);
    stored.sentences = static_cast<std::uint32_t>(v.sentences);
    doc.versions.push_back(std::move(stored));
  }

  doc.units.reserve(set.alignment.units.size());
  for (const AlignedUnit& unit : set.alignment.units) {
    StoredUnit stored;
    stored.paragraph_key = unit.paragraph_key;
    stored.confidence = std::clamp(unit.confidence, 0.0, 1.0);
    for (std::size_t v = 0; v < set.documents.size(); ++v) {
      if (unit.sentences[v].empty()) continue;  // a missing paragraph: nothing on this side
      std::string text = unit_text(unit, v, set.documents[v]);
      if (text.empty()) continue;
      // A segment that is one sentence as cleaning left it (no label put
      // before it) has the key cleaning made.
      if (unit.sentences[v].size() == 1) {
        const SentenceRef& ref = unit.sentences[v].front();
        const Sentence& sentence = set.documents[v].paragraphs[ref.paragraph].sentences[ref.sentence];
        if (sentence.key && sentence.text == text) stored.keys.emplace(set.alignment.langs[v], *sentence.key);
      }
      stored.segments.emplace(set.alignment.langs[v], std::move(text));
    }
    // Every unit holds a sentence, but a sentence can be empty; the TM
    // rejects a unit without text.
    if (!stored.segments.empty()) doc.units.push_back(std::move(stored));
  }
  return doc;
}

}  // namespace untm
