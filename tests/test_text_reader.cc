#include <sys/stat.h>
#include <unicode/unistr.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>

#include "aligner/errors.h"
#include "aligner/normalizer.h"
#include "aligner/text_reader.h"

namespace {

using untm::decode_text;
using untm::EncodingError;
using untm::InputError;
using untm::ReadOptions;
using untm::TextFile;

namespace fs = std::filesystem;

const ReadOptions kLossy{.lossy = true};

// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (fs::temp_directory_path() / "untm_text_reader_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed for " + pattern);
    }
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    fs::permissions(path_, fs::perms::owner_all, ignored);
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

  std::string write(const std::string& name, std::string_view bytes) const {
    const fs::path file = path_ / name;
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return file.string();
  }

 private:
  fs::path path_;
};

std::string utf16(std::u16string_view units, bool big_endian, bool bom = true) {
  std::string out;
  if (bom) out = big_endian ? "\xFE\xFF" : "\xFF\xFE";
  for (char16_t u : units) {
    const char hi = static_cast<char>(u >> 8);
    const char lo = static_cast<char>(u & 0xFF);
    out += big_endian ? hi : lo;
    out += big_endian ? lo : hi;
  }
  return out;
}

// The message of the exception decode_text throws, checking its type.
template <typename E>
std::string error_of(std::string_view bytes, const std::string& path,
                     const ReadOptions& options = {}) {
  try {
    decode_text(bytes, path, options);
  } catch (const E& e) {
    CHECK(e.path() == path);
    return e.what();
  } catch (const std::exception& e) {
    FAIL("wrong exception type: " << e.what());
  }
  FAIL("no exception for input of " << bytes.size() << " bytes");
  return {};
}

std::size_t encoding_offset_of(std::string_view bytes) {
  try {
    decode_text(bytes, "x.txt");
  } catch (const EncodingError& e) {
    return e.byte_offset();
  }
  FAIL("no EncodingError");
  return 0;
}

std::string bad_utf8_message(const std::string& path, std::size_t offset,
                             const std::string& bytes) {
  return path + ": invalid UTF-8 at byte " + std::to_string(offset) + " (" +
         bytes +
         "): the file is not UTF-8. Convert it to UTF-8 (for example: iconv "
         "-f WINDOWS-1252 -t UTF-8 " +
         path +
         " > fixed.txt) or pass --lossy to replace invalid bytes with U+FFFD.";
}

const std::string kExtractHint =
    "Extract the text first (for example: pdftotext -layout FILE.pdf, or "
    "libreoffice --headless --convert-to txt FILE.docx).";

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b < 0x80   ? 1
                      : b < 0xC2 ? 0
                      : b < 0xE0 ? 2
                      : b < 0xF0 ? 3
                      : b < 0xF5 ? 4
                                 : 0;
    if (len == 0 || i + len > s.size()) return false;
    char32_t c = len == 1 ? b : b & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
      const auto t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xC0) != 0x80) return false;
      c = (c << 6) | (t & 0x3F);
    }
    const char32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (len > 1 && c < min) return false;
    if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

}  // namespace

TEST_CASE("plain UTF-8 is returned unchanged", "[text_reader]") {
  const TextFile file = decode_text("Security Council\nS/2011/463", "a.txt");
  CHECK(file.path == "a.txt");
  CHECK(file.text == "Security Council\nS/2011/463");
  CHECK(file.encoding == "UTF-8");
  CHECK(file.replaced_count == 0);
}

TEST_CASE("a UTF-8 BOM is removed and reported", "[text_reader]") {
  const TextFile file = decode_text("\xEF\xBB\xBFR\xC3\xA9solution", "a.txt");
  CHECK(file.text == "R\xC3\xA9solution");
  CHECK(file.encoding == "UTF-8 (BOM)");
}

TEST_CASE("UTF-16 with BOM is decoded to UTF-8", "[text_reader]") {
  // "Aé中𝄞" with a surrogate pair for U+1D11E.
  const std::u16string units = u"A\u00E9\u4E2D\U0001D11E";
  const std::string expected = "A\xC3\xA9\xE4\xB8\xAD\xF0\x9D\x84\x9E";

  const TextFile le = decode_text(utf16(units, false), "le.txt");
  CHECK(le.text == expected);
  CHECK(le.encoding == "UTF-16LE (BOM)");

  const TextFile be = decode_text(utf16(units, true), "be.txt");
  CHECK(be.text == expected);
  CHECK(be.encoding == "UTF-16BE (BOM)");
}

