// Tests for aligner/segmenter: golden files per language (format in
// tests/golden/segmenter/README.md), span properties, and robustness.
#include "aligner/segmenter.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using untm::SentenceSpan;
using untm::split_sentence_texts;
using untm::split_sentences;

constexpr const char* kGoldenDir = UNTM_SOURCE_DIR "/tests/golden/segmenter/";
const std::vector<std::string> kGoldenLanguages = {"en", "fr", "es", "ru",
                                                   "zh", "ar", "ja"};

struct GoldenCase {
  std::string name;  // the last comment line before the case
  int line = 0;      // line of the "> " line
  std::string paragraph;
  std::vector<std::string> sentences;
};

struct GoldenFile {
  std::vector<GoldenCase> cases;
  std::vector<std::string> errors;  // format errors, "file:line: message"
};

GoldenFile read_golden(const std::string& lang) {
  GoldenFile file;
  const std::string path = std::string(kGoldenDir) + lang + ".txt";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    file.errors.push_back(path + ": cannot open");
    return file;
  }
  std::string line;
  std::string name;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (line[0] == '#') {
      name = line.substr(line.find_first_not_of("# ") == std::string::npos
                             ? line.size()
                             : line.find_first_not_of("# "));
    } else if (line == ">" || line.rfind("> ", 0) == 0) {
      GoldenCase c;
      c.name = name;
      c.line = number;
      c.paragraph = line.size() > 2 ? line.substr(2) : std::string();
      file.cases.push_back(std::move(c));
    } else if (line.rfind("= ", 0) == 0 && line.size() > 2) {
      if (file.cases.empty()) {
        file.errors.push_back(path + ":" + std::to_string(number) +
                              ": sentence before any paragraph");
      } else {
        file.cases.back().sentences.push_back(line.substr(2));
      }
    } else {
      file.errors.push_back(path + ":" + std::to_string(number) +
                            ": line must start with '#', '> ' or '= '");
    }
  }
  return file;
}

// Code points of `s` with their byte offsets; ill-formed bytes as U+FFFD.
struct Char {
  UChar32 cp;
  std::size_t begin;
  std::size_t end;
};
std::vector<Char> chars_of(std::string_view s) {
  std::vector<Char> out;
  int32_t i = 0;
  const auto n = static_cast<int32_t>(s.size());
  while (i < n) {
    const int32_t begin = i;
    UChar32 cp = 0;
    U8_NEXT(s.data(), i, n, cp);
    out.push_back({cp < 0 ? 0xFFFD : cp, static_cast<std::size_t>(begin),
                   static_cast<std::size_t>(i)});
  }
  return out;
}

bool is_space(UChar32 cp) { return u_isUWhiteSpace(cp); }

std::string without_spaces(std::string_view s) {
  std::string out;
  for (const Char& c : chars_of(s)) {
    if (!is_space(c.cp)) out.append(s.substr(c.begin, c.end - c.begin));
  }
  return out;
}

// The documented guarantees on spans, as one string naming the first
// violation ("" if none), so a failure says what broke.
std::string span_violation(std::string_view text,
                           const std::vector<SentenceSpan>& spans) {
  const std::vector<Char> chars = chars_of(text);
  std::vector<int> starts_char(text.size() + 1, 0);  // 1 = a char begins here
  for (const Char& c : chars) starts_char[c.begin] = 1;
  starts_char[text.size()] = 1;

  std::size_t previous_end = 0;
  for (std::size_t k = 0; k < spans.size(); ++k) {
    const SentenceSpan& span = spans[k];
    const std::string where = "span " + std::to_string(k) + " [" +
                              std::to_string(span.begin) + ", " +
                              std::to_string(span.end) + ")";
    if (span.begin >= span.end) return where + " is empty";
    if (span.end > text.size()) return where + " ends past the text";
    if (span.begin < previous_end) return where + " overlaps or is out of order";
    if (!starts_char[span.begin] || !starts_char[span.end])
      return where + " cuts a UTF-8 character";
    for (std::size_t i = previous_end; i < span.begin;) {
      const Char c = chars_of(text.substr(i, 4)).front();
      if (!is_space(c.cp)) return where + ": non-space text before it is lost";
      i += c.end;
    }
    const std::vector<Char> inside =
        chars_of(text.substr(span.begin, span.end - span.begin));
    if (is_space(inside.front().cp) || is_space(inside.back().cp))
      return where + " is not trimmed";
    previous_end = span.end;
  }
  for (std::size_t i = previous_end; i < text.size();) {
    const Char c = chars_of(text.substr(i, 4)).front();
    if (!is_space(c.cp)) return "non-space text after the last span is lost";
    i += c.end;
  }
  return "";
}

