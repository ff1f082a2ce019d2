#include "tm/tmx_reader.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>

#include "tm/tmx_writer.h"

namespace untm {
namespace {

// ---------------------------------------------------------------------------
// Entity guard. libxml2 parses a DOCTYPE's internal subset, and checks the
// entities it declares, before the reader returns the DOCTYPE node, so a
// check on that node comes too late for a billion-laughs file. Instead the
// bytes are scanned on their way into libxml2: up to the root element they
// go through this small tokenizer of the prolog, which stops the read at the
// first <!ENTITY declaration. It works on code units (UTF-8, UTF-16, UTF-32
// either endianness), of which only ASCII matters.
class PrologGuard {
 public:
  // Scans the next bytes; false when they declare an entity (position in
  // line() and column()).
  bool feed(const unsigned char* bytes, std::size_t n) {
    for (std::size_t k = 0; k < n && state_ != State::done; ++k) {
      if (encoding_ == Encoding::unknown) {
        head_[head_n_++] = bytes[k];
        if (head_n_ < 4) continue;
        detect();
        for (std::size_t j = 0; j < 4; ++j)
          if (!byte(head_[j])) return false;
        continue;
      }
      if (!byte(bytes[k])) return false;
    }
    return true;
  }
  // Called at end of input: a file shorter than four bytes.
  void finish() {
    if (encoding_ != Encoding::unknown) return;
    encoding_ = Encoding::utf8;
    for (std::size_t j = 0; j < head_n_; ++j) byte(head_[j]);
  }
  bool done() const { return state_ == State::done; }
  std::size_t line() const { return reject_line_; }
  std::size_t column() const { return reject_column_; }

 private:
  enum class Encoding { unknown, utf8, utf16le, utf16be, utf32le, utf32be };
  enum class State {
    prolog, lt, pi, bang, comment, doctype, doctype_quote, subset, subset_lt, subset_bang,
    subset_comment, subset_pi, subset_decl, subset_quote, doctype_end, done
  };

  void detect() {
    const unsigned char* h = head_;
    if ((h[0] == 0 && h[1] == 0 && h[2] == 0xFE && h[3] == 0xFF) || (h[0] == 0 && h[1] == 0 && h[2] == 0 && h[3] == '<'))
      encoding_ = Encoding::utf32be;
    else if ((h[0] == 0xFF && h[1] == 0xFE && h[2] == 0 && h[3] == 0) || (h[0] == '<' && h[1] == 0 && h[2] == 0 && h[3] == 0))
      encoding_ = Encoding::utf32le;
    else if ((h[0] == 0xFE && h[1] == 0xFF) || (h[0] == 0 && h[1] == '<'))
      encoding_ = Encoding::utf16be;
    else if ((h[0] == 0xFF && h[1] == 0xFE) || (h[0] == '<' && h[1] == 0))
      encoding_ = Encoding::utf16le;
    else
      encoding_ = Encoding::utf8;
  }

  // Assembles code units; only ASCII values matter, the rest count as 0x80.
  bool byte(unsigned char b) {
    std::size_t width = 1;
    bool big_endian = false;
    switch (encoding_) {
      case Encoding::utf16le: width = 2; break;
      case Encoding::utf16be: width = 2; big_endian = true; break;
      case Encoding::utf32le: width = 4; break;
      case Encoding::utf32be: width = 4; big_endian = true; break;
      default: break;
    }
    if (width == 1) {
      if (b >= 0x80 && b < 0xC0) return true;  // UTF-8 continuation: not a new column
      return unit(b < 0x80 ? b : 0x80);
    }
    unit_bytes_[unit_n_++] = b;
    if (unit_n_ < width) return true;
    unit_n_ = 0;
    std::uint32_t value = 0;
    for (std::size_t j = 0; j < width; ++j) {
      std::size_t index = big_endian ? j : width - 1 - j;
      value = (value << 8) | unit_bytes_[index];
    }
    if (width == 2 && value >= 0xDC00 && value <= 0xDFFF) return true;  // low surrogate: same column
    return unit(value < 0x80 ? static_cast<char>(value) : 0x80);
  }

