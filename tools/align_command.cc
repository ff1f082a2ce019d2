// untm align FILE FILE [FILE…] [--langs L1,L2,…] [--pivot LANG] [--tsv|--json] [--out PATH]
// untm align --presegmented SRC TGT --langs L1,L2 --beads [--out PATH]
#include "tools/align_command.h"

#include <fmt/core.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "aligner/document_aligner.h"
#include "aligner/document_cleaner.h"
#include "aligner/errors.h"
#include "aligner/language.h"
#include "aligner/sentence_aligner.h"
#include "aligner/text_reader.h"
#include "tools/cli_common.h"

namespace untm::cli {
namespace {

struct AlignOptions {
  std::vector<std::string> files;
  std::optional<std::string> langs;
  std::optional<std::string> pivot;
  bool tsv = false;
  bool json = false;
  bool beads = false;
  bool presegmented = false;
  bool lossy = false;
  std::optional<std::string> out;
  double low_confidence = 0.5;
};

std::vector<std::string> split_langs(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!is_language_code(item))
      throw ArgumentError(fmt::format("--langs {}: '{}' is not a language code. Give two-letter ISO 639-1 codes "
                                      "separated by commas, one per file, e.g. --langs zh,en,ar.",
                                      list, item));
    out.push_back(item);
  }
  return out;
}

// The document key: the folder name when the files are LANG.txt in one
// folder, else the first file's name without its language part and extension.
std::string document_key(const std::vector<std::string>& files) {
  namespace fs = std::filesystem;
  const fs::path first(files.front());
  std::string stem = first.filename().string();
  if (auto dot = stem.rfind('.'); dot != std::string::npos && (stem.substr(dot) == ".txt")) stem.resize(dot);
  if (stem.size() == 2 && is_language_code(stem)) {
    fs::path dir = fs::absolute(first).parent_path();
    return dir.filename().string();
  }
  // "S_2011_463.en.txt", "N1129765_C.txt": drop the language part.
  if (auto sep = stem.find_last_of("._-"); sep != std::string::npos && sep > 0 && language_from_file_name(files.front()))
    return stem.substr(0, sep);
  return stem;
}

class Output {
 public:
  explicit Output(const std::optional<std::string>& path) {
    if (path) {
      file_.open(*path, std::ios::binary);
      if (!file_)
        throw InputError(*path, fmt::format("{}: cannot write the output file. Check that its folder exists and is "
                                            "writable.",
                                            *path));
    }
  }
  std::ostream& stream() { return file_.is_open() ? static_cast<std::ostream&>(file_) : std::cout; }

 private:
  std::ofstream file_;
};

// Index of each sentence in the flattened list of the document's sentences,
// in `untm segment --json` order (metadata paragraphs included).
std::vector<std::size_t> sentence_offsets(const Document& doc) {
  std::vector<std::size_t> offsets;
  std::size_t total = 0;
  for (const auto& p : doc.paragraphs) {
    offsets.push_back(total);
    total += p.sentences.size();
  }
  return offsets;
}

std::string tsv_cell(std::string text) {
  for (char& c : text)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return text;
}

