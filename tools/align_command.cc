// untm align FILE FILE [FILE…] [--langs L1,L2,…] [--pivot LANG] [--tsv|--json] [--out PATH]
//            [--db TM] [--key KEY]
// untm align --presegmented SRC TGT --langs L1,L2 --beads [--out PATH]
#include "tools/align_command.h"

#include <fmt/core.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aligner/document_aligner.h"
#include "aligner/document_set.h"
#include "aligner/errors.h"
#include "aligner/sentence_aligner.h"
#include "aligner/text_reader.h"
#include "tm/aligned_document.h"
#include "tm/translation_memory.h"
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
  std::optional<std::string> db;
  std::optional<std::string> key;
  double low_confidence = 0.5;
};

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
  auto langs = split_language_list("--langs", *options.langs, ", one per file");
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

// Stores the set in one transaction (replacing a stored document with the
// same key) and says so on stderr.
void store(const AlignedDocumentSet& set, const std::string& db_path) {
  const StoredDocument doc = to_stored_document(set);
  TranslationMemory tm(db_path);
  const bool replacing = tm.document_info(doc.key).has_value();
  const std::size_t units = tm.store_document(doc);
  fmt::print(stderr, "untm: stored {} units of {} in {}{}\n", units, doc.key, db_path,
             replacing ? " (replaced the version stored before)" : "");
}

void write_json(const AlignedDocumentSet& set, std::ostream& out) {
  const DocumentAlignment& alignment = set.alignment;
  const std::vector<Document>& docs = set.documents;
  nlohmann::ordered_json j;
  j["key"] = set.key;
  j["langs"] = alignment.langs;
  j["pivot"] = alignment.langs[alignment.pivot];
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const auto& v : set.versions) files.push_back(v.path);
  j["files"] = std::move(files);
  nlohmann::ordered_json versions = nlohmann::ordered_json::array();
  for (const auto& v : set.versions)
    versions.push_back({{"file", v.path},
                        {"lang", v.lang},
                        {"lang_source", v.lang_source},
                        {"detected_lang", v.detected_lang.empty() ? nlohmann::ordered_json(nullptr)
                                                                  : nlohmann::ordered_json(v.detected_lang)},
                        {"encoding", v.encoding},
                        {"bytes", v.bytes},
                        {"sha256", v.sha256},
                        {"paragraphs", v.paragraphs},
                        {"sentences", v.sentences}});
  j["versions"] = std::move(versions);
  auto& pairs = j["pairs"] = nlohmann::ordered_json::array();
  for (const auto& p : alignment.pairs)
    pairs.push_back({{"pair", alignment.langs[alignment.pivot] + "-" + p.lang},
                     {"paragraph_groups", p.paragraph_groups},
                     {"label_anchors", p.label_anchors},
                     {"beads", p.beads},
                     {"mean_confidence", p.mean_confidence},
                     {"low_confidence", p.low_confidence},
                     {"length_ratio", p.length_ratio}});
  j["warnings"] = set.warnings;
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
  out << json_text(j) << '\n';
}

void write_tsv(const AlignedDocumentSet& set, std::ostream& out) {
  const DocumentAlignment& alignment = set.alignment;
  out << "key\tparagraph\tconfidence";
  for (const auto& l : alignment.langs) out << '\t' << l;
  out << '\n';
  for (const auto& u : alignment.units) {
    out << set.key << '\t' << u.paragraph_key.value_or("") << '\t' << fmt::format("{:.3f}", u.confidence);
    for (std::size_t v = 0; v < set.documents.size(); ++v)
      out << '\t' << tsv_cell(unit_text(u, v, set.documents[v]));
    out << '\n';
  }
}

