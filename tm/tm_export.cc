#include "tm/tm_export.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>

#include "aligner/errors.h"
#include "aligner/language.h"
#include "aligner/normalizer.h"
#include "tm/tmx_reader.h"
#include "tm/tmx_writer.h"
#include "tm/translation_memory.h"

namespace untm {
namespace {

constexpr std::size_t kFlushAt = 256 * 1024;

// Shortest text that reads back as the same double.
std::string_view format_confidence(double value, std::array<char, 32>& buffer) {
  auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  if (ec != std::errc()) return "1";
  return std::string_view(buffer.data(), static_cast<std::size_t>(end - buffer.data()));
}

// An output file written aside (NAME.untm-part) and renamed into place by
// commit(), so an export that fails leaves no truncated file behind.
class OutputFile {
 public:
  explicit OutputFile(std::string path) : path_(std::move(path)), temp_(path_ + ".untm-part") {
    stream_.open(temp_, std::ios::binary | std::ios::trunc);
    if (!stream_)
      throw InputError(path_, path_ + ": cannot write: " + std::strerror(errno) +
                                  ". Check that the folder exists and is writable.");
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile() {
    if (committed_) return;
    stream_.close();
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
  }
  std::ostream& stream() { return stream_; }
  const std::string& path() const { return path_; }

  void write(std::string& buffer) {
    stream_.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    buffer.clear();
    if (!stream_) fail();
  }

  void commit() {
    stream_.close();
    if (!stream_) fail();
    std::error_code ec;
    std::filesystem::rename(temp_, path_, ec);
    if (ec) throw InputError(path_, path_ + ": cannot move the finished file into place: " + ec.message() + ".");
    committed_ = true;
  }

 private:
  [[noreturn]] void fail() {
    throw InputError(path_, path_ + ": cannot write (disk full, or the file was removed). Free space or choose "
                                    "another path.");
  }
  std::string path_;
  std::string temp_;
  std::ofstream stream_;
  bool committed_ = false;
};

void validate_lang(const std::string& code, const char* what) {
  if (!is_language_code(code))
    throw ArgumentError(std::string(what) + " " + code +
                        ": not a language code. Give two-letter lower-case ISO 639-1 codes such as ar, zh, en, fr, "
                        "ru or es.");
}

void validate(const ExportOptions& options) {
  if (!options.tmx_path && !options.tsv_path && !options.moses_prefix)
    throw ArgumentError("nothing to export: give --tmx FILE, --tsv FILE or --moses PREFIX.");
  if (options.pair && !options.langs.empty())
    throw ArgumentError("--langs and --pair exclude each other: --pair zh-en writes a bilingual file, --langs "
                        "zh,en,ar a multi-language one.");
  if (options.pair) {
    validate_lang(options.pair->first, "--pair");
    validate_lang(options.pair->second, "--pair");
    if (options.pair->first == options.pair->second)
      throw ArgumentError("--pair " + options.pair->first + "-" + options.pair->second +
                          ": the two languages must differ.");
  }
  std::set<std::string> seen;
  for (const auto& lang : options.langs) {
    validate_lang(lang, "--langs");
    if (!seen.insert(lang).second) throw ArgumentError("--langs: " + lang + " is given twice.");
  }
  if (options.langs.size() == 1)
    throw ArgumentError("--langs " + options.langs.front() +
                        ": give at least two languages (a translation unit pairs languages).");
  if (!(options.min_confidence >= 0.0 && options.min_confidence <= 1.0))
    throw ArgumentError("--min-confidence must be between 0 and 1.");
}

// One pass over the units, feeding every requested output.
class Exporter {
 public:
  Exporter(const ExportOptions& options, std::vector<std::string> langs) : options_(options), langs_(std::move(langs)) {
    report_.langs = langs_;
    creation_date_ = options.creation_date.empty() ? tmx_creation_date() : options.creation_date;
    if (options.tmx_path) {
      tmx_file_.emplace(*options.tmx_path);
      report_.tmx.emplace();
    }
    if (options.tsv_path) {
      tsv_file_.emplace(*options.tsv_path);
      report_.tsv.emplace();
      for (const auto& lang : langs_) tsv_buffer_ += lang + '\t';
      tsv_buffer_ += "document\tparagraph\tconfidence\n";
    }
    if (options.moses_prefix) {
      report_.moses.emplace();
      moses_files_.reserve(langs_.size());
      for (const auto& lang : langs_) moses_files_.emplace_back(std::make_unique<OutputFile>(*options.moses_prefix + "." + lang));
      moses_buffers_.resize(langs_.size());
      moses_lines_.resize(langs_.size());
    }
  }