  static bool is_letter(int u) { return (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z'); }

  bool unit(int u) {
    if (u == '\n') {
      ++line_;
      column_ = 0;
    } else {
      ++column_;
    }
    switch (state_) {
      case State::prolog:
        if (u == '<') mark_lt(), state_ = State::lt;
        break;
      case State::lt:
        if (u == '?') state_ = State::pi, previous_ = 0;
        else if (u == '!') state_ = State::bang, word_n_ = 0;
        else state_ = State::done;  // the root element: from here libxml2 is on its own
        break;
      case State::pi:
      case State::subset_pi:
        if (previous_ == '?' && u == '>') state_ = state_ == State::pi ? State::prolog : State::subset;
        previous_ = u;
        break;
      case State::bang:
        word_[word_n_++] = static_cast<char>(u);
        if (word_n_ == 2 && word_[0] == '-' && word_[1] == '-') {
          state_ = State::comment, dashes_ = 0;
        } else if (std::string_view(word_, word_n_) == "DOCTYPE") {
          state_ = State::doctype;
        } else if (std::string_view(word_, word_n_) == "ENTITY") {
          return reject();
        } else if (!std::string_view("DOCTYPE").starts_with(std::string_view(word_, word_n_)) &&
                   !std::string_view("ENTITY").starts_with(std::string_view(word_, word_n_)) &&
                   !(word_n_ == 1 && u == '-')) {
          state_ = State::done;  // not XML; libxml2 reports it
        }
        break;
      case State::comment:
      case State::subset_comment:
        if (u == '>' && dashes_ >= 2) state_ = state_ == State::comment ? State::prolog : State::subset;
        dashes_ = u == '-' ? dashes_ + 1 : 0;
        break;
      case State::doctype:
        if (u == '"' || u == '\'') state_ = State::doctype_quote, quote_ = u;
        else if (u == '[') state_ = State::subset;
        else if (u == '>') state_ = State::prolog;
        break;
      case State::doctype_quote:
        if (u == quote_) state_ = State::doctype;
        break;
      case State::subset:
        if (u == '<') mark_lt(), state_ = State::subset_lt;
        else if (u == ']') state_ = State::doctype_end;
        break;
      case State::subset_lt:
        if (u == '!') state_ = State::subset_bang, word_n_ = 0;
        else if (u == '?') state_ = State::subset_pi, previous_ = 0;
        else state_ = State::subset_decl;
        break;
      case State::subset_bang:
        if (word_n_ == 0 && u == '-') {
          word_[word_n_++] = '-';
        } else if (word_n_ == 1 && word_[0] == '-') {
          state_ = u == '-' ? State::subset_comment : State::subset_decl;
          dashes_ = 0;
        } else if (is_letter(u) && word_n_ < sizeof word_) {
          word_[word_n_++] = static_cast<char>(u);
          if (std::string_view(word_, word_n_) == "ENTITY") return reject();
        } else {
          state_ = State::subset_decl;
          return unit_in_decl(u);
        }
        break;
      case State::subset_decl:
        return unit_in_decl(u);
      case State::subset_quote:
        if (u == quote_) state_ = State::subset_decl;
        break;
      case State::doctype_end:
        if (u == '>') state_ = State::prolog;
        break;
      case State::done:
        break;
    }
    return true;
  }

  bool unit_in_decl(int u) {
    if (u == '"' || u == '\'') state_ = State::subset_quote, quote_ = u;
    else if (u == '>') state_ = State::subset;
    return true;
  }

  void mark_lt() {
    lt_line_ = line_;
    lt_column_ = column_;
  }

  bool reject() {
    reject_line_ = lt_line_;
    reject_column_ = lt_column_;
    return false;
  }

  Encoding encoding_ = Encoding::unknown;
  unsigned char head_[4] = {};
  std::size_t head_n_ = 0;
  unsigned char unit_bytes_[4] = {};
  std::size_t unit_n_ = 0;
  State state_ = State::prolog;
  char word_[8] = {};
  std::size_t word_n_ = 0;
  int previous_ = 0, quote_ = 0, dashes_ = 0;
  std::size_t line_ = 1, column_ = 0, lt_line_ = 0, lt_column_ = 0;
  std::size_t reject_line_ = 0, reject_column_ = 0;
};

// ---------------------------------------------------------------------------
// libxml2 never reads anything but the file: external entities and DTDs are
// not loaded without XML_PARSE_NOENT / DTDLOAD, and as a second line of
// defence this loader refuses every load while a TMX reader is working (it
// defers to the previous loader otherwise, so other libxml2 users in the
// process are unaffected).
thread_local int tls_readers_active = 0;
xmlExternalEntityLoader previous_loader = nullptr;

xmlParserInputPtr refusing_loader(const char* url, const char* id, xmlParserCtxtPtr context) {
  if (tls_readers_active > 0) return nullptr;
  return previous_loader ? previous_loader(url, id, context) : nullptr;
}

void init_libxml2() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    previous_loader = xmlGetExternalEntityLoader();
    xmlSetExternalEntityLoader(refusing_loader);
  });
}

struct ActiveScope {
  ActiveScope() { ++tls_readers_active; }
  ~ActiveScope() { --tls_readers_active; }
  ActiveScope(const ActiveScope&) = delete;
  ActiveScope& operator=(const ActiveScope&) = delete;
};

// Where the bytes come from, and the guard they pass through.
struct Source {
  std::FILE* file = nullptr;
  std::string_view memory;
  std::size_t position = 0;
  PrologGuard guard;
  bool rejected = false;
  int read_errno = 0;
  std::uint64_t bytes_read = 0;
};

int read_callback(void* context, char* buffer, int length) {
  auto* source = static_cast<Source*>(context);
  if (source->rejected || length <= 0) return -1;
  std::size_t n = 0;
  if (source->file != nullptr) {
    n = std::fread(buffer, 1, static_cast<std::size_t>(length), source->file);
    if (n < static_cast<std::size_t>(length) && std::ferror(source->file)) {
      source->read_errno = errno != 0 ? errno : EIO;
      return -1;
    }
  } else {
    n = std::min(static_cast<std::size_t>(length), source->memory.size() - source->position);
    std::memcpy(buffer, source->memory.data() + source->position, n);
    source->position += n;
  }
  if (!source->guard.done()) {
    if (n == 0) source->guard.finish();
    if (!source->guard.feed(reinterpret_cast<const unsigned char*>(buffer), n)) {
      source->rejected = true;
      return -1;
    }
  }
  source->bytes_read += n;
  return static_cast<int>(n);
}

int close_callback(void*) { return 0; }

struct ParseError {
  bool set = false;
  int line = 0, column = 0;
  std::string message;
};

void structured_error(void* context, xmlErrorPtr error) {
  auto* first = static_cast<ParseError*>(context);
  if (first->set || error == nullptr || error->level < XML_ERR_ERROR) return;
  first->set = true;
  first->line = error->line;
  first->column = error->int2;
  first->message = error->message != nullptr ? error->message : "unknown error";
  while (!first->message.empty() && (first->message.back() == '\n' || first->message.back() == ' '))
    first->message.pop_back();
}

// Languages that some tools write with three-letter codes (ISO 639-2/3).
std::string_view three_letter_to_two(std::string_view code) {
  static constexpr std::pair<std::string_view, std::string_view> kCodes[] = {
      {"ara", "ar"}, {"zho", "zh"}, {"chi", "zh"}, {"eng", "en"}, {"fra", "fr"},
      {"fre", "fr"}, {"rus", "ru"}, {"spa", "es"}, {"deu", "de"}, {"ger", "de"}, {"por", "pt"}};
  for (const auto& [three, two] : kCodes)
    if (three == code) return two;
  return {};
}

// Text escaping for the XML of inline codes (input is libxml2's valid UTF-8).
void append_xml_escaped(std::string& out, std::string_view text, bool attribute) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"':
        if (attribute) out += "&quot;";
        else out.push_back(c);
        break;
      case '\r': out += "&#13;"; break;
      case '\n':
        if (attribute) out += "&#10;";
        else out.push_back(c);
        break;
      case '\t':
        if (attribute) out += "&#9;";
        else out.push_back(c);
        break;
      default: out.push_back(c);
    }
  }
}

