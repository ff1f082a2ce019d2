// Decoding of document files (see text_reader.h).
//
// One pass over the bytes produces UTF-8 with "\n" line ends; NFC follows as
// one more linear pass. Runs of bytes that need no change are copied in bulk.
#include "aligner/text_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>

#include "aligner/errors.h"
#include "aligner/utf8_util.h"
#include "aligner/normalizer.h"

namespace untm {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kUtf16LeBom = "\xFF\xFE";
constexpr std::string_view kUtf16BeBom = "\xFE\xFF";
constexpr std::string_view kReplacementUtf8 = "\xEF\xBF\xBD";
constexpr std::size_t kInitialReadSize = 64 * 1024;  // when st_size is no hint

constexpr std::string_view kExtractHint =
    "Extract the text first (for example: pdftotext -layout FILE.pdf, or "
    "libreoffice --headless --convert-to txt FILE.docx).";

struct Signature {
  std::string_view magic;
  std::string_view what;
};

// Files people mistake for text, recognised at offset 0.
constexpr Signature kSignatures[] = {
    {"%PDF-", "a PDF file"},
    {std::string_view("PK\x03\x04", 4), "a Word or ZIP file"},
    {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "an old Word/OLE file"},
};

std::string hex_byte(std::uint8_t b) {
  constexpr char kDigits[] = "0123456789ABCDEF";
  return std::string("0x") + kDigits[b >> 4] + kDigits[b & 0xF];
}

[[noreturn]] void throw_empty(const std::string& path) {
  throw InputError(path, path +
                             ": the file is empty. Give the text of the "
                             "document (UTF-8 or UTF-16 with BOM).");
}

[[noreturn]] void throw_binary(const std::string& path, std::string_view where,
                               std::string_view what) {
  throw InputError(path, path + ": " + std::string(where) + ": this is " +
                             std::string(what) + ", not text. " +
                             std::string(kExtractHint));
}

// UTF-16 saved without a byte-order mark: ASCII text then has a zero byte in
// every other position. Returns "UTF-16LE", "UTF-16BE" or "".
std::string_view utf16_without_bom(std::string_view bytes) {
  const std::size_t n = std::min<std::size_t>(bytes.size() & ~std::size_t{1}, 512);
  if (n < 4) return "";
  std::size_t even_zeros = 0, odd_zeros = 0;
  for (std::size_t i = 0; i < n; i += 2) {
    if (bytes[i] == 0) ++even_zeros;
    if (bytes[i + 1] == 0) ++odd_zeros;
  }
  const std::size_t pairs = n / 2;
  if (odd_zeros * 10 >= pairs * 6 && even_zeros * 10 <= pairs) return "UTF-16LE";
  if (even_zeros * 10 >= pairs * 6 && odd_zeros * 10 <= pairs) return "UTF-16BE";
  return "";
}

[[noreturn]] void throw_nul_byte(const std::string& path, std::string_view bytes,
                                 std::size_t offset) {
  if (auto encoding = utf16_without_bom(bytes); !encoding.empty()) {
    throw EncodingError(
        path, offset,
        path + ": NUL byte at byte " + std::to_string(offset) + ": this looks like " +
            std::string(encoding) +
            " text without a byte-order mark. Convert it to UTF-8 (for example: iconv -f " +
            std::string(encoding) + " -t UTF-8 " + path +
            " > fixed.txt) or save it as UTF-16 with a BOM.");
  }
  throw_binary(path, "NUL byte at byte " + std::to_string(offset),
               "a binary file");
}

[[noreturn]] void throw_nul_char(const std::string& path, std::size_t offset) {
  throw_binary(path, "NUL character (U+0000) at byte " + std::to_string(offset),
               "a binary file");
}

[[noreturn]] void throw_bad_utf8(const std::string& path, std::size_t offset,
                                 std::string_view shown) {
  std::string bytes;
  for (unsigned char b : shown) {
    if (!bytes.empty()) bytes += ' ';
    bytes += hex_byte(b);
  }
  throw EncodingError(
      path, offset,
      path + ": invalid UTF-8 at byte " + std::to_string(offset) + " (" +
          bytes +
          "): the file is not UTF-8. Convert it to UTF-8 (for example: iconv "
          "-f WINDOWS-1252 -t UTF-8 " +
          path + " > fixed.txt) or pass --lossy to replace invalid bytes " +
          "with U+FFFD.");
}

[[noreturn]] void throw_bad_utf16(const std::string& path,
                                  std::string_view encoding, std::size_t offset,
                                  const std::string& what) {
  throw EncodingError(
      path, offset,
      path + ": invalid " + std::string(encoding) + " at byte " +
          std::to_string(offset) + " (" + what +
          "): the file is damaged or not UTF-16. Convert it to UTF-8 or pass "
          "--lossy to replace invalid data with U+FFFD.");
}

// Length of the well-formed sequence at s[i] (Unicode Table 3-7), or, if it
// is ill-formed, of its maximal subpart (at least 1 byte), which lossy mode
// replaces with one U+FFFD.
struct Utf8Step {
  std::size_t length;
  bool valid;
};

Utf8Step utf8_step(const std::uint8_t* s, std::size_t i, std::size_t n) {
  const std::uint8_t lead = s[i];
  int trail = 0;
  std::uint8_t lo = 0x80;
  std::uint8_t hi = 0xBF;
  if (lead < 0x80) {
    return {1, true};
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    trail = 1;
  } else if (lead == 0xE0) {
    trail = 2;
    lo = 0xA0;  // no overlongs
  } else if (lead == 0xED) {
    trail = 2;
    hi = 0x9F;  // no surrogates
  } else if (lead >= 0xE1 && lead <= 0xEF) {
    trail = 2;
  } else if (lead == 0xF0) {
    trail = 3;
    lo = 0x90;  // no overlongs
  } else if (lead >= 0xF1 && lead <= 0xF3) {
    trail = 3;
  } else if (lead == 0xF4) {
    trail = 3;
    hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return {1, false};  // 80..C1, F5..FF never start a character
  }
  std::size_t length = 1;
  for (int k = 0; k < trail; ++k) {
    if (i + length >= n) return {length, false};
    const std::uint8_t b = s[i + length];
    if (b < lo || b > hi) return {length, false};
    lo = 0x80;
    hi = 0xBF;
    ++length;
  }
  return {length, true};
}

// The bytes an error message shows for the bad sequence at s[i]: what the
// lead byte's bit pattern announces (C0..DF: 2, E0..EF: 3, F0..F7: 4, else
// 1), stopping after a byte that cannot continue it or at the end. So an
// overlong or a UTF-8 surrogate shows whole, and "C3 28" shows the '(' that
// broke the sequence.
std::size_t shown_length(const std::uint8_t* s, std::size_t i, std::size_t n) {
  const std::uint8_t lead = s[i];
  const std::size_t announced = lead < 0xC0   ? 1
                                : lead < 0xE0 ? 2
                                : lead < 0xF0 ? 3
                                : lead < 0xF8 ? 4
                                              : 1;
  std::size_t length = 1;
  while (length < announced && i + length < n) {
    const bool continuation = (s[i + length] & 0xC0) == 0x80;
    ++length;
    if (!continuation) break;
  }
  return length;
}

// Decodes UTF-8 starting at `base` (after any BOM).
std::string decode_utf8(std::string_view bytes, std::size_t base,
                        const std::string& path, const ReadOptions& options,
                        std::size_t& replaced) {
  const auto* s = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const std::size_t n = bytes.size();
  std::string out;
  out.reserve(n - base);
  std::size_t run = base;  // start of bytes not yet copied to `out`
  std::size_t i = base;
  while (i < n) {
    // Runs of ASCII with no NUL and no CR, a word at a time.
    while (i + 8 <= n) {
      const std::uint64_t word = utf8::word_at(s + i);
      if ((word & utf8::kHighBits) != 0 || utf8::has_zero_byte(word) ||
          utf8::has_zero_byte(word ^ 0x0D0D0D0D0D0D0D0DULL))
        break;
      i += 8;
    }
    if (i == n) break;
    const std::uint8_t b = s[i];
    if (b != 0 && b != '\r') {
      if (b < 0x80) {
        ++i;
        continue;
      }
      const Utf8Step step = utf8_step(s, i, n);
      if (step.valid) {
        i += step.length;
        continue;
      }
      if (!options.lossy) {
        // A NUL anywhere means binary, which says more than the bad byte.
        const void* nul = std::memchr(s + i, 0, n - i);
        if (nul != nullptr) {
          throw_nul_byte(path, bytes, static_cast<const std::uint8_t*>(nul) - s);
        }
        throw_bad_utf8(path, i, bytes.substr(i, shown_length(s, i, n)));
      }
      out.append(bytes, run, i - run);
      out.append(kReplacementUtf8);
      ++replaced;
      i += step.length;
      run = i;
      continue;
    }
    if (b == 0) throw_nul_byte(path, bytes, i);
    // CR or CRLF -> LF
    out.append(bytes, run, i - run);
    out.push_back('\n');
    ++i;
    if (i < n && s[i] == '\n') ++i;
    run = i;
  }
  out.append(bytes, run, n - run);
  return out;
}

// Decodes UTF-16 after its 2-byte BOM.
std::string decode_utf16(std::string_view bytes, bool big_endian,
                         std::string_view encoding, const std::string& path,
                         const ReadOptions& options, std::size_t& replaced) {
  const auto* s = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const std::size_t n = bytes.size();
  const auto unit_at = [&](std::size_t i) -> char32_t {
    return big_endian ? (char32_t{s[i]} << 8) | s[i + 1]
                      : (char32_t{s[i + 1]} << 8) | s[i];
  };
  // Before reporting bad data: a U+0000 anywhere means binary.
  const auto check_nul_from = [&](std::size_t i) {
    for (; i + 1 < n; i += 2) {
      if (s[i] == 0 && s[i + 1] == 0) throw_nul_char(path, i);
    }
  };
  const auto invalid = [&](std::size_t i, const std::string& what) {
    if (!options.lossy) {
      check_nul_from(i);
      throw_bad_utf16(path, encoding, i, what);
    }
  };

  std::string out;
  out.reserve((n - 2) / 2 * 3 / 2 + 4);
  bool after_cr = false;
  std::size_t i = 2;
  for (; i + 1 < n; i += 2) {
    char32_t c = unit_at(i);
    if (c >= 0xD800 && c <= 0xDFFF) {
      const bool high = c <= 0xDBFF;
      const char32_t next = i + 3 < n ? unit_at(i + 2) : 0;
      if (high && next >= 0xDC00 && next <= 0xDFFF) {
        c = 0x10000 + ((c - 0xD800) << 10) + (next - 0xDC00);
        i += 2;
      } else {
        invalid(i, "unpaired surrogate " +
                       hex_byte(static_cast<std::uint8_t>(c >> 8)) +
                       hex_byte(static_cast<std::uint8_t>(c)).substr(2));
        c = 0xFFFD;
        ++replaced;
      }
    } else if (c == 0) {
      throw_nul_char(path, i);
    }
    if (c == '\n' && after_cr) {
      after_cr = false;
      continue;
    }
    after_cr = c == '\r';
    utf8::append(out, after_cr ? U'\n' : c);
  }
  if (i < n) {  // an odd number of bytes: half a code unit at the end
    invalid(i, "odd final byte " + hex_byte(s[i]));
    out.append(kReplacementUtf8);
    ++replaced;
  }
  return out;
}

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

[[noreturn]] void throw_unreadable(const std::string& path,
                                   const std::string& reason) {
  throw InputError(
      path, path + ": cannot read the file (" + reason + "). Check the path.");
}

std::string errno_text(int error) {
  // std::generic_category gives strerror's text without its thread issues.
  return std::error_code(error, std::generic_category()).message();
}

}  // namespace