void check_golden(const std::string& lang) {
  const GoldenFile file = read_golden(lang);
  for (const std::string& error : file.errors) FAIL(error);
  REQUIRE(file.cases.size() >= 2);
  for (const GoldenCase& c : file.cases) {
    INFO(lang << ".txt:" << c.line << " (" << c.name << ")\n" << c.paragraph);
    CHECK(split_sentence_texts(c.paragraph, lang) == c.sentences);
    CHECK(span_violation(c.paragraph, split_sentences(c.paragraph, lang)) ==
          "");
  }
}

}  // namespace

TEST_CASE("golden: English", "[segmenter][golden]") { check_golden("en"); }
TEST_CASE("golden: French", "[segmenter][golden]") { check_golden("fr"); }
TEST_CASE("golden: Spanish", "[segmenter][golden]") { check_golden("es"); }
TEST_CASE("golden: Russian", "[segmenter][golden]") { check_golden("ru"); }
TEST_CASE("golden: Chinese", "[segmenter][golden]") { check_golden("zh"); }
TEST_CASE("golden: Arabic", "[segmenter][golden]") { check_golden("ar"); }
TEST_CASE("golden: Japanese", "[segmenter][golden]") { check_golden("ja"); }

TEST_CASE("golden files are consistent with themselves", "[segmenter][golden]") {
  // Guards against typos in hand-written expectations: the expected
  // sentences must be exactly the paragraph's non-space text, in order.
  for (const std::string& lang : kGoldenLanguages) {
    for (const GoldenCase& c : read_golden(lang).cases) {
      INFO(lang << ".txt:" << c.line << " (" << c.name << ")");
      std::string joined;
      for (const std::string& s : c.sentences) {
        const std::vector<Char> chars = chars_of(s);
        REQUIRE(!chars.empty());
        CHECK(!is_space(chars.front().cp));
        CHECK(!is_space(chars.back().cp));
        joined += s;
      }
      CHECK(without_spaces(joined) == without_spaces(c.paragraph));
    }
  }
}

