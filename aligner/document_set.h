// One document set: the language versions of one UN document, read, checked,
// cleaned, segmented and aligned. The step `untm align` and `untm batch`
// share; the CLI only prints what this returns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aligner/document.h"
#include "aligner/document_aligner.h"

namespace untm {

// Identifies the cleaning, segmentation and alignment rules. Raise it when a
// change alters the units produced, so batches re-align stored sets that an
// older version aligned (sets with the same version and file hashes are
// skipped).
inline constexpr std::string_view kAlignerVersion = "untm-align 1";

struct VersionFile {
  std::string path;
  // Given (an option): used as is. Else the file name's language
  // (language_from_file_name), else the one detected from the text.
  std::optional<std::string> lang;
  // The file's bytes and their SHA-256 (hex) when the caller has them
  // already (untm batch hashes every file to skip unchanged sets): the file
  // is then not read again.
  std::optional<std::string> bytes = std::nullopt;
  std::optional<std::string> sha256 = std::nullopt;
  // `lang` was read from the file's name by the caller (untm batch's
  // discovery): reports and warnings then say so, and a wrong one is fixed by
  // renaming the file.
  bool lang_from_file_name = false;
};

struct DocumentSetInput {
  std::string key;                 // document key; empty: document_key_for_files of the paths
  std::vector<VersionFile> files;  // 2 to 6, one per language
};

struct DocumentSetOptions {
  bool lossy = false;                 // replace invalid UTF-8 with U+FFFD (warned) instead of failing
  std::optional<std::string> pivot;   // see DocumentAlignOptions
  double low_confidence = 0.5;        // units under this are flagged
};

// What was read of one language version.
struct VersionReport {
  std::string path;
  std::string lang;
  // "given" (VersionFile::lang), "file name" (read here, or by the caller:
  // VersionFile::lang_from_file_name) or "detected"
  std::string lang_source;
  std::string detected_lang;    // what the text looks like ("" when it cannot be told)
  double detected_confidence = 0;  // of detected_lang, 0..1
  std::string sha256;           // hex, of the file's bytes as read
  std::uint64_t bytes = 0;      // file size
  std::string encoding;         // as TextFile::encoding
  std::size_t replaced = 0;     // invalid sequences replaced (lossy)
  std::size_t paragraphs = 0;   // all paragraphs of the cleaned document
  std::size_t sentences = 0;
};

struct AlignedDocumentSet {
  std::string key;
  std::vector<Document> documents;     // cleaned and segmented, in input order
  std::vector<VersionReport> versions; // in input order
  DocumentAlignment alignment;         // langs in input order
  // Everything a user should check, each naming the file: a language that
  // was detected (not given), a given or file-name language that a
  // confident detection contradicts, replaced bytes, numbered-paragraph
  // counts that differ from the pivot's, and the aligner's own warnings.
  std::vector<std::string> warnings;
};

// Reads, checks and aligns the versions. Throws InputError / EncodingError
// (a file cannot be used) or ArgumentError (fewer than two files, more than
// six, a given language that is not an ISO 639-1 code, two files in one
// language, a language that cannot be told, a pivot not among them).
AlignedDocumentSet align_document_set(const DocumentSetInput& input, const DocumentSetOptions& options = {});

// The document key for files given on a command line: the folder name when
// the files are LANG.txt in one folder, else the first file's name without
// its language part and extension ("S_2011_463.en.txt" → "S_2011_463").
std::string document_key_for_files(const std::vector<std::string>& paths);

}  // namespace untm