  void visit(const UnitRecord& unit) {
    ++report_.units_read;
    if (unit.status == UnitStatus::rejected && !options_.include_rejected) {
      ++report_.rejected_left_out;
      return;
    }
    if (report_.tmx) write_tmx(unit);
    if (report_.tsv) write_tsv(unit);
    if (report_.moses) write_moses(unit);
  }

  ExportReport finish() {
    if (report_.tmx) {
      if (!tmx_writer_) start_tmx(nullptr);
      tmx_writer_->finish();
      tmx_file_->commit();
      report_.tmx->files.push_back(tmx_file_->path());
    }
    if (report_.tsv) {
      tsv_file_->write(tsv_buffer_);
      tsv_file_->commit();
      report_.tsv->files.push_back(tsv_file_->path());
    }
    if (report_.moses) {
      for (std::size_t i = 0; i < moses_files_.size(); ++i) {
        moses_files_[i]->write(moses_buffers_[i]);
        moses_files_[i]->commit();
        report_.moses->files.push_back(moses_files_[i]->path());
      }
    }
    return std::move(report_);
  }

 private:
  static void skip(ExportOutput& output, const std::string& reason) {
    ++output.skipped;
    ++output.skip_reasons[reason];
  }

  const std::string* visible_segment(const UnitRecord& unit, const std::string& lang) const {
    auto it = unit.segments.find(lang);
    if (it == unit.segments.end() || !has_visible_text(it->second)) return nullptr;
    return &it->second;
  }

  std::string_view codes_of(const UnitRecord& unit, const std::string& lang) const {
    auto it = unit.inline_codes.find(lang);
    return it == unit.inline_codes.end() ? std::string_view() : std::string_view(it->second);
  }

  // The header goes out with the first unit: exporting one document, its
  // original language becomes the header's srclang.
  void start_tmx(const UnitRecord* first) {
    TmxHeader header;
    header.creation_tool_version = options_.tool_version;
    header.creation_date = creation_date_;
    if (options_.pair) {
      header.srclang = options_.pair->first;
    } else if (options_.document_key && first != nullptr && first->original_lang &&
               (langs_.empty() || std::find(langs_.begin(), langs_.end(), *first->original_lang) != langs_.end())) {
      header.srclang = *first->original_lang;
    }
    header_srclang_ = header.srclang;
    tmx_writer_.emplace(tmx_file_->stream(), std::move(header), tmx_file_->path());
  }

  void write_tmx(const UnitRecord& unit) {
    ExportOutput& output = *report_.tmx;
    variants_.clear();
    std::string_view srclang;
    if (options_.pair) {
      for (const std::string* lang : {&options_.pair->first, &options_.pair->second}) {
        const std::string* text = visible_segment(unit, *lang);
        if (text == nullptr) return skip(output, "no " + *lang + " segment");
        variants_.push_back({*lang, *text, codes_of(unit, *lang)});
      }
    } else {
      if (!langs_.empty()) {
        for (const auto& lang : langs_)
          if (const std::string* text = visible_segment(unit, lang)) variants_.push_back({lang, *text, codes_of(unit, lang)});
      } else {
        for (const auto& [lang, text] : unit.segments)
          if (has_visible_text(text)) variants_.push_back({lang, text, codes_of(unit, lang)});
        std::sort(variants_.begin(), variants_.end(),
                  [](const TmxVariantView& a, const TmxVariantView& b) { return language_before(a.lang, b.lang); });
      }
      if (variants_.size() < 2) return skip(output, "fewer than two languages");
      // The original first: translate-toolkit takes the first <tuv> as the source.
      if (unit.original_lang) {
        auto it = std::find_if(variants_.begin(), variants_.end(),
                               [&](const TmxVariantView& v) { return v.lang == *unit.original_lang; });
        if (it != variants_.end()) {
          std::rotate(variants_.begin(), it, it + 1);
          srclang = *unit.original_lang;
        }
      }
    }
    if (!tmx_writer_) start_tmx(&unit);
    if (!options_.pair && srclang.empty() && header_srclang_ != "*all*") srclang = "*all*";
    props_.clear();
    props_.push_back({"x-document", unit.document_key});
    if (unit.symbol) props_.push_back({"x-symbol", *unit.symbol});
    if (unit.paragraph_key) props_.push_back({"x-paragraph", *unit.paragraph_key});
    props_.push_back({"x-confidence", format_confidence(unit.confidence, confidence_text_)});
    if (unit.status != UnitStatus::automatic) props_.push_back({"x-status", status_name(unit.status)});
    tmx_writer_->write({srclang, props_, variants_});
    ++output.written;
  }

