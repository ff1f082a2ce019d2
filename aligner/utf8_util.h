// Small UTF-8 helpers shared inside aligner/ (not part of the public API).
// Input is assumed valid UTF-8 (the reader guarantees it); a malformed byte
// decodes as U+FFFD and advances by one, so nothing here can loop forever.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace untm::utf8 {

// The 8 bytes at `p`, as one word (any alignment).
inline std::uint64_t word_at(const void* p) {
  std::uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}

constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// Are the 8 bytes at `p` all ASCII?
inline bool ascii8(const void* p) { return (word_at(p) & kHighBits) == 0; }

// Does `word` hold a zero byte? (Exact as a yes/no, whatever the bytes.)
constexpr bool has_zero_byte(std::uint64_t word) {
  return ((word - 0x0101010101010101ULL) & ~word & kHighBits) != 0;
}

// The first position at or after `i` (up to `n`, the size of the text at
// `data`) not inside a whole 8-byte run of ASCII: plain ASCII runs are the
// common case, skipped a word at a time. The byte there may still be ASCII.
inline std::size_t skip_ascii_words(const char* data, std::size_t i, std::size_t n) {
  while (i + 8 <= n && ascii8(data + i)) i += 8;
  return i;
}

// Decodes the code point at `i` and advances `i` past it.
inline char32_t next(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  auto cont = [&](std::size_t k) -> int {
    if (i + k >= s.size()) return -1;
    const auto b = static_cast<unsigned char>(s[i + k]);
    return (b & 0xC0) == 0x80 ? (b & 0x3F) : -1;
  };
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  if ((b0 & 0xE0) == 0xC0) {
    int c1 = cont(1);
    if (c1 >= 0) {
      i += 2;
      return (char32_t(b0 & 0x1F) << 6) | char32_t(c1);
    }
  } else if ((b0 & 0xF0) == 0xE0) {
    int c1 = cont(1), c2 = cont(2);
    if (c1 >= 0 && c2 >= 0) {
      i += 3;
      return (char32_t(b0 & 0x0F) << 12) | (char32_t(c1) << 6) | char32_t(c2);
    }
  } else if ((b0 & 0xF8) == 0xF0) {
    int c1 = cont(1), c2 = cont(2), c3 = cont(3);
    if (c1 >= 0 && c2 >= 0 && c3 >= 0) {
      i += 4;
      return (char32_t(b0 & 0x07) << 18) | (char32_t(c1) << 12) | (char32_t(c2) << 6) | char32_t(c3);
    }
  }
  ++i;
  return 0xFFFD;
}

// Appends the UTF-8 encoding of `c`.
inline void append(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// The first code point of `s` (0 when empty).
inline char32_t first(std::string_view s) {
  std::size_t i = 0;
  return s.empty() ? 0 : next(s, i);
}

// The last code point of `s` (0 when empty).
inline char32_t last(std::string_view s) {
  if (s.empty()) return 0;
  std::size_t i = s.size() - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80 && s.size() - i < 4) --i;
  return next(s, i);
}

// Chinese/Japanese characters and their punctuation: text written without
// spaces between words, so a line wrap between two of them adds no space.
inline bool is_cjk(char32_t c) {
  if (c < 0x2E80) return false;  // most text: one comparison
  return (c >= 0x2E80 && c <= 0x2FDF) ||   // radicals
         (c >= 0x3000 && c <= 0x303F) ||   // CJK symbols and punctuation
         (c >= 0x3040 && c <= 0x30FF) ||   // kana
         (c >= 0x3400 && c <= 0x4DBF) ||   // extension A
         (c >= 0x4E00 && c <= 0x9FFF) ||   // unified ideographs
         (c >= 0xF900 && c <= 0xFAFF) ||   // compatibility ideographs
         (c >= 0xFE30 && c <= 0xFE4F) ||   // compatibility forms
         (c >= 0xFF00 && c <= 0xFFEF) ||   // full-width forms
         (c >= 0x20000 && c <= 0x3FFFF);   // supplementary ideographs
}

inline bool is_arabic(char32_t c) {
  return (c >= 0x0600 && c <= 0x06FF) || (c >= 0x0750 && c <= 0x077F) || (c >= 0x08A0 && c <= 0x08FF) ||
         (c >= 0xFB50 && c <= 0xFDFF) || (c >= 0xFE70 && c <= 0xFEFF);
}

// Display width in columns: two for CJK and full-width, one otherwise.
inline std::size_t display_width(std::string_view s) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {  // ASCII: one column
      ++i;
      ++width;
      continue;
    }
    char32_t c = next(s, i);
    if (c >= 0x0300 && c <= 0x036F) continue;   // combining marks take no column
    if (c >= 0x064B && c <= 0x065F) continue;   // Arabic harakat
    width += is_cjk(c) ? 2 : 1;
  }
  return width;
}

}  // namespace untm::utf8
