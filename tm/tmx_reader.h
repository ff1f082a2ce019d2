// A streaming TMX reader (TMX 1.1–1.4b): one translation unit at a time,
// in constant memory, on libxml2's xmlTextReader (libxml2 stays private to
// tm/: this header does not include it).
//
// Safe on hostile files: no entity substitution, no DTD loading, no network,
// and nothing is ever read besides the file itself; a DOCTYPE that declares
// entities (billion laughs, XXE) is rejected before libxml2 parses it.
// A file that is not well-formed XML throws TmxFormatError with the line and
// column of the first error.
//
// Languages are folded to lower-case ISO 639-1: region and script subtags
// are dropped ("zh-CN" → zh, "AR-sa" → ar, "EN_us" → en); xml:lang and the
// TMX 1.1 lang attribute are both read. Inline codes become placeholders in
// the text, with their XML kept as described in tm/tmx_writer.h, so that
// export writes them back exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aligner/errors.h"

namespace untm {

// The file is not usable TMX: not well-formed XML, a DOCTYPE with entity
// declarations, not a <tmx> document. line and column are 1-based (0 when
// unknown, as for an empty file).
class TmxFormatError : public InputError {
 public:
  TmxFormatError(std::string path, std::size_t line, std::size_t column, const std::string& message)
      : InputError(std::move(path), message), line_(line), column_(column) {}
  std::size_t line() const noexcept { return line_; }
  std::size_t column() const noexcept { return column_; }

 private:
  std::size_t line_;
  std::size_t column_;
};

struct TmxFileHeader {
  std::string version;  // the <tmx version> attribute
  std::string srclang;  // as written ("*all*", "en-US", …)
  std::string creation_tool;
  std::string creation_tool_version;
  std::string datatype;
  std::string segtype;
};

struct TmxVariant {
  std::string lang;           // folded ("zh"); empty when the raw code cannot be folded
  std::string raw_lang;       // as written ("zh-CN"); empty when the tuv has none
  std::string text;           // UTF-8, placeholders for inline codes, ends not trimmed
  std::string inline_codes;   // serialized codes (tm/tmx_writer.h), empty when none
  std::size_t code_count = 0;
  std::size_t line = 0;       // of the <tuv>
};

struct TmxUnit {
  std::size_t line = 0;       // of the <tu>
  std::string tuid;
  std::string srclang;        // as written; empty when absent
  std::vector<std::pair<std::string, std::string>> props;  // type → value, in file order
  std::vector<TmxVariant> variants;                        // in file order

  // Value of the first prop of this type, or nothing.
  std::optional<std::string_view> prop(std::string_view type) const;
};

// Folds a TMX language code to lower-case ISO 639-1, or returns "" when it
// does not start with a two-letter primary subtag ("fil", "x-klingon", "").
std::string fold_tmx_language(std::string_view code);

class TmxReader {
 public:
  // Opens `path` and reads up to the first unit; the header is then known.
  // Throws InputError when the file cannot be read, TmxFormatError when it
  // is not TMX.
  explicit TmxReader(const std::string& path);
  // Reads TMX from memory; `name` stands for the file in messages.
  TmxReader(std::string_view xml, std::string name);
  ~TmxReader();
  TmxReader(const TmxReader&) = delete;
  TmxReader& operator=(const TmxReader&) = delete;

  const TmxFileHeader& header() const;

  // Reads the next <tu> into `unit`, reusing its buffers so a long file
  // costs no allocation per unit. Returns false after the last one.
  bool next(TmxUnit& unit);

  // Bytes of the input read so far (the parser reads ahead in blocks):
  // what progress reports measure against the file's size.
  std::uint64_t bytes_read() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace untm