void append_placeholder(std::string& out, std::size_t n) {
  const char32_t c = kFirstInlinePlaceholder + static_cast<char32_t>(n);
  out.push_back(static_cast<char>(0xE0 | (c >> 12)));
  out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
  out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
}

// A private-use code point U+E000–U+F8FF starting at text[i], or 0.
char32_t private_use_at(std::string_view text, std::size_t i) {
  if (i + 2 >= text.size()) return 0;
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 != 0xEE && b0 != 0xEF) return 0;
  char32_t c = (char32_t(b0 & 0x0F) << 12) | (char32_t(static_cast<unsigned char>(text[i + 1]) & 0x3F) << 6) |
               char32_t(static_cast<unsigned char>(text[i + 2]) & 0x3F);
  return c >= 0xE000 && c <= 0xF8FF ? c : 0;
}

bool is_name(const xmlChar* name, const char* expected) {
  return name != nullptr && std::strcmp(reinterpret_cast<const char*>(name), expected) == 0;
}

std::string_view view(const xmlChar* text) {
  return text == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(text));
}

// Takes the next slot of a vector that is reused from unit to unit.
template <typename T>
T& next_slot(std::vector<T>& items, std::size_t& used) {
  if (used == items.size()) items.emplace_back();
  return items[used++];
}

}  // namespace

