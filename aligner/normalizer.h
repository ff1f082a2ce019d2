// Unicode normalization and the matching key.
//
// The matching key is what alignment and lookup compare, never what is
// stored or shown: NFKC, case folded, Arabic tatweel and harakat removed,
// every decimal digit style as ASCII, full-width and CJK/Arabic punctuation
// as ASCII, white space runs as one space. Like sentencepiece's normalizer it
// keeps, for every byte of the key, the byte offset in the original text it
// came from, so a hit in the key maps back to the original.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace untm {

// NFC of valid UTF-8 text.
std::string to_nfc(std::string_view utf8);

// Whether valid UTF-8 text is in NFC already (to_nfc would return it as is).
bool is_nfc(std::string_view utf8);

// Both checks a store makes of a text it is given, in one pass: the byte
// offset of the first ill-formed UTF-8 sequence (-1 when there is none) and,
// for valid text, whether it is in NFC.
struct TextCheck {
  std::int64_t invalid_at = -1;
  bool nfc = false;
};
TextCheck check_utf8_and_nfc(std::string_view text);

struct MatchingKey {
  std::string text;
  // source_offsets[i] = byte offset in the original of the character that
  // produced key byte i; one extra entry at the end = original size.
  std::vector<std::uint32_t> source_offsets;
  // Where the source of the last key byte ends: the original size, or the
  // start of trailing white space, which belongs to no key byte. 0 (unset)
  // means the original size.
  std::uint32_t content_end = 0;

  // The original byte range [begin, end) that key bytes [key_begin, key_end)
  // came from. It always covers whole normalization chunks: begin is where
  // the chunk of key byte key_begin starts; end is where the chunk of key
  // byte key_end-1 ends, with the characters the key removed right after it
  // (tatweel, marks, ignorables); a key space covers its whole white space
  // run. Throws ArgumentError if the range is outside the key.
  std::pair<std::size_t, std::size_t> source_range(std::size_t key_begin,
                                                   std::size_t key_end) const;
};

// Matching key of valid UTF-8 text.
MatchingKey make_matching_key(std::string_view utf8);

// Only the key text, for callers that need no offsets.
std::string matching_key_text(std::string_view utf8);

}  // namespace untm
