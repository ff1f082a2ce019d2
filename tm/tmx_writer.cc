#include "tm/tmx_writer.h"

#include <array>
#include <charconv>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "aligner/utf8_util.h"
#include "aligner/errors.h"

namespace untm {
namespace {

// Flush when the buffer passes this size: big enough that the stream sees
// few large writes, small enough to stay flat.
constexpr std::size_t kFlushAt = 256 * 1024;

// Decodes one UTF-8 code point at `i`, advancing `i`. Anything that is not
// well-formed UTF-8 (stray bytes, overlong forms, surrogates, beyond
// U+10FFFF) yields U+FFFD and advances one byte.
char32_t decode(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  auto cont = [&](std::size_t k) -> int {
    if (i + k >= s.size()) return -1;
    const auto b = static_cast<unsigned char>(s[i + k]);
    return (b & 0xC0) == 0x80 ? (b & 0x3F) : -1;
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    int c1 = cont(1);
    if (c1 >= 0) {
      i += 2;
      return (char32_t(b0 & 0x1F) << 6) | char32_t(c1);
    }
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    int c1 = cont(1), c2 = cont(2);
    if (c1 >= 0 && c2 >= 0) {
      char32_t c = (char32_t(b0 & 0x0F) << 12) | (char32_t(c1) << 6) | char32_t(c2);
      if (c >= 0x800 && (c < 0xD800 || c > 0xDFFF)) {
        i += 3;
        return c;
      }
    }
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    int c1 = cont(1), c2 = cont(2), c3 = cont(3);
    if (c1 >= 0 && c2 >= 0 && c3 >= 0) {
      char32_t c = (char32_t(b0 & 0x07) << 18) | (char32_t(c1) << 12) | (char32_t(c2) << 6) | char32_t(c3);
      if (c >= 0x10000 && c <= 0x10FFFF) {
        i += 4;
        return c;
      }
    }
  }
  ++i;
  return 0xFFFD;
}

// XML 1.0 (Char production): tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD,
// U+10000–U+10FFFF. decode() never yields surrogates.
bool allowed_in_xml(char32_t c) {
  if (c < 0x20) return c == 0x09 || c == 0x0A || c == 0x0D;
  return c != 0xFFFE && c != 0xFFFF;
}

// White space trimmed from the ends of a segment: ASCII white space and
// the Unicode space separators, line/paragraph separators and the BOM.
bool is_trimmed_space(char32_t c) {
  return c == 0x20 || (c >= 0x09 && c <= 0x0D) || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200B) ||
         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

// Decodes the code point that ends at `end`, setting `start` to where it
// begins; a byte that ends no well-formed sequence is one U+FFFD.
char32_t decode_before(std::string_view s, std::size_t end, std::size_t& start) {
  std::size_t i = end - 1;
  const std::size_t limit = end >= 4 ? end - 4 : 0;
  while (i > limit && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  std::size_t j = i;
  char32_t c = decode(s, j);
  if (j == end) {
    start = i;
    return c;
  }
  start = end - 1;
  return 0xFFFD;
}

bool is_trimmed(char32_t c) { return is_trimmed_space(c) || !allowed_in_xml(c); }

// The byte range of `text` without leading and trailing white space or
// characters that will be removed anyway. Scans only the ends.
std::pair<std::size_t, std::size_t> trimmed_range(std::string_view text) {
  std::size_t begin = 0;
  while (begin < text.size()) {
    const auto b = static_cast<unsigned char>(text[begin]);
    if (b < 0x80) {
      if (b > 0x20) break;  // every ASCII byte up to space is white space or forbidden
      ++begin;
      continue;
    }
    std::size_t next = begin;
    if (!is_trimmed(decode(text, next))) break;
    begin = next;
  }
  std::size_t end = text.size();
  while (end > begin) {
    const auto b = static_cast<unsigned char>(text[end - 1]);
    if (b < 0x80) {
      if (b > 0x20) break;
      --end;
      continue;
    }
    std::size_t start = 0;
    if (!is_trimmed(decode_before(text, end, start))) break;
    end = start;
  }
  if (begin >= end) return {0, 0};
  return {begin, end};
}

// Escapes for element content (`attribute` false) or a double-quoted
// attribute value. `>` is always escaped (so "]]>" never appears); CR, and
// in attributes tab and LF, become character references because an XML
// parser would otherwise normalize them away. Runs of ordinary characters
// are copied in one go.
// The bytes append_escaped() must look at: C0 controls, & < > " and the
// lead and continuation bytes of non-ASCII characters. Every other byte is
// copied as it is, in runs.
constexpr std::array<bool, 256> kNeedsLook = [] {
  std::array<bool, 256> table{};
  for (int b = 0; b < 0x20; ++b) table[b] = true;
  for (int b = 0x80; b < 0x100; ++b) table[b] = true;
  table['&'] = table['<'] = table['>'] = table['"'] = true;
  return table;
}();

void append_escaped(std::string& out, std::string_view text, bool attribute) {
  std::size_t run = 0;  // start of the pending run of bytes copied as they are
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    while (i < n && !kNeedsLook[static_cast<unsigned char>(text[i])]) ++i;
    if (i == n) break;
    const auto b = static_cast<unsigned char>(text[i]);
    if (b >= 0x80) {
      // Well-formed 2- and 3-byte sequences (Arabic, Cyrillic, CJK…) stay
      // in the run without a full decode(); the rest goes through it.
      const auto continuation = [&](std::size_t k) {
        return i + k < n && (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
      };
      if (b >= 0xC2 && b <= 0xDF && continuation(1)) {
        i += 2;
        continue;
      }
      if (b >= 0xE0 && b <= 0xEF && continuation(1) && continuation(2)) {
        const char32_t c = (char32_t(b & 0x0F) << 12) | (char32_t(static_cast<unsigned char>(text[i + 1]) & 0x3F) << 6) |
                           char32_t(static_cast<unsigned char>(text[i + 2]) & 0x3F);
        if (c >= 0x800 && (c < 0xD800 || c > 0xDFFF) && c != 0xFFFE && c != 0xFFFF) {
          i += 3;
          continue;
        }
      }
      std::size_t at = i;
      char32_t c = decode(text, i);
      if (i - at > 1 && c != 0xFFFE && c != 0xFFFF) continue;  // stays in the run
      out.append(text.data() + run, at - run);
      if (i - at == 1) out += "\xEF\xBF\xBD";  // broken UTF-8 becomes U+FFFD
      run = i;
      continue;
    }
    out.append(text.data() + run, i - run);
    switch (b) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"':
        if (attribute) out += "&quot;";
        else out.push_back('"');
        break;
      case '\r': out += "&#13;"; break;
      case '\n':
        if (attribute) out += "&#10;";
        else out.push_back('\n');
        break;
      case '\t':
        if (attribute) out += "&#9;";
        else out.push_back('\t');
        break;
      default: break;  // other C0 controls: not XML characters, removed
    }
    run = ++i;
  }
  out.append(text.data() + run, text.size() - run);
}

void split_codes(std::string_view codes, std::vector<std::string_view>& fields) {
  fields.clear();
  if (codes.empty()) return;
  std::size_t start = 0;
  while (true) {
    std::size_t sep = codes.find(kInlineCodeSeparator, start);
    if (sep == std::string_view::npos) {
      fields.push_back(codes.substr(start));
      return;
    }
    fields.push_back(codes.substr(start, sep - start));
    start = sep + 1;
  }
}

bool is_hi_start(std::string_view code) {
  return code.size() >= 4 && code.starts_with("<hi") && (code[3] == '>' || code[3] == ' ') && !code.ends_with("/>");
}

bool is_hi_end(std::string_view code) { return code == "</hi>"; }

// Index of the inline code a placeholder stands for, or -1.
long placeholder_index(char32_t c, std::size_t code_count) {
  if (c < kFirstInlinePlaceholder) return -1;
  std::size_t n = c - kFirstInlinePlaceholder;
  return n < code_count ? static_cast<long>(n) : -1;
}

}  // namespace

TmxWriter::TmxWriter(std::ostream& out, TmxHeader header, std::string name)
    : out_(out), header_(std::move(header)), name_(std::move(name)) {
  buffer_.reserve(kFlushAt + 64 * 1024);
}

TmxWriter::~TmxWriter() = default;

void TmxWriter::start() {
  started_ = true;
  buffer_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\">\n  <header creationtool=\"untm\"";
  buffer_ += " creationtoolversion=\"";
  append_escaped(buffer_, header_.creation_tool_version, true);
  buffer_ += "\" segtype=\"";
  append_escaped(buffer_, header_.segtype, true);
  buffer_ += "\" o-tmf=\"untm\" adminlang=\"en\" srclang=\"";
  append_escaped(buffer_, header_.srclang, true);
  buffer_ += "\" datatype=\"";
  append_escaped(buffer_, header_.datatype, true);
  buffer_ += '"';
  if (!header_.creation_date.empty()) {
    buffer_ += " creationdate=\"";
    append_escaped(buffer_, header_.creation_date, true);
    buffer_ += '"';
  }
  buffer_ += "/>\n  <body>\n";
}

void TmxWriter::write(const TmxUnitView& unit) {
  if (finished_) throw ArgumentError(name_ + ": TmxWriter::write after finish()");
  if (!started_) start();
  buffer_ += "    <tu";
  if (!unit.srclang.empty()) {
    buffer_ += " srclang=\"";
    append_escaped(buffer_, unit.srclang, true);
    buffer_ += '"';
  }
  buffer_ += ">\n";
  for (const TmxProp& prop : unit.props) {
    buffer_ += "      <prop type=\"";
    append_escaped(buffer_, prop.type, true);
    buffer_ += "\">";
    append_escaped(buffer_, prop.value, false);
    buffer_ += "</prop>\n";
  }
  static thread_local std::vector<std::string_view> fields;  // reused: no allocation per unit
  for (const TmxVariantView& variant : unit.variants) {
    buffer_ += "      <tuv xml:lang=\"";
    append_escaped(buffer_, variant.lang, true);
    buffer_ += "\"><seg>";
    auto [begin, end] = trimmed_range(variant.text);
    std::string_view text = variant.text.substr(begin, end - begin);
    split_codes(variant.inline_codes, fields);
    if (fields.empty()) {
      append_escaped(buffer_, text, false);
    } else {
      // Put each code's XML back in place of its placeholder; keep <hi>
      // start and end tags balanced even if the text was edited.
      int hi_depth = 0;
      std::size_t run = 0;
      for (std::size_t i = 0; i < text.size();) {
        if (static_cast<unsigned char>(text[i]) != 0xEE && static_cast<unsigned char>(text[i]) != 0xEF) {
          ++i;  // placeholders U+E000–U+F8FF start with 0xEE or 0xEF
          continue;
        }
        std::size_t at = i;
        long n = placeholder_index(decode(text, i), fields.size());
        if (n < 0) continue;
        append_escaped(buffer_, text.substr(run, at - run), false);
        run = i;
        std::string_view code = fields[static_cast<std::size_t>(n)];
        if (is_hi_start(code)) {
          ++hi_depth;
        } else if (is_hi_end(code)) {
          if (hi_depth == 0) continue;
          --hi_depth;
        }
        buffer_ += code;
      }
      append_escaped(buffer_, text.substr(run), false);
      for (; hi_depth > 0; --hi_depth) buffer_ += "</hi>";
    }
    buffer_ += "</seg></tuv>\n";
  }
  buffer_ += "    </tu>\n";
  ++units_;
  if (buffer_.size() >= kFlushAt) flush();
}

void TmxWriter::flush() {
  out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  buffer_.clear();
  if (!out_)
    throw InputError(name_, name_ + ": cannot write the TMX file (disk full, or the output was closed). "
                                    "Free space or choose another output path.");
}

void TmxWriter::finish() {
  if (finished_) return;
  if (!started_) start();
  buffer_ += "  </body>\n</tmx>\n";
  finished_ = true;
  flush();
  out_.flush();
  if (!out_)
    throw InputError(name_, name_ + ": cannot write the TMX file (disk full, or the output was closed). "
                                    "Free space or choose another output path.");
}

std::string tmx_creation_date() {
  std::time_t when = std::time(nullptr);
  if (const char* env = std::getenv("SOURCE_DATE_EPOCH"); env != nullptr && *env != '\0') {
    std::string_view value(env);
    long long seconds = -1;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    // Up to the end of year 9999, so the date keeps four digits.
    if (ec != std::errc() || end != value.data() + value.size() || seconds < 0 || seconds > 253402300799LL)
      throw ArgumentError("SOURCE_DATE_EPOCH=" + std::string(value) +
                          ": not a number of seconds since 1970-01-01 UTC. Set it to a whole number such as "
                          "1700000000, or unset it to use the current time.");
    when = static_cast<std::time_t>(seconds);
  }
  std::tm utc{};
  gmtime_r(&when, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

void append_plain_text(std::string& out, std::string_view text, std::string_view inline_codes) {
  static thread_local std::vector<std::string_view> fields;
  split_codes(inline_codes, fields);
  auto [begin, end] = trimmed_range(text);
  text = text.substr(begin, end - begin);
  const std::size_t start = out.size();
  std::size_t run = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b >= 0x20 && b < 0x80) {
      ++i;
      continue;
    }
    std::size_t at = i;
    if (b < 0x20) {
      ++i;
      out.append(text.data() + run, at - run);
      if (b == '\t' || b == '\n' || b == '\r' || b == 0x0B || b == 0x0C) out.push_back(' ');  // else removed
      run = i;
      continue;
    }
    char32_t c = decode(text, i);
    const long code = placeholder_index(c, fields.size());
    const bool line_break = c == 0x2028 || c == 0x2029;
    if (code < 0 && !line_break && i - at > 1 && c != 0xFFFE && c != 0xFFFF) continue;  // stays in the run
    out.append(text.data() + run, at - run);
    run = i;
    if (code >= 0) {
      std::string_view xml = fields[static_cast<std::size_t>(code)];
      if (!xml.starts_with('<')) out += xml;  // a literal private-use character
    } else if (line_break) {
      out.push_back(' ');
    } else if (i - at == 1) {
      utf8::append(out, 0xFFFD);
    }
  }
  out.append(text.data() + run, text.size() - run);
  // Codes at the ends may have left white space there.
  std::size_t first = start;
  while (first < out.size() && out[first] == ' ') ++first;
  out.erase(start, first - start);
  while (out.size() > start && out.back() == ' ') out.pop_back();
}

std::string_view trim_segment(std::string_view text) {
  auto [begin, end] = trimmed_range(text);
  return text.substr(begin, end - begin);
}

bool has_visible_text(std::string_view text) {
  auto [begin, end] = trimmed_range(text);
  return begin < end;
}

}  // namespace untm
