// Alignment scores (aligner/scoring.h) on small hand-made beads and unit
// TSVs whose figures are worked out in the comments, and `untm eval` as users
// run it: output formats, exit codes and error messages. Agreement with the
// reference scorer on real data is in test_scoring_reference.cc.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "aligner/errors.h"
#include "aligner/scoring.h"
#include "tests/test_support.h"

using namespace untm;
using test::run_untm;
using test::shell_quote;
using test::TempDir;
using test::write_file;

namespace {

std::vector<ScoredBead> beads(const std::string& text) { return parse_beads(text, "beads"); }

UnitTable table(const std::string& text, const std::string& path = "units.tsv") {
  return parse_unit_table(text, path);
}

std::string q(const std::filesystem::path& path) { return shell_quote(path.string()); }

// Gold and test of the strict/lax example below.
const std::string kGold = "[0]:[0]\n[1, 2]:[1]\n[3]:[2, 3]\n[]:[4]\n[4]:[]\n[5]:[5]\n";
const std::string kTest = "[0]:[0]\n[1]:[1]\n[2]:[]\n[3]:[2, 3]\n[]:[4]\n[5]:[6]\n";

}  // namespace

TEST_CASE("parse_beads reads beads as alignscore.py does", "[scoring]") {
  CHECK(beads("[0]:[0, 1]\n") == std::vector<ScoredBead>{{{0}, {0, 1}}});
  // Optional score field, empty fields, blank lines, spaces, tuples, CR LF.
  CHECK(beads("\n  [1,2]:[3]:0.75 \r\n:[]:[5]\n\n(4,):()\r[6]  :  [7,]\n") ==
        std::vector<ScoredBead>{{{1, 2}, {3}}, {{}, {5}}, {{4}, {}}, {{6}, {7}}});
  // Written order and repeats are kept: the reference compares the tuples.
  CHECK(beads("[2, 1, 1]:[0]\n") == std::vector<ScoredBead>{{{2, 1, 1}, {0}}});
  // White space around the line is any Unicode white space, as str.strip().
  CHECK(beads("\xE3\x80\x80[0]:[1]\xC2\xA0\n") == std::vector<ScoredBead>{{{0}, {1}}});
  // Python integer literals.
  CHECK(beads("[0x1f, 1_000, -1, 00]:[0b1]  # comment\n") == std::vector<ScoredBead>{{{31, 1000, -1, 0}, {1}}});
  CHECK(beads("").empty());

  for (const char* bad : {"[0]\n", "[0] [1]\n", "[01]:[1]\n", "(0):[1]\n", "[0, x]:[1]\n", "[0 1]:[1]\n",
                          "[0]:\xC2\xA0[1]\n", "[0.5]:[1]\n", "0:1\n"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(beads(bad), InputError);
  }
  CHECK_THROWS_WITH(parse_beads("[0]:[0]\n\n[1] [2]\n", "run.align"),
                    "run.align:3: expected '[src ids]:[tgt ids]', got '[1] [2]'. Write one bead per line, such as "
                    "[0, 1]:[2] (0-based line numbers; []:[5] for an insertion).");
  // The line is shown as Python's repr() shows it.
  CHECK_THROWS_WITH(parse_beads("it's\t\xC2\xA0x\n", "b"), Catch::Contains("got \"it's\\t\\xa0x\""));
  CHECK_THROWS_AS(parse_beads("[0]:[1] \xC3\x28\n", "b"), EncodingError);
}

TEST_CASE("count_beads: strict and lax, 0-n beads, duplicates", "[scoring]") {
  // Test [0]:[0], [3]:[2, 3] and []:[4] are gold beads (strict and lax).
  // [1]:[1] is not, but gold gives source 1 the target 1: lax only.
  // [2]:[] reaches no target; [5]:[6] reaches 5, not 6: wrong both ways.
  CHECK(count_beads(beads(kGold), beads(kTest)) == BeadCounts{3, 3, 4, 2});
  // Duplicates collapse and beads empty on both sides are dropped.
  CHECK(count_beads(beads(kGold), beads(kTest + kTest + "[]:[]\n")) == BeadCounts{3, 3, 4, 2});
  CHECK(count_beads(beads(kGold), {}) == BeadCounts{});
}

TEST_CASE("score_beads: precision over every test bead, recall over 1-1+ beads with roles swapped", "[scoring]") {
  // Precision (above): strict 3 of 6, lax 4 of 6.
  // Recall: gold without 0-n beads is [0]:[0], [1, 2]:[1], [3]:[2, 3], [5]:[5]
  // scored against the test's [0]:[0], [1]:[1], [3]:[2, 3], [5]:[6]: strict 2
  // of 4; lax 3 of 4 ([1, 2]:[1] reaches the test's target 1 from source 1).
  const BeadScores s = score_beads({beads(kTest)}, {beads(kGold)});
  CHECK(s.precision_strict == 0.5);
  CHECK(s.recall_strict == 0.5);
  CHECK(s.f1_strict == 0.5);
  CHECK(s.precision_lax == 4.0 / 6.0);
  CHECK(s.recall_lax == 0.75);
  CHECK(s.f1_lax == Approx(12.0 / 17.0).epsilon(1e-15));  // 2 * 2/3 * 3/4 / (2/3 + 3/4)

  // 0-n test beads lower precision only.
  const BeadScores with_insertions = score_beads({beads("[0]:[0]\n[]:[1]\n[1]:[]\n")}, {beads("[0]:[0]\n")});
  CHECK(with_insertions.precision_strict == 1.0 / 3.0);
  CHECK(with_insertions.recall_strict == 1.0);

  // Nothing to score: 0.0, not a division by zero.
  const BeadScores empty = score_beads({beads("")}, {beads("")});
  CHECK(empty.precision_strict == 0.0);
  CHECK(empty.recall_lax == 0.0);
  CHECK(empty.f1_lax == 0.0);

  // Counts are summed over files, not averaged: 1 of 1 and 1 of 3 is 2 of 4
  // (the mean of the files' precisions would be 2/3).
  const BeadScores two = score_beads({beads("[0]:[0]\n"), beads("[0]:[0]\n[1]:[2]\n[2]:[1]\n")},
                                     {beads("[0]:[0]\n"), beads("[0]:[0]\n[1]:[1]\n[2]:[2]\n")});
  CHECK(two.precision_strict == 0.5);
  CHECK(two.recall_strict == 0.5);

  CHECK_THROWS_AS(score_beads({beads("")}, {}), ArgumentError);
}

TEST_CASE("merge_in_groups merges consecutive beads inside one group on both sides", "[scoring]") {
  // Sentences 1-2 of each side are group "b"; 3 is "c" on the source side,
  // and target 3 is in "b".
  BeadGroups groups;
  groups.src = {"a", "b", "b", "c", "d"};
  groups.tgt = {"a", "b", "b", "b", "d"};
  // Unsorted input: sorting by first id brings [1]:[2] and [2]:[1] together;
  // the 0-n bead []:[3] is sorted by its target and lies in "b" too.
  const auto merged = merge_in_groups(beads("[2]:[1]\n[0]:[0]\n[]:[3]\n[1]:[2]\n[4]:[4]\n"), groups);
  CHECK(merged == std::vector<ScoredBead>{{{0}, {0}}, {{1, 2}, {1, 2, 3}}, {{4}, {4}}});

  // A bead across groups ([2]:[4] is in "b" and "d") is never merged and
  // ends the run: []:[3] in "b" is not merged into [1]:[1].
  CHECK(merge_in_groups(beads("[1]:[1]\n[2]:[4]\n[]:[3]\n"), groups) ==
        std::vector<ScoredBead>{{{1}, {1}}, {{2}, {4}}, {{}, {3}}});
  // Equal first ids sort by the bead ([2] before [2, 3]); [2, 3]:[2] spans
  // "b" and "c".
  CHECK(merge_in_groups(beads("[1]:[1]\n[2, 3]:[2]\n[2]:[3]\n"), groups) ==
        std::vector<ScoredBead>{{{1, 2}, {1, 3}}, {{2, 3}, {2}}});
  // Identical beads in one group merge into one; beads empty on both sides
  // have no group.
  CHECK(merge_in_groups(beads("[1]:[1]\n[1]:[1]\n[]:[]\n[]:[]\n"), groups) ==
        std::vector<ScoredBead>{{{}, {}}, {{}, {}}, {{1}, {1}}});
  // Group ids are compared as strings across sides, after strip().
  CHECK(parse_group_ids("Gen:1:1\r\n Gen:1:2 \n\n") == std::vector<std::string>{"Gen:1:1", "Gen:1:2", ""});

  // Merged test beads then match a verse-level gold bead.
  const BeadScores s = score_beads({beads("[0]:[0]\n[1]:[1]\n[2]:[2, 3]\n")}, {beads("[0]:[0]\n[1, 2]:[1, 2, 3]\n")},
                                   &groups);
  CHECK(s.precision_strict == 1.0);
  CHECK(s.recall_strict == 1.0);

  groups.src_path = "src.verse";
  CHECK_THROWS_WITH(merge_in_groups(beads("[7]:[0]\n"), groups, "run.align"),
                    "run.align: the bead [7]:[0] uses source sentence 7, but src.verse gives group ids for 5 sentence "
                    "lines. Give --groups files for the texts the beads number.");
}

TEST_CASE("squash_white_space: NFC, then every Python white space character removed", "[scoring]") {
  CHECK(squash_white_space("  Hello \t world \n") == "Helloworld");
  // NBSP, ideographic space, thin space, ogham, line/paragraph separators,
  // NEL, the \x1c-\x1f separators, narrow NBSP, medium math space.
  CHECK(squash_white_space("a\xC2\xA0" "b\xE3\x80\x80" "c\xE2\x80\x89" "d\xE1\x9A\x80" "e\xE2\x80\xA8" "f\xE2\x80\xA9"
                           "g\xC2\x85" "h\x1C\x1D\x1E\x1Fi\xE2\x80\xAF" "j\xE2\x81\x9F" "k\x0B\x0Cl") == "abcdefghijkl");
  // Not white space in Python: zero-width space, BOM, word joiner, Mongolian vowel separator.
  CHECK(squash_white_space("a\xE2\x80\x8B" "b\xEF\xBB\xBF" "c\xE2\x81\xA0" "d\xE1\xA0\x8E") ==
        "a\xE2\x80\x8B" "b\xEF\xBB\xBF" "c\xE2\x81\xA0" "d\xE1\xA0\x8E");
  // e + combining acute is é after NFC; en quad (NFC: en space) is removed.
  CHECK(squash_white_space("Caf" "e\xCC\x81 \xE2\x80\x80!") == "Caf\xC3\xA9!");
  CHECK(squash_white_space("") == "");
  CHECK(is_python_space(0x3000));
  CHECK(is_python_space(0x85));
  CHECK_FALSE(is_python_space(0x200B));
  CHECK_FALSE(is_python_space(0x180E));
}

TEST_CASE("score_units: content-based unit scores", "[scoring]") {
  // Gold en-fr units: 3 (the last row has no French). Gold English text of
  // document A: "Helloworld.␞Secondone.␞"; of B: "Third.␞OnlyEnglish.␞".
  const UnitTable gold = table(
      "key\tid\ten\tfr\n"
      "A\t1\tHello world.\tBonjour le monde.\n"
      "A\t2\tSecond one.\tDeuxi\xC3\xA8me.\n"
      "B\t3\tThird.\tTroisi\xC3\xA8me.\n"
      "B\t4\tOnly English.\t\n",
      "gold.tsv");
  // The masthead is outside A's gold text: not counted. "Second" is inside
  // "Secondone.": counted, wrong. Document C has no gold: not counted. The
  // duplicate row counts once; the row without French is no unit.
  // Inside: Hello, Second, Third -> precision 2/3; recall 2/3.
  const UnitTable test = table(
      "key\ten\tfr\n"
      "A\tUNITED NATIONS\tNATIONS UNIES\n"
      "A\tHello  world.\tBonjour le monde.\n"
      "A\tHello world.\tBonjour le monde.\n"
      "A\tSecond\tDeuxi\xC3\xA8me\n"
      "B\tThird.\tTroisi\xC3\xA8me.\n"
      "B\tOnly English.\t \n"
      "C\tThird.\tTroisi\xC3\xA8me.\n",
      "test.tsv");
  auto scores = score_units(test, gold);
  REQUIRE(scores.size() == 1);  // "id" is not a language
  CHECK(scores[0].first == "en-fr");
  CHECK(scores[0].second.gold == 3);
  CHECK(scores[0].second.test == 3);
  CHECK(scores[0].second.precision == 2.0 / 3.0);
  CHECK(scores[0].second.recall == 2.0 / 3.0);
  CHECK(scores[0].second.f1 == Approx(2.0 / 3.0).epsilon(1e-15));

  SECTION("fr-en: the inside test uses the x side") {
    // French text of A: "Bonjourlemonde.␞Deuxième.␞": "NATIONSUNIES" is
    // outside; "Deuxième" inside; the C row is outside (no gold C).
    auto fr = score_units(test, gold, {"fr-en"});
    REQUIRE(fr.size() == 1);
    CHECK(fr[0].second.test == 3);
    CHECK(fr[0].second.precision == 2.0 / 3.0);
  }
  SECTION("unkeyed: without a key column on both sides, documents are one text") {
    const UnitTable unkeyed = table(
        "en\tfr\n"
        "UNITED NATIONS\tNATIONS UNIES\n"
        "Hello world.\tBonjour le monde.\n"
        "Third.\tTroisi\xC3\xA8me.\n"
        "world.\xE2\x90\x9E" "Second\tBonjour\n"  // spans two gold rows through the separator
        "Only English. Third.\tx\n");            // not inside: "␞" is between the rows
    // Inside: Hello, Third and the row through the separator; hit 2.
    // (All gold text: "Helloworld.␞Secondone.␞Third.␞OnlyEnglish.␞".)
    auto s = score_units(unkeyed, gold);
    CHECK(s[0].second.test == 3);
    CHECK(s[0].second.precision == 2.0 / 3.0);
    CHECK(s[0].second.recall == 2.0 / 3.0);
  }
  SECTION("white space of any kind and NFC do not matter; other characters do") {
    const UnitTable spaced = table(
        "key\ten\tfr\n"
        "A\tHello\xC2\xA0world.\tBonjour\xE3\x80\x80le\xE2\x80\x89monde.\n"
        "A\tSecond one.\tDeuxie\xCC\x80me.\n"                                // decomposed è
        "B\tThird.\tTroisi\xC3\xA8me.\xE2\x80\x8B\n");                       // zero-width space: a miss
    auto s = score_units(spaced, gold);
    CHECK(s[0].second.test == 3);
    CHECK(s[0].second.precision == 2.0 / 3.0);
    CHECK(s[0].second.recall == 2.0 / 3.0);
  }
  SECTION("empty test: 0.0 everywhere") {
    auto s = score_units(table("key\ten\tfr\n"), gold);
    CHECK(s[0].second.test == 0);
    CHECK(s[0].second.precision == 0.0);
    CHECK(s[0].second.f1 == 0.0);
  }
  SECTION("pairs: every pair of the gold's languages in header order; a repeated pair once") {
    const UnitTable three = table("key\ten\tar\tes\nA\ta\tb\tc\n");
    auto all = score_units(three, three);
    REQUIRE(all.size() == 3);
    CHECK(all[0].first == "en-ar");
    CHECK(all[1].first == "en-es");
    CHECK(all[2].first == "ar-es");
    CHECK(all[2].second.precision == 1.0);
    auto asked = score_units(three, three, {"es-ar", "en-ar", "es-ar"});
    REQUIRE(asked.size() == 2);
    CHECK(asked[0].first == "es-ar");
  }
  SECTION("errors") {
    CHECK_THROWS_WITH(score_units(table("key\ten\n", "t.tsv"), gold),
                      "t.tsv: no column 'fr' in the header ('key', 'en'). Give a test TSV with a column for each "
                      "language of en-fr, or leave that pair out of --pair.");
    CHECK_THROWS_WITH(score_units(test, gold, {"en-ar"}),
                      "test.tsv: no column 'ar' in the header ('key', 'en', 'fr'). Give a test TSV with a column for "
                      "each language of en-ar, or leave that pair out of --pair.");
    CHECK_THROWS_AS(score_units(test, gold, {"en"}), ArgumentError);
    CHECK_THROWS_AS(score_units(test, gold, {"en-fr-ar"}), ArgumentError);
    CHECK_THROWS_WITH(score_units(test, table("key\ten\n", "g.tsv")),
                      "g.tsv: the header ('key', 'en') has fewer than two language columns, so there is no pair to "
                      "score. Name the columns of the gold TSV by two-letter ISO 639-1 codes such as en and ar.");
  }
}

TEST_CASE("untm eval --beads: output formats", "[scoring][cli]") {
  TempDir dir;
  write_file(dir / "gold.align", kGold);
  write_file(dir / "test.align", kTest);
  const std::string files = " -t " + q(dir / "test.align") + " -g " + q(dir / "gold.align");

  auto text = run_untm("eval --beads" + files);
  CHECK(text.exit_code == 0);
  CHECK(text.err.empty());
  CHECK(text.out ==
        "precision_strict\t0.500\nrecall_strict\t0.500\nf1_strict\t0.500\n"
        "precision_lax\t0.667\nrecall_lax\t0.750\nf1_lax\t0.706\n");

  // As Python's json.dumps prints it (float repr included).
  auto json = run_untm("eval --beads --json" + files);
  CHECK(json.exit_code == 0);
  CHECK(json.out ==
        "{\"precision_strict\": 0.5, \"recall_strict\": 0.5, \"f1_strict\": 0.5, \"precision_lax\": "
        "0.6666666666666666, \"recall_lax\": 0.75, \"f1_lax\": 0.7058823529411765}\n");

  // Several files are paired by position; --groups merges.
  write_file(dir / "src.verse", "a\nb\nb\n");
  write_file(dir / "tgt.verse", "a\nb\nb\n");
  write_file(dir / "verse_gold.align", "[0]:[0]\n[1, 2]:[1, 2]\n");
  write_file(dir / "split.align", "[0]:[0]\n[1]:[1]\n[2]:[2]\n");
  const std::string verses = " -t " + q(dir / "split.align") + " " + q(dir / "split.align") + " -g " +
                             q(dir / "verse_gold.align") + " " + q(dir / "verse_gold.align");
  auto split = run_untm("eval --beads --json" + verses);
  CHECK(split.out.starts_with("{\"precision_strict\": 0.3333333333333333, \"recall_strict\": 0.5,"));
  auto merged = run_untm("eval --beads" + verses + " --groups " + q(dir / "src.verse") + " " + q(dir / "tgt.verse"));
  CHECK(merged.exit_code == 0);
  CHECK(merged.out.starts_with("precision_strict\t1.000\nrecall_strict\t1.000\n"));
}

TEST_CASE("untm eval --units: output formats", "[scoring][cli]") {
  TempDir dir;
  write_file(dir / "gold.tsv", "key\ten\tar\tes\nA\tOne.\tar1\tUno.\nA\tTwo.\tar2\tDos.\nA\tThree.\tar3\tTres.\n");
  write_file(dir / "test.tsv", "key\tes\ten\tar\nA\tUno.\tOne.\tar1\nA\tDos. Tres.\tTwo.\tar2 ar3\n");
  const std::string files = " --units " + q(dir / "test.tsv") + " --gold " + q(dir / "gold.tsv");

  // en-x: both test units are inside the gold English ("Two." is a gold
  // row), one is right: P 1/2, R 1/3. ar-es: "ar2ar3" is not inside
  // "ar1␞ar2␞ar3␞", so only the right unit counts: P 1, R 1/3.
  auto text = run_untm("eval" + files);
  CHECK(text.exit_code == 0);
  CHECK(text.out ==
        "en-ar\tP 0.500\tR 0.333\tF1 0.400\t(gold 3, test 2)\n"
        "en-es\tP 0.500\tR 0.333\tF1 0.400\t(gold 3, test 2)\n"
        "ar-es\tP 1.000\tR 0.333\tF1 0.500\t(gold 3, test 1)\n");

  auto json = run_untm("eval --json --pair es-ar" + files);
  CHECK(json.exit_code == 0);
  CHECK(json.out ==
        "{\"es-ar\": {\"precision\": 1.0, \"recall\": 0.3333333333333333, \"f1\": 0.5, \"gold\": 3, \"test\": 1}}\n");

  // -g for --gold, -t for the test TSV, --pair with no value = every pair.
  auto short_names = run_untm("eval --units -t " + q(dir / "test.tsv") + " -g " + q(dir / "gold.tsv") + " --pair");
  CHECK(short_names.exit_code == 0);
  CHECK(short_names.out == text.out);
}

TEST_CASE("untm eval: usage and input errors", "[scoring][cli]") {
  TempDir dir;
  write_file(dir / "gold.align", kGold);
  write_file(dir / "bad.align", "[0]:[0]\n[1]-[1]\n");
  write_file(dir / "gold.tsv", "key\ten\tar\nA\tOne.\tar1\n");
  write_file(dir / "test.tsv", "key\ten\tfr\nA\tOne.\tUn.\n");
  const std::string gold = q(dir / "gold.align");

  auto help = run_untm("eval --help");
  CHECK(help.exit_code == 0);
  for (const char* word : {"--beads", "--units", "--gold", "--groups", "--pair", "--json", "strict", "lax",
                           "precision_strict", "(gold 100, test 98)", "Exit codes"}) {
    CAPTURE(word);
    CHECK(help.out.find(word) != std::string::npos);
  }

  auto neither = run_untm("eval -t " + gold + " -g " + gold);
  CHECK(neither.exit_code == 2);
  CHECK(neither.err ==
        "untm: error: say what to score: --beads -t TEST... -g GOLD... (bead files) or --units TEST.tsv --gold "
        "GOLD.tsv (unit TSVs); see 'untm eval --help'\n");
  auto both = run_untm("eval --beads --units " + q(dir / "test.tsv") + " -g " + gold);
  CHECK(both.exit_code == 2);
  CHECK(both.err == "untm: error: give --beads or --units, not both\n");

  auto uneven = run_untm("eval --beads -t " + gold + " " + gold + " -g " + gold);
  CHECK(uneven.exit_code == 2);
  CHECK(uneven.err ==
        "untm: error: give as many test files as gold files: got 2 test files (-t) and 1 gold file (-g). Test and "
        "gold files are paired by position: give one gold file for each test file, in the same order.\n");
  CHECK(uneven.out.empty());

  auto no_gold = run_untm("eval --beads -t " + gold);
  CHECK(no_gold.exit_code == 2);
  CHECK(no_gold.err == "untm: error: --beads needs the gold bead files: -g GOLD... (see 'untm eval --help')\n");

  auto pair_for_beads = run_untm("eval --beads -t " + gold + " -g " + gold + " --pair en-ar");
  CHECK(pair_for_beads.exit_code == 2);
  auto one_group_file = run_untm("eval --beads -t " + gold + " -g " + gold + " --groups " + gold);
  CHECK(one_group_file.exit_code == 2);
  auto two_golds = run_untm("eval --units " + q(dir / "test.tsv") + " -g " + q(dir / "gold.tsv") + " " +
                            q(dir / "gold.tsv"));
  CHECK(two_golds.exit_code == 2);
  CHECK(two_golds.err == "untm: error: --units takes one gold TSV (--gold GOLD.tsv), got 2\n");
  auto bad_pair = run_untm("eval --units " + q(dir / "gold.tsv") + " -g " + q(dir / "gold.tsv") + " --pair enar");
  CHECK(bad_pair.exit_code == 2);
  CHECK(bad_pair.err == "untm: error: --pair enar: expected two language columns joined by '-', such as en-ar\n");

  const std::string missing = (dir / "missing.align").string();
  auto unreadable = run_untm("eval --beads -t " + shell_quote(missing) + " -g " + gold);
  CHECK(unreadable.exit_code == 3);
  CHECK(unreadable.err ==
        "untm: error: " + missing + ": cannot read the file (No such file or directory). Check the path.\n");

  const std::string bad = (dir / "bad.align").string();
  auto malformed = run_untm("eval --beads -t " + shell_quote(bad) + " -g " + gold);
  CHECK(malformed.exit_code == 3);
  CHECK(malformed.err == "untm: error: " + bad +
                             ":2: expected '[src ids]:[tgt ids]', got '[1]-[1]'. Write one bead per line, such as "
                             "[0, 1]:[2] (0-based line numbers; []:[5] for an insertion).\n");
  CHECK(malformed.out.empty());

  write_file(dir / "latin1.align", "[0]:[0]\n\xE9\n");
  auto latin1 = run_untm("eval --beads -t " + q(dir / "latin1.align") + " -g " + gold);
  CHECK(latin1.exit_code == 3);
  CHECK(latin1.err.find("latin1.align: invalid UTF-8 at byte 8 (0xE9): the file is not UTF-8.") != std::string::npos);

  const std::string test_tsv = (dir / "test.tsv").string();
  auto no_column = run_untm("eval --units " + shell_quote(test_tsv) + " --gold " + q(dir / "gold.tsv"));
  CHECK(no_column.exit_code == 3);
  CHECK(no_column.err == "untm: error: " + test_tsv +
                             ": no column 'ar' in the header ('key', 'en', 'fr'). Give a test TSV with a column for "
                             "each language of en-ar, or leave that pair out of --pair.\n");
}