int run_presegmented(const AlignOptions& options) {
  if (options.files.size() != 2)
    throw ArgumentError(fmt::format("--presegmented takes exactly two files (SRC TGT), got {}.", options.files.size()));
  if (!options.langs)
    throw ArgumentError("--presegmented needs --langs SRC_LANG,TGT_LANG (e.g. --langs en,zh).");
  auto langs = split_langs(*options.langs);
  if (langs.size() != 2)
    throw ArgumentError(fmt::format("--langs {}: give two languages for the two files.", *options.langs));
  std::vector<std::vector<SentenceFeatures>> sides(2);
  for (int k = 0; k < 2; ++k) {
    ReadOptions read_options;
    read_options.lossy = options.lossy;
    TextFile file = read_text_file(options.files[k], read_options);
    std::string_view text = file.text;
    if (text.ends_with('\n')) text.remove_suffix(1);  // the last line's end is not an empty line
    std::size_t pos = 0;
    while (pos <= text.size() && !text.empty()) {
      auto nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      sides[k].push_back(make_features(text.substr(pos, nl - pos), langs[k]));
      pos = nl + 1;
    }
  }
  PairModel model = estimate_pair_model(sides[0], sides[1], langs[0], langs[1]);
  auto beads = align_sentences(sides[0], sides[1], model);
  Output out(options.out);
  auto list = [](const std::vector<std::size_t>& ids) {
    std::string s = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) s += (i ? ", " : "") + std::to_string(ids[i]);
    return s + "]";
  };
  for (const auto& b : beads) out.stream() << list(b.src) << ':' << list(b.tgt) << '\n';
  return kExitOk;
}

int run_align(const AlignOptions& options) {
  if (options.presegmented || options.beads) {
    if (!(options.presegmented && options.beads))
      throw ArgumentError("--beads goes with --presegmented (one sentence per line in, Vecalign beads out).");
    return run_presegmented(options);
  }
  if (options.tsv && options.json) throw ArgumentError("give --tsv or --json, not both.");
  if (options.files.size() < 2)
    throw ArgumentError(fmt::format("untm align needs 2 to 6 language versions of one document; got {} file. Give "
                                    "one file per language.",
                                    options.files.size()));
  if (options.files.size() > 6)
    throw ArgumentError(fmt::format("untm align takes at most 6 language versions; got {} files.",
                                    options.files.size()));
  std::vector<std::string> langs;
  if (options.langs) {
    langs = split_langs(*options.langs);
    if (langs.size() != options.files.size())
      throw ArgumentError(fmt::format("--langs {} names {} languages for {} files: give one per file, in file order.",
                                      *options.langs, langs.size(), options.files.size()));
  }
  std::vector<Document> docs;
  for (std::size_t i = 0; i < options.files.size(); ++i) {
    ReadOptions read_options;
    read_options.lossy = options.lossy;
    TextFile file = read_text_file(options.files[i], read_options);
    if (file.replaced_count > 0)
      warn(fmt::format("{}: replaced {} invalid byte sequence{} with U+FFFD (--lossy)", options.files[i],
                       file.replaced_count, file.replaced_count == 1 ? "" : "s"));
    LanguageChoice language =
        choose_language(langs.empty() ? std::nullopt : std::optional<std::string>(langs[i]), options.files[i],
                        file.text);
    if (language.source == "detected")
      warn(fmt::format("{}: language detected as {} ({}); pass --langs to set it", options.files[i], language.lang,
                       language.detail));
    Document doc = clean_document(file.text, language.lang);
    doc.path = options.files[i];
    docs.push_back(std::move(doc));
  }
  DocumentAlignOptions align_options;
  align_options.pivot = options.pivot;
  align_options.low_confidence = options.low_confidence;
  DocumentAlignment alignment = align_documents(docs, align_options);

  for (const auto& w : alignment.warnings) warn(w);
  for (const auto& pair : alignment.pairs)
    fmt::print(stderr, "untm: {}-{}: {} units from {} paragraph groups ({} by number), mean confidence {:.2f}, {} under {:.2f}\n",
               alignment.langs[alignment.pivot], pair.lang, pair.beads, pair.paragraph_groups, pair.label_anchors,
               pair.mean_confidence, pair.low_confidence, options.low_confidence);

  const std::string key = document_key(options.files);
  Output out(options.out);
  if (options.json) {
    nlohmann::ordered_json j;
    j["key"] = key;
    j["langs"] = alignment.langs;
    j["pivot"] = alignment.langs[alignment.pivot];
    j["files"] = options.files;
    auto& pairs = j["pairs"] = nlohmann::ordered_json::array();
    for (const auto& p : alignment.pairs)
      pairs.push_back({{"pair", alignment.langs[alignment.pivot] + "-" + p.lang},
                       {"paragraph_groups", p.paragraph_groups},
                       {"label_anchors", p.label_anchors},
                       {"beads", p.beads},
                       {"mean_confidence", p.mean_confidence},
                       {"low_confidence", p.low_confidence},
                       {"length_ratio", p.length_ratio}});
    j["warnings"] = alignment.warnings;
    std::vector<std::vector<std::size_t>> offsets;
    for (const auto& d : docs) offsets.push_back(sentence_offsets(d));
    auto& units = j["units"] = nlohmann::ordered_json::array();
    for (const auto& u : alignment.units) {
      nlohmann::ordered_json unit;
      unit["paragraph"] = u.paragraph_key ? nlohmann::ordered_json(*u.paragraph_key) : nlohmann::ordered_json(nullptr);
      unit["confidence"] = u.confidence;
      unit["low_confidence"] = u.low_confidence;
      // Built apart and moved in: references into an ordered_json object do
      // not survive the next insertion.
      nlohmann::ordered_json text = nlohmann::ordered_json::object();
      nlohmann::ordered_json sentences = nlohmann::ordered_json::object();
      for (std::size_t v = 0; v < docs.size(); ++v) {
        text[alignment.langs[v]] = unit_text(u, v, docs[v]);
        nlohmann::ordered_json ids = nlohmann::ordered_json::array();
        for (const auto& ref : u.sentences[v]) ids.push_back(offsets[v][ref.paragraph] + ref.sentence);
        sentences[alignment.langs[v]] = std::move(ids);
      }
      unit["text"] = std::move(text);
      unit["sentences"] = std::move(sentences);
      units.push_back(std::move(unit));
    }
    out.stream() << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  } else {
    out.stream() << "key\tparagraph\tconfidence";
    for (const auto& l : alignment.langs) out.stream() << '\t' << l;
    out.stream() << '\n';
    for (const auto& u : alignment.units) {
      out.stream() << key << '\t' << u.paragraph_key.value_or("") << '\t' << fmt::format("{:.3f}", u.confidence);
      for (std::size_t v = 0; v < docs.size(); ++v) out.stream() << '\t' << tsv_cell(unit_text(u, v, docs[v]));
      out.stream() << '\n';
    }
  }
  return kExitOk;
}

}  // namespace