TEST_CASE("every UN abbreviation has a golden case", "[segmenter][golden]") {
  // kInside: `token` occurs inside an expected sentence, followed by a
  // space, ")" or "," (the golden case shows no break after it).
  // kEnds: an expected sentence that is not the last of its paragraph ends
  // with it (a real break after it). kBoth: both.
  enum Show { kInside = 1, kEnds = 2, kBoth = 3 };
  struct Coverage {
    const char* lang;
    const char* token;
    int show = kInside;
  };
  const Coverage kCoverage[] = {
      // every language
      {"en", "Mr."}, {"en", "Mrs."}, {"en", "Ms."},
      {"en", "Dr."}, {"en", "No."}, {"en", "Nos."},
      {"en", "para."}, {"en", "paras."}, {"en", "art."},
      {"en", "arts."}, {"en", "vol."}, {"en", "p."},
      {"en", "pp."}, {"en", "e.g."}, {"en", "i.e."},
      {"en", "cf."}, {"en", "U.N."}, {"en", "H.E."},
      {"en", "a.m."}, {"en", "p.m."}, {"en", "Corr."},
      {"en", "Rev."}, {"en", "Add."}, {"en", "Sect."},
      {"en", "Vol."}, {"en", "Art."}, {"en", "Para."},
      {"en", "St."}, {"en", "Jr."}, {"en", "Gen."},
      {"en", "Prof."}, {"en", "etc.", kBoth},
      {"en", "Sales No. E.95.II.A.1"},
      // English
      {"en", "Jan."}, {"en", "Feb."}, {"en", "Aug."},
      {"en", "Sept."}, {"en", "Oct."}, {"en", "Nov."},
      {"en", "Dec."}, {"en", "approx."}, {"en", "Co."},
      {"en", "Inc."}, {"en", "Ltd."}, {"en", "Messrs."},
      {"en", "Mmes."}, {"en", "J. F."}, {"en", "S/2011/463.", kEnds},
      {"en", "13 April 2011.", kEnds}, {"en", "annex I.", kEnds},
      // French
      {"fr", "M."}, {"fr", "MM."}, {"fr", "Mme"},
      {"fr", "Mmes"}, {"fr", "Mlle"}, {"fr", "no"},
      {"fr", "nos"}, {"fr", "p."}, {"fr", "par."},
      {"fr", "art."}, {"fr", "vol."}, {"fr", "cf."},
      {"fr", "etc.", kBoth}, {"fr", "Corr."}, {"fr", "Rev."},
      {"fr", "Add."}, {"fr", "S. E."}, {"fr", "S.E."},
      {"fr", "chap."}, {"fr", "éd."}, {"fr", "suppl."},
      // Spanish
      {"es", "Sr."}, {"es", "Sra."}, {"es", "Sres."},
      {"es", "Srta."}, {"es", "Dr."}, {"es", "Dra."},
      {"es", "núm."}, {"es", "Núm."}, {"es", "párr."},
      {"es", "párrs."}, {"es", "art."}, {"es", "arts."},
      {"es", "vol."}, {"es", "pág."}, {"es", "págs."},
      {"es", "cap."}, {"es", "p. ej."}, {"es", "S.E."},
      {"es", "EE.UU."}, {"es", "Corr."}, {"es", "Rev."},
      {"es", "Add."}, {"es", "etc.", kBoth},
      // Russian
      {"ru", "г."}, {"ru", "гг."}, {"ru", "т.е."},
      {"ru", "т.д.", kBoth}, {"ru", "т.п.", kBoth}, {"ru", "см."},
      {"ru", "стр."}, {"ru", "п."}, {"ru", "пп."},
      {"ru", "ст."}, {"ru", "г-н"}, {"ru", "г-жа"},
      {"ru", "им."}, {"ru", "др.", kBoth}, {"ru", "No"},
      {"ru", "№"},
      // Chinese and Arabic
      {"zh", "Mr."}, {"zh", "Dr."}, {"zh", "e.g."},
      {"zh", "vol."}, {"zh", "Sales No. E.95.II.A.1"},
      {"ar", "د."}, {"ar", "Sales No. E.95.II.A.1"},
  };
  for (const Coverage& cov : kCoverage) {
    INFO(cov.lang << ".txt must show \"" << cov.token << "\"");
    const std::string token = cov.token;
    bool inside = false;
    bool ends = false;
    for (const GoldenCase& c : read_golden(cov.lang).cases) {
      for (std::size_t k = 0; k < c.sentences.size(); ++k) {
        const std::string& s = c.sentences[k];
        for (const char* after : {" ", ")", ","}) {
          if (s.find(token + after) != std::string::npos) inside = true;
        }
        if (k + 1 < c.sentences.size() && s.size() >= token.size() &&
            s.compare(s.size() - token.size(), token.size(), token) == 0 &&
            (s.size() == token.size() || s[s.size() - token.size() - 1] == ' '))
          ends = true;
      }
    }
    if (cov.show & kInside) CHECK(inside);
    if (cov.show & kEnds) CHECK(ends);
  }
}

TEST_CASE("empty and white-space-only paragraphs have no sentences",
          "[segmenter]") {
  for (const std::string& lang : kGoldenLanguages) {
    INFO(lang);
    CHECK(split_sentences("", lang).empty());
    CHECK(split_sentences(" ", lang).empty());
    CHECK(split_sentences(" \t  ", lang).empty());
    CHECK(split_sentences("\u00a0\u3000\u202f ", lang).empty());
    CHECK(split_sentence_texts("   ", lang).empty());
  }
}

TEST_CASE("spans are byte offsets into the paragraph", "[segmenter]") {
  const std::string text = "  Mr. Smith spoke.  Она согласилась.  ";
  const std::vector<SentenceSpan> spans = split_sentences(text, "en");
  REQUIRE(spans.size() == 2);
  CHECK(spans[0].begin == 2);
  CHECK(spans[0].end == 2 + std::string("Mr. Smith spoke.").size());
  CHECK(spans[1].begin == spans[0].end + 2);
  CHECK(spans[1].end == text.size() - 2);
  CHECK(text.substr(spans[1].begin, spans[1].end - spans[1].begin) ==
        "Она согласилась.");
}

