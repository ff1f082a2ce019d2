#include "aligner/document_set.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "aligner/document_cleaner.h"
#include "aligner/errors.h"
#include "aligner/language.h"
#include "aligner/sha256.h"
#include "aligner/text_reader.h"

namespace untm {
namespace {

// Detection this sure (script-based detection scores 0.8 and more; Latin
// function words only with a clear margin) may contradict a given language.
constexpr double kConfidentDetection = 0.8;

constexpr std::size_t kMinVersions = 2;
constexpr std::size_t kMaxVersions = 6;

std::string format_confidence(double value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", value);
  return buf;
}

std::size_t numbered_paragraphs(const Document& doc) {
  return static_cast<std::size_t>(std::count_if(doc.paragraphs.begin(), doc.paragraphs.end(),
                                                 [](const Paragraph& p) { return p.kind == ParagraphKind::numbered; }));
}

// Only the official languages are judged: the detector tells them apart
// reliably, while for others (a Cyrillic "uk" file, a Latin "hu" one) its
// nearest guess would raise false alarms.
bool contradicts(const std::string& lang, const LanguageGuess& guess) {
  const auto& official = official_languages();
  const auto is_official = [&](const std::string& l) { return std::find(official.begin(), official.end(), l) != official.end(); };
  return !guess.lang.empty() && guess.lang != lang && guess.confidence >= kConfidentDetection && is_official(lang) &&
         (is_official(guess.lang) || guess.lang == "ja" || guess.lang == "ko");
}

std::string contradiction_warning(const VersionReport& v, const LanguageGuess& guess) {
  const std::string said = v.lang_source == "file name" ? "the file name says " + v.lang : "given as " + v.lang;
  const std::string fix = v.lang_source == "file name"
                              ? "check that the right file is there, or rename it"
                              : "check that the right file is there and the languages are given in file order";
  return v.path + ": " + said + " (" + language_name(v.lang) + ") but the text looks " + language_name(guess.lang) +
         " (" + guess.evidence + ", confidence " + format_confidence(guess.confidence) + "); " + fix;
}

}  // namespace

AlignedDocumentSet align_document_set(const DocumentSetInput& input, const DocumentSetOptions& options) {
  AlignedDocumentSet set;
  std::vector<std::string> paths;
  for (const auto& f : input.files) paths.push_back(f.path);
  const std::size_t n = input.files.size();
  if (n < kMinVersions || n > kMaxVersions) {
    const std::string what = input.key.empty() ? std::string("a document set") : "document " + input.key;
    throw ArgumentError(what + ": " + std::to_string(n) + (n == 1 ? " file" : " files") +
                        "; aligning needs 2 to 6 language versions of one document, one file per language.");
  }
  set.key = input.key.empty() ? document_key_for_files(paths) : input.key;

  std::vector<TextFile> texts;
  for (const VersionFile& file : input.files) {
    if (file.lang && !is_language_code(*file.lang))
      throw ArgumentError(file.path + ": '" + *file.lang +
                          "' is not a language code. Give a two-letter ISO 639-1 code such as ar, zh, en, fr, ru "
                          "or es.");
    std::string read;  // the file's bytes when the caller did not give them
    const std::string& bytes = file.bytes ? *file.bytes : (read = read_file_bytes(file.path));
    ReadOptions read_options;
    read_options.lossy = options.lossy;
    TextFile text = decode_text(bytes, file.path, read_options);

    const LanguageDecision decision = decide_language(file.lang, file.path, text.text);
    if (decision.lang.empty())
      throw ArgumentError(file.path + ": cannot tell the language (" + decision.detected.evidence +
                          "). Name the file LANG.txt or NAME.LANG.txt, or give its language (untm align --langs).");
    VersionReport v;
    v.path = file.path;
    v.lang = decision.lang;
    v.lang_source = file.lang && file.lang_from_file_name ? "file name" : decision.source;
    v.detected_lang = decision.detected.lang;
    v.detected_confidence = decision.detected.confidence;
    v.sha256 = file.bytes && file.sha256 ? *file.sha256 : sha256_hex(bytes);
    v.bytes = bytes.size();
    v.encoding = text.encoding;
    v.replaced = text.replaced_count;

    if (v.lang_source == "detected")
      set.warnings.push_back(v.path + ": language detected as " + v.lang + " (" + decision.detected.evidence +
                             ", confidence " + format_confidence(decision.detected.confidence) +
                             "); name the file NAME.LANG.txt or give its language (untm align --langs) to be sure");
    else if (contradicts(v.lang, decision.detected))
      set.warnings.push_back(contradiction_warning(v, decision.detected));
    if (v.replaced > 0)
      set.warnings.push_back(v.path + ": replaced " + std::to_string(v.replaced) + " invalid byte sequence" +
                             (v.replaced == 1 ? "" : "s") + " with U+FFFD (--lossy)");
    set.versions.push_back(std::move(v));
    texts.push_back(std::move(text));
  }
  // Before the (costly) cleaning: two files in one language is a wrong call.
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j)
      if (set.versions[i].lang == set.versions[j].lang)
        throw ArgumentError("two versions are in the same language (" + set.versions[i].lang +
                            "): " + set.versions[i].path + " (" + set.versions[i].lang_source + ") and " +
                            set.versions[j].path + " (" + set.versions[j].lang_source +
                            "). Give one file per language; check the file names or the languages given.");
  // The same bytes under two languages: a copy left in place of a
  // translation would go into the TM as one.
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j)
      if (set.versions[i].sha256 == set.versions[j].sha256) {
        const VersionReport& a = set.versions[i];
        const VersionReport& b = set.versions[j];
        if (a.path == b.path)
          throw ArgumentError(a.path + " is given twice (as " + a.lang + " and " + b.lang +
                              "). Give each language version once.");
        throw ArgumentError(a.path + " (" + a.lang + ") and " + b.path + " (" + b.lang +
                            ") have the same content, byte for byte: one of them is not the translation it is "
                            "named as. Put the right version in its place.");
      }

  for (std::size_t i = 0; i < n; ++i) {
    Document doc = clean_document(texts[i].text, set.versions[i].lang, {.sentence_keys = true});
    doc.path = set.versions[i].path;
    set.versions[i].paragraphs = doc.paragraphs.size();
    for (const auto& p : doc.paragraphs) set.versions[i].sentences += p.sentences.size();
    set.documents.push_back(std::move(doc));
    texts[i] = TextFile{};  // the decoded text is no longer needed
  }

  DocumentAlignOptions align_options;
  align_options.pivot = options.pivot;
  align_options.low_confidence = options.low_confidence;
  set.alignment = align_documents(set.documents, align_options);

  // Paragraph numbers are the skeleton of a UN document: a version with more
  // or fewer is missing a page, or is another document or another revision.
  const std::size_t pivot = set.alignment.pivot;
  const std::size_t pivot_numbered = numbered_paragraphs(set.documents[pivot]);
  for (std::size_t i = 0; i < n; ++i) {
    if (i == pivot) continue;
    const std::size_t numbered = numbered_paragraphs(set.documents[i]);
    if (numbered != pivot_numbered)
      set.warnings.push_back(set.versions[i].path + " has " + std::to_string(numbered) + " numbered paragraph" +
                             (numbered == 1 ? "" : "s") + ", " + set.versions[pivot].path + " has " +
                             std::to_string(pivot_numbered) +
                             "; check that both files hold the whole document, in the same revision");
  }
  for (const auto& w : set.alignment.warnings) set.warnings.push_back(w);
  return set;
}

std::string document_key_for_files(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  if (paths.empty()) throw ArgumentError("no files: a document key needs the file names of the versions.");
  const fs::path first(paths.front());
  std::string stem = first.filename().string();
  if (auto dot = stem.rfind('.'); dot != std::string::npos && stem.substr(dot) == ".txt") stem.resize(dot);
  // "zh.txt": the folder names the document.
  if (stem.size() == 2 && is_language_code(stem)) return fs::absolute(first).parent_path().filename().string();
  // "S_2011_463.en.txt", "N1129765_C.txt": drop the language part.
  if (auto sep = stem.find_last_of("._-"); sep != std::string::npos && sep > 0 && language_from_file_name(paths.front()))
    return stem.substr(0, sep);
  return stem;
}

}  // namespace untm