  void write_tsv(const UnitRecord& unit) {
    ExportOutput& output = *report_.tsv;
    std::size_t present = 0;
    for (const auto& lang : langs_)
      if (visible_segment(unit, lang) != nullptr) ++present;
    if (present < std::min<std::size_t>(2, langs_.size())) return skip(output, "fewer than two languages");
    for (const auto& lang : langs_) {
      if (const std::string* text = visible_segment(unit, lang)) append_plain_text(tsv_buffer_, *text, codes_of(unit, lang));
      tsv_buffer_ += '\t';
    }
    append_plain_text(tsv_buffer_, unit.document_key, {});
    tsv_buffer_ += '\t';
    if (unit.paragraph_key) append_plain_text(tsv_buffer_, *unit.paragraph_key, {});
    tsv_buffer_ += '\t';
    tsv_buffer_ += format_confidence(unit.confidence, confidence_text_);
    tsv_buffer_ += '\n';
    ++output.written;
    if (tsv_buffer_.size() >= kFlushAt) tsv_file_->write(tsv_buffer_);
  }

  // A unit goes to the Moses files only when every language has text, so
  // line N of each file is the same unit.
  void write_moses(const UnitRecord& unit) {
    ExportOutput& output = *report_.moses;
    for (std::size_t i = 0; i < langs_.size(); ++i) {
      moses_lines_[i].clear();
      if (const std::string* text = visible_segment(unit, langs_[i]))
        append_plain_text(moses_lines_[i], *text, codes_of(unit, langs_[i]));
      if (moses_lines_[i].empty()) return skip(output, "no " + langs_[i] + " segment");
    }
    bool flush = false;
    for (std::size_t i = 0; i < langs_.size(); ++i) {
      moses_buffers_[i] += moses_lines_[i];
      moses_buffers_[i] += '\n';
      flush = flush || moses_buffers_[i].size() >= kFlushAt;
    }
    ++output.written;
    if (flush)
      for (std::size_t i = 0; i < langs_.size(); ++i) moses_files_[i]->write(moses_buffers_[i]);
  }

  const ExportOptions& options_;
  std::vector<std::string> langs_;
  ExportReport report_;
  std::string creation_date_;
  std::string header_srclang_ = "*all*";
  std::optional<OutputFile> tmx_file_;
  std::optional<TmxWriter> tmx_writer_;
  std::optional<OutputFile> tsv_file_;
  std::string tsv_buffer_;
  std::vector<std::unique_ptr<OutputFile>> moses_files_;
  std::vector<std::string> moses_buffers_;
  std::vector<std::string> moses_lines_;
  // Reused for every unit: no allocation per unit once they have grown.
  std::vector<TmxVariantView> variants_;
  std::vector<TmxProp> props_;
  std::array<char, 32> confidence_text_{};
};

// The document key from a file name: its stem ("A_RES_55_100.tmx" →
// "A_RES_55_100").
std::string stem_of(const std::string& path) { return std::filesystem::path(path).stem().string(); }

void note(std::map<std::string, SkipInfo>& counts, const std::string& reason, std::size_t line) {
  SkipInfo& info = counts[reason];
  if (info.count++ == 0) info.first_line = line;
}

// x-confidence as written by untm; anything else (missing, not a number,
// outside 0..1) counts as 1: a TM from a CAT tool holds human translations.
double parse_confidence(std::optional<std::string_view> text) {
  if (!text) return 1.0;
  double value = 1.0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || !std::isfinite(value) || value < 0 || value > 1)
    return 1.0;
  return value;
}

class TmSink : public ImportSink {
 public:
  explicit TmSink(TranslationMemory& tm) : tm_(tm) {}
  void begin(const StoredDocument& header) override { session_.emplace(tm_.begin_import(header)); }
  void add(const StoredUnit& unit) override { session_->add(unit); }
  void commit() override { session_->commit(); }