TEST_CASE("a single sentence without a terminator is returned whole",
          "[segmenter]") {
  CHECK(split_sentence_texts("Agenda item 65", "en") ==
        std::vector<std::string>{"Agenda item 65"});
  CHECK(split_sentence_texts("议程项目65", "zh") ==
        std::vector<std::string>{"议程项目65"});
  CHECK(split_sentence_texts("x", "ar") == std::vector<std::string>{"x"});
}

TEST_CASE("language codes are normalized; unknown codes get the root rules",
          "[segmenter]") {
  const std::string en = "Mr. Smith spoke on 13 April 2011. The Group agreed.";
  const std::vector<std::string> expected = {
      "Mr. Smith spoke on 13 April 2011.", "The Group agreed."};
  CHECK(split_sentence_texts(en, "en") == expected);
  CHECK(split_sentence_texts(en, "EN") == expected);
  CHECK(split_sentence_texts(en, "en-GB") == expected);
  CHECK(split_sentence_texts(en, "en_US") == expected);
  // The rules for every language hold for unknown codes too.
  CHECK(split_sentence_texts(en, "de") == expected);
  CHECK(split_sentence_texts(en, "") == expected);
  CHECK(split_sentence_texts(en, "not a language") == expected);

  const std::string zh = "会议开始。报告（见A/65/1.附件）已经分发。";
  const std::vector<std::string> zh_expected = {
      "会议开始。", "报告（见A/65/1.附件）已经分发。"};
  CHECK(split_sentence_texts(zh, "zh-Hans") == zh_expected);
  CHECK(split_sentence_texts(zh, "ZH_CN") == zh_expected);
}

TEST_CASE("language-specific lists apply only to their language",
          "[segmenter]") {
  // "M." is French for "Monsieur"; in English a single capital is an
  // initial, so both hold, but "Sra." is Spanish only.
  const std::string es = "Saludó a la Sra. López. Luego habló.";
  CHECK(split_sentence_texts(es, "es") ==
        std::vector<std::string>{"Saludó a la Sra. López.", "Luego habló."});
  CHECK(split_sentence_texts(es, "en") ==
        std::vector<std::string>{"Saludó a la Sra.", "López.", "Luego habló."});
  // Russian "г." is not an abbreviation in English text.
  const std::string mixed = "The year was 2011 г. The end came.";
  CHECK(split_sentence_texts(mixed, "ru").size() == 1);
  CHECK(split_sentence_texts(mixed, "en").size() == 2);
}

TEST_CASE("long paragraphs are segmented in full", "[segmenter]") {
  std::string text;
  const std::string sentence = "The Council met on 13 April 2011 (see para. 5).";
  constexpr int kSentences = 20000;
  for (int i = 0; i < kSentences; ++i) text += sentence + " ";
  const std::vector<SentenceSpan> spans = split_sentences(text, "en");
  REQUIRE(spans.size() == static_cast<std::size_t>(kSentences));
  CHECK(text.substr(spans.back().begin, spans.back().end - spans.back().begin) ==
        sentence);
  CHECK(span_violation(text, spans) == "");
}

TEST_CASE("pathological brackets stay linear and correct", "[segmenter]") {
  // 100k unmatched "(" followed by 100k "]" that match nothing: the pairing
  // stack must not be searched for every closing mark.
  std::string text(100000, '(');
  text += "The Council met. The Group agreed. ";
  text += std::string(100000, ']');
  const std::vector<std::string> texts = split_sentence_texts(text, "en");
  CHECK(span_violation(text, split_sentences(text, "en")) == "");
  REQUIRE(texts.size() == 3);
  CHECK(texts[0] == std::string(100000, '(') + "The Council met.");
  CHECK(texts[1] == "The Group agreed.");
  CHECK(texts[2] == std::string(100000, ']'));

  // Deep but balanced nesting suppresses the breaks inside.
  std::string nested = std::string(50000, '(') + "A. B. Smith left. He came." +
                       std::string(50000, ')') + " Done.";
  const std::vector<std::string> parts = split_sentence_texts(nested, "en");
  REQUIRE(parts.size() == 2);
  CHECK(parts[1] == "Done.");
}

