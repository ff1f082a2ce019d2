// The standard sentence-alignment benchmarks in ../shared (Bible zh-en with
// verse-level gold, Text+Berg de-fr), scored as `untm eval --beads` scores
// them. The gates sit a little under the figures in docs/BENCHMARKS.md (the
// issue's targets: 0.85 and 0.80), so a regression fails.
#include <catch2/catch.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "aligner/scoring.h"
#include "aligner/sentence_aligner.h"
#include "aligner/text_reader.h"
#include "tests/test_support.h"

using namespace untm;

namespace {

std::vector<SentenceFeatures> presegmented(const std::filesystem::path& path, const std::string& lang) {
  std::string text = read_text_file(path.string()).text;
  if (!text.empty() && text.back() == '\n') text.pop_back();
  std::vector<SentenceFeatures> out;
  std::size_t pos = 0;
  while (!text.empty() && pos <= text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(make_features(std::string_view(text).substr(pos, nl - pos), lang));
    pos = nl + 1;
  }
  return out;
}

// Aligns SRC and TGT as `untm align --presegmented --beads` does and writes
// the beads in the Vecalign format.
void align_to_file(const std::filesystem::path& src, const std::filesystem::path& tgt, const std::string& src_lang,
                   const std::string& tgt_lang, const std::filesystem::path& out) {
  auto a = presegmented(src, src_lang), b = presegmented(tgt, tgt_lang);
  auto model = estimate_pair_model(a, b, src_lang, tgt_lang);
  std::string text;
  auto list = [](const std::vector<std::size_t>& ids) {
    std::string s = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) s += (i ? ", " : "") + std::to_string(ids[i]);
    return s + "]";
  };
  for (const auto& bead : align_sentences(a, b, model)) text += list(bead.src) + ":" + list(bead.tgt) + "\n";
  test::write_file(out, text);
}

}  // namespace

TEST_CASE("bible_zh_en, en to zh, verse groups: strict F1") {
  auto data = *test::shared_dir() / "data" / "bible_zh_en";
  test::TempDir dir;
  align_to_file(data / "en" / "001", data / "zh" / "001", "en", "zh", dir / "bible.align");
  auto scores = score_bead_files({(dir / "bible.align").string()}, {(data / "gold" / "001.align").string()},
                                 std::make_pair((data / "en.verse").string(), (data / "zh.verse").string()));
  std::cout << "bible_zh_en strict P " << scores.precision_strict << " R " << scores.recall_strict << " F1 "
            << scores.f1_strict << "\n";
  CHECK(scores.f1_strict >= 0.96);
}

TEST_CASE("textberg_de_fr test0-6: strict F1") {
  auto data = *test::shared_dir() / "data" / "textberg_de_fr";
  test::TempDir dir;
  std::vector<std::string> tests, golds;
  for (int i = 0; i <= 6; ++i) {
    std::string name = "test" + std::to_string(i);
    align_to_file(data / (name + ".de"), data / (name + ".fr"), "de", "fr", dir / (name + ".align"));
    tests.push_back((dir / (name + ".align")).string());
    golds.push_back((data / (name + ".defr")).string());
  }
  auto scores = score_bead_files(tests, golds);
  std::cout << "textberg_de_fr strict P " << scores.precision_strict << " R " << scores.recall_strict << " F1 "
            << scores.f1_strict << "\n";
  CHECK(scores.f1_strict >= 0.85);
}