 private:
  TranslationMemory& tm_;
  std::optional<TranslationMemory::ImportSession> session_;
};

// Turns a TU into a unit to store (trimmed, NFC, one segment per language);
// false when the TU is skipped. Reasons go to `report`.
bool convert_tu(TmxUnit& tu, StoredUnit& unit, ImportReport& report) {
  unit.segments.clear();
  unit.inline_codes.clear();
  // libxml2 hands over valid UTF-8 only, and each text goes through to_nfc.
  unit.texts_in_nfc = true;
  for (TmxVariant& variant : tu.variants) {
    if (variant.code_count > kMaxInlineCodes) {
      note(report.segments_dropped, "more than 6400 inline codes in one segment", variant.line);
      continue;
    }
    if (variant.lang.empty()) {
      note(report.segments_dropped,
           variant.raw_lang.empty() ? "<tuv> without xml:lang" : "language code not ISO 639-1 (" + variant.raw_lang + ")",
           variant.line);
      continue;
    }
    std::string_view text = trim_segment(variant.text);
    if (text.empty()) {
      note(report.segments_dropped, "empty segment", variant.line);
      continue;
    }
    if (unit.segments.count(variant.lang) != 0) {
      note(report.segments_dropped, "a second segment in a language the TU already has", variant.line);
      continue;
    }
    unit.segments.emplace(variant.lang, to_nfc(text));
    if (!variant.inline_codes.empty()) unit.inline_codes.emplace(variant.lang, variant.inline_codes);
  }
  if (unit.segments.size() < 2) {
    ++report.tus_skipped;
    note(report.skipped, unit.segments.empty() ? "no usable segment" : "only one language", tu.line);
    return false;
  }
  auto paragraph = tu.prop("x-paragraph");
  unit.paragraph_key = paragraph ? std::optional<std::string>(*paragraph) : std::nullopt;
  unit.confidence = parse_confidence(tu.prop("x-confidence"));
  auto status = tu.prop("x-status");
  unit.status = status ? parse_status(*status) : UnitStatus::automatic;
  return true;
}

// Reads the TMX and converts its TUs on a thread of its own (XML parsing and
// NFC are a third of an import's work), while the caller's thread stores the
// units: the reading thread fills batches, the caller takes them in order.
// The reading thread writes only its own fields of the report (TUs skipped,
// dropped segments, the source tool); the caller reads them after the end.
// TUs read and bytes consumed are counters any thread may read. Its first error is rethrown by next(); the destructor stops it.
class UnitReader {
 public:
  struct Batch {
    std::optional<StoredDocument> header;  // with the first stored unit
    std::vector<StoredUnit> units;         // the first `used` are this batch's
    std::size_t used = 0;
  };

  UnitReader(TmxReader& reader, const ImportOptions& options, ImportReport& report)
      : reader_(reader), options_(options), report_(report) {
    thread_ = std::thread([this] { run(); });
  }
  ~UnitReader() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  UnitReader(const UnitReader&) = delete;
  UnitReader& operator=(const UnitReader&) = delete;

  // TUs read and bytes of the file consumed so far, from any thread.
  std::size_t tus_read() const { return tus_read_.load(std::memory_order_relaxed); }
  std::uint64_t bytes_read() const { return bytes_read_.load(std::memory_order_relaxed); }

  // Gives back `batch` (its buffers are reused) and replaces it with the
  // next one; false after the last.
  bool next(Batch& batch) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!batch.units.empty()) free_.push_back(std::move(batch));
    changed_.notify_all();
    changed_.wait(lock, [&] { return !full_.empty() || done_; });
    if (!full_.empty()) {
      batch = std::move(full_.front());
      full_.pop_front();
      changed_.notify_all();
      return true;
    }
    if (error_) std::rethrow_exception(error_);
    return false;
  }

 private:
  static constexpr std::size_t kBatchUnits = 256;
  static constexpr std::size_t kMaxFull = 8;