TEST_CASE("random text keeps the span guarantees", "[segmenter]") {
  // Fragments chosen to hit every rule: abbreviations, quotes, brackets,
  // terminators of all scripts, no-break and ideographic spaces.
  const std::vector<std::string> fragments = {
      "Mr.", "Smith", " ", " ", "  ", "。", "“", "”", "(", ")", "«", "»", "‘",
      "’", ".", "?", "!", "etc.", "e.g.", "1.5", "The", "the", "安理会",
      "г.", "Совет", "\u00a0", "\u3000", "…", "...", "A/65/1", "'", "\"",
      "¿", "S/2011/463.", "《", "》", "「", "」", "（", "）", "المجلس", "؟",
      "J.", "F.", "annex", "I.", "„", "！", "？", "．", "No.", "p. ej.",
      "l’", "S. E.", "と", "E.95.II.A.1", "\t"};
  const std::vector<std::string> langs = {"en", "fr", "es", "ru", "zh",
                                          "ar", "ja", "xx"};
  std::mt19937 rng(20110413);
  std::uniform_int_distribution<std::size_t> pick(0, fragments.size() - 1);
  std::uniform_int_distribution<int> length(0, 40);
  int failures = 0;
  for (int round = 0; round < 3000 && failures < 5; ++round) {
    std::string text;
    const int n = length(rng);
    for (int i = 0; i < n; ++i) text += fragments[pick(rng)];
    const std::string& lang = langs[static_cast<std::size_t>(round) % langs.size()];
    const std::string violation = span_violation(text, split_sentences(text, lang));
    if (!violation.empty()) {
      ++failures;
      FAIL_CHECK(lang << ": \"" << text << "\": " << violation);
    }
  }
  CHECK(failures == 0);
}

TEST_CASE("ill-formed UTF-8 does not crash", "[segmenter]") {
  const std::vector<std::string> inputs = {
      "\xff", "Mr.\xc3 Smith. The end.", "\xe3\x80 安理会。会议。",
      "End.\x80\x80 Next.", "\xf0\x9f\x98", "(\xc0\xaf). Then."};
  for (const std::string& text : inputs) {
    for (const std::string& lang : kGoldenLanguages) {
      const std::vector<SentenceSpan> spans = split_sentences(text, lang);
      std::size_t previous = 0;
      for (const SentenceSpan& span : spans) {
        CHECK(span.begin >= previous);
        CHECK(span.begin < span.end);
        CHECK(span.end <= text.size());
        previous = span.end;
      }
    }
  }
}

