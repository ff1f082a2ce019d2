// Match scoring (tm/fuzzy_match.h): the 100 / 95–99 / fuzzy scale, tokens,
// number substitutions, and the key-derived values the store indexes.
#include <catch2/catch.hpp>

#include <bit>
#include <string>
#include <vector>

#include "aligner/normalizer.h"
#include "aligner/utf8_util.h"
#include "tm/fuzzy_match.h"

using namespace untm;
using namespace untm::fuzzy;

namespace {

// Trigrams and n-gram codes as text, for readable expectations.
std::string code_text(std::uint64_t code) {
  std::string out;
  for (const int shift : {42, 21, 0}) {
    const auto c = static_cast<char32_t>((code >> shift) & 0x1FFFFF);
    if (c != 0) utf8::append(out, c);
  }
  return out;
}

std::string cjk_unigrams(std::string_view key) {
  std::vector<std::uint64_t> codes;
  cjk_unigram_codes(key, codes);
  std::string out;
  for (const std::uint64_t code : codes) out += (out.empty() ? "" : " ") + code_text(code);
  return out;
}

}  // namespace

namespace {

int score(const std::string& lang, const std::string& query, const std::string& hit, int min_score = 0) {
  const Matcher matcher(lang, query);
  return matcher.score(hit, matching_key_text(hit), min_score).score;
}

std::vector<std::pair<std::string, std::string>> substitutions(const std::string& lang, const std::string& query,
                                                               const std::string& hit) {
  const Matcher matcher(lang, query);
  return matcher.describe(matcher.score(hit, matching_key_text(hit), 0), hit);
}

std::vector<std::string> tokens(const std::string& lang, const std::string& text) {
  const std::string key = matching_key_text(text);
  std::vector<std::string> out;
  for (const KeyToken& t : tokenize_key(lang, key))
    out.push_back((t.number ? "#" : "") + key.substr(t.begin, t.end - t.begin));
  return out;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

}  // namespace

TEST_CASE("fuzzy: 100 for the same text, also with other white space") {
  const std::string s = "The Security Council decided to remain seized of the matter.";
  CHECK(score("en", s, s) == 100);
  CHECK(score("en", s, "The Security  Council decided to remain\u00A0seized of the matter. ") == 100);
  CHECK(score("zh", "安全理事会决定继续处理此案。", "安全理事会决定继续处理此案。") == 100);
}

TEST_CASE("fuzzy: 95-99 when only case, form, punctuation or numbers differ") {
  const std::string s = "Recalling its resolution 1970 (2011) of 26 February 2011,";
  SECTION("case or form only: 99") {
    CHECK(score("en", s, "RECALLING its resolution 1970 (2011) of 26 February 2011,") == 99);
    CHECK(score("en", s, "Recalling its resolution １９７０ (2011) of 26 February 2011,") == 99);  // full-width digits
    CHECK(score("ar", "وقرر مجلس الأمن", "وقرر مَجْلِسُ الأمن") == 99);                                  // harakat
    CHECK(score("zh", "安理会决定继续处理此案。", "安理会决定继续处理此案.") == 99);                        // 。 vs .
  }
  SECTION("punctuation: 98") {
    CHECK(score("en", s, "Recalling its resolution 1970 (2011) of 26 February 2011") == 98);
    CHECK(score("en", s, "Recalling its resolution 1970 (2011), of 26 February 2011;") == 98);
  }
  SECTION("numbers: 97, with the substitution") {
    CHECK(score("en", "Recalling its resolution 1973 (2011) of 26 February 2011,", s) == 97);
    CHECK(substitutions("en", "Recalling its resolution 1973 (2011) of 26 February 2011,", s) == Pairs{{"1973", "1970"}});
    CHECK(substitutions("en", "resolution 1973 (2011) of 17 March 2011", "resolution 1970 (2011) of 26 March 2011") ==
          Pairs{{"1973", "1970"}, {"17", "26"}});
    // Arabic-Indic digits are the same numbers: only the digit style differs.
    CHECK(score("ar", "القرار ١٩٧٠ (٢٠١١)", "القرار 1970 (2011)") == 99);
    CHECK(substitutions("ar", "القرار ١٩٧٣ (٢٠١١)", "القرار 1970 (2011)") == Pairs{{"١٩٧٣", "1970"}});
  }
  SECTION("combinations add up, never below 95") {
    CHECK(score("en", "recalling its resolution 1973 (2011) of 26 February 2011,", s) == 96);  // numbers + case
    CHECK(score("en", "Recalling its resolution 1973 (2011) of 26 February 2011", s) == 95);   // numbers + punctuation
    CHECK(score("en", "recalling its resolution 1973 (2011) of 26 February 2011", s) == 95);   // all three
  }
}

TEST_CASE("fuzzy: word edit distance below 95, capped at 94") {
  const std::string s = "The Security Council decided to remain seized of the matter.";
  // 10 words, one replaced: 100 × 9/10.
  CHECK(score("en", "The Security Council decided to remain seized of this matter.", s) == 90);
  // One word missing: max(9, 10) = 10 tokens, distance 1.
  CHECK(score("en", "The Security Council decided to remain seized of matter.", s) == 90);
  // One word missing and one replaced: 100 × 8/10.
  CHECK(score("en", "The Council decided to stay seized of the matter.", s) == 80);
  CHECK(score("en", "Council decided to stay.", "Council decided to remain seized.") == 60);
  // Rounded down: 4 edits in 7 words, 100 × 3/7 = 42.9 → 42.
  CHECK(score("en", "Council decided to stay", "The Security Council decided to remain seized") == 42);
  // 40 words with one changed would be 97.5: fuzzy matches stay at 94 or below.
  std::string long_a, long_b;
  for (int i = 0; i < 40; ++i) {
    long_a += "word" + std::string(1, static_cast<char>('a' + i % 26)) + std::to_string(i / 26) + "x ";
    long_b += (i == 20 ? std::string("other ") : "word" + std::string(1, static_cast<char>('a' + i % 26)) +
                                                     std::to_string(i / 26) + "x ");
  }
  CHECK(score("en", long_a, long_b) == 94);
  // Below the minimum: 0, and the work is cut short.
  CHECK(score("en", "Council decided to stay.", "Council decided to remain seized.", 70) == 0);
  CHECK(score("en", s, "Something else entirely.", 1) == 0);
}

TEST_CASE("fuzzy: Chinese and Japanese compare characters") {
  // 13 characters (punctuation is no token), two replaced: 100 × 11/13 = 84.6.
  CHECK(score("zh", "安全理事会决定继续审议此案。", "安全理事会决定继续处理此案。") == 84);
  // A digit run is one token: 11 tokens, one replaced.
  CHECK(score("zh", "回顾其2011年2月26日第1973号决议", "回顾其2011年2月26日第1970号决议") == 97);
  // 17 tokens; 1973 → 1970, 安 → 大, 理 dropped: 100 × 14/17 = 82.4.
  CHECK(score("zh", "回顾其2011年2月26日第1973号决议安理会", "回顾其2011年2月26日第1970号决议大会") == 82);
  CHECK(substitutions("zh", "回顾其2011年2月26日第1973号决议安理会", "回顾其2011年2月26日第1970号决议大会") ==
        Pairs{{"1973", "1970"}});
}

TEST_CASE("fuzzy: tokens are ICU words or characters, digit runs one token") {
  CHECK(tokens("en", "The Council's 1,000.5 resolutions (S/RES/1973)") ==
        std::vector<std::string>{"the", "council's", "#1,000.5", "resolutions", "s", "res", "#1973"});
  CHECK(tokens("ar", "مجلس الأمن، ٢٠١١") == std::vector<std::string>{"مجلس", "الأمن", "#2011"});
  CHECK(tokens("zh", "安理会于2011年，") == std::vector<std::string>{"安", "理", "会", "于", "#2011", "年"});
}

TEST_CASE("fuzzy: the skeleton keeps letters and one 0 per number") {
  const KeyShape shape = key_shape(matching_key_text("Resolution 1973 (2011), para. 3.5"));
  CHECK(shape.skeleton == "resolution00para0");
  CHECK(shape.punctuation == "(),.");  // the "." of 3.5 belongs to the number
  REQUIRE(shape.numbers.size() == 3);
  CHECK(shape.numbers[2] == std::pair<std::uint32_t, std::uint32_t>{30, 33});
  CHECK(skeleton(matching_key_text("安理会第1970(2011)号决议。")) == "安理会第00号决议");
}

TEST_CASE("fuzzy: key_hashes are the hashes of the key and of its skeleton, for every BMP code point in context") {
  const auto both_right = [](const char* lang, const std::string& key) {
    const KeyHashes hashes = key_hashes(lang, key);
    return hashes.key == text_hash(lang, key) && hashes.skeleton == text_hash(lang, skeleton(key));
  };
  for (const std::string& key : {std::string(), std::string("12"), std::string("a 1.5, b"), std::string(" x "),
                                std::string("1,000.5 and 2."), matching_key_text("Resolution 1973 (2011), para. 3.5"),
                                matching_key_text("安理会第1970(2011)号决议。")})
    CHECK(both_right("en", key));
  // Fixed values: the hashes are stored in TMs, so they must never change.
  // (FNV-1a 64 of "en", U+001F and the text, computed outside untm.)
  CHECK(text_hash("en", "") == std::bit_cast<std::int64_t>(std::uint64_t{0xc2efea18f053258fULL}));
  const KeyHashes pinned = key_hashes("en", "res 1973, para. 3");
  CHECK(pinned.key == std::bit_cast<std::int64_t>(std::uint64_t{0x8317ef82f767cd92ULL}));
  CHECK(pinned.skeleton == std::bit_cast<std::int64_t>(std::uint64_t{0xc74a47384dc72719ULL}));  // "res0para0"
  std::size_t wrong = 0;
  for (char32_t c = 1; c < 0x10000; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    std::string piece;
    utf8::append(piece, c);
    for (const std::string& key : {piece, "a" + piece + "1", "2" + piece + piece + " b", piece + ",3"})
      wrong += !both_right("zh", key);
  }
  CHECK(wrong == 0);
}

TEST_CASE("fuzzy: trigrams are three consecutive code points of the key") {
  std::vector<std::string> seen;
  for_each_trigram("ab cd", [&](Trigram t) { seen.push_back(code_text(t)); });
  CHECK(seen == std::vector<std::string>{"ab ", "b c", " cd"});
  seen.clear();
  for_each_trigram("安理会议", [&](Trigram t) { seen.push_back(code_text(t)); });
  CHECK(seen == std::vector<std::string>{"安理会", "理会议"});
  seen.clear();
  for_each_trigram("ab", [&](Trigram t) { seen.push_back(code_text(t)); });
  CHECK(seen.empty());
  CHECK(code_point_count("安理a") == 3);
}

TEST_CASE("fuzzy: CJK unigrams for one-character queries") {
  CHECK(cjk_unigrams("安理会5月") == "安 理 会 月");
  CHECK(cjk_unigrams("the council") == "");
  CHECK(cjk_unigrams("安, 理") == "安 理");
  CHECK(is_cjk_unigram("安"));
  CHECK_FALSE(is_cjk_unigram("理事"));
  CHECK_FALSE(is_cjk_unigram("5"));
  CHECK_FALSE(is_cjk_unigram("a"));
  CHECK_FALSE(is_cjk_unigram("，"));
  CHECK_FALSE(is_cjk_unigram(""));
}

TEST_CASE("fuzzy: the stored hash never changes") {
  // FNV-1a 64 of "en" U+001F "abc": stored in every TM, so fixed forever.
  CHECK(text_hash("en", "abc") == static_cast<std::int64_t>(0x4cd2f5b9f7d42c81ULL));
  CHECK(text_hash("en", "abc") != text_hash("fr", "abc"));
}

TEST_CASE("fuzzy: edit distance with a cut-off") {
  CHECK(edit_distance({1, 2, 3}, {1, 2, 3}, 5) == 0);
  CHECK(edit_distance({1, 2, 3}, {1, 3}, 5) == 1);
  CHECK(edit_distance({1, 2, 3}, {4, 5, 6}, 5) == 3);
  CHECK(edit_distance({1, 2, 3}, {4, 5, 6}, 1) == 2);  // over the cut-off: max + 1
  CHECK(edit_distance({}, {1, 2}, 5) == 2);
}