TextFile decode_text(std::string_view bytes, const std::string& path,
                     const ReadOptions& options) {
  if (bytes.empty()) throw_empty(path);
  for (const Signature& signature : kSignatures) {
    if (bytes.starts_with(signature.magic)) {
      throw_binary(path, "binary data at byte 0", signature.what);
    }
  }

  TextFile file;
  file.path = path;
  std::string decoded;
  if (bytes.starts_with(kUtf8Bom)) {
    if (bytes.size() == kUtf8Bom.size()) throw_empty(path);
    file.encoding = "UTF-8 (BOM)";
    decoded =
        decode_utf8(bytes, kUtf8Bom.size(), path, options, file.replaced_count);
  } else if (bytes.starts_with(kUtf16LeBom) || bytes.starts_with(kUtf16BeBom)) {
    if (bytes.size() == 2) throw_empty(path);
    const bool big_endian = bytes.starts_with(kUtf16BeBom);
    file.encoding = big_endian ? "UTF-16BE (BOM)" : "UTF-16LE (BOM)";
    decoded =
        decode_utf16(bytes, big_endian, big_endian ? "UTF-16BE" : "UTF-16LE",
                     path, options, file.replaced_count);
  } else {
    file.encoding = "UTF-8";
    decoded = decode_utf8(bytes, 0, path, options, file.replaced_count);
  }
  file.text = to_nfc(decoded);
  return file;
}

std::string read_file_bytes(const std::string& path) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw_unreadable(path, errno_text(errno));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) throw_unreadable(path, errno_text(errno));
  if (S_ISDIR(info.st_mode)) throw_unreadable(path, "it is a directory");

  // st_size is a hint only: pipes and /proc files report 0.
  std::string bytes;
  std::size_t used = 0;
  bytes.resize(S_ISREG(info.st_mode) && info.st_size > 0
                   ? static_cast<std::size_t>(info.st_size) + 1
                   : kInitialReadSize);
  for (;;) {
    if (used == bytes.size()) bytes.resize(bytes.size() * 2);
    const ssize_t got =
        ::read(fd.get(), bytes.data() + used, bytes.size() - used);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw_unreadable(path, errno_text(errno));
    }
    if (got == 0) break;
    used += static_cast<std::size_t>(got);
  }
  bytes.resize(used);
  return bytes;
}

TextFile read_text_file(const std::string& path, const ReadOptions& options) {
  return decode_text(read_file_bytes(path), path, options);
}

}  // namespace untm