std::string fold_tmx_language(std::string_view code) {
  std::size_t end = code.find_first_of("-_");
  std::string_view primary = code.substr(0, end);
  std::string folded;
  for (char c : primary) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c < 'a' || c > 'z') return {};
    folded.push_back(c);
  }
  if (folded.size() == 3) return std::string(three_letter_to_two(folded));
  if (folded.size() != 2) return {};
  return folded;
}

std::optional<std::string_view> TmxUnit::prop(std::string_view type) const {
  for (const auto& [t, value] : props)
    if (t == type) return std::string_view(value);
  return std::nullopt;
}

struct TmxReader::Impl {
  std::string name;
  Source source;
  ParseError error;
  xmlTextReaderPtr reader = nullptr;
  TmxFileHeader header;
  bool body_done = false;
  std::string scratch;  // reused while serializing inline codes

  ~Impl() {
    if (reader != nullptr) xmlFreeTextReader(reader);
    if (source.file != nullptr) std::fclose(source.file);
  }

  void open() {
    init_libxml2();
    // No XML_PARSE_NOENT (entities stay unexpanded), no DTDLOAD / DTDATTR /
    // DTDVALID (no DTD is read), NONET (no network even if asked).
    // BIG_LINES: correct line numbers past 65535.
    const int options = XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_COMPACT;
    ActiveScope active;
    reader = xmlReaderForIO(read_callback, close_callback, &source, nullptr, nullptr, options);
    if (reader == nullptr) {
      check_source();
      throw TmxFormatError(name, 0, 0, name + ": libxml2 could not start reading the file. Check that it is a TMX "
                                                "(XML) file.");
    }
    xmlTextReaderSetStructuredErrorHandler(reader, structured_error, &error);
    read_prolog();
  }

  // Errors of our own making come before libxml2's (which would only say
  // "I/O error").
  void check_source() {
    if (source.rejected)
      throw TmxFormatError(
          name, source.guard.line(), source.guard.column(),
          name + ": line " + std::to_string(source.guard.line()) + ", column " +
              std::to_string(source.guard.column()) +
              ": the DOCTYPE declares entities (<!ENTITY …>). untm does not accept entity declarations, so that "
              "entity bombs (\"billion laughs\") and external entities (XXE) cannot expand or read files or the "
              "network. Remove the DOCTYPE's internal subset [ … ] and write the characters themselves.");
    if (source.read_errno != 0)
      throw InputError(name, name + ": cannot read the file: " + std::strerror(source.read_errno) + ".");
  }

  [[noreturn]] void throw_parse_error() {
    check_source();
    if (error.set)
      throw TmxFormatError(name, static_cast<std::size_t>(error.line), static_cast<std::size_t>(error.column),
                           name + ": line " + std::to_string(error.line) + ", column " + std::to_string(error.column) +
                               ": not well-formed XML: " + error.message +
                               ". Fix the file (xmllint --noout FILE lists every error) and try again.");
    throw TmxFormatError(name, 0, 0, name + ": not well-formed XML (libxml2 gave no position). Check the file with "
                                            "xmllint --noout FILE.");
  }

  // Next node; false at the end of the document.
  bool read() {
    ActiveScope active;
    int status = xmlTextReaderRead(reader);
    if (status < 0 || source.rejected || error.set) throw_parse_error();
    return status == 1;
  }

  // Skips the current element's subtree, landing on the node after it.
  bool skip() {
    ActiveScope active;
    int status = xmlTextReaderNext(reader);
    if (status < 0 || source.rejected || error.set) throw_parse_error();
    return status == 1;
  }