TEST_CASE("line ends become LF, U+2028/U+2029 stay", "[text_reader]") {
  const std::string expected =
      "a\nb\nc\n\nd\ne\xE2\x80\xA8"
      "f\xE2\x80\xA9\n";
  CHECK(decode_text("a\r\nb\rc\n\r\nd\r\ne\xE2\x80\xA8"
                    "f\xE2\x80\xA9\r",
                    "a.txt")
            .text == expected);
  CHECK(decode_text(utf16(u"a\r\nb\rc\n\r\nd\r\ne\u2028f\u2029\r", false),
                    "a.txt")
            .text == expected);
  CHECK(
      decode_text(utf16(u"a\r\nb\rc\n\r\nd\r\ne\u2028f\u2029\r", true), "a.txt")
          .text == expected);
  CHECK(decode_text("\r\r\n\n", "a.txt").text == "\n\n\n");
}

TEST_CASE("CR, NUL and non-ASCII bytes are found at every offset of an ASCII run", "[text_reader]") {
  // The decoder skips plain ASCII 8 bytes at a time: each special byte is
  // put at every offset of a 40-byte run, inside and across those words.
  using namespace std::string_literals;
  const std::string run(40, 'x');
  for (std::size_t at = 0; at < run.size(); ++at) {
    CAPTURE(at);
    std::string cr = run;
    cr[at] = '\r';
    std::string lf = run;
    lf[at] = '\n';
    CHECK(decode_text(cr, "a.txt").text == lf);
    std::string crlf = run;
    crlf.replace(at, 1, "\r\n");
    CHECK(decode_text(crlf, "a.txt").text == lf);
    std::string nul = run;
    nul[at] = '\0';
    CHECK(error_of<InputError>(nul, "b.bin") == "b.bin: NUL byte at byte " + std::to_string(at) +
                                                    ": this is a binary file, not text. " + kExtractHint);
    std::string accented = run;
    accented.replace(at, 1, "\xC3\xA9");
    CHECK(decode_text(accented, "a.txt").text == accented);
    std::string decomposed = run;
    decomposed.replace(at, 1, "e\xCC\x81");  // NFC makes it U+00E9
    CHECK(decode_text(decomposed, "a.txt").text == accented);
  }
}

TEST_CASE("text is normalized to NFC", "[text_reader]") {
  // e + COMBINING ACUTE, A + COMBINING RING, Hangul jamo
  CHECK(decode_text("e\xCC\x81 A\xCC\x8A \xE1\x84\x80\xE1\x85\xA1", "a.txt")
            .text == "\xC3\xA9 \xC3\x85 \xEA\xB0\x80");
  CHECK(decode_text(utf16(u"e\u0301", true), "a.txt").text == "\xC3\xA9");
}

