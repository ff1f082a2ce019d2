// Moving translation units out of and into the translation memory:
// export to TMX 1.4b (multi-language or bilingual), TSV (a column per
// language) and Moses plain text (one file per language, line-parallel);
// import of TMX. Everything streams: one unit in memory at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tm/tm_types.h"

namespace untm {

class TranslationMemory;

struct ExportOptions {
  // Languages to write, in this order; empty: every language of each unit
  // (TMX) or every language found in the exported units (TSV, Moses).
  std::vector<std::string> langs;
  // A bilingual TMX (source, target): the source <tuv> first, srclang the
  // source; units lacking either language are skipped. Excludes `langs`.
  std::optional<std::pair<std::string, std::string>> pair;
  std::optional<std::string> document_key;  // only this document
  double min_confidence = 0.0;
  bool include_rejected = false;  // units a reviewer rejected are left out by default
  std::string tool_version;       // the header's creationtoolversion
  std::string creation_date;      // YYYYMMDDThhmmssZ; empty: tmx_creation_date() (honours SOURCE_DATE_EPOCH)
  std::optional<std::string> tmx_path;
  std::optional<std::string> tsv_path;
  std::optional<std::string> moses_prefix;  // writes PREFIX.LANG for each language
};

// Units left out, by reason ("fewer than two languages", "no en segment").
using SkipCounts = std::map<std::string, std::size_t>;

struct ExportOutput {
  std::vector<std::string> files;  // written (each complete: written aside, then renamed)
  std::size_t written = 0;         // TUs, rows or lines
  std::size_t skipped = 0;
  SkipCounts skip_reasons;
};

struct ExportReport {
  std::size_t units_read = 0;         // matching document and confidence
  std::size_t rejected_left_out = 0;  // status rejected, without include_rejected
  std::vector<std::string> langs;     // the languages written (TSV columns, Moses files)
  std::optional<ExportOutput> tmx, tsv, moses;
};

// A stream of units: calls `visit` for each, in order. It may be called more
// than once (TSV and Moses without languages look at the units first).
using UnitVisitor = std::function<void(const UnitRecord&)>;
using UnitSource = std::function<void(const UnitVisitor& visit)>;

// Writes the outputs named in `options` in one pass over the units.
// Throws ArgumentError for bad options (no output, bad language code),
// InputError when an output cannot be written.
ExportReport export_units(const UnitSource& units, const ExportOptions& options);
ExportReport export_tm(const TranslationMemory& tm, const ExportOptions& options);

// How far an import is, for a progress display.
struct ImportProgress {
  std::uint64_t bytes_read = 0;  // of the file, so far
  std::uint64_t file_bytes = 0;  // its size (0 when unknown)
  std::size_t tus_read = 0;
  std::size_t units_stored = 0;
};

struct ImportOptions {
  std::string document_key;  // empty: the file's stem
  std::string tool_version;  // recorded as the document's aligner_version ("untm V (TMX import)")
  // Called on the importing thread after every batch of units handed to the
  // store, and once at the end of the file (before the commit).
  std::function<void(const ImportProgress&)> on_progress;
};

struct SkipInfo {
  std::size_t count = 0;
  std::size_t first_line = 0;  // of the first <tu> or <tuv> concerned
};

struct ImportReport {
  std::string document_key;
  std::size_t tus_read = 0;
  std::size_t units_stored = 0;
  std::size_t tus_skipped = 0;
  std::map<std::string, SkipInfo> skipped;           // why TUs were skipped
  std::map<std::string, SkipInfo> segments_dropped;  // why single <tuv>s were left out of a TU
  std::map<std::string, std::size_t> segments_per_lang;
  std::size_t segments_with_codes = 0;  // segments that kept inline codes
  std::string source_tool;              // the header's creationtool
};

// Where imported units go: the TM, or a test's memory. begin() is called at
// the first unit to store (never for a file with none), commit() after the
// last; an exception in between means nothing may be kept.
class ImportSink {
 public:
  virtual ~ImportSink() = default;
  virtual void begin(const StoredDocument& header) = 0;
  virtual void add(const StoredUnit& unit) = 0;
  virtual void commit() = 0;
};

// Reads a TMX file and stores its units under one document, in one
// transaction: a file that turns out to be broken stores nothing.
// A TU is stored when at least two languages have text; its props
// x-paragraph, x-confidence and x-status are kept (x-symbol of the first TU
// becomes the document's symbol, its srclang or the header's the original
// language). Throws TmxFormatError (an InputError) for files that are not
// usable TMX, with the line and column.
ImportReport import_tmx(const std::string& path, ImportSink& sink, const ImportOptions& options);
ImportReport import_tmx(const std::string& path, TranslationMemory& tm, const ImportOptions& options);

}  // namespace untm