  int type() const { return xmlTextReaderNodeType(reader); }
  int depth() const { return xmlTextReaderDepth(reader); }
  const xmlChar* node_name() const { return xmlTextReaderConstName(reader); }
  bool is_empty() const { return xmlTextReaderIsEmptyElement(reader) == 1; }
  std::size_t line() const {
    xmlNodePtr node = xmlTextReaderCurrentNode(reader);
    long line = node != nullptr ? xmlGetLineNo(node) : -1;
    return line > 0 ? static_cast<std::size_t>(line) : static_cast<std::size_t>(xmlTextReaderGetParserLineNumber(reader));
  }

  std::string where(std::size_t at_line) const { return name + ": line " + std::to_string(at_line); }

  // Calls f(name, value) for each attribute of the current element.
  template <typename F>
  void for_each_attribute(F&& f) {
    if (xmlTextReaderHasAttributes(reader) != 1) return;
    while (xmlTextReaderMoveToNextAttribute(reader) == 1) f(view(xmlTextReaderConstName(reader)), view(xmlTextReaderConstValue(reader)));
    xmlTextReaderMoveToElement(reader);
  }

  // Reads up to <body>: the root must be <tmx>; the header's attributes are
  // kept, its notes, props and udes skipped.
  void read_prolog() {
    while (true) {
      if (!read()) throw TmxFormatError(name, 0, 0, name + ": no root element: the file is empty or not XML.");
      if (type() == XML_READER_TYPE_ENTITY_REFERENCE) unsupported_entity();
      if (type() == XML_READER_TYPE_ELEMENT) break;
    }
    if (!is_name(node_name(), "tmx"))
      throw TmxFormatError(name, line(), 0,
                           where(line()) + ": the root element is <" + std::string(view(node_name())) +
                               ">, not <tmx>: this is not a TMX file.");
    for_each_attribute([&](std::string_view n, std::string_view v) {
      if (n == "version") header.version = v;
    });
    if (is_empty()) {
      body_done = true;
      drain();
      return;
    }
    while (read()) {
      if (type() == XML_READER_TYPE_END_ELEMENT && depth() == 0) break;  // </tmx> without <body>
      if (type() != XML_READER_TYPE_ELEMENT || depth() != 1) continue;
      if (is_name(node_name(), "header")) {
        for_each_attribute([&](std::string_view n, std::string_view v) {
          if (n == "srclang") header.srclang = v;
          else if (n == "creationtool") header.creation_tool = v;
          else if (n == "creationtoolversion") header.creation_tool_version = v;
          else if (n == "datatype") header.datatype = v;
          else if (n == "segtype") header.segtype = v;
        });
        if (!is_empty()) skip_subtree_at(1);
      } else if (is_name(node_name(), "body")) {
        if (is_empty()) break;
        return;  // positioned inside <body>
      } else if (!is_empty()) {
        skip_subtree_at(1);
      }
    }
    body_done = true;
    drain();
  }

  // From an element start at `element_depth`, reads up to its end tag.
  void skip_subtree_at(int element_depth) {
    while (read()) {
      if (type() == XML_READER_TYPE_ENTITY_REFERENCE) unsupported_entity();
      if (type() == XML_READER_TYPE_END_ELEMENT && depth() == element_depth) return;
    }
  }

  // After </body>: reads the rest so that a truncated or broken end of the
  // file is still an error.
  void drain() {
    while (read()) {
    }
  }

  [[noreturn]] void unsupported_entity() {
    std::size_t at = line();
    throw TmxFormatError(name, at, 0,
                         where(at) + ": entity reference &" + std::string(view(node_name())) +
                             "; — TMX files may only use the XML entities &amp; &lt; &gt; &quot; &apos; and "
                             "character references (&#160;). Replace it with the character itself.");
  }

  bool next(TmxUnit& unit) {
    if (body_done) return false;
    while (read()) {
      int t = type();
      if (t == XML_READER_TYPE_END_ELEMENT && depth() == 1) {  // </body>
        body_done = true;
        drain();
        return false;
      }
      if (t == XML_READER_TYPE_ENTITY_REFERENCE) unsupported_entity();
      if (t != XML_READER_TYPE_ELEMENT) continue;
      if (depth() == 2 && is_name(node_name(), "tu")) {
        read_tu(unit);
        return true;
      }
      if (!is_empty()) skip_subtree_at(depth());
    }
    body_done = true;
    return false;
  }