TEST_CASE("a huge run of combining marks does not hang NFC", "[text_reader]") {
  std::string bytes = "x";
  for (int k = 0; k < 200'000; ++k) bytes += "\xCC\x81\xCC\xA3";  // 0301 0323
  const TextFile file = decode_text(bytes, "zalgo.txt");
  CHECK(file.text.size() == bytes.size());
  // Canonical order sorts the dots below (220) before the acutes (230).
  CHECK(file.text.starts_with("x\xCC\xA3\xCC\xA3\xCC\xA3"));
}

TEST_CASE("invalid UTF-8 throws EncodingError with the exact message",
          "[text_reader]") {
  SECTION("the example of the message: C3 followed by '('") {
    const std::string message =
        error_of<EncodingError>("abc\xC3(def", "docs/A_66_100.txt");
    CHECK(message ==
          "docs/A_66_100.txt: invalid UTF-8 at byte 3 (0xC3 0x28): the file "
          "is not UTF-8. Convert it to UTF-8 (for example: iconv -f "
          "WINDOWS-1252 -t UTF-8 docs/A_66_100.txt > fixed.txt) or pass "
          "--lossy to replace invalid bytes with U+FFFD.");
    CHECK(encoding_offset_of("abc\xC3(def") == 3);
  }
  SECTION("the offset counts the BOM") {
    CHECK(error_of<EncodingError>("\xEF\xBB\xBF"
                                  "caf\xE9.",
                                  "f.txt") ==
          bad_utf8_message("f.txt", 6, "0xE9 0x2E"));
    CHECK(encoding_offset_of("\xEF\xBB\xBF"
                             "caf\xE9.") == 6);
  }
  SECTION("overlong encodings") {
    CHECK(error_of<EncodingError>("a\xC0\xAF", "f.txt") ==
          bad_utf8_message("f.txt", 1, "0xC0 0xAF"));
    CHECK(error_of<EncodingError>("ab\xE0\x80\xAF", "f.txt") ==
          bad_utf8_message("f.txt", 2, "0xE0 0x80 0xAF"));
    CHECK(error_of<EncodingError>("\xF0\x80\x80\xAF", "f.txt") ==
          bad_utf8_message("f.txt", 0, "0xF0 0x80 0x80 0xAF"));
  }
  SECTION("surrogates encoded in UTF-8") {
    CHECK(error_of<EncodingError>("x\xED\xA0\x80", "f.txt") ==
          bad_utf8_message("f.txt", 1, "0xED 0xA0 0x80"));
    CHECK(error_of<EncodingError>("x\xED\xBF\xBF", "f.txt") ==
          bad_utf8_message("f.txt", 1, "0xED 0xBF 0xBF"));
  }
  SECTION("bytes above F4 and above U+10FFFF") {
    CHECK(error_of<EncodingError>("\xF5\x80\x80\x80", "f.txt") ==
          bad_utf8_message("f.txt", 0, "0xF5 0x80 0x80 0x80"));
    CHECK(error_of<EncodingError>("ok \xFF", "f.txt") ==
          bad_utf8_message("f.txt", 3, "0xFF"));
    CHECK(error_of<EncodingError>("\xF4\x90\x80\x80", "f.txt") ==
          bad_utf8_message("f.txt", 0, "0xF4 0x90 0x80 0x80"));
    CHECK(error_of<EncodingError>("\xFF\x80\x80", "f.txt") ==
          bad_utf8_message("f.txt", 0, "0xFF"));
    CHECK(error_of<EncodingError>("\xF8\x88\x80\x80\x80", "f.txt") ==
          bad_utf8_message("f.txt", 0, "0xF8"));
  }
  SECTION("a continuation byte without a lead") {
    CHECK(error_of<EncodingError>("\xC3\xA9\xA9\xA9", "f.txt") ==
          bad_utf8_message("f.txt", 2, "0xA9"));
  }
  SECTION("sequences cut short, in the middle and at the end") {
    CHECK(error_of<EncodingError>("\xF0\x90\x80"
                                  "A",
                                  "f.txt") ==
          bad_utf8_message("f.txt", 0, "0xF0 0x90 0x80 0x41"));
    CHECK(error_of<EncodingError>("euro \xE2\x82", "f.txt") ==
          bad_utf8_message("f.txt", 5, "0xE2 0x82"));
    CHECK(error_of<EncodingError>("\xC3", "f.txt") ==
          bad_utf8_message("f.txt", 0, "0xC3"));
    CHECK(error_of<EncodingError>("\xE2\x82\xE2\x82\xAC", "f.txt") ==
          bad_utf8_message("f.txt", 0, "0xE2 0x82 0xE2"));
  }
  SECTION("the first bad sequence is reported") {
    CHECK(encoding_offset_of("\xE2\x82\xAC \xE2\x82\xAC \x80 \xFF") == 8);
  }
}

TEST_CASE("lossy mode replaces each maximal subpart with one U+FFFD",
          "[text_reader]") {
  const std::string r = "\xEF\xBF\xBD";
  SECTION("the example of Unicode 15, section 3.9, Table 3-8") {
    const TextFile file =
        decode_text("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
                    "a.txt", kLossy);
    CHECK(file.text == "a" + r + r + r + "b" + r + "c" + r + r + "d");
    CHECK(file.replaced_count == 6);
  }
  SECTION("overlongs, surrogates, high bytes and truncation") {
    // C0 AF: 2; E0 80 AF: 3; ED A0 80: 3; F4 90 80 80: 4; F0 9F 98: 1
    const TextFile file = decode_text(
        "\xC0\xAF|\xE0\x80\xAF|\xED\xA0\x80|\xF4\x90\x80\x80|"
        "\xF0\x9F\x98",
        "a.txt", kLossy);
    CHECK(file.text == r + r + "|" + r + r + r + "|" + r + r + r + "|" + r + r +
                           r + r + "|" + r);
    CHECK(file.replaced_count == 13);
  }
  SECTION("Windows-1252 text and the BOM encoding") {
    const TextFile file = decode_text(
        "\xEF\xBB\xBF"
        "caf\xE9 cr\xE8me\r\n",
        "a.txt", kLossy);
    CHECK(file.text == "caf" + r + " cr" + r + "me\n");
    CHECK(file.encoding == "UTF-8 (BOM)");
    CHECK(file.replaced_count == 2);
  }
  SECTION("valid input reports no replacement") {
    CHECK(decode_text("\xE2\x82\xAC", "a.txt", kLossy).replaced_count == 0);
  }
}

TEST_CASE("invalid UTF-16 throws EncodingError or is replaced",
          "[text_reader]") {
  const std::string tail =
      "): the file is damaged or not UTF-16. Convert it to UTF-8 or pass "
      "--lossy to replace invalid data with U+FFFD.";
  SECTION("a lone low surrogate") {
    const std::string bytes = utf16(u"ab\xDC00z", false);
    CHECK(error_of<EncodingError>(bytes, "u.txt") ==
          "u.txt: invalid UTF-16LE at byte 6 (unpaired surrogate 0xDC00" +
              tail);
    const TextFile file = decode_text(bytes, "u.txt", kLossy);
    CHECK(file.text == "ab\xEF\xBF\xBDz");
    CHECK(file.replaced_count == 1);
  }
  SECTION("a high surrogate not followed by a low one") {
    const std::string bytes = utf16(
        u"a\xD83D"
        "b\xD83D",
        true);
    CHECK(error_of<EncodingError>(bytes, "u.txt") ==
          "u.txt: invalid UTF-16BE at byte 4 (unpaired surrogate 0xD83D" +
              tail);
    const TextFile file = decode_text(bytes, "u.txt", kLossy);
    CHECK(file.text ==
          "a\xEF\xBF\xBD"
          "b\xEF\xBF\xBD");
    CHECK(file.replaced_count == 2);
  }
  SECTION("an odd number of bytes") {
    const std::string bytes = utf16(u"ab", false) + "c";
    CHECK(error_of<EncodingError>(bytes, "u.txt") ==
          "u.txt: invalid UTF-16LE at byte 6 (odd final byte 0x63" + tail);
    const TextFile file = decode_text(bytes, "u.txt", kLossy);
    CHECK(file.text == "ab\xEF\xBF\xBD");
    CHECK(file.replaced_count == 1);
  }
}

TEST_CASE("empty files are InputError", "[text_reader]") {
  const std::string message =
      "e.txt: the file is empty. Give the text of the document (UTF-8 or "
      "UTF-16 with BOM).";
  for (const std::string_view bytes :
       {std::string_view(""), std::string_view("\xEF\xBB\xBF"),
        std::string_view("\xFF\xFE"), std::string_view("\xFE\xFF")}) {
    CHECK(error_of<InputError>(bytes, "e.txt") == message);
    CHECK(error_of<InputError>(bytes, "e.txt", kLossy) == message);
  }
}

TEST_CASE("NUL bytes mean a binary file", "[text_reader]") {
  using namespace std::string_literals;
  const std::string message =
      "b.bin: NUL byte at byte 5: this is a binary file, not text. " +
      kExtractHint;
  CHECK(error_of<InputError>("hello\0world"s, "b.bin") == message);
  CHECK(error_of<InputError>("hello\0world"s, "b.bin", kLossy) == message);
  // The BOM counts in the offset.
  CHECK(error_of<InputError>("\xEF\xBB\xBF"
                             "ab\0"s,
                             "b.bin") ==
        "b.bin: NUL byte at byte 5: this is a binary file, not text. " +
            kExtractHint);
  // A NUL after a bad byte still wins: the file is binary, not mis-encoded.
  CHECK(error_of<InputError>("a\xFF\xFE"
                             "bcdefg\0"s,
                             "b.bin") ==
        "b.bin: NUL byte at byte 9: this is a binary file, not text. " +
            kExtractHint);
  // The exception is an InputError but not an EncodingError.
  try {
    decode_text("\0"s, "b.bin");
    FAIL("no exception");
  } catch (const EncodingError&) {
    FAIL("NUL must not be an EncodingError");
  } catch (const InputError&) {
  }
}

TEST_CASE("U+0000 in UTF-16 means a binary file", "[text_reader]") {
  const std::string message =
      "w.txt: NUL character (U+0000) at byte 4: this is a binary file, not "
      "text. " +
      kExtractHint;
  const std::u16string units(u"a\0b", 3);
  CHECK(error_of<InputError>(utf16(units, false), "w.txt") == message);
  CHECK(error_of<InputError>(utf16(units, true), "w.txt", kLossy) == message);
  // A later U+0000 wins over an earlier unpaired surrogate.
  const std::u16string bad(u"\xDC00xyz\0", 5);
  CHECK(error_of<InputError>(utf16(bad, false), "w.txt") ==
        "w.txt: NUL character (U+0000) at byte 10: this is a binary file, "
        "not text. " +
            kExtractHint);
  // UTF-16 code units with a zero byte are fine.
  CHECK(decode_text(utf16(u"\u0100\u4E00A", false), "w.txt").text ==
        "\xC4\x80\xE4\xB8\x80"
        "A");
}

TEST_CASE("known binary signatures are named", "[text_reader]") {
  using namespace std::string_literals;
  CHECK(error_of<InputError>("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", "r.pdf") ==
        "r.pdf: binary data at byte 0: this is a PDF file, not text. " +
            kExtractHint);
  CHECK(error_of<InputError>("PK\x03\x04\x14\0\x06\0"s, "r.docx", kLossy) ==
        "r.docx: binary data at byte 0: this is a Word or ZIP file, not "
        "text. " +
            kExtractHint);
  CHECK(
      error_of<InputError>("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0"s, "r.doc") ==
      "r.doc: binary data at byte 0: this is an old Word/OLE file, not "
      "text. " +
          kExtractHint);
  // Only at offset 0, and only the full signature.
  CHECK(decode_text("see %PDF-1.7", "a.txt").text == "see %PDF-1.7");
  CHECK(decode_text("%PDF", "a.txt").text == "%PDF");
  CHECK(decode_text("PK\x03", "a.txt").text == "PK\x03");
}

TEST_CASE("read_text_file reads, decodes and reports unreadable paths",
          "[text_reader]") {
  const TempDir dir;
  SECTION("a UTF-16 file") {
    const std::string path =
        dir.write("doc.txt", utf16(u"Line 1\r\nLine 2\r\n", false));
    const TextFile file = untm::read_text_file(path);
    CHECK(file.path == path);
    CHECK(file.text == "Line 1\nLine 2\n");
    CHECK(file.encoding == "UTF-16LE (BOM)");
  }
  SECTION("lossy option is passed on") {
    const std::string path = dir.write("bad.txt",
                                       "a\xFF"
                                       "b");
    CHECK(untm::read_text_file(path, kLossy).text ==
          "a\xEF\xBF\xBD"
          "b");
    try {
      untm::read_text_file(path);
      FAIL("no exception");
    } catch (const EncodingError& e) {
      CHECK(e.byte_offset() == 1);
      CHECK(std::string(e.what()) == bad_utf8_message(path, 1, "0xFF"));
    }
  }
  SECTION("an empty file") {
    const std::string path = dir.write("empty.txt", "");
    CHECK_THROWS_MATCHES(
        untm::read_text_file(path), InputError,
        Catch::Message(path +
                       ": the file is empty. Give the text of the document "
                       "(UTF-8 or UTF-16 with BOM)."));
  }
  SECTION("a missing file") {
    const std::string path = (dir.path() / "missing.txt").string();
    CHECK_THROWS_MATCHES(
        untm::read_text_file(path), InputError,
        Catch::Message(path +
                       ": cannot read the file (No such file or directory). "
                       "Check the path."));
  }
  SECTION("a directory") {
    const std::string path = dir.path().string();
    CHECK_THROWS_MATCHES(
        untm::read_text_file(path), InputError,
        Catch::Message(path +
                       ": cannot read the file (it is a directory). Check "
                       "the path."));
  }
  SECTION("a file without read permission") {
    const std::string path = dir.write("secret.txt", "text");
    fs::permissions(path, fs::perms::none);
    if (::geteuid() == 0) {
      WARN("running as root: permissions are not enforced, skipped");
    } else {
      CHECK_THROWS_MATCHES(
          untm::read_text_file(path), InputError,
          Catch::Message(path +
                         ": cannot read the file (Permission denied). Check "
                         "the path."));
    }
  }
}

TEST_CASE("a multi-megabyte file is read in full", "[text_reader]") {
  std::string bytes = "\xEF\xBB\xBF";
  std::string expected;
  const std::string line = "R\xC3\xA9solution 1973 (2011) \xD9\xA1\xD9\xA9\r\n";
  const std::string line_lf =
      "R\xC3\xA9solution 1973 (2011) \xD9\xA1\xD9\xA9\n";
  while (bytes.size() < 4'000'000) {
    bytes += line;
    expected += line_lf;
  }
  const TempDir dir;
  const std::string path = dir.write("big.txt", bytes);
  const TextFile file = untm::read_text_file(path);
  CHECK(file.encoding == "UTF-8 (BOM)");
  CHECK(file.text.size() == expected.size());
  CHECK(file.text == expected);
}

TEST_CASE("random bytes never crash or hang the decoder", "[text_reader]") {
  std::mt19937 rng(20240611);
  // Bytes drawn mostly from the interesting ranges: ASCII, CR/LF,
  // continuation bytes, every kind of lead byte, and invalid bytes.
  const std::string pool =
      "aZ \r\n\x7F\x80\x8F\x90\x9F\xA0\xBF\xC0\xC1\xC2\xDF\xE0\xE1\xEC\xED"
      "\xEE\xEF\xF0\xF1\xF3\xF4\xF5\xFE\xFF\xBB\xD8\xDC";
  const std::string prefixes[] = {"", "", "\xEF\xBB\xBF", "\xFF\xFE",
                                  "\xFE\xFF"};
  std::size_t strict_ok = 0;
  std::size_t strict_errors = 0;
  std::size_t compared_with_icu = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string bytes = prefixes[rng() % 5];
    const std::size_t length = rng() % 40;
    for (std::size_t k = 0; k < length; ++k) {
      const std::uint32_t r = rng();
      bytes += (r % 8 == 0) ? static_cast<char>(r >> 8)  // any byte, NUL too
                            : pool[(r >> 8) % pool.size()];
    }
    INFO("round " << round);
    try {
      const TextFile file = decode_text(bytes, "r.txt");
      CHECK(is_valid_utf8(file.text));
      CHECK(file.text.find('\r') == std::string::npos);
      CHECK(file.replaced_count == 0);
      ++strict_ok;
    } catch (const EncodingError& e) {
      CHECK(e.byte_offset() < bytes.size());
      ++strict_errors;
    } catch (const InputError&) {
      ++strict_errors;
    }
    try {
      const TextFile file = decode_text(bytes, "r.txt", kLossy);
      CHECK(is_valid_utf8(file.text));
      CHECK(file.text.find('\r') == std::string::npos);
      CHECK(file.text == untm::to_nfc(file.text));
      // Without BOM, NUL and CR, the result must equal ICU's own
      // maximal-subpart replacement.
      if (bytes.find_first_of(std::string_view("\0\r\xFE\xFF", 4)) ==
              std::string::npos &&
          !bytes.starts_with("\xEF\xBB\xBF")) {
        std::string icu_utf8;
        icu::UnicodeString::fromUTF8(bytes).toUTF8String(icu_utf8);
        CHECK(file.text == untm::to_nfc(icu_utf8));
        ++compared_with_icu;
      }
    } catch (const EncodingError& e) {
      FAIL("lossy mode threw EncodingError: " << e.what());
    } catch (const InputError&) {
      // empty, NUL or a signature: allowed
    }
  }
  CHECK(strict_ok > 100);
  CHECK(strict_errors > 100);
  CHECK(compared_with_icu > 300);
}

TEST_CASE("UTF-16 without a BOM is recognised and the fix named", "[text_reader]") {
  const std::string le = utf16(u"1. The Council met in Doha.", false, /*bom=*/false);
  CHECK(error_of<EncodingError>(le, "doc.en.txt") ==
        "doc.en.txt: NUL byte at byte 1: this looks like UTF-16LE text without a "
        "byte-order mark. Convert it to UTF-8 (for example: iconv -f UTF-16LE -t "
        "UTF-8 doc.en.txt > fixed.txt) or save it as UTF-16 with a BOM.");
  const std::string be = utf16(u"1. The Council met in Doha.", true, /*bom=*/false);
  CHECK(error_of<EncodingError>(be, "doc.en.txt") ==
        "doc.en.txt: NUL byte at byte 0: this looks like UTF-16BE text without a "
        "byte-order mark. Convert it to UTF-8 (for example: iconv -f UTF-16BE -t "
        "UTF-8 doc.en.txt > fixed.txt) or save it as UTF-16 with a BOM.");
}