TEST_CASE("concurrent callers get the same results", "[segmenter]") {
  // Each thread has its own cached iterators; results must not interfere.
  struct Job {
    std::string lang;
    GoldenCase c;
  };
  std::vector<Job> jobs;
  for (const std::string& lang : kGoldenLanguages) {
    for (const GoldenCase& c : read_golden(lang).cases) jobs.push_back({lang, c});
  }
  REQUIRE(!jobs.empty());
  std::atomic<int> mismatches{0};
  std::atomic<int> runs{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&jobs, &mismatches, &runs, t] {
      for (int round = 0; round < 5; ++round) {
        // Different orders per thread, so languages interleave.
        for (std::size_t i = 0; i < jobs.size(); ++i) {
          const Job& job = jobs[(i + static_cast<std::size_t>(t) * 7) % jobs.size()];
          if (split_sentence_texts(job.c.paragraph, job.lang) != job.c.sentences)
            ++mismatches;
          ++runs;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(runs == static_cast<int>(4 * 5 * jobs.size()));
  CHECK(mismatches == 0);
}

TEST_CASE("offsets stay exact after multi-byte and supplementary characters",
          "[segmenter]") {
  // ICU reads valid paragraphs as UTF-16; its indices are mapped back to byte
  // offsets, across 2-, 3- and 4-byte characters (surrogate pairs).
  CHECK(split_sentence_texts(
            "Le 😀 délégué a parlé. 𠀀𠀁 Ensuite, le Président a répondu. Fin.",
            "fr") == std::vector<std::string>{
                         "Le 😀 délégué a parlé.",
                         "𠀀𠀁 Ensuite, le Président a répondu.", "Fin."});
  CHECK(split_sentence_texts("The Council met on 13 April 2011 in Doha. "
                             "Представитель 🇱🇾 Ливии выступил. Then the "
                             "Group agreed.",
                             "en") ==
        std::vector<std::string>{"The Council met on 13 April 2011 in Doha.",
                                 "Представитель 🇱🇾 Ливии выступил.",
                                 "Then the Group agreed."});
  CHECK(split_sentence_texts("会议开始。😀报告（见A/65/1.附件）已经分发。𠀀会议结束。",
                             "zh") ==
        std::vector<std::string>{"会议开始。", "😀报告（见A/65/1.附件）已经分发。",
                                 "𠀀会议结束。"});
  // Long ASCII runs before and after non-ASCII text.
  const std::string ascii(1000, 'a');
  const std::string text = "The " + ascii + " ended. Él habló " + ascii +
                           " 😀 ayer. The " + ascii + " end.";
  CHECK(split_sentence_texts(text, "es") ==
        std::vector<std::string>{"The " + ascii + " ended.",
                                 "Él habló " + ascii + " 😀 ayer.",
                                 "The " + ascii + " end."});
}

TEST_CASE("ill-formed UTF-8 keeps its boundaries", "[segmenter]") {
  // Ill-formed text is read by ICU as UTF-8 with U+FFFD substitutions; the
  // offsets of later sentences must not shift.
  const std::string text = "Il a parlé.\xff Ensuite il est parti. Fin.";
  CHECK(split_sentence_texts(text, "fr") ==
        std::vector<std::string>{"Il a parlé.\xff Ensuite il est parti.",
                                 "Fin."});
}

TEST_CASE("the one-sentence shortcut gives what ICU gives", "[segmenter]") {
  // split_sentences skips ICU for a paragraph in which ICU can find no inner
  // boundary. Random short strings of the characters that decide it, in
  // several languages, split both ways: terminators (ASCII, Arabic, Urdu,
  // Devanagari, CJK full-width, the one-dot leader), closing marks and
  // quotes, spaces, separators (CR, LF, NEL, U+2029), ";" and the Greek
  // question mark (Greek's terminators), Extend and Format characters
  // (U+0301, U+200F, U+00AD, U+2060), a character outside the BMP, letters
  // of both cases, and an ill-formed byte.
  const std::vector<std::string> pieces = {
      "a", "b", "A", "B", " ", ".", "1", ";", "?", "!", ")", "(", "\"", "'", ",", "\t", "\r", "\n",
      "\u00bb", "\u00ab", "\u201d", "\u201c", "\u0301", "\u200f", "\u061f", "\u06d4", "\u3002", "\uff0e",
      "\uff01", "\u037e", "\u2026", "\u00a0", "\u3000", "\u0627", "\u4e2d", "\u2029", "\u0085", "\u2024",
      "\ufe52", "\u0964", "\u00ad", "\u2060", "\U0001F600", "\xff"};
  std::mt19937 random(20261129);
  std::uniform_int_distribution<std::size_t> piece(0, pieces.size() - 1), length(1, 12);
  std::size_t one_sentence = 0;
  for (const char* lang : {"en", "fr", "ar", "zh", "el", "ja"}) {
    for (int n = 0; n < 20000; ++n) {
      std::string text;
      for (std::size_t k = length(random); k > 0; --k) text += pieces[piece(random)];
      const auto fast = split_sentences(text, lang);
      const auto icu = untm::split_sentences_asking_icu(text, lang);
      INFO(lang << ": \"" << text << "\"");
      REQUIRE(fast.size() == icu.size());
      for (std::size_t s = 0; s < fast.size(); ++s) {
        CHECK(fast[s].begin == icu[s].begin);
        CHECK(fast[s].end == icu[s].end);
      }
      one_sentence += fast.size() == 1;
    }
  }
  // Both kinds of string are common.
  CHECK(one_sentence > 10000);
  CHECK(one_sentence < 110000);
  // Paragraphs of the corpora: one sentence, a cluster of terminators and
  // closing marks, and several sentences.
  for (const char* text : {"The Security Council,", "Recalling its resolution 1970 (2011).",
                           "Il a dit : « Non ! »", "会议结束。”", "Decides to remain seized of the matter;",
                           "First sentence. Second one?) And a third.", "الجلسة انتهت؟"}) {
    const auto fast = split_sentences(text, "en");
    const auto icu = untm::split_sentences_asking_icu(text, "en");
    REQUIRE(fast.size() == icu.size());
    for (std::size_t s = 0; s < fast.size(); ++s) CHECK((fast[s].begin == icu[s].begin && fast[s].end == icu[s].end));
  }
}