  void read_tu(TmxUnit& unit) {
    unit.line = line();
    unit.tuid.clear();
    unit.srclang.clear();
    std::size_t props_used = 0, variants_used = 0;
    for_each_attribute([&](std::string_view n, std::string_view v) {
      if (n == "tuid") unit.tuid = v;
      else if (n == "srclang") unit.srclang = v;
    });
    if (!is_empty()) {
      while (read()) {
        int t = type();
        if (t == XML_READER_TYPE_END_ELEMENT && depth() == 2) break;
        if (t == XML_READER_TYPE_ENTITY_REFERENCE) unsupported_entity();
        if (t != XML_READER_TYPE_ELEMENT) continue;
        if (is_name(node_name(), "prop")) {
          auto& prop = next_slot(unit.props, props_used);
          prop.first.clear();
          prop.second.clear();
          for_each_attribute([&](std::string_view n, std::string_view v) {
            if (n == "type") prop.first = v;
          });
          if (!is_empty()) read_text_content(depth(), prop.second);
        } else if (is_name(node_name(), "tuv")) {
          read_tuv(next_slot(unit.variants, variants_used));
        } else if (!is_empty()) {
          skip_subtree_at(depth());  // <note>, or anything unknown
        }
      }
    }
    unit.props.resize(props_used);
    unit.variants.resize(variants_used);
  }

  // Collects the text of a simple element (a <prop>) up to its end tag.
  void read_text_content(int element_depth, std::string& out) {
    while (read()) {
      int t = type();
      if (t == XML_READER_TYPE_END_ELEMENT && depth() == element_depth) return;
      if (t == XML_READER_TYPE_ENTITY_REFERENCE) unsupported_entity();
      if (t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA || t == XML_READER_TYPE_WHITESPACE ||
          t == XML_READER_TYPE_SIGNIFICANT_WHITESPACE)
        out += view(xmlTextReaderConstValue(reader));
    }
  }

  void read_tuv(TmxVariant& variant) {
    variant.lang.clear();
    variant.raw_lang.clear();
    variant.text.clear();
    variant.inline_codes.clear();
    variant.code_count = 0;
    variant.line = line();
    bool have_xml_lang = false;
    for_each_attribute([&](std::string_view n, std::string_view v) {
      if (n == "xml:lang") {
        variant.raw_lang = v;
        have_xml_lang = true;
      } else if (n == "lang" && !have_xml_lang) {
        variant.raw_lang = v;  // TMX 1.1–1.2
      }
    });
    variant.lang = fold_tmx_language(variant.raw_lang);
    if (is_empty()) return;
    const int tuv_depth = depth();
    bool have_seg = false;
    while (read()) {
      int t = type();
      if (t == XML_READER_TYPE_END_ELEMENT && depth() == tuv_depth) return;
      if (t == XML_READER_TYPE_ENTITY_REFERENCE) unsupported_entity();
      if (t != XML_READER_TYPE_ELEMENT) continue;
      if (is_name(node_name(), "seg") && !have_seg) {
        have_seg = true;
        if (!is_empty()) read_seg(variant, depth());
      } else if (!is_empty()) {
        skip_subtree_at(depth());  // <note>, <prop>, a second <seg>
      }
    }
  }

  void add_code(TmxVariant& variant, std::string_view xml) {
    if (variant.code_count > 0) variant.inline_codes.push_back(kInlineCodeSeparator);
    variant.inline_codes += xml;
    if (variant.code_count < kMaxInlineCodes) append_placeholder(variant.text, variant.code_count);
    ++variant.code_count;  // past kMaxInlineCodes the variant is refused by its user
  }

  // Appends text, storing literal private-use characters as codes so they
  // are never taken for placeholders.
  void append_text(TmxVariant& variant, std::string_view text) {
    std::size_t run = 0;
    for (std::size_t i = 0; i + 2 < text.size(); ++i) {
      const auto b = static_cast<unsigned char>(text[i]);
      if ((b != 0xEE && b != 0xEF) || private_use_at(text, i) == 0) continue;
      variant.text.append(text.data() + run, i - run);
      add_code(variant, text.substr(i, 3));
      i += 2;
      run = i + 1;
    }
    variant.text.append(text.data() + run, text.size() - run);
  }

