#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "aligner/errors.h"
#include "aligner/normalizer.h"

namespace {

using untm::make_matching_key;
using untm::matching_key_text;
using untm::MatchingKey;
using untm::to_nfc;
using untm::check_utf8_and_nfc;
using untm::TextCheck;

// UTF-8 of code points, so invisible marks can be written as escapes.
std::string utf8(std::u32string_view text) {
  std::string out;
  for (char32_t c : text) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// UTF-8 of fewer than `max_length` code points drawn from `pool`.
std::string random_text(std::u32string_view pool, std::mt19937& rng, std::size_t max_length) {
  std::u32string text;
  const std::size_t length = rng() % max_length;
  for (std::size_t k = 0; k < length; ++k) text += pool[rng() % pool.size()];
  return utf8(text);
}

// The original text behind key bytes [begin, end).
std::string original_of(const std::string& input, const MatchingKey& key,
                        std::size_t begin, std::size_t end) {
  const auto [b, e] = key.source_range(begin, end);
  REQUIRE(b <= e);
  REQUIRE(e <= input.size());
  return input.substr(b, e - b);
}

// The original text behind the first occurrence of `needle` in the key.
std::string original_of(const std::string& input, const MatchingKey& key,
                        std::string_view needle) {
  const std::size_t at = key.text.find(needle);
  REQUIRE(at != std::string::npos);
  return original_of(input, key, at, at + needle.size());
}

// Properties every key must have.
void check_invariants(const std::string& input, const MatchingKey& key) {
  REQUIRE(key.source_offsets.size() == key.text.size() + 1);
  CHECK(key.source_offsets.back() == input.size());
  for (std::size_t i = 0; i < key.text.size(); ++i) {
    const std::uint32_t offset = key.source_offsets[i];
    REQUIRE(offset < input.size());
    if (i > 0) REQUIRE(key.source_offsets[i - 1] <= offset);
    // Offsets point at the start of a character.
    REQUIRE((static_cast<unsigned char>(input[offset]) & 0xC0) != 0x80);
    const auto [b, e] = key.source_range(i, i + 1);
    REQUIRE(b == offset);
    REQUIRE(b < e);
    REQUIRE(e <= input.size());
  }
  CHECK(key.text == matching_key_text(input));
  CHECK(key.text.find("  ") == std::string::npos);
  if (!key.text.empty()) {
    CHECK(key.text.front() != ' ');
    CHECK(key.text.back() != ' ');
  }
}

}  // namespace

TEST_CASE("to_nfc composes", "[normalizer]") {
  CHECK(to_nfc("") == "");
  CHECK(to_nfc("plain ASCII") == "plain ASCII");
  CHECK(to_nfc(utf8(U"e\u0301A\u030A")) == utf8(U"\u00E9\u00C5"));
  CHECK(to_nfc(utf8(U"\u2126")) == utf8(U"\u03A9"));  // OHM SIGN singleton
  CHECK(to_nfc(utf8(U"\u1100\u1161\u11A8")) == utf8(U"\uAC01"));
  // Canonical reordering: dot below (220) before dot above (230).
  CHECK(to_nfc(utf8(U"q\u0307\u0323")) == utf8(U"q\u0323\u0307"));
  // NFC keeps compatibility characters; only the key folds them.
  CHECK(to_nfc(utf8(U"\uFB01 \uFF21 \u0663")) == utf8(U"\uFB01 \uFF21 \u0663"));
}

TEST_CASE("long runs of combining marks stay linear, short ones exact",
          "[normalizer]") {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  const icu::Normalizer2* nfkc_cf =
      icu::Normalizer2::getNFKCCasefoldInstance(status);
  REQUIRE(U_SUCCESS(status));
  const auto icu_normalize = [&](const icu::Normalizer2* nf,
                                 const std::string& text) {
    std::string out;
    UErrorCode st = U_ZERO_ERROR;
    nf->normalize(icu::UnicodeString::fromUTF8(text), st).toUTF8String(out);
    REQUIRE(U_SUCCESS(st));
    return out;
  };
  // Acute (230) and dot below (220) alternate, so NFC must reorder them.
  std::string short_run = "xA";
  for (int k = 0; k < 15; ++k) short_run += utf8(U"\u0301\u0323");
  short_run += "B";
  CHECK(to_nfc(short_run) == icu_normalize(nfc, short_run));
  CHECK(matching_key_text(short_run) == icu_normalize(nfkc_cf, short_run));
  CHECK(to_nfc(short_run) != short_run);

  // 200,000 marks on one base: ICU alone takes minutes (insertion sort).
  std::string long_run = "A";
  for (int k = 0; k < 100'000; ++k) long_run += utf8(U"\u0301\u0323");
  const std::string nfc_text = to_nfc(long_run);
  // A + dot below composes to U+1EA0, of the same UTF-8 size.
  CHECK(nfc_text.size() == long_run.size());
  CHECK(nfc_text.starts_with(utf8(U"\u1EA0")));
  const MatchingKey key = make_matching_key(long_run);
  CHECK(key.text.size() == nfc_text.size());
  CHECK(key.source_offsets.size() == key.text.size() + 1);
}

TEST_CASE("ASCII always starts an NFKC_CF chunk (the key builder relies on it)",
          "[normalizer]") {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nf =
      icu::Normalizer2::getNFKCCasefoldInstance(status);
  REQUIRE(U_SUCCESS(status));
  for (UChar32 c = 0; c < 0x80; ++c) {
    CHECK(nf->hasBoundaryBefore(c));
    // ... and folds to itself, or to lower case for A-Z.
    UErrorCode status2 = U_ZERO_ERROR;
    const icu::UnicodeString folded =
        nf->normalize(icu::UnicodeString(c), status2);
    REQUIRE(U_SUCCESS(status2));
    CHECK(folded == icu::UnicodeString(c >= 'A' && c <= 'Z' ? c + 32 : c));
  }
}

TEST_CASE("chunk by chunk equals ICU NFKC_CF of the whole text",
          "[normalizer]") {
  // Only characters the key table leaves alone, so the key must be exactly
  // ICU's NFKC_Casefold of the whole string.
  const std::u32string pool =
      U"aZq\u00C4\u00E9\u00DF\uFB01\uFB03\u0301\u0308\u0323\u0345\u0399"
      U"\u1100\u1161\u11A8\uAC00\u0627\u0644\u0628\u0629\u05B0\u05D1"
      U"\u03A3\u03C2\u0130\u01C5\u212B\u2126\u00AD\u200B\u338F\uFF21"
      U"\u4E2D\uF900\u0F73\u0F71\u0F72\u0E33\u1E9B\U0001D400";
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nf =
      icu::Normalizer2::getNFKCCasefoldInstance(status);
  REQUIRE(U_SUCCESS(status));
  std::mt19937 rng(11);
  for (int round = 0; round < 2000; ++round) {
    const std::string input = random_text(pool, rng, 25);
    std::string expected;
    nf->normalize(icu::UnicodeString::fromUTF8(input), status)
        .toUTF8String(expected);
    REQUIRE(U_SUCCESS(status));
    INFO("round " << round << ": " << input);
    const MatchingKey key = make_matching_key(input);
    CHECK(key.text == expected);
    check_invariants(input, key);
  }
}

TEST_CASE("full-width symbol and Arabic-Indic digits key as ASCII",
          "[normalizer]") {
  const std::string input =
      "\xEF\xBC\xB3\xEF\xBC\x8F\xEF\xBC\x92\xEF\xBC\x90\xEF\xBC\x91\xEF\xBC"
      "\x91\xEF\xBC\x8F\xEF\xBC\x94\xEF\xBC\x96\xEF\xBC\x93 and "
      "\xD9\xA1\xD9\xA9\xD9\xA7\xD9\xA3";  // Ｓ／２０１１／４６３ and ١٩٧٣
  const MatchingKey key = make_matching_key(input);
  CHECK(key.text == "s/2011/463 and 1973");
  CHECK(original_of(input, key, "1973") == "\xD9\xA1\xD9\xA9\xD9\xA7\xD9\xA3");
  CHECK(original_of(input, key, "2011") ==
        "\xEF\xBC\x92\xEF\xBC\x90\xEF\xBC\x91\xEF\xBC\x91");
  CHECK(original_of(input, key, "s/") == "\xEF\xBC\xB3\xEF\xBC\x8F");
  CHECK(original_of(input, key, "and") == "and");
  CHECK(original_of(input, key, "463 and 1973") ==
        "\xEF\xBC\x94\xEF\xBC\x96\xEF\xBC\x93 and "
        "\xD9\xA1\xD9\xA9\xD9\xA7\xD9\xA3");
  // Part of one character maps to the whole character.
  const std::size_t nine = key.text.find("9");
  CHECK(original_of(input, key, nine, nine + 1) == "\xD9\xA9");
  check_invariants(input, key);
}

TEST_CASE("Arabic harakat, tatweel and superscript alef are removed",
          "[normalizer]") {
  SECTION("a vocalised word with tatweel") {
    // العَرَبِيّـة
    const std::string input = utf8(
        U"\u0627\u0644\u0639\u064E\u0631\u064E\u0628\u0650\u064A\u0651\u0640"
        U"\u0629");
    const MatchingKey key = make_matching_key(input);
    CHECK(key.text == utf8(U"\u0627\u0644\u0639\u0631\u0628\u064A\u0629"));
    // The whole key maps back to the whole word, marks included.
    CHECK(original_of(input, key, 0, key.text.size()) == input);
    CHECK(original_of(input, key, utf8(U"\u0639")) == utf8(U"\u0639\u064E"));
    CHECK(original_of(input, key, utf8(U"\u0628")) == utf8(U"\u0628\u0650"));
    // The tatweel stays with the letter before it.
    CHECK(original_of(input, key, utf8(U"\u064A")) ==
          utf8(U"\u064A\u0651\u0640"));
    CHECK(original_of(input, key, utf8(U"\u0631\u0628")) ==
          utf8(U"\u0631\u064E\u0628\u0650"));
    check_invariants(input, key);
  }
  SECTION("tatweel between letters and superscript alef") {
    // كـتـاب هٰذا
    const std::string input =
        utf8(U"\u0643\u0640\u062A\u0640\u0627\u0628 \u0647\u0670\u0630\u0627");
    const MatchingKey key = make_matching_key(input);
    CHECK(key.text == utf8(U"\u0643\u062A\u0627\u0628 \u0647\u0630\u0627"));
    CHECK(original_of(input, key, utf8(U"\u0643\u062A\u0627\u0628")) ==
          utf8(U"\u0643\u0640\u062A\u0640\u0627\u0628"));
    CHECK(original_of(input, key, utf8(U"\u0647")) == utf8(U"\u0647\u0670"));
    check_invariants(input, key);
  }
  SECTION("vocalised and bare text give the same key") {
    CHECK(matching_key_text(utf8(U"\u0645\u064F\u062D\u064E\u0645\u0651\u064E"
                                 U"\u062F\u064C")) ==
          matching_key_text(utf8(U"\u0645\u062D\u0645\u062F")));
  }
  SECTION("hamza above composes before marks are removed") {
    // alef + hamza above (decomposed) keys like the precomposed U+0623.
    CHECK(matching_key_text(utf8(U"\u0627\u0654\u064E")) == utf8(U"\u0623"));
    CHECK(matching_key_text(utf8(U"\u0623\u064E")) == utf8(U"\u0623"));
  }
}

TEST_CASE("compatibility characters and case folding", "[normalizer]") {
  SECTION("the fi ligature") {
    const std::string input = utf8(U"\uFB01nal");
    const MatchingKey key = make_matching_key(input);
    CHECK(key.text == "final");
    CHECK(key.source_offsets == std::vector<std::uint32_t>{0, 0, 3, 4, 5, 6});
    CHECK(original_of(input, key, 0, 1) == utf8(U"\uFB01"));
    CHECK(original_of(input, key, 1, 2) == utf8(U"\uFB01"));
    CHECK(original_of(input, key, "fi") == utf8(U"\uFB01"));
    CHECK(original_of(input, key, "inal") == input);
    CHECK(original_of(input, key, "nal") == "nal");
    check_invariants(input, key);
  }
  SECTION("A with diaeresis, composed and decomposed") {
    const std::string composed = utf8(U"\u00C4RGER");
    const std::string decomposed = utf8(U"A\u0308RGER");
    const MatchingKey k1 = make_matching_key(composed);
    const MatchingKey k2 = make_matching_key(decomposed);
    CHECK(k1.text == utf8(U"\u00E4rger"));
    CHECK(k2.text == k1.text);
    CHECK(original_of(composed, k1, utf8(U"\u00E4")) == utf8(U"\u00C4"));
    CHECK(original_of(decomposed, k2, utf8(U"\u00E4")) == utf8(U"A\u0308"));
    CHECK(original_of(decomposed, k2, 0, 1) == utf8(U"A\u0308"));
    CHECK(original_of(decomposed, k2, "rger") == "RGER");
    check_invariants(composed, k1);
    check_invariants(decomposed, k2);
  }
  SECTION("German sharp s folds to ss") {
    const std::string input = utf8(U"Stra\u00DFe");
    const MatchingKey key = make_matching_key(input);
    CHECK(key.text == "strasse");
    CHECK(original_of(input, key, "ss") == utf8(U"\u00DF"));
    CHECK(original_of(input, key, 5, 6) == utf8(U"\u00DF"));
    CHECK(original_of(input, key, 5, 7) == utf8(U"\u00DFe"));
    CHECK(original_of(input, key, "stra") == "Stra");
    CHECK(matching_key_text("STRASSE") == "strasse");
    check_invariants(input, key);
  }
  SECTION("case folding, not lower-casing") {
    CHECK(matching_key_text(
              utf8(U"\u03A3\u03AF\u03C3\u03C5\u03C6\u03BF\u03C2")) ==
          utf8(U"\u03C3\u03AF\u03C3\u03C5\u03C6\u03BF\u03C3"));  // Σίσυφος
    CHECK(matching_key_text(utf8(U"\u041C\u0418\u0420")) ==
          utf8(U"\u043C\u0438\u0440"));  // МИР
    CHECK(matching_key_text(utf8(U"\u338F 5\u00BD")) ==
          utf8(U"kg 51\u20442"));  // ㎏ ½
  }
  SECTION("default-ignorable characters disappear") {
    const std::string input = utf8(U"co\u00ADop\u200Bera\u200Dtion");
    const MatchingKey key = make_matching_key(input);
    CHECK(key.text == "cooperation");
    CHECK(original_of(input, key, 0, key.text.size()) == input);
    check_invariants(input, key);
  }
}

TEST_CASE("every decimal digit style keys as ASCII", "[normalizer]") {
  CHECK(matching_key_text(utf8(U"\u0660\u0661\u0662\u0663\u0664\u0665\u0666"
                               U"\u0667\u0668\u0669")) == "0123456789");
  CHECK(matching_key_text(utf8(U"\u06F0\u06F1\u06F2\u06F3\u06F4\u06F5\u06F6"
                               U"\u06F7\u06F8\u06F9")) == "0123456789");
  CHECK(matching_key_text(utf8(U"\u0966\u0967\u0968\u0969\u096A\u096B\u096C"
                               U"\u096D\u096E\u096F")) == "0123456789");
  CHECK(matching_key_text(utf8(U"\uFF10\uFF11\uFF12\uFF13\uFF14\uFF15\uFF16"
                               U"\uFF17\uFF18\uFF19")) == "0123456789");
  CHECK(matching_key_text(utf8(U"\u09E7\u09EF \u0E52\u0E55 \U0001D7CE")) ==
        "19 25 0");  // Bengali, Thai, mathematical bold
}

TEST_CASE("CJK and Arabic punctuation keys as ASCII", "[normalizer]") {
  const std::string input = utf8(
      U"\u3002\u3001\uFF0C\uFF1B\uFF1A\uFF1F\uFF01"  // 。、，；：？！
      U"\u300C\u300D\u300E\u300F\u201C\u201D\u201E"  // 「」『』“”„
      U"\u2018\u2019"                                // ‘’
      U"\u300A\u300B\u3008\u3009"                    // 《》〈〉
      U"\uFF08\uFF09\u3010\u3011\u3014\u3015"        // （）【】〔〕
      U"\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  // dashes and minus
      U"\u060C\u061B\u061F\u066A\u066B\u066C"        // ، ؛ ؟ ٪ ٫ ٬
      U"\uFF61\uFF64\uFF62\uFF63\u2329\u232A");      // half-width, old angles
  const MatchingKey key = make_matching_key(input);
  CHECK(key.text ==
        ".,,;:?!"
        "\"\"\"\"\"\"\""
        "''"
        "\"\"\"\""
        "()[][]"
        "-------"
        ",;?%.,"
        ".,\"\"\"\"");
  // Each ASCII byte maps back to its one original character.
  for (std::size_t i = 0; i < key.text.size(); ++i) {
    const auto [b, e] = key.source_range(i, i + 1);
    CHECK((e - b == 2 || e - b == 3));
  }
  check_invariants(input, key);
  CHECK(matching_key_text(utf8(U"\uFF21\uFF42\uFF03\uFF04\uFF0F\uFF5E")) ==
        "ab#$/~");
  CHECK(matching_key_text(utf8(U"\u0665\u066B\u0662\u066A")) == "5.2%");
}

TEST_CASE("white space runs become one space, trimmed", "[normalizer]") {
  // "  a" NBSP NNBSP " b" IDEOGRAPHIC-SPACE TAB "c \n"
  const std::string input = utf8(U"  a\u00A0\u202F b\u3000\tc \n");
  REQUIRE(input.size() == 17);
  const MatchingKey key = make_matching_key(input);
  CHECK(key.text == "a b c");
  CHECK(key.source_offsets == std::vector<std::uint32_t>{2, 3, 9, 10, 14, 17});
  // A space maps back to the whole run it stands for.
  CHECK(original_of(input, key, 1, 2) == utf8(U"\u00A0\u202F "));
  CHECK(original_of(input, key, 3, 4) == utf8(U"\u3000\t"));
  // Leading and trailing white space belong to no key byte.
  CHECK(original_of(input, key, "c") == "c");
  CHECK(original_of(input, key, 0, key.text.size()) ==
        utf8(U"a\u00A0\u202F b\u3000\tc"));
  CHECK(key.content_end == 15);
  check_invariants(input, key);

  CHECK(matching_key_text("line one\r\n\r\n  line\ttwo\v\f\x0A") ==
        "line one line two");
  CHECK(matching_key_text(utf8(U"a\u2028b\u2029c\u0085d\u1680e\u2003f")) ==
        "a b c d e f");
}

TEST_CASE("empty and white-space-only text", "[normalizer]") {
  const MatchingKey empty = make_matching_key("");
  CHECK(empty.text.empty());
  CHECK(empty.source_offsets == std::vector<std::uint32_t>{0});
  CHECK(empty.source_range(0, 0) == std::pair<std::size_t, std::size_t>{0, 0});

  const std::string blank = utf8(U" \n\u3000\u0640\u064E ");
  const MatchingKey key = make_matching_key(blank);
  CHECK(key.text.empty());
  CHECK(key.source_offsets ==
        std::vector<std::uint32_t>{static_cast<std::uint32_t>(blank.size())});
}

TEST_CASE("source_range rejects ranges outside the key", "[normalizer]") {
  const MatchingKey key = make_matching_key("abc");
  CHECK(key.source_range(1, 3) == std::pair<std::size_t, std::size_t>{1, 3});
  CHECK_THROWS_MATCHES(
      key.source_range(2, 4), untm::ArgumentError,
      Catch::Message("key range [2, 4) is outside the matching key of 3 "
                     "bytes"));
  CHECK_THROWS_AS(key.source_range(2, 1), untm::ArgumentError);
  MatchingKey no_offsets;
  no_offsets.text = "abc";
  CHECK_THROWS_MATCHES(
      no_offsets.source_range(0, 1), untm::ArgumentError,
      Catch::Message("matching key of 3 bytes has 0 source offsets; it needs "
                     "one more than its size"));
}

TEST_CASE("ill-formed UTF-8 keys as U+FFFD without crashing", "[normalizer]") {
  const std::string input =
      "a\xFF"
      "b\xE2\x82";
  const MatchingKey key = make_matching_key(input);
  CHECK(key.text ==
        "a\xEF\xBF\xBD"
        "b\xEF\xBF\xBD");
  CHECK(key.source_offsets ==
        std::vector<std::uint32_t>{0, 1, 1, 1, 2, 3, 3, 3, 5});
}

TEST_CASE("random mixed text keeps every invariant", "[normalizer]") {
  // Characters that exercise every rule; none expands to text with spaces.
  const std::u32string pool =
      U"aZq09 \n\t\u00A0\u3000\u202F.,-"
      U"\u0627\u0644\u0639\u0628\u064A\u0629\u064E\u0650\u0651\u0652\u0640"
      U"\u0670\u0654\u0660\u0669\u06F5\u060C\u061F"
      U"\u0301\u0308\u0323\uFB01\u00DF\u00C4\u00E9\uFF21\uFF10\uFF0F"
      U"\u1100\u1161\u11A8\uAC00\u00AD\u200B\u200D\u3002\u201C\u2014"
      U"\u03A3\u03C2\u0130\u01C5\u4E2D\u6587\u0416\u0966\U0001D7CE\u00BD";
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    const std::string input = random_text(pool, rng, 30);
    INFO("round " << round);
    const MatchingKey key = make_matching_key(input);
    check_invariants(input, key);
    // The key of the original behind a word is that word: ranges cover
    // whole normalization chunks.
    std::size_t begin = 0;
    while (begin < key.text.size()) {
      std::size_t end = key.text.find(' ', begin);
      if (end == std::string::npos) end = key.text.size();
      const std::string word = key.text.substr(begin, end - begin);
      CHECK(matching_key_text(original_of(input, key, begin, end)) == word);
      begin = end + 1;
    }
    if (!key.text.empty()) {
      CHECK(matching_key_text(original_of(input, key, 0, key.text.size())) ==
            key.text);
    }
  }
}

TEST_CASE("the key without offsets equals the key with them, in long mixed texts", "[normalizer]") {
  // matching_key_text copies runs of characters that key as themselves at
  // once; make_matching_key builds every byte with its offset. Runs here
  // start and end at every kind of neighbour: ASCII upper and lower case,
  // spaces, a letter before a combining mark, decomposing characters,
  // removed ones, mapped punctuation, supplementary planes, ill-formed bytes.
  const std::u32string pool =
      U"aaaaZZ q 09 \t\u00A0.,-"
      U"\u0627\u0627\u0644\u0644\u0639\u0628\u064A\u0629\u064E\u0651\u0640\u0670\u0654\u0623\u0660\u060C"
      U"\u4E2D\u4E2D\u6587\u6587\u3002\u3001\uFF0C\uFF16\u201C\u2014"
      U"\u0301\u0308\u00E9\u00C4\uFB01\u00DF\u0416\u0436\u03A3\u1100\u1161\uAC00\u00AD\u200B"
      U"\U0001D400\U00020000";
  std::mt19937 rng(23);
  for (int round = 0; round < 20000; ++round) {
    std::string input = random_text(pool, rng, 60);
    if (round % 7 == 0 && !input.empty()) input.insert(rng() % input.size(), 1, static_cast<char>(0x80 | (rng() % 64)));
    INFO("round " << round << ": " << input);
    REQUIRE(matching_key_text(input) == make_matching_key(input).text);
  }
}

TEST_CASE("a multi-megabyte text gets a full key", "[normalizer]") {
  const std::string unit = utf8(
      U"R\u00C9SOLUTION 1973 (2011) \u0627\u0644\u0639\u064E\u0631\u064E"
      U"\u0628\u0650\u064A\u0651\u0629 \u0661\u0669\u0667\u0663 "
      U"\u5B89\u5168\u7406\u4E8B\u4F1A\uFF0C\u7B2C\uFF16\uFF14\u53F7\u3002\n");
  const std::string unit_key = matching_key_text(unit);
  std::string input;
  while (input.size() < 3'000'000) input += unit;
  const std::size_t copies = input.size() / unit.size();
  const MatchingKey key = make_matching_key(input);
  CHECK(key.text.size() == copies * (unit_key.size() + 1) - 1);
  CHECK(key.source_offsets.size() == key.text.size() + 1);
  CHECK(key.source_offsets.back() == input.size());
  CHECK(matching_key_text(input) == key.text);
  CHECK(to_nfc(input) == input);
}

namespace {

// The checks skip plain ASCII 8 bytes at a time: a bad byte or a combining
// mark at any offset of an ASCII run is still found, at its offset.
TEST_CASE("check_utf8_and_nfc finds bad bytes and marks at every offset of an ASCII run", "[normalizer]") {
  const std::string run(40, 'x');
  CHECK(check_utf8_and_nfc(run).invalid_at == -1);
  CHECK(check_utf8_and_nfc(run).nfc);
  for (std::size_t at = 0; at < run.size(); ++at) {
    CAPTURE(at);
    std::string bad = run;
    bad[at] = '\xFF';
    CHECK(check_utf8_and_nfc(bad).invalid_at == static_cast<std::int64_t>(at));
    std::string composed = run;
    composed.replace(at, 1, "\xC3\xA9");
    std::string decomposed = run;
    decomposed.replace(at, 1, "e\xCC\x81");
    const TextCheck check = check_utf8_and_nfc(decomposed);
    CHECK(check.invalid_at == -1);
    CHECK_FALSE(check.nfc);
    CHECK(to_nfc(decomposed) == composed);
    CHECK(check_utf8_and_nfc(composed).nfc);
    CHECK_FALSE(untm::is_nfc(decomposed));
  }
}

// Every BMP code point alone, after a letter, before a combining acute and
// after an Arabic alef: to_nfc and is_nfc agree with ICU's NFC (their fast
// path trusts a cached per-code-point quick check; this proves the cache).
TEST_CASE("to_nfc and is_nfc agree with ICU for every BMP code point in context", "[normalizer]") {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  REQUIRE(U_SUCCESS(status));
  std::size_t wrong_nfc = 0, wrong_check = 0, changed = 0;
  for (char32_t c = 0x80; c < 0x10000; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;  // surrogates are not UTF-8
    for (const std::u32string& text : {std::u32string{c}, std::u32string{U'a', c}, std::u32string{c, 0x0301},
                                       std::u32string{0x0627, c}}) {
      const std::string s = utf8(text);
      std::string expected;
      UErrorCode st = U_ZERO_ERROR;
      nfc->normalize(icu::UnicodeString::fromUTF8(s), st).toUTF8String(expected);
      REQUIRE(U_SUCCESS(st));
      if (to_nfc(s) != expected) ++wrong_nfc;
      if (untm::is_nfc(s) != (expected == s)) ++wrong_check;
      if (expected != s) ++changed;
    }
  }
  CHECK(wrong_nfc == 0);
  CHECK(wrong_check == 0);
  CHECK(changed > 2000);  // the contexts do exercise composition
}

}  // namespace