int run_align(const AlignOptions& options) {
  if (options.presegmented || options.beads) {
    if (!(options.presegmented && options.beads))
      throw ArgumentError("--beads goes with --presegmented (one sentence per line in, Vecalign beads out).");
    if (options.db || options.key)
      throw ArgumentError("--db and --key store whole documents; they do not go with --presegmented --beads.");
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
  if (options.key && options.key->empty()) throw ArgumentError("--key is empty: give the document key to store under.");
  if (options.db && options.db->empty()) throw ArgumentError("--db is empty: give the path of the TM file.");
  DocumentSetInput input;
  if (options.langs) {
    const auto langs = split_language_list("--langs", *options.langs, ", one per file");
    if (langs.size() != options.files.size())
      throw ArgumentError(fmt::format("--langs {} names {} language{} for {} files: give one per file, in file order.",
                                      *options.langs, langs.size(), langs.size() == 1 ? "" : "s",
                                      options.files.size()));
    for (std::size_t i = 0; i < langs.size(); ++i) input.files.push_back({options.files[i], langs[i]});
  } else {
    for (const auto& f : options.files) input.files.push_back({f, std::nullopt});
  }
  if (options.key) input.key = *options.key;  // else align_document_set uses document_key_for_files
  DocumentSetOptions set_options;
  set_options.lossy = options.lossy;
  set_options.pivot = options.pivot;
  set_options.low_confidence = options.low_confidence;
  const AlignedDocumentSet set = align_document_set(input, set_options);

  const DocumentAlignment& alignment = set.alignment;
  for (const auto& w : set.warnings) warn(w);
  for (const auto& pair : alignment.pairs)
    fmt::print(stderr, "untm: {}-{}: {} units from {} paragraph groups ({} by number), mean confidence {:.2f}, {} under {:.2f}\n",
               alignment.langs[alignment.pivot], pair.lang, pair.beads, pair.paragraph_groups, pair.label_anchors,
               pair.mean_confidence, pair.low_confidence, options.low_confidence);

  // With --db, storing is the job: units go out only when asked for.
  if (!options.db || options.out || options.tsv || options.json) {
    Output out(options.out);
    if (options.json)
      write_json(set, out.stream());
    else
      write_tsv(set, out.stream());
  }
  if (options.db) store(set, *options.db);
  return kExitOk;
}

}  // namespace

void add_align_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<AlignOptions>();
  CLI::App* cmd = app.add_subcommand(
      "align", "Align 2 to 6 language versions of one document sentence by sentence (units out as TSV or JSON, or "
      "into a TM)");
  cmd->add_option("FILE", options->files, "One file per language version (text pulled from PDF or Word)")
      ->required();
  cmd->add_option("--langs", options->langs,
                  "Languages of the files, in file order (e.g. zh,en,ar); default: from file names, else detected");
  cmd->add_option("--pivot", options->pivot,
                  "Language every version is aligned to; default: the original language, else en, else the first");
  cmd->add_flag("--tsv", options->tsv, "Write TSV: key, paragraph, confidence, one column per language (default)");
  cmd->add_flag("--json", options->json, "Write JSON with sentence indices per language and per-pair summaries");
  cmd->add_option("--out", options->out, "Write to this file instead of standard output");
  cmd->add_option("--db", options->db,
                  "Store the units in this translation memory (created if missing), replacing a document stored "
                  "with the same key; then nothing goes to standard output unless --tsv, --json or --out is given");
  cmd->add_option("--key", options->key,
                  "Document key for the output and the TM; default: the folder name for LANG.txt files, else the "
                  "file name without its language part");
  cmd->add_option("--low-confidence", options->low_confidence, "Flag units whose confidence is under this")
      ->check(fraction_check(), "0..1");
  cmd->add_flag("--presegmented", options->presegmented,
                "Benchmark mode: two files with one sentence per line (SRC TGT), no cleaning");
  cmd->add_flag("--beads", options->beads,
                "With --presegmented: write beads in the Vecalign format, e.g. [0, 1]:[2] (0-based line numbers)");
  cmd->add_flag("--lossy", options->lossy, "Replace invalid UTF-8 with U+FFFD instead of stopping");
  cmd->callback([options, &exit_code] { exit_code = run_guarded([&] { return run_align(*options); }); });
}

}  // namespace untm::cli