  void read_seg(TmxVariant& variant, int seg_depth) {
    while (read()) {
      int t = type();
      if (t == XML_READER_TYPE_END_ELEMENT && depth() == seg_depth) break;
      switch (t) {
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
          append_text(variant, view(xmlTextReaderConstValue(reader)));
          break;
        case XML_READER_TYPE_ENTITY_REFERENCE:
          unsupported_entity();
        case XML_READER_TYPE_ELEMENT:
          if (is_name(node_name(), "hi")) {
            // <hi> holds text: its tags are codes, its content stays text.
            scratch.clear();
            append_start_tag(scratch);
            add_code(variant, scratch);
          } else {
            scratch.clear();
            serialize_element(scratch);
            add_code(variant, scratch);
          }
          break;
        case XML_READER_TYPE_END_ELEMENT:  // only </hi> reaches here
          scratch.assign("</");
          scratch += view(node_name());
          scratch += '>';
          add_code(variant, scratch);
          break;
        default:
          break;  // comments, processing instructions
      }
    }
    finish_codes(variant);
  }

  // Codes made only of literal private-use characters are undone: such a
  // segment has no markup, so its text can stay as it was.
  void finish_codes(TmxVariant& variant) {
    if (variant.code_count == 0 || variant.code_count > kMaxInlineCodes) return;
    if (variant.inline_codes.find('<') != std::string::npos) return;
    std::string_view codes = variant.inline_codes;
    std::string text;
    text.reserve(variant.text.size());
    for (std::size_t i = 0; i < variant.text.size(); ++i) {
      char32_t c = private_use_at(variant.text, i);
      if (c == 0) {
        text.push_back(variant.text[i]);
        continue;
      }
      std::size_t n = c - kFirstInlinePlaceholder;
      text += codes.substr(n * 4, 3);  // each field is 3 bytes plus a separator
      i += 2;
    }
    variant.text = std::move(text);
    variant.inline_codes.clear();
    variant.code_count = 0;
  }

  void append_start_tag(std::string& out) {
    out.push_back('<');
    out += view(node_name());
    for_each_attribute([&](std::string_view n, std::string_view v) {
      out.push_back(' ');
      out += n;
      out += "=\"";
      append_xml_escaped(out, v, true);
      out.push_back('"');
    });
    out += is_empty() ? "/>" : ">";
  }

  // The XML of the current element and everything in it, in a canonical
  // form (attributes double-quoted, the same escaping as the writer).
  void serialize_element(std::string& out) {
    append_start_tag(out);
    if (is_empty()) return;
    const int element_depth = depth();
    while (read()) {
      switch (type()) {
        case XML_READER_TYPE_ELEMENT:
          append_start_tag(out);
          break;
        case XML_READER_TYPE_END_ELEMENT:
          out += "</";
          out += view(node_name());
          out.push_back('>');
          if (depth() == element_depth) return;
          break;
        case XML_READER_TYPE_TEXT:
        case XML_READER_TYPE_CDATA:
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
          append_xml_escaped(out, view(xmlTextReaderConstValue(reader)), false);
          break;
        case XML_READER_TYPE_ENTITY_REFERENCE:
          unsupported_entity();
        default:
          break;
      }
    }
  }
};

TmxReader::TmxReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->name = path;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError(path, path + ": is a directory, not a TMX file.");
  impl_->source.file = std::fopen(path.c_str(), "rb");
  if (impl_->source.file == nullptr)
    throw InputError(path, path + ": cannot open: " + std::strerror(errno) + ". Check the path and permissions.");
  if (std::filesystem::file_size(path, ec) == 0 && !ec)
    throw TmxFormatError(path, 0, 0, path + ": the file is empty; a TMX file has a <tmx> root element.");
  impl_->open();
}

TmxReader::TmxReader(std::string_view xml, std::string name) : impl_(std::make_unique<Impl>()) {
  impl_->name = std::move(name);
  impl_->source.memory = xml;
  if (xml.empty())
    throw TmxFormatError(impl_->name, 0, 0, impl_->name + ": the file is empty; a TMX file has a <tmx> root element.");
  impl_->open();
}

TmxReader::~TmxReader() = default;

const TmxFileHeader& TmxReader::header() const { return impl_->header; }

bool TmxReader::next(TmxUnit& unit) { return impl_->next(unit); }

std::uint64_t TmxReader::bytes_read() const { return impl_->source.bytes_read; }

}  // namespace untm