  void run() {
    try {
      read_all();
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      error_ = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    changed_.notify_all();
  }

  // Waits for room; false when the caller has stopped reading.
  bool hand_over(Batch& batch) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return stop_ || full_.size() < kMaxFull; });
    if (stop_) return false;
    full_.push_back(std::move(batch));
    batch = Batch{};
    if (!free_.empty()) {
      batch = std::move(free_.back());
      free_.pop_back();
    }
    batch.header.reset();
    batch.used = 0;
    changed_.notify_all();
    return true;
  }

  void read_all() {
    const std::string header_lang = fold_tmx_language(reader_.header().srclang);
    report_.source_tool = reader_.header().creation_tool;
    TmxUnit tu;
    Batch batch;
    bool first = true;
    while (reader_.next(tu)) {
      tus_read_.fetch_add(1, std::memory_order_relaxed);
      bytes_read_.store(reader_.bytes_read(), std::memory_order_relaxed);
      if (batch.units.size() <= batch.used) batch.units.resize(batch.used + 1);
      StoredUnit& unit = batch.units[batch.used];
      if (!convert_tu(tu, unit, report_)) continue;
      if (first) {
        StoredDocument header;
        header.key = report_.document_key;
        if (auto symbol = tu.prop("x-symbol")) header.symbol = std::string(*symbol);
        std::string original = fold_tmx_language(tu.srclang);
        if (original.empty()) original = header_lang;
        if (!original.empty()) header.original_lang = original;
        header.aligner_version = "untm " + options_.tool_version + " (TMX import)";
        batch.header = std::move(header);
        first = false;
      }
      if (++batch.used == kBatchUnits && !hand_over(batch)) return;
    }
    bytes_read_.store(reader_.bytes_read(), std::memory_order_relaxed);
    if (batch.used > 0) hand_over(batch);
  }

  TmxReader& reader_;
  const ImportOptions& options_;
  ImportReport& report_;
  std::atomic<std::size_t> tus_read_{0};
  std::atomic<std::uint64_t> bytes_read_{0};
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> full_;
  std::vector<Batch> free_;
  bool stop_ = false;
  bool done_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

ImportReport import_units(TmxReader& reader, ImportSink& sink, const ImportOptions& options,
                          std::uint64_t file_bytes, ImportReport& report) {
  std::size_t units_stored = 0, segments_with_codes = 0;
  std::map<std::string, std::size_t> segments_per_lang;
  bool begun = false;
  {
    UnitReader units(reader, options, report);
    const auto progress = [&] {
      if (options.on_progress)
        options.on_progress(ImportProgress{units.bytes_read(), file_bytes, units.tus_read(), units_stored});
    };
    UnitReader::Batch batch;
    while (units.next(batch)) {
      if (batch.header) {
        sink.begin(*batch.header);
        begun = true;
      }
      for (std::size_t i = 0; i < batch.used; ++i) {
        const StoredUnit& unit = batch.units[i];
        sink.add(unit);
        ++units_stored;
        for (const auto& [lang, text] : unit.segments) ++segments_per_lang[lang];
        segments_with_codes += unit.inline_codes.size();
      }
      progress();
    }
    progress();  // the whole file read
    report.tus_read = units.tus_read();
  }  // the reading thread has ended: its fields of the report are final
  if (begun) sink.commit();
  report.units_stored = units_stored;
  report.segments_per_lang = std::move(segments_per_lang);
  report.segments_with_codes = segments_with_codes;
  return report;
}

}  // namespace

ExportReport export_units(const UnitSource& units, const ExportOptions& options) {
  validate(options);
  std::vector<std::string> langs = options.langs;
  if (options.pair) langs = {options.pair->first, options.pair->second};
  if (langs.empty() && (options.tsv_path || options.moses_prefix)) {
    // Columns and files need the languages up front: look at the units once.
    std::set<std::string> found;
    units([&](const UnitRecord& unit) {
      if (unit.status == UnitStatus::rejected && !options.include_rejected) return;
      for (const auto& [lang, text] : unit.segments)
        if (has_visible_text(text)) found.insert(lang);
    });
    langs.assign(found.begin(), found.end());
    std::sort(langs.begin(), langs.end(), language_before);
  }
  Exporter exporter(options, langs);
  units([&](const UnitRecord& unit) { exporter.visit(unit); });
  return exporter.finish();
}

ExportReport export_tm(const TranslationMemory& tm, const ExportOptions& options) {
  return export_units(
      [&](const UnitVisitor& visit) { tm.for_each_unit(visit, options.document_key, options.min_confidence); },
      options);
}

ImportReport import_tmx(const std::string& path, ImportSink& sink, const ImportOptions& options) {
  ImportReport report;
  report.document_key = options.document_key.empty() ? stem_of(path) : options.document_key;
  if (report.document_key.empty())
    throw ArgumentError(path + ": cannot make a document key from the file name; pass --document KEY.");
  try {
    TmxReader reader(path);
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    return import_units(reader, sink, options, ec ? 0 : static_cast<std::uint64_t>(size), report);
  } catch (const TmxFormatError& e) {
    throw TmxFormatError(e.path(), e.line(), e.column(), std::string(e.what()) + " Nothing was imported.");
  }
}

ImportReport import_tmx(const std::string& path, TranslationMemory& tm, const ImportOptions& options) {
  TmSink sink(tm);
  return import_tmx(path, sink, options);
}

}  // namespace untm
