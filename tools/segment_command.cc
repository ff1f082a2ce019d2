// untm segment FILE [--lang LANG] [--json] [--lossy]
#include "tools/segment_command.h"

#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "aligner/document_cleaner.h"
#include "aligner/text_reader.h"
#include "tools/cli_common.h"

namespace untm::cli {
namespace {

struct SegmentOptions {
  std::string file;
  std::optional<std::string> lang;
  bool json = false;
  bool lossy = false;
};

nlohmann::ordered_json optional_string(const std::optional<std::string>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

void print_json(const Document& doc, const std::string& file, const LanguageChoice& language,
                const TextFile& input) {
  nlohmann::ordered_json out;
  out["file"] = file;
  out["lang"] = doc.lang;
  out["symbol"] = optional_string(doc.properties.symbol);
  out["original_lang"] = optional_string(doc.properties.original_lang);
  out["lang_source"] = language.source;
  out["encoding"] = input.encoding;
  out["dates"] = doc.properties.dates;
  auto& paragraphs = out["paragraphs"] = nlohmann::ordered_json::array();
  for (const auto& p : doc.paragraphs) {
    nlohmann::ordered_json item;
    item["label"] = optional_string(p.label);
    item["key"] = optional_string(p.key);
    item["kind"] = std::string(to_string(p.kind));
    item["text"] = p.text;
    auto& sentences = item["sentences"] = nlohmann::ordered_json::array();
    for (const auto& s : p.sentences) sentences.push_back(s.text);
    paragraphs.push_back(std::move(item));
  }
  fmt::print("{}\n", json_text(out));
}

void print_text(const Document& doc, const std::string& file, const LanguageChoice& language) {
  std::size_t sentences = 0;
  for (const auto& p : doc.paragraphs) sentences += p.sentences.size();
  fmt::print("# file: {}\n", file);
  fmt::print("# lang: {} ({}{})\n", doc.lang, language.source, language.detail.empty() ? "" : ": " + language.detail);
  fmt::print("# symbol: {}\n", doc.properties.symbol.value_or("-"));
  fmt::print("# original: {}\n", doc.properties.original_lang.value_or("-"));
  fmt::print("# paragraphs: {}, sentences: {}\n", doc.paragraphs.size(), sentences);
  std::size_t n = 0;
  for (const auto& p : doc.paragraphs) {
    ++n;
    std::string head = fmt::format("\n[{}] {}", n, to_string(p.kind));
    if (p.label) head += fmt::format(" {} (key {})", *p.label, p.key.value_or("?"));
    fmt::print("{}\n", head);
    for (const auto& s : p.sentences) fmt::print("{}\n", s.text);
  }
}

int run_segment(const SegmentOptions& options) {
  ReadOptions read_options;
  read_options.lossy = options.lossy;
  TextFile input = read_text_file(options.file, read_options);
  if (input.replaced_count > 0)
    warn(fmt::format("{}: replaced {} invalid byte sequence{} with U+FFFD (--lossy)", options.file,
                     input.replaced_count, input.replaced_count == 1 ? "" : "s"));
  LanguageChoice language = choose_language(options.lang, options.file, input.text);
  if (language.source == "detected")
    warn(fmt::format("{}: language detected as {} ({}); pass --lang to set it", options.file, language.lang,
                     language.detail));
  Document doc = clean_document(input.text, language.lang);
  doc.path = options.file;
  if (options.json)
    print_json(doc, options.file, language, input);
  else
    print_text(doc, options.file, language);
  return kExitOk;
}

}  // namespace

void add_segment_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<SegmentOptions>();
  CLI::App* cmd = app.add_subcommand(
      "segment", "Clean one language version of a document into paragraphs and split its sentences");
  cmd->add_option("FILE", options->file, "Text pulled from the PDF or Word file (UTF-8 or UTF-16 with BOM)")
      ->required();
  cmd->add_option("--lang", options->lang,
                  "Language (ISO 639-1: ar zh en fr ru es, ...); default: from the file name, else detected");
  cmd->add_flag("--json", options->json, "Write JSON (format in README) instead of text");
  cmd->add_flag("--lossy", options->lossy, "Replace invalid UTF-8 with U+FFFD instead of stopping");
  cmd->callback([options, &exit_code] { exit_code = run_guarded([&] { return run_segment(*options); }); });
}

}  // namespace untm::cli
