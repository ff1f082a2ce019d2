// A streaming TMX 1.4b writer: one translation unit at a time into a fixed
// output buffer, so memory stays flat however many units are written (the
// document is never built in memory).
//
// What it guarantees for every file it writes (and the DTD check in the
// tests verifies): XML 1.0 that validates against tmx14.dtd; text and
// attribute values escaped; characters XML 1.0 forbids (C0 controls other
// than tab, LF and CR, U+FFFE, U+FFFF, broken UTF-8) removed or replaced;
// no leading or trailing white space in a <seg>.
//
// Inline codes. TMX import keeps a segment's inline markup (<bpt> <ept> <ph>
// <it> <ut>, <hi> with its text, <sub> inside them) as placeholders in the
// stored text: code n is the private-use character U+E000+n, and its exact
// XML is the n-th field of the segment's serialized codes, fields separated
// by U+001F (a character that cannot occur in XML 1.0, so no escaping is
// needed). <hi> gives two codes, its start tag and its end tag, with its text
// in between as ordinary text. A private-use character that was literal text
// in a segment with codes is itself stored as a code whose XML is the
// character, so no text is ever mistaken for a placeholder. The writer puts
// the XML back in place of the placeholders.
#pragma once

#include <cstddef>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

namespace untm {

inline constexpr char32_t kFirstInlinePlaceholder = 0xE000;
inline constexpr std::size_t kMaxInlineCodes = 0xF8FF - 0xE000 + 1;  // the BMP private-use area
inline constexpr char kInlineCodeSeparator = '\x1F';

struct TmxHeader {
  std::string creation_tool_version;  // untm's version
  std::string srclang = "*all*";      // source language, or *all* (multi-language)
  std::string creation_date;          // YYYYMMDDThhmmssZ; empty: attribute left out
  std::string segtype = "sentence";
  std::string datatype = "plaintext";
};

struct TmxProp {
  std::string_view type;
  std::string_view value;
};

struct TmxVariantView {
  std::string_view lang;          // written as given
  std::string_view text;          // UTF-8, with inline placeholders when inline_codes is not empty
  std::string_view inline_codes;  // serialized codes (see above), or empty
};

struct TmxUnitView {
  std::string_view srclang;                  // empty: no srclang attribute (the header's applies)
  std::span<const TmxProp> props;            // in this order
  std::span<const TmxVariantView> variants;  // in this order (translate-toolkit reads tuv order)
};

class TmxWriter {
 public:
  // Writes nothing yet; the XML declaration and header go out with the
  // first unit or finish(). `name` is used in error messages.
  TmxWriter(std::ostream& out, TmxHeader header, std::string name);
  TmxWriter(const TmxWriter&) = delete;
  TmxWriter& operator=(const TmxWriter&) = delete;
  ~TmxWriter();

  void write(const TmxUnitView& unit);
  // Closes the document and flushes. Throws InputError when the stream
  // failed (disk full, closed pipe).
  void finish();
  std::size_t units_written() const { return units_; }

 private:
  void start();
  void flush();
  std::ostream& out_;
  TmxHeader header_;
  std::string name_;
  std::string buffer_;
  std::size_t units_ = 0;
  bool started_ = false;
  bool finished_ = false;
};

// The creation date for a TMX header, YYYYMMDDThhmmssZ in UTC: the time in
// SOURCE_DATE_EPOCH when it is set (the reproducible-builds convention, so
// repeated exports are byte-identical), else now. Throws ArgumentError when
// SOURCE_DATE_EPOCH is not a non-negative whole number of seconds.
std::string tmx_creation_date();

// Text and inline codes as one line of plain text (TSV, Moses): codes are
// dropped, the text of <hi> kept, characters XML forbids removed, tabs and
// line breaks turned into spaces, runs of white space kept as they are, and
// the ends trimmed. Appends to `out`.
void append_plain_text(std::string& out, std::string_view text, std::string_view inline_codes);

// The segment without leading and trailing white space (ASCII and Unicode
// spaces) or characters XML forbids: the trimming the writer applies, which
// import applies too so that a round trip changes nothing.
std::string_view trim_segment(std::string_view text);

// True when a segment has something besides white space and removed
// characters (a placeholder counts): such a segment is worth a <tuv>.
bool has_visible_text(std::string_view text);

}  // namespace untm
