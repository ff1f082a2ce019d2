// Tests for aligner/sentence_aligner (and its anchors and lexicon): anchor
// extraction in the six UN languages, the length model's estimates, exact
// alignments of hand-made mini-documents, empty and large inputs,
// confidence, thread safety. Accuracy on real benchmarks is measured by
// tools/bench/bench_align, not here.
#include "aligner/sentence_aligner.h"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "aligner/anchors.h"
#include "aligner/errors.h"
#include "aligner/lexicon.h"

namespace {

using untm::align_sentences;
using untm::Bead;
using untm::estimate_pair_model;
using untm::make_features;
using untm::PairModel;
using untm::SentenceFeatures;

std::vector<std::string> sorted_anchors(const std::string& text, const std::string& lang) {
  std::vector<std::string> a = make_features(text, lang).anchors;
  std::sort(a.begin(), a.end());
  return a;
}

// prefix + number, appended (GCC 12 at -O3 warns wrongly on "literal" + string).
std::string tag(const char* prefix, std::size_t number) {
  std::string s(prefix);
  s += std::to_string(number);
  return s;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

using Ids = std::vector<std::size_t>;
using SimpleBead = std::pair<Ids, Ids>;

std::vector<SimpleBead> simple(const std::vector<Bead>& beads) {
  std::vector<SimpleBead> out;
  for (const Bead& b : beads) out.emplace_back(b.src, b.tgt);
  return out;
}

// Every index of both sides in exactly one bead, in order; shapes known;
// confidence in [0, 1].
void check_invariants(const std::vector<Bead>& beads, std::size_t n, std::size_t m) {
  std::size_t next_src = 0, next_tgt = 0;
  for (const Bead& b : beads) {
    REQUIRE((!b.src.empty() || !b.tgt.empty()));
    REQUIRE(b.src.size() <= 3);
    REQUIRE(b.tgt.size() <= 3);
    for (std::size_t i : b.src) REQUIRE(i == next_src++);
    for (std::size_t j : b.tgt) REQUIRE(j == next_tgt++);
    REQUIRE(b.confidence >= 0.0);
    REQUIRE(b.confidence <= 1.0);
  }
  REQUIRE(next_src == n);
  REQUIRE(next_tgt == m);
}

std::vector<Bead> align_texts(const std::vector<std::string>& src, const std::string& src_lang,
                              const std::vector<std::string>& tgt, const std::string& tgt_lang) {
  const auto s = make_features(src, src_lang);
  const auto t = make_features(tgt, tgt_lang);
  const PairModel model = estimate_pair_model(s, t, src_lang, tgt_lang);
  auto beads = align_sentences(s, t, model);
  check_invariants(beads, src.size(), tgt.size());
  return beads;
}

// A Security Council letter, in the style of the first document untm
// aligns. English 2 is one sentence in Chinese and Arabic 2-3 (1-2);
// English 3-4 are one (2-1); the Chinese and Arabic versions carry a note
// of the Secretariat that the English has not (an insertion).
const std::vector<std::string> kLetterEn = {
    "Letter dated 14 April 2011 from the Permanent Representative of Qatar to the United Nations addressed to the "
    "Secretary-General",
    "I have the honour to transmit herewith the statement of the Chair of the first meeting of the Libya Contact "
    "Group, held in Doha on 13 April 2011.",
    "The Group welcomed the participation of 21 countries and 6 international organizations, and agreed to meet "
    "again in Rome in May 2011.",
    "Participants condemned the attacks on civilians.",
    "They called for an immediate ceasefire in accordance with resolution 1973 (2011).",
    "The Group agreed to establish a temporary financial mechanism of up to 3.6 million dollars.",
    "I should be grateful if you would have the present letter circulated as a document of the Security Council "
    "(S/2011/463).",
};

const std::vector<std::string> kLetterZh = {
    "2011年4月14日卡塔尔常驻联合国代表给秘书长的信",
    "谨随函转递2011年4月13日在多哈举行的利比亚问题联络小组第一次会议主席的声明。",
    "联络小组欢迎21个国家和6个国际组织参加会议。",
    "小组商定于2011年5月在罗马再次举行会议。",
    "与会者谴责对平民的袭击，并呼吁根据第1973(2011)号决议立即停火。",
    "秘书处的说明：本文件附件未经正式编辑，仅以提交时所用语文和阿拉伯文分发，敬请各代表团注意。",
    "小组同意设立一个最多360万美元的临时金融机制。",
    "请将本函作为安全理事会的文件(S/2011/463)分发为荷。",
};

const std::vector<std::string> kLetterAr = {
    "رسالة مؤرخة 14 نيسان/أبريل 2011 موجهة إلى الأمين العام من الممثل الدائم لقطر لدى الأمم المتحدة",
    "أتشرف بأن أحيل طيه بيان رئيس الاجتماع الأول لفريق الاتصال المعني بليبيا، المعقود في الدوحة في 13 نيسان/أبريل "
    "2011.",
    "ورحب الفريق بمشاركة 21 بلدا و 6 منظمات دولية.",
    "واتفق على أن يجتمع مرة أخرى في روما في أيار/مايو 2011.",
    "وأدان المشاركون الهجمات على المدنيين، ودعوا إلى وقف فوري لإطلاق النار وفقا للقرار ١٩٧٣ (٢٠١١).",
    "ملاحظة من الأمانة العامة: وزع مرفق هذه الوثيقة باللغة التي قدم بها وبالعربية فقط، ولم يحرر تحريرا رسميا، "
    "ويرجى من الوفود أن تحيط علما بذلك.",
    "واتفق الفريق على إنشاء آلية مالية مؤقتة تصل قيمتها إلى 3.6 ملايين دولار.",
    "وأرجو ممتنا تعميم هذه الرسالة بوصفها وثيقة من وثائق مجلس الأمن (S/2011/463).",
};

const std::vector<SimpleBead> kLetterBeads = {
    {{0}, {0}}, {{1}, {1}}, {{2}, {2, 3}}, {{3, 4}, {4}}, {{}, {5}}, {{5}, {6}}, {{6}, {7}},
};

// ------------------------------------------------------------------ anchors

TEST_CASE("anchors: numbers, dates, symbols and scales in the six UN languages", "[sentence_aligner][anchors]") {
  const std::vector<std::string> expected =
      sorted({"#1973", "(", "#2011", "#2011-04-13", "S/2011/463", "#3600000", "#4400"});
  CHECK(sorted_anchors("Resolution 1973 (2011) of 13 April 2011 (S/2011/463): 3.6 million people and 4,400 "
                       "officers.",
                       "en") == expected);
  CHECK(sorted_anchors("第1973(2011)号决议（2011年4月13日，S/2011/463）：360万人和4,400名警察。", "zh") == expected);
  CHECK(sorted_anchors("القرار ١٩٧٣ (٢٠١١) المؤرخ 13 نيسان/أبريل 2011 (S/2011/463): 3.6 ملايين شخص و ٤٬٤٠٠ شرطي.",
                       "ar") == expected);
  CHECK(sorted_anchors("Résolution 1973 (2011) du 13 avril 2011 (S/2011/463) : 3,6 millions de personnes et "
                       "4\u00a0400 policiers.",
                       "fr") == expected);
  CHECK(sorted_anchors("Resolución 1973 (2011), de 13 de abril de 2011 (S/2011/463): 3,6 millones de personas y "
                       "4.400 agentes.",
                       "es") == expected);
  CHECK(sorted_anchors("Резолюция 1973 (2011) от 13 апреля 2011 года (S/2011/463): 3,6 млн. человек и 4 400 "
                       "сотрудников.",
                       "ru") == expected);
}

TEST_CASE("anchors: the language decides what a separator means", "[sentence_aligner][anchors]") {
  // 4,400 is four thousand four hundred in English and Chinese, 4.4 in French.
  CHECK(make_features("4,400", "en").anchors == std::vector<std::string>{"#4400"});
  CHECK(make_features("4,400", "zh").anchors == std::vector<std::string>{"#4400"});
  CHECK(make_features("4,400", "fr").anchors == std::vector<std::string>{"#4.4"});
  CHECK(make_features("4.400", "es").anchors == std::vector<std::string>{"#4400"});
  CHECK(make_features("4.400", "de").anchors == std::vector<std::string>{"#4400"});
  CHECK(make_features("4'400", "de").anchors == std::vector<std::string>{"#4400"});
  CHECK(make_features("3.6", "en").anchors == std::vector<std::string>{"#3.6"});
  CHECK(make_features("3,6", "ru").anchors == std::vector<std::string>{"#3.6"});
  // Full-width and Arabic-Indic digits are digits.
  CHECK(make_features("２０１１", "zh").anchors == std::vector<std::string>{"#2011"});
  CHECK(make_features("٣٫٦", "ar").anchors == std::vector<std::string>{"#3.6"});
  // A year after a number is not a thousands group: "in 2011 200 people".
  CHECK(sorted_anchors("en 2011 200 personnes", "fr") == sorted({"#2011", "#200"}));
  // Scale words and Chinese units.
  CHECK(make_features("1.2 billion", "en").anchors == std::vector<std::string>{"#1200000000"});
  CHECK(make_features("12亿", "zh").anchors == std::vector<std::string>{"#1200000000"});
  CHECK(make_features("3 mil millones", "es").anchors == std::vector<std::string>{"#3000000000"});
  CHECK(make_features("5万亿", "zh").anchors == std::vector<std::string>{"#5000000000000"});
}

TEST_CASE("anchors: dates with and without year or day", "[sentence_aligner][anchors]") {
  CHECK(make_features("April 13, 2011", "en").anchors == std::vector<std::string>{"#2011-04-13"});
  CHECK(make_features("in April 2011", "en").anchors == std::vector<std::string>{"#2011-04"});
  CHECK(make_features("2011年4月", "zh").anchors == std::vector<std::string>{"#2011-04"});
  CHECK(make_features("4月13日", "zh").anchors == std::vector<std::string>{"#04-13"});
  CHECK(make_features("le 1er mai 2011", "fr").anchors == std::vector<std::string>{"#2011-05-01"});
  CHECK(make_features("9. September 1988", "de").anchors == std::vector<std::string>{"#1988-09-09"});
  CHECK(make_features("4 كانون الأول/ديسمبر 2000", "ar").anchors == std::vector<std::string>{"#2000-12-04"});
  CHECK(make_features("13/04/2011", "fr").anchors == std::vector<std::string>{"#2011-04-13"});
}

TEST_CASE("anchors: every month name of the UN languages with Latin and Cyrillic names makes its date", "[sentence_aligner][anchors]") {
  // month_number rules out most words before it compares names: each name
  // must still get through.
  const std::vector<std::pair<const char*, std::vector<const char*>>> names = {
      {"en", {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"}},
      {"fr", {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre"}},
      {"es", {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
              "noviembre", "diciembre"}},
      {"ru", {"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
              "ноября", "декабря"}}};
  for (const auto& [lang, months] : names) {
    for (std::size_t m = 0; m < months.size(); ++m) {
      const std::string text = std::string("13 ") + months[m] + " 2011";
      const std::string want = "#2011-" + std::string(m < 9 ? "0" : "") + std::to_string(m + 1) + "-13";
      INFO(lang << ": " << text);
      CHECK(make_features(text, lang).anchors == std::vector<std::string>{want});
    }
  }
  // A word of a month name's length and first and last letters ("march")
  // gets past the first test, and is still no month.
  CHECK(sorted_anchors("13 Marsh 2011", "en") == sorted({"#13", "#2011"}));
}

TEST_CASE("anchors: symbols keep their numbers, ordinals lose their suffix", "[sentence_aligner][anchors]") {
  CHECK(make_features("resolution A/RES/55/100.", "en").anchors == std::vector<std::string>{"A/RES/55/100"});
  CHECK(make_features("A/C.3/55/L.2", "en").anchors == std::vector<std::string>{"A/C.3/55/L.2"});
  CHECK(make_features("and/or", "en").anchors.empty());
  CHECK(make_features("the 81st meeting", "en").anchors == std::vector<std::string>{"#81"});
  CHECK(make_features("la 81e séance", "fr").anchors == std::vector<std::string>{"#81"});
  CHECK(make_features("H1N1 and G77", "en").anchors == std::vector<std::string>{"=h1n1", "=g77"});
}

TEST_CASE("anchors: Latin tokens inside Chinese and Arabic, marks once", "[sentence_aligner][anchors]") {
  CHECK(make_features("联合国儿童基金会(UNICEF)的报告", "zh").anchors == std::vector<std::string>{"(", "=unicef"});
  CHECK(make_features("تقرير اليونيسيف UNICEF", "ar").anchors == std::vector<std::string>{"=unicef"});
  // In English the same word is a word, not an anchor.
  CHECK(make_features("the UNICEF report", "en").anchors.empty());
  CHECK(make_features("Why? Why not?", "en").anchors == std::vector<std::string>{"?"});
  CHECK(make_features("为什么？", "zh").anchors == std::vector<std::string>{"?"});
}

TEST_CASE("anchors: which languages are written in Latin script", "[sentence_aligner][anchors]") {
  for (const char* lang : {"en", "fr", "es", "de", "hu", "pt", "xx", "", "e", "eng", "EN", "zh-TW", "a1"})
    CHECK(untm::is_latin_script_language(lang));
  for (const char* lang : {"ar", "zh", "ru", "ja", "ko", "el", "he", "fa", "uk", "hi", "th", "os", "cv"})
    CHECK_FALSE(untm::is_latin_script_language(lang));
}

TEST_CASE("features: length in key characters without spaces, words and characters", "[sentence_aligner]") {
  const SentenceFeatures en = make_features("The  Council, met.", "en");
  CHECK(en.length == 15);  // "the council, met." without its spaces
  CHECK(en.words == std::vector<std::string>{"the", "council", "met"});
  const SentenceFeatures zh = make_features("安理会开会。", "zh");
  CHECK(zh.length == 6);
  CHECK(zh.words == std::vector<std::string>{"安", "理", "会", "开", "会"});
  CHECK(untm::cognate_key("résolution") == "~reso");  // key words are case folded already
  CHECK(untm::cognate_key("the").empty());
  CHECK(untm::cognate_key("council") == "~coun");
  CHECK(untm::cognate_key("Council") == "~Coun");  // as given: the key text is folded before
  CHECK(untm::cognate_key("unit") == "~unit");
  CHECK(untm::cognate_key("h1n1").empty());      // a digit among the first four
  CHECK(untm::cognate_key("co-op").empty());
  CHECK(untm::cognate_key("naïve") == "~naiv");  // a letter with a diacritic among the four
  CHECK(untm::cognate_key("сессия") == "~сесс");
}

// ------------------------------------------------------------------ model

// 60 sentences of varied lengths, and their translations exactly twice as
// long: src, tgt.
std::pair<std::vector<SentenceFeatures>, std::vector<SentenceFeatures>> twice_as_long() {
  std::vector<SentenceFeatures> src, tgt;
  for (int k = 0; k < 60; ++k) {
    const std::size_t length = 20 + static_cast<std::size_t>((k * 37) % 150);
    src.push_back({length, {}, {}, {}, {}});
    tgt.push_back({2 * length, {}, {}, {}, {}});
  }
  return {src, tgt};
}

TEST_CASE("model: the ratio is estimated from the documents", "[sentence_aligner][model]") {
  const auto [src, tgt] = twice_as_long();
  const PairModel model = estimate_pair_model(src, tgt, "hu", "de");
  CHECK(model.src_lang == "hu");
  CHECK(model.tgt_lang == "de");
  CHECK(model.ratio == Approx(2.0).epsilon(1e-9));
  CHECK(model.variance > 0);
  CHECK(std::isfinite(model.variance));
  const auto beads = align_sentences(src, tgt, model);
  check_invariants(beads, src.size(), tgt.size());
  REQUIRE(beads.size() == src.size());
  for (std::size_t k = 0; k < beads.size(); ++k) CHECK(SimpleBead{beads[k].src, beads[k].tgt} == SimpleBead{{k}, {k}});
}

TEST_CASE("model: Chinese-like ratio, with sentences split in two", "[sentence_aligner][model]") {
  // A quarter of the characters; every third source sentence becomes two.
  std::vector<SentenceFeatures> src, tgt;
  std::mt19937 random(7);
  std::uniform_int_distribution<int> noise(-3, 3);
  for (int k = 0; k < 90; ++k) {
    const std::size_t length = 60 + static_cast<std::size_t>((k * 53) % 160);
    src.push_back({length, {}, {}, {}, {}});
    const auto zh = static_cast<std::size_t>(static_cast<int>(length / 4) + noise(random));
    if (k % 3 == 0) {
      tgt.push_back({zh / 2, {}, {}, {}, {}});
      tgt.push_back({zh - zh / 2, {}, {}, {}, {}});
    } else {
      tgt.push_back({zh, {}, {}, {}, {}});
    }
  }
  const PairModel model = estimate_pair_model(src, tgt, "en", "zh");
  CHECK(model.ratio == Approx(0.25).epsilon(0.03));
  // The split beads are frequent, and the priors say so.
  CHECK(model.bead_priors[3] > 0.15);
  const auto beads = align_sentences(src, tgt, model);
  check_invariants(beads, src.size(), tgt.size());
  std::size_t right = 0, j = 0;
  for (std::size_t k = 0; k < src.size(); ++k) {
    const SimpleBead want = k % 3 == 0 ? SimpleBead{{k}, {j, j + 1}} : SimpleBead{{k}, {j}};
    j += k % 3 == 0 ? 2 : 1;
    for (const Bead& b : beads) right += SimpleBead{b.src, b.tgt} == want;
  }
  CHECK(right >= src.size() * 9 / 10);
}

TEST_CASE("model: the first pass keeps to the given blocks", "[sentence_aligner][model]") {
  // Alone, the first pass finds 60 1-1 beads.
  const auto [src, tgt] = twice_as_long();
  const PairModel free = estimate_pair_model(src, tgt, "hu", "de");
  auto same_model = [&](const PairModel& m) {
    CHECK(m.ratio == Approx(free.ratio));
    CHECK(m.variance == Approx(free.variance));
    for (std::size_t s = 0; s < untm::kBeadShapeCount; ++s) CHECK(m.bead_priors[s] == Approx(free.bead_priors[s]));
  };
  SECTION("blocks along the path change nothing") {
    untm::PairModelOptions options;
    for (std::size_t k = 0; k < 60; k += 3) options.blocks.push_back({k, k + 3, k, k + 3});
    same_model(estimate_pair_model(src, tgt, "hu", "de", options));
  }
  SECTION("blocks off the path force other shapes") {
    // Source 0-29 with target 0-28, source 30-59 with target 29-59: each
    // block needs a bead that is not 1-1.
    untm::PairModelOptions options;
    options.blocks = {{0, 30, 0, 29}, {30, 60, 29, 60}};
    const PairModel forced = estimate_pair_model(src, tgt, "hu", "de", options);
    CHECK(forced.bead_priors[0] < free.bead_priors[0]);
  }
  SECTION("blocks out of order or out of range are ignored") {
    untm::PairModelOptions options;
    options.blocks = {{10, 20, 10, 20}, {5, 8, 30, 40}};
    same_model(estimate_pair_model(src, tgt, "hu", "de", options));
    options.blocks = {{50, 70, 50, 60}};
    same_model(estimate_pair_model(src, tgt, "hu", "de", options));
    options.blocks = {{5, 5, 5, 6}};
    same_model(estimate_pair_model(src, tgt, "hu", "de", options));
  }
}

TEST_CASE("model: empty documents give the defaults", "[sentence_aligner][model]") {
  const std::vector<SentenceFeatures> none;
  const std::vector<SentenceFeatures> some = {{10, {}, {}, {}, {}}, {20, {}, {}, {}, {}}};
  const PairModel model = estimate_pair_model(none, some, "en", "fr");
  CHECK(model.ratio == 1.0);
  CHECK(model.variance > 0);
  CHECK(estimate_pair_model(none, none, "en", "fr").ratio == 1.0);
}

TEST_CASE("model: a ratio or variance that is not positive is an ArgumentError", "[sentence_aligner][model]") {
  const std::vector<SentenceFeatures> s = {{10, {}, {}, {}, {}}};
  PairModel model;
  model.ratio = 0;
  CHECK_THROWS_AS(align_sentences(s, s, model), untm::ArgumentError);
  model.ratio = 1;
  model.variance = -1;
  CHECK_THROWS_AS(align_sentences(s, s, model), untm::ArgumentError);
}

TEST_CASE("lexicon: a word's key is its first six code points", "[sentence_aligner][model]") {
  CHECK(untm::lexicon_key("resolutions") == "resolu");
  CHECK(untm::lexicon_key("resolu") == "resolu");
  CHECK(untm::lexicon_key("un") == "un");
  CHECK(untm::lexicon_key("") == "");
  CHECK(untm::lexicon_key("sécurité") == "sécuri");   // a two-byte letter among the six
  CHECK(untm::lexicon_key("securité") == "securi");   // ASCII as far as the sixth: those six bytes
  CHECK(untm::lexicon_key("резолюция") == "резолю");
  CHECK(untm::lexicon_key("القرارات") == "القرا" "ر");
  CHECK(untm::lexicon_key("联") == "联");
}

namespace lexicon_reference {

// The lexicon's entries learned one direction at a time, each counting its
// own co-occurrences by brute force: the algorithm as it was before the
// counts were shared between directions, kept to check that sharing them
// changes no entry.
constexpr double kMaxBeadShare = 0.4, kMinPhi = 0.12, kMinGain = 0.02, kMinInformation = 0.05, kPriorQ = 0.3,
                 kPriorWeight = 2.0;
constexpr std::size_t kMaxCandidates = 3, kMaxSample = 400;

struct Sets {
  std::vector<std::uint32_t> begin{0};
  std::vector<std::uint32_t> ids;
  std::span<const std::uint32_t> of(std::size_t b) const { return {ids.data() + begin[b], ids.data() + begin[b + 1]}; }
};

std::vector<untm::Lexicon::Entry> learn_direction(const Sets& x, const Sets& y, std::size_t x_keys,
                                                  const untm::LexiconKeys& y_index, std::size_t y_sentences) {
  const std::size_t beads = x.begin.size() - 1;
  std::vector<untm::Lexicon::Entry> entries(x_keys);
  const double n = static_cast<double>(beads);
  std::vector<std::vector<std::uint32_t>> postings(x_keys);
  for (std::size_t b = 0; b < beads; ++b)
    for (std::uint32_t id : x.of(b)) postings[id].push_back(static_cast<std::uint32_t>(b));
  std::vector<double> y_count(y_index.keys.size(), 0);
  for (std::uint32_t id : y.ids) ++y_count[id];
  for (std::size_t w = 0; w < x_keys; ++w) {
    const auto& mine = postings[w];
    const double cw = static_cast<double>(mine.size());
    if (mine.size() < 2 || cw > kMaxBeadShare * n) continue;
    std::vector<double> together(y_index.keys.size(), 0);
    for (std::uint32_t b : mine)
      for (std::uint32_t t : y.of(b)) ++together[t];
    std::vector<std::pair<double, std::uint32_t>> candidates;
    for (std::uint32_t t = 0; t < together.size(); ++t) {
      const double a = together[t], ct = y_count[t];
      if (a < 2 || ct >= n) continue;
      const double covariance = n * a - cw * ct;
      if (covariance <= 0) continue;
      const double phi = covariance / std::sqrt(cw * (n - cw) * ct * (n - ct));
      if (phi >= kMinPhi) candidates.emplace_back(phi, t);
    }
    std::sort(candidates.begin(), candidates.end(), std::greater<>());
    if (candidates.size() > kMaxCandidates) candidates.resize(kMaxCandidates);
    const std::size_t sample = std::min<std::size_t>(mine.size(), kMaxSample);
    const std::size_t stride = mine.size() / sample;
    std::vector<char> hit(sample, 0);
    std::size_t hits = 0;
    double miss_random = 1.0, information = 0;
    untm::Lexicon::Entry entry;
    const double r_floor = 0.5 / static_cast<double>(y_sentences);
    for (const auto& [phi, t] : candidates) {
      std::size_t more = 0;
      for (std::size_t k = 0; k < sample; ++k) {
        const auto ys = y.of(mine[k * stride]);
        if (!hit[k] && std::binary_search(ys.begin(), ys.end(), t)) ++more;
      }
      const double q = (static_cast<double>(hits + more) + kPriorWeight * kPriorQ) / (static_cast<double>(sample) + kPriorWeight);
      const double miss = miss_random * (1.0 - static_cast<double>(y_index.df[t]) / static_cast<double>(y_sentences));
      const double r = std::clamp(1.0 - miss, r_floor, 0.999);
      const double gain = q > r ? q * std::log(q / r) + (1 - q) * std::log((1 - q) / (1 - r)) : 0.0;
      if (gain < information + kMinGain) continue;
      for (std::size_t k = 0; k < sample; ++k) {
        const auto ys = y.of(mine[k * stride]);
        if (std::binary_search(ys.begin(), ys.end(), t)) hit[k] = 1;
      }
      hits += more;
      miss_random = miss;
      information = gain;
      entry.translations.push_back(t);
      entry.q = static_cast<float>(q);
      entry.r = static_cast<float>(r);
    }
    if (information >= kMinInformation) entries[w] = std::move(entry);
  }
  return entries;
}

// A side's key sets of the beads (every bead is a training bead here).
Sets bead_sets(const untm::LexiconKeys& keys, const std::vector<std::vector<std::size_t>>& beads) {
  Sets sets;
  for (const auto& sentences : beads) {
    std::vector<std::uint32_t> ids;
    for (std::size_t s : sentences) ids.insert(ids.end(), keys.ids.begin() + keys.begin[s], keys.ids.begin() + keys.begin[s + 1]);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    sets.ids.insert(sets.ids.end(), ids.begin(), ids.end());
    sets.begin.push_back(static_cast<std::uint32_t>(sets.ids.size()));
  }
  return sets;
}

}  // namespace lexicon_reference

TEST_CASE("lexicon: the same entries as learning each direction on its own", "[sentence_aligner][model]") {
  // Random "documents": words of a Zipf-like vocabulary, each source word
  // with a usual translation, function words in most sentences (frequent
  // keys: too common for an entry of their own, but candidates of others),
  // and 1-1 and 1-2 beads.
  std::mt19937 rng(2011);
  std::vector<SentenceFeatures> src, tgt;
  std::vector<Bead> beads;
  std::vector<std::vector<std::size_t>> src_beads, tgt_beads;
  std::uniform_real_distribution<double> unit(0, 1);
  auto zipf = [&](std::size_t vocabulary) {
    return static_cast<std::size_t>(std::pow(static_cast<double>(vocabulary), unit(rng))) - 1;
  };
  for (std::size_t b = 0; b < 700; ++b) {
    const std::size_t targets = unit(rng) < 0.15 ? 2 : 1;
    SentenceFeatures s;
    std::vector<SentenceFeatures> t(targets);
    for (std::size_t k = 0; k < 8 + b % 7; ++k) {
      const std::size_t w = zipf(400);
      s.words.push_back(tag("w", w));
      if (unit(rng) < 0.8) t[k % targets].words.push_back(tag("t", unit(rng) < 0.9 ? w : zipf(400)));
    }
    if (unit(rng) < 0.6) s.words.push_back("the");
    if (unit(rng) < 0.45) s.words.push_back("of");
    for (auto& sentence : t)
      if (unit(rng) < 0.55) sentence.words.push_back("le");
    src_beads.push_back({src.size()});
    std::vector<std::size_t> targets_of_bead;
    for (auto& sentence : t) {
      targets_of_bead.push_back(tgt.size());
      tgt.push_back(std::move(sentence));
    }
    beads.push_back({{src.size()}, targets_of_bead, 0.9});
    tgt_beads.push_back(targets_of_bead);
    src.push_back(std::move(s));
  }
  const untm::LexiconKeys src_keys = untm::index_lexicon_keys(src), tgt_keys = untm::index_lexicon_keys(tgt);
  const auto lexicon = untm::Lexicon::learn(src, tgt, beads, 0.5, &src_keys, &tgt_keys);
  const lexicon_reference::Sets sb = lexicon_reference::bead_sets(src_keys, src_beads),
                                tb = lexicon_reference::bead_sets(tgt_keys, tgt_beads);
  const std::array<std::vector<untm::Lexicon::Entry>, 2> expected = {
      lexicon_reference::learn_direction(sb, tb, src_keys.keys.size(), tgt_keys, tgt.size()),
      lexicon_reference::learn_direction(tb, sb, tgt_keys.keys.size(), src_keys, src.size())};
  std::size_t entries = 0;
  for (int side = 0; side < 2; ++side) {
    REQUIRE(lexicon->size(side) == expected[static_cast<std::size_t>(side)].size());
    for (std::uint32_t k = 0; k < lexicon->size(side); ++k) {
      const auto& want = expected[static_cast<std::size_t>(side)][k];
      const auto& got = lexicon->entry(side, k);
      INFO("side " << side << ", key " << lexicon->key(side, k));
      CHECK(got.translations == want.translations);
      CHECK(got.q == want.q);
      CHECK(got.r == want.r);
      entries += !want.translations.empty();
    }
  }
  CHECK(entries > 300);  // the documents teach something in both directions
}

TEST_CASE("lexicon: learned from confident beads, both directions", "[sentence_aligner][model]") {
  // Two made-up languages: word "wN" translates to "tN"; "the"/"le" everywhere.
  std::vector<SentenceFeatures> src, tgt;
  std::vector<Bead> beads;
  for (std::size_t k = 0; k < 40; ++k) {
    SentenceFeatures s, t;
    s.words = {"the", tag("w", k % 10), tag("w", (k + 3) % 10)};
    t.words = {"le", tag("t", k % 10), tag("t", (k + 3) % 10)};
    s.length = t.length = 12;
    src.push_back(s);
    tgt.push_back(t);
    beads.push_back({{k}, {k}, 1.0});
  }
  const auto lexicon = untm::Lexicon::learn(src, tgt, beads, 0.5);
  const std::uint32_t w4 = lexicon->find(0, "w4");
  REQUIRE(w4 != untm::Lexicon::kNone);
  const auto& entry = lexicon->entry(0, w4);
  REQUIRE(!entry.translations.empty());
  CHECK(lexicon->key(1, entry.translations.front()) == "t4");
  CHECK(entry.q > entry.r);
  const std::uint32_t t4 = lexicon->find(1, "t4");
  REQUIRE(t4 != untm::Lexicon::kNone);
  CHECK(lexicon->key(0, lexicon->entry(1, t4).translations.front()) == "w4");
  // "the" is in every bead: nothing to learn from it.
  CHECK(lexicon->entry(0, lexicon->find(0, "the")).translations.empty());

  // Keys made beforehand (as a version aligned in several pairs shares
  // them) give the same lexicon.
  const untm::LexiconKeys src_keys = untm::index_lexicon_keys(src), tgt_keys = untm::index_lexicon_keys(tgt);
  const auto shared = untm::Lexicon::learn(src, tgt, beads, 0.5, &src_keys, &tgt_keys);
  for (int side = 0; side < 2; ++side) {
    REQUIRE(shared->size(side) == lexicon->size(side));
    REQUIRE(shared->sentences(side) == lexicon->sentences(side));
    for (std::uint32_t k = 0; k < lexicon->size(side); ++k) {
      CHECK(shared->key(side, k) == lexicon->key(side, k));
      CHECK(shared->entry(side, k).translations == lexicon->entry(side, k).translations);
      CHECK(shared->entry(side, k).q == lexicon->entry(side, k).q);
      CHECK(shared->entry(side, k).r == lexicon->entry(side, k).r);
    }
    for (std::size_t s = 0; s < lexicon->sentences(side); ++s) {
      const auto a = shared->sentence_keys(side, s), b = lexicon->sentence_keys(side, s);
      CHECK(std::vector<std::uint32_t>(a.begin(), a.end()) == std::vector<std::uint32_t>(b.begin(), b.end()));
    }
  }
  CHECK(shared->pair_count() == lexicon->pair_count());
  CHECK(shared->pair_count() > 0);
}

// ------------------------------------------------------------------ alignment

TEST_CASE("align: an English-Chinese letter with a 1-2, a 2-1 and an insertion", "[sentence_aligner]") {
  const auto beads = align_texts(kLetterEn, "en", kLetterZh, "zh");
  CHECK(simple(beads) == kLetterBeads);
}

TEST_CASE("align: the same letter in English and Arabic", "[sentence_aligner]") {
  const auto beads = align_texts(kLetterEn, "en", kLetterAr, "ar");
  CHECK(simple(beads) == kLetterBeads);
}

TEST_CASE("align: the other direction gives the mirror beads", "[sentence_aligner]") {
  const auto beads = align_texts(kLetterZh, "zh", kLetterEn, "en");
  std::vector<SimpleBead> mirror;
  for (const auto& [s, t] : kLetterBeads) mirror.emplace_back(t, s);
  CHECK(simple(beads) == mirror);
}

TEST_CASE("align: short spans with a model of the whole document", "[sentence_aligner]") {
  const auto en = make_features(kLetterEn, "en");
  const auto zh = make_features(kLetterZh, "zh");
  const PairModel model = estimate_pair_model(en, zh, "en", "zh");
  // English 2-4 against Chinese 2-4: the 1-2 and the 2-1 of the letter.
  const std::span<const SentenceFeatures> src(en.data() + 2, 3), tgt(zh.data() + 2, 3);
  const auto beads = align_sentences(src, tgt, model);
  check_invariants(beads, 3, 3);
  CHECK(simple(beads) == std::vector<SimpleBead>{{{0}, {0, 1}}, {{1, 2}, {2}}});
  // One sentence each: one bead.
  const auto one = align_sentences(std::span(en.data() + 6, 1), std::span(zh.data() + 7, 1), model);
  CHECK(simple(one) == std::vector<SimpleBead>{{{0}, {0}}});
}

TEST_CASE("align: spans that say where they lie reuse the lexicon's keys, with the same beads", "[sentence_aligner]") {
  const auto en = make_features(kLetterEn, "en");
  const auto zh = make_features(kLetterZh, "zh");
  const PairModel model = estimate_pair_model(en, zh, "en", "zh");
  REQUIRE(model.lexicon->size(0) > 0);
  REQUIRE(model.lexicon->sentences(0) == en.size());
  REQUIRE(model.lexicon->sentences(1) == zh.size());
  untm::SentenceAlignOptions placed;
  placed.src_offset = 2;
  placed.tgt_offset = 2;
  const std::span<const SentenceFeatures> src(en.data() + 2, 3), tgt(zh.data() + 2, 3);
  const auto looked_up = align_sentences(src, tgt, model);
  const auto reused = align_sentences(src, tgt, model, placed);
  REQUIRE(reused.size() == looked_up.size());
  for (std::size_t k = 0; k < reused.size(); ++k) {
    CHECK(SimpleBead{reused[k].src, reused[k].tgt} == SimpleBead{looked_up[k].src, looked_up[k].tgt});
    CHECK(reused[k].confidence == looked_up[k].confidence);
  }
  // The whole documents too.
  placed.src_offset = 0;
  placed.tgt_offset = 0;
  const auto whole = align_sentences(en, zh, model, placed);
  const auto whole_looked_up = align_sentences(en, zh, model);
  REQUIRE(whole.size() == whole_looked_up.size());
  for (std::size_t k = 0; k < whole.size(); ++k) CHECK(whole[k].confidence == whole_looked_up[k].confidence);
  // Past the end of the documents the model learned from.
  placed.src_offset = en.size() - 1;
  CHECK_THROWS_WITH(align_sentences(src, tgt, model, placed),
                    "sentence aligner: sentences " + std::to_string(en.size() - 1) + " to " + std::to_string(en.size() + 2) +
                        " of the source are past the " + std::to_string(en.size()) +
                        " the model was estimated on; give offsets only for runs of those sentences");
}

TEST_CASE("align: paragraphs that say which sentences they hold reuse the lexicon's keys, with the same beads",
          "[sentence_aligner]") {
  const auto en = make_features(kLetterEn, "en");
  const auto zh = make_features(kLetterZh, "zh");
  const PairModel model = estimate_pair_model(en, zh, "en", "zh");
  REQUIRE(model.lexicon->size(0) > 0);
  // Paragraphs of 1-3 sentences, their features merged as the document
  // aligner merges them (lengths added, anchors once, words in order).
  const auto paragraphs = [](const std::vector<SentenceFeatures>& sentences, std::vector<std::size_t>& bounds) {
    std::vector<SentenceFeatures> out;
    bounds.assign(1, 0);
    for (std::size_t first = 0, take = 1; first < sentences.size(); first += take, take = take % 3 + 1) {
      const std::size_t end = std::min(first + take, sentences.size());
      SentenceFeatures p;
      for (std::size_t k = first; k < end; ++k) {
        p.length += sentences[k].length;
        for (const std::string& a : sentences[k].anchors)
          if (std::find(p.anchors.begin(), p.anchors.end(), a) == p.anchors.end()) p.anchors.push_back(a);
        p.words.insert(p.words.end(), sentences[k].words.begin(), sentences[k].words.end());
      }
      out.push_back(std::move(p));
      bounds.push_back(end);
    }
    return out;
  };
  std::vector<std::size_t> en_bounds, zh_bounds;
  const auto en_paragraphs = paragraphs(en, en_bounds);
  const auto zh_paragraphs = paragraphs(zh, zh_bounds);
  REQUIRE(en_paragraphs.size() > 3);
  const auto looked_up = align_sentences(en_paragraphs, zh_paragraphs, model);
  untm::SentenceAlignOptions placed;
  placed.src_sentences = en_bounds;
  placed.tgt_sentences = zh_bounds;
  const auto reused = align_sentences(en_paragraphs, zh_paragraphs, model, placed);
  REQUIRE(reused.size() == looked_up.size());
  for (std::size_t k = 0; k < reused.size(); ++k) {
    CHECK(SimpleBead{reused[k].src, reused[k].tgt} == SimpleBead{looked_up[k].src, looked_up[k].tgt});
    CHECK(reused[k].confidence == looked_up[k].confidence);
  }
  // A run of the paragraphs: their bounds only.
  const std::span<const SentenceFeatures> src(en_paragraphs.data() + 1, 3), tgt(zh_paragraphs.data() + 1, 3);
  placed.src_sentences = std::span<const std::size_t>(en_bounds).subspan(1, 4);
  placed.tgt_sentences = std::span<const std::size_t>(zh_bounds).subspan(1, 4);
  const auto run = align_sentences(src, tgt, model, placed);
  const auto run_looked_up = align_sentences(src, tgt, model);
  REQUIRE(run.size() == run_looked_up.size());
  for (std::size_t k = 0; k < run.size(); ++k) {
    CHECK(SimpleBead{run[k].src, run[k].tgt} == SimpleBead{run_looked_up[k].src, run_looked_up[k].tgt});
    CHECK(run[k].confidence == run_looked_up[k].confidence);
  }
  // Bounds that do not fit the inputs.
  placed.src_sentences = std::span<const std::size_t>(en_bounds).subspan(1, 3);
  CHECK_THROWS_WITH(align_sentences(src, tgt, model, placed),
                    "sentence aligner: the source's 3 paragraph bounds do not fit its 3 inputs and the " +
                        std::to_string(en.size()) +
                        " sentences the model was estimated on; give one more bound than inputs, ascending, within "
                        "those sentences");
}

TEST_CASE("features: anchors and cognate keys carry hashes, equal across languages", "[sentence_aligner]") {
  const SentenceFeatures en = make_features("The Group met in Doha on 13 April 2011 (S/2011/463).", "en");
  const SentenceFeatures es = make_features("El Grupo se reunió en Doha el 13 de abril de 2011 (S/2011/463).", "es");
  const SentenceFeatures ar = make_features("اجتمع الفريق في الدوحة في 13 نيسان/أبريل 2011 (S/2011/463).", "ar");
  REQUIRE(en.anchor_hashes.size() == en.anchors.size());
  REQUIRE(ar.anchor_hashes.size() == ar.anchors.size());
  // Cognates are looked for between languages of one script: Latin words
  // carry their keys' hashes, Arabic words none (made only if ever needed).
  REQUIRE(en.cognate_hashes.size() == en.words.size());
  CHECK(ar.cognate_hashes.empty());
  const auto hash_of = [](const SentenceFeatures& f, const std::string& anchor) {
    const auto it = std::find(f.anchors.begin(), f.anchors.end(), anchor);
    REQUIRE(it != f.anchors.end());
    return f.anchor_hashes[static_cast<std::size_t>(it - f.anchors.begin())];
  };
  CHECK(hash_of(en, "#2011-04-13") == hash_of(ar, "#2011-04-13"));
  CHECK(hash_of(en, "S/2011/463") == hash_of(ar, "S/2011/463"));
  CHECK(hash_of(en, "#2011-04-13") != hash_of(en, "S/2011/463"));
  // "Doha" is a cognate in both (four letters or more); "the" has none.
  const auto cognate_of = [](const SentenceFeatures& f, const std::string& word) {
    const auto it = std::find(f.words.begin(), f.words.end(), word);
    REQUIRE(it != f.words.end());
    return f.cognate_hashes[static_cast<std::size_t>(it - f.words.begin())];
  };
  CHECK(cognate_of(en, "doha") != 0);
  CHECK(cognate_of(en, "doha") == cognate_of(es, "doha"));
  CHECK(cognate_of(en, "the") == 0);
}

TEST_CASE("align: features made without hashes give the same beads and confidences", "[sentence_aligner]") {
  const std::vector<std::string> es = {
      "Carta de fecha 14 de abril de 2011 dirigida al Secretario General por el Representante Permanente de Qatar "
      "ante las Naciones Unidas",
      "Tengo el honor de transmitir adjunta la declaración de la Presidencia de la primera reunión del Grupo de "
      "Contacto sobre Libia, celebrada en Doha el 13 de abril de 2011.",
      "El Grupo acogió con beneplácito la participación de 21 países y 6 organizaciones internacionales.",
      "Acordó reunirse de nuevo en Roma en mayo de 2011.",
      "Los participantes condenaron los ataques contra civiles y pidieron un alto el fuego inmediato de "
      "conformidad con la resolución 1973 (2011).",
      "El Grupo acordó establecer un mecanismo financiero temporal de hasta 3,6 millones de dólares.",
      "Le agradecería que tuviera a bien hacer distribuir la presente carta como documento del Consejo de "
      "Seguridad (S/2011/463).",
  };
  const auto strip = [](std::vector<SentenceFeatures> features) {
    for (SentenceFeatures& f : features) {
      f.anchor_hashes.clear();
      f.cognate_hashes.clear();
    }
    return features;
  };
  for (const auto& [tgt, lang] : {std::pair{es, "es"}, std::pair{kLetterAr, "ar"}}) {
    const auto s = make_features(kLetterEn, "en");
    const auto t = make_features(tgt, lang);
    const PairModel model = estimate_pair_model(s, t, "en", lang);
    const PairModel stripped_model = estimate_pair_model(strip(s), strip(t), "en", lang);
    CHECK(stripped_model.ratio == model.ratio);
    CHECK(stripped_model.variance == model.variance);
    const auto beads = align_sentences(s, t, model);
    const auto stripped = align_sentences(strip(s), strip(t), model);
    REQUIRE(simple(stripped) == simple(beads));
    for (std::size_t k = 0; k < beads.size(); ++k) CHECK(stripped[k].confidence == beads[k].confidence);
  }
}

TEST_CASE("align: without confidence, the same beads", "[sentence_aligner]") {
  const auto en = make_features(kLetterEn, "en");
  const auto zh = make_features(kLetterZh, "zh");
  const PairModel model = estimate_pair_model(en, zh, "en", "zh");
  untm::SentenceAlignOptions beads_only;
  beads_only.confidence = false;
  const auto with = align_sentences(en, zh, model);
  const auto without = align_sentences(en, zh, model, beads_only);
  REQUIRE(without.size() == with.size());
  for (std::size_t k = 0; k < with.size(); ++k) {
    CHECK(SimpleBead{without[k].src, without[k].tgt} == SimpleBead{with[k].src, with[k].tgt});
    CHECK(without[k].confidence == 0);
  }
}

TEST_CASE("align: empty inputs", "[sentence_aligner]") {
  const std::vector<SentenceFeatures> none;
  const auto three = make_features(std::vector<std::string>{"One.", "Two.", "Three."}, "en");
  const PairModel model;
  CHECK(align_sentences(none, none, model).empty());
  CHECK(simple(align_sentences(three, none, model)) == std::vector<SimpleBead>{{{0}, {}}, {{1}, {}}, {{2}, {}}});
  CHECK(simple(align_sentences(none, three, model)) == std::vector<SimpleBead>{{{}, {0}}, {{}, {1}}, {{}, {2}}});
  // Empty sentences are sentences.
  const auto blanks = make_features(std::vector<std::string>{"", "", ""}, "fr");
  const auto beads = align_sentences(blanks, blanks, estimate_pair_model(blanks, blanks, "fr", "fr"));
  check_invariants(beads, 3, 3);
}

TEST_CASE("align: confidence is high for a clean 1-1 and low for a forced odd bead", "[sentence_aligner]") {
  const auto en = make_features(kLetterEn, "en");
  const auto zh = make_features(kLetterZh, "zh");
  const PairModel model = estimate_pair_model(en, zh, "en", "zh");
  // The last sentence and its translation: lengths agree, the symbol matches.
  const auto clean = align_sentences(std::span(en.data() + 6, 1), std::span(zh.data() + 7, 1), model);
  REQUIRE(clean.size() == 1);
  CHECK(clean[0].confidence > 0.8);
  // The first English sentence against the Chinese note: nothing matches,
  // the lengths do not fit, and whatever the search does is forced.
  const auto forced = align_sentences(std::span(en.data() + 1, 2), std::span(zh.data() + 5, 1), model);
  check_invariants(forced, 2, 1);
  for (const Bead& b : forced) CHECK(b.confidence < clean[0].confidence - 0.3);
  // In the whole letter the insertion is less sure than the clean 1-1 beads.
  const auto beads = align_sentences(en, zh, model);
  REQUIRE(simple(beads) == kLetterBeads);
  CHECK(beads[4].confidence <= 0.5);
  CHECK(beads[6].confidence > beads[4].confidence);
  CHECK(beads[0].confidence > beads[4].confidence);
}

TEST_CASE("align: 20,000 sentences in a band, with drift", "[sentence_aligner][large]") {
  // Target: a third of the length, every fifth source sentence split in two,
  // a target-only sentence every 97, numbers here and there. The target
  // ends up 4,000+ sentences longer, far off the diagonal.
  std::mt19937 random(11);
  std::uniform_int_distribution<int> length(20, 240), noise(-2, 2);
  std::vector<SentenceFeatures> src, tgt;
  std::vector<SimpleBead> truth;
  for (std::size_t k = 0; k < 20000; ++k) {
    SentenceFeatures s;
    s.length = static_cast<std::size_t>(length(random));
    if (k % 13 == 0) s.anchors = {tag("#", k)};
    const auto t_len = static_cast<std::size_t>(std::max(2, static_cast<int>(s.length / 3) + noise(random)));
    if (k % 97 == 50) {
      truth.push_back({{}, {tgt.size()}});
      tgt.push_back({static_cast<std::size_t>(length(random) / 3), {}, {}, {}, {}});
    }
    if (k % 5 == 0) {
      truth.push_back({{k}, {tgt.size(), tgt.size() + 1}});
      tgt.push_back({t_len / 2, s.anchors, {}, {}, {}});
      tgt.push_back({t_len - t_len / 2, {}, {}, {}, {}});
    } else {
      truth.push_back({{k}, {tgt.size()}});
      tgt.push_back({t_len, s.anchors, {}, {}, {}});
    }
    src.push_back(std::move(s));
  }
  const PairModel model = estimate_pair_model(src, tgt, "en", "zh");
  const auto beads = align_sentences(src, tgt, model);
  check_invariants(beads, src.size(), tgt.size());
  std::vector<SimpleBead> got = simple(beads);
  std::sort(got.begin(), got.end());
  std::size_t right = 0;
  for (const SimpleBead& b : truth) right += std::binary_search(got.begin(), got.end(), b);
  CHECK(right >= truth.size() * 9 / 10);
}

TEST_CASE("align: callable from several threads at once", "[sentence_aligner][threads]") {
  const auto en = make_features(kLetterEn, "en");
  const auto zh = make_features(kLetterZh, "zh");
  const auto ar = make_features(kLetterAr, "ar");
  const auto expected_zh = simple(align_sentences(en, zh, estimate_pair_model(en, zh, "en", "zh")));
  const auto expected_ar = simple(align_sentences(en, ar, estimate_pair_model(en, ar, "en", "ar")));
  const PairModel shared = estimate_pair_model(en, zh, "en", "zh");
  std::vector<int> ok(8, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      bool good = true;
      for (int round = 0; round < 20; ++round) {
        if (t % 2 == 0) {
          good = good && simple(align_sentences(en, zh, shared)) == expected_zh;
        } else {
          const auto features = make_features(kLetterAr, "ar");
          good = good && simple(align_sentences(en, features, estimate_pair_model(en, features, "en", "ar"))) ==
                             expected_ar;
        }
      }
      ok[static_cast<std::size_t>(t)] = good ? 1 : 0;
    });
  }
  for (auto& th : threads) th.join();
  CHECK(std::count(ok.begin(), ok.end(), 1) == 8);
}

TEST_CASE("align: an explicit band, and an exhaustive one, agree on an easy text", "[sentence_aligner]") {
  std::vector<SentenceFeatures> src, tgt;
  for (std::size_t k = 0; k < 800; ++k) {
    const std::size_t length = 30 + (k * 71) % 170;
    src.push_back({length, {}, {}, {}, {}});
    tgt.push_back({length + (k % 3), {}, {}, {}, {}});
  }
  const PairModel model = estimate_pair_model(src, tgt, "de", "fr");
  untm::SentenceAlignOptions narrow, full;
  narrow.band = 3;
  full.band = 800;
  const auto a = simple(align_sentences(src, tgt, model, narrow));
  const auto b = simple(align_sentences(src, tgt, model, full));
  CHECK(a == b);
  CHECK(a.size() == 800);
}

}  // namespace