void add_align_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<AlignOptions>();
  CLI::App* cmd = app.add_subcommand(
      "align", "Align 2 to 6 language versions of one document sentence by sentence (units out, TSV or JSON)");
  cmd->add_option("FILE", options->files, "One file per language version (text pulled from PDF or Word)")
      ->required();
  cmd->add_option("--langs", options->langs,
                  "Languages of the files, in file order (e.g. zh,en,ar); default: from file names, else detected");
  cmd->add_option("--pivot", options->pivot,
                  "Language every version is aligned to; default: the original language, else en, else the first");
  cmd->add_flag("--tsv", options->tsv, "Write TSV: key, paragraph, confidence, one column per language (default)");
  cmd->add_flag("--json", options->json, "Write JSON with sentence indices per language and per-pair summaries");
  cmd->add_option("--out", options->out, "Write to this file instead of standard output");
  cmd->add_option("--low-confidence", options->low_confidence, "Flag units whose confidence is under this")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--presegmented", options->presegmented,
                "Benchmark mode: two files with one sentence per line (SRC TGT), no cleaning");
  cmd->add_flag("--beads", options->beads,
                "With --presegmented: write beads in the Vecalign format, e.g. [0, 1]:[2] (0-based line numbers)");
  cmd->add_flag("--lossy", options->lossy, "Replace invalid UTF-8 with U+FFFD instead of stopping");
  cmd->callback([options, &exit_code] { exit_code = run_guarded([&] { return run_align(*options); }); });
}

}  // namespace untm::cli
