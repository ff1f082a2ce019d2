// A document set read, checked and aligned as `untm align` and `untm batch`
// do (aligner/document_set.h), and turned into the record the TM stores
// (tm/aligned_document.h).
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "aligner/document_cleaner.h"
#include "aligner/document_set.h"
#include "aligner/errors.h"
#include "aligner/normalizer.h"
#include "aligner/sha256.h"
#include "aligner/text_reader.h"
#include "tests/test_support.h"
#include "tm/aligned_document.h"

using namespace untm;
using untm::test::error_of;
using untm::test::read_file;
using untm::test::TempDir;
using untm::test::write_file;

namespace {

const std::filesystem::path kCorpus = test::source_dir() / "corpora" / "libya-contact-group-2011";

const std::string kArabic =
    "1. يرحب المشاركون بالتقدم المحرز منذ مؤتمر لندن في دعم الشعب الليبي.\n"
    "2. واتفق المشاركون على الاجتماع مرة أخرى في روما.\n";
const std::string kEnglish =
    "1. Participants welcomed the progress made since the London Conference in supporting the Libyan people.\n"
    "2. Participants agreed that the Group would meet again in Rome.\n";
const std::string kFrench =
    "1. Les participants se sont félicités des progrès accomplis depuis la Conférence de Londres pour soutenir le "
    "peuple libyen.\n"
    "2. Les participants sont convenus que le Groupe se réunirait de nouveau à Rome.\n";

DocumentSetInput input_of(const std::vector<std::string>& paths) {
  DocumentSetInput input;
  for (const auto& p : paths) input.files.push_back({p, std::nullopt});
  return input;
}

std::string corpus_file(const std::string& lang) { return (kCorpus / (lang + ".txt")).string(); }

bool has_warning(const AlignedDocumentSet& set, const std::string& warning) {
  return std::find(set.warnings.begin(), set.warnings.end(), warning) != set.warnings.end();
}

}  // namespace

TEST_CASE("document set: the seed corpus, languages from the file names") {
  const AlignedDocumentSet set = align_document_set(input_of({corpus_file("zh"), corpus_file("en"), corpus_file("ar")}));
  CHECK(set.key == "libya-contact-group-2011");
  REQUIRE(set.versions.size() == 3);
  REQUIRE(set.documents.size() == 3);
  const std::vector<std::string> langs = {"zh", "en", "ar"};
  for (std::size_t i = 0; i < 3; ++i) {
    INFO(langs[i]);
    const VersionReport& v = set.versions[i];
    const std::string bytes = read_file(corpus_file(langs[i]));
    CHECK(v.path == corpus_file(langs[i]));
    CHECK(v.lang == langs[i]);
    CHECK(v.lang_source == "file name");
    CHECK(v.detected_lang == langs[i]);
    CHECK(v.sha256 == sha256_hex(bytes));
    CHECK(v.bytes == bytes.size());
    CHECK(v.encoding == "UTF-8");
    CHECK(v.replaced == 0);
    // Counts as cleaning the file on its own gives them.
    const Document alone = clean_document(read_text_file(corpus_file(langs[i])).text, langs[i]);
    std::size_t sentences = 0;
    for (const auto& p : alone.paragraphs) sentences += p.sentences.size();
    CHECK(v.paragraphs == alone.paragraphs.size());
    CHECK(v.sentences == sentences);
    CHECK(set.documents[i].lang == langs[i]);
    CHECK(set.documents[i].path == v.path);
  }
  CHECK(set.alignment.langs == langs);
  CHECK(set.alignment.units.size() == 64);  // as the hand-made gold
  CHECK(set.warnings.empty());
}

TEST_CASE("document set: given languages, a given key") {
  DocumentSetInput input;
  input.key = "LCG-Doha";
  input.files = {{corpus_file("en"), "en"}, {corpus_file("ar"), "ar"}};
  const AlignedDocumentSet set = align_document_set(input);
  CHECK(set.key == "LCG-Doha");
  CHECK(set.versions[0].lang_source == "given");
  CHECK(set.versions[1].lang_source == "given");
  CHECK(set.alignment.langs[set.alignment.pivot] == "ar");  // the original, "[Original: Arabic]"
}

TEST_CASE("document set: bytes the caller has read already are used, not the files") {
  TempDir dir;
  DocumentSetInput input;
  input.key = "given-bytes";
  // No such files: the bytes stand for them (untm batch reads and hashes
  // each file once).
  input.files = {{(dir / "gone.en.txt").string(), std::nullopt, kEnglish, "given-hash"},
                 {(dir / "gone.fr.txt").string(), std::nullopt, kFrench, std::nullopt}};
  const AlignedDocumentSet set = align_document_set(input);
  REQUIRE(set.versions.size() == 2);
  CHECK(set.versions[0].lang == "en");
  CHECK(set.versions[0].sha256 == "given-hash");
  CHECK(set.versions[0].bytes == kEnglish.size());
  CHECK(set.versions[1].sha256 == sha256_hex(kFrench));
  CHECK(set.alignment.units.size() == 2);
}

TEST_CASE("document set: a detected language is reported") {
  TempDir dir;
  write_file(dir / "statement.txt", kEnglish);
  write_file(dir / "statement.fr.txt", kFrench);
  const auto path = (dir / "statement.txt").string();
  const AlignedDocumentSet set = align_document_set(input_of({path, (dir / "statement.fr.txt").string()}));
  CHECK(set.key == "statement");
  CHECK(set.versions[0].lang == "en");
  CHECK(set.versions[0].lang_source == "detected");
  CHECK(set.versions[1].lang_source == "file name");
  REQUIRE(set.warnings.size() == 1);
  CHECK(set.warnings[0].starts_with(path + ": language detected as en (Latin script and function words, confidence "));
  CHECK(set.warnings[0].ends_with("); name the file NAME.LANG.txt or give its language (untm align --langs) to be sure"));
}

TEST_CASE("document set: an Arabic file named .en.txt is reported, with the fix") {
  TempDir dir;
  std::filesystem::create_directories(dir / "ar");
  const auto wrong = (dir / "ar" / "report.en.txt").string();
  const auto fr = (dir / "ar" / "report.fr.txt").string();
  write_file(wrong, kArabic);
  write_file(fr, kFrench);
  const AlignedDocumentSet set = align_document_set(input_of({wrong, fr}));
  CHECK(set.versions[0].lang == "en");  // the name is trusted, the user is told
  CHECK(set.versions[0].detected_lang == "ar");
  CHECK(set.versions[0].detected_confidence == 1.0);
  CHECK(set.versions[1].detected_lang == "fr");
  CHECK(has_warning(set, wrong +
                             ": the file name says en (English) but the text looks Arabic (Arabic script, confidence "
                             "1.00); check that the right file is there, or rename it"));

  // Given languages in the wrong order: the hint is the order.
  DocumentSetInput input;
  input.files = {{wrong, "fr"}, {fr, "en"}};
  const AlignedDocumentSet given = align_document_set(input);
  CHECK(has_warning(given, wrong +
                               ": given as fr (French) but the text looks Arabic (Arabic script, confidence 1.00); "
                               "check that the right file is there and the languages are given in file order"));
  CHECK(std::count_if(given.warnings.begin(), given.warnings.end(),
                      [&](const std::string& w) { return w.starts_with(fr + ": given as en (English) but the text looks French"); }) == 1);
}

TEST_CASE("document set: numbered paragraph counts that differ are reported with both files") {
  TempDir dir;
  const auto en = (dir / "doc.en.txt").string();
  const auto fr = (dir / "doc.fr.txt").string();
  write_file(en, kEnglish + "3. The Chair thanked the host.\n");
  write_file(fr, kFrench);
  const AlignedDocumentSet set = align_document_set(input_of({fr, en}));
  CHECK(set.alignment.langs[set.alignment.pivot] == "en");
  CHECK(has_warning(set, fr + " has 2 numbered paragraphs, " + en +
                             " has 3; check that both files hold the whole document, in the same revision"));

  write_file(fr, kFrench + "3. La présidence a remercié l'hôte.\n");
  CHECK(align_document_set(input_of({fr, en})).warnings.empty());
}

TEST_CASE("document set: replaced bytes are reported (lossy)") {
  TempDir dir;
  const auto en = (dir / "doc.en.txt").string();
  const auto fr = (dir / "doc.fr.txt").string();
  write_file(en, kEnglish + "3. It agreed \xC3\x28 to meet again.\n");
  write_file(fr, kFrench + "3. Il est convenu de se réunir de nouveau.\n");
  CHECK_THROWS_AS(align_document_set(input_of({en, fr})), EncodingError);
  DocumentSetOptions options;
  options.lossy = true;
  const AlignedDocumentSet set = align_document_set(input_of({en, fr}), options);
  CHECK(set.versions[0].replaced == 1);
  // The hash is of the bytes on disk, not of the repaired text.
  CHECK(set.versions[0].sha256 == sha256_hex(read_file(en)));
  CHECK(has_warning(set, en + ": replaced 1 invalid byte sequence with U+FFFD (--lossy)"));
}

TEST_CASE("document set: errors name the files and the fix") {
  TempDir dir;
  const auto en = (dir / "doc.en.txt").string();
  const auto fr = (dir / "doc.fr.txt").string();
  write_file(en, kEnglish);
  write_file(fr, kFrench);

  CHECK(error_of([&] { align_document_set(input_of({en})); }) ==
        "a document set: 1 file; aligning needs 2 to 6 language versions of one document, one file per language.");
  DocumentSetInput seven = input_of({en, fr, en, fr, en, fr, en});
  seven.key = "S_2011_463";
  CHECK(error_of([&] { align_document_set(seven); }) ==
        "document S_2011_463: 7 files; aligning needs 2 to 6 language versions of one document, one file per "
        "language.");
  CHECK_THROWS_AS(align_document_set(seven), ArgumentError);

  const auto also_en = (dir / "other.en.txt").string();
  write_file(also_en, kEnglish);
  CHECK(error_of([&] { align_document_set(input_of({en, also_en})); }) ==
        "two versions are in the same language (en): " + en + " (file name) and " + also_en +
            " (file name). Give one file per language; check the file names or the languages given.");

  // The same bytes under two languages: a copy in place of a translation.
  const auto copy = (dir / "doc.es.txt").string();
  write_file(copy, kEnglish);
  CHECK(error_of([&] { align_document_set(input_of({en, fr, copy})); }) ==
        en + " (en) and " + copy +
            " (es) have the same content, byte for byte: one of them is not the translation it is named as. Put "
            "the right version in its place.");
  CHECK_THROWS_AS(align_document_set(input_of({en, copy})), ArgumentError);
  DocumentSetInput twice;
  twice.files = {{en, "en"}, {en, "fr"}};
  CHECK(error_of([&] { align_document_set(twice); }) ==
        en + " is given twice (as en and fr). Give each language version once.");

  const auto digits = (dir / "table.txt").string();
  write_file(digits, "1 2 3\n");
  CHECK(error_of([&] { align_document_set(input_of({en, digits})); }) ==
        digits + ": cannot tell the language (no letters). Name the file LANG.txt or NAME.LANG.txt, or give its "
                 "language (untm align --langs).");
  CHECK_THROWS_AS(align_document_set(input_of({en, digits})), ArgumentError);

  DocumentSetInput bad_code;
  bad_code.files = {{en, "english"}, {fr, "fr"}};
  CHECK(error_of([&] { align_document_set(bad_code); }) ==
        en + ": 'english' is not a language code. Give a two-letter ISO 639-1 code such as ar, zh, en, fr, ru or es.");

  const auto missing = (dir / "missing.ar.txt").string();
  CHECK(error_of([&] { align_document_set(input_of({en, missing})); }) ==
        missing + ": cannot read the file (No such file or directory). Check the path.");
  CHECK_THROWS_AS(align_document_set(input_of({en, missing})), InputError);
  CHECK(error_of([&] { align_document_set(input_of({en, dir.path().string()})); }) ==
        dir.path().string() + ": cannot read the file (it is a directory). Check the path.");

  const auto empty = (dir / "empty.ar.txt").string();
  write_file(empty, "");
  CHECK(error_of([&] { align_document_set(input_of({en, empty})); }) ==
        empty + ": the file is empty. Give the text of the document (UTF-8 or UTF-16 with BOM).");

  DocumentSetOptions pivot;
  pivot.pivot = "ru";
  CHECK_THROWS_AS(align_document_set(input_of({en, fr}), pivot), ArgumentError);
}

TEST_CASE("document key for files given on a command line") {
  CHECK(document_key_for_files({(kCorpus / "zh.txt").string(), (kCorpus / "en.txt").string()}) ==
        "libya-contact-group-2011");
  CHECK(document_key_for_files({"docs/S_2011_463.en.txt", "docs/S_2011_463.fr.txt"}) == "S_2011_463");
  CHECK(document_key_for_files({"N1129765_C.txt", "N1129768_E.txt"}) == "N1129765");
  CHECK(document_key_for_files({"S-2011-463-ru.txt"}) == "S-2011-463");
  CHECK(document_key_for_files({"report.txt", "rapport.txt"}) == "report");
  CHECK(document_key_for_files({"plan_B.txt"}) == "plan_B");  // B is no UN language letter
  CHECK_THROWS_AS(document_key_for_files({}), ArgumentError);
}

TEST_CASE("to_stored_document: the seed corpus") {
  const AlignedDocumentSet set = align_document_set(input_of({corpus_file("zh"), corpus_file("en"), corpus_file("ar")}));
  const StoredDocument doc = to_stored_document(set);
  CHECK(doc.key == "libya-contact-group-2011");
  CHECK(doc.aligner_version == kAlignerVersion);
  CHECK(doc.original_lang == "ar");  // the annex's "[Original: Arabic]"
  CHECK_FALSE(doc.symbol);           // the seed gives none (see its README)
  REQUIRE(doc.versions.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(doc.versions[i].lang == set.versions[i].lang);
    CHECK(doc.versions[i].file_name == set.versions[i].path);
    CHECK(doc.versions[i].sha256 == sha256_hex(read_file(set.versions[i].path)));
    CHECK(doc.versions[i].paragraphs == set.versions[i].paragraphs);
    CHECK(doc.versions[i].sentences == set.versions[i].sentences);
  }
  REQUIRE(doc.units.size() == set.alignment.units.size());
  for (std::size_t u = 0; u < doc.units.size(); ++u) {
    INFO("unit " << u);
    const AlignedUnit& unit = set.alignment.units[u];
    CHECK(doc.units[u].paragraph_key == unit.paragraph_key);
    CHECK(doc.units[u].confidence == unit.confidence);
    CHECK(doc.units[u].status == UnitStatus::automatic);
    for (std::size_t v = 0; v < 3; ++v) {
      const auto it = doc.units[u].segments.find(set.alignment.langs[v]);
      if (unit.sentences[v].empty())
        CHECK(it == doc.units[u].segments.end());
      else
        CHECK((it != doc.units[u].segments.end() && it->second == unit_text(unit, v, set.documents[v])));
    }
  }
  CHECK(doc.units[0].segments.at("en").starts_with("Letter dated 14 April 2011 from the representatives"));
  CHECK(doc.units[1].segments.at("zh").starts_with("如你所知，英国政府和卡塔尔政府"));
  // The keys cleaning made go with the segments that are one sentence as
  // cleaned (the store then uses them): each is the text's matching key.
  std::size_t segments = 0, keyed = 0;
  for (const StoredUnit& unit : doc.units) {
    segments += unit.segments.size();
    for (const auto& [lang, key] : unit.keys) {
      INFO(lang << ": " << unit.segments.at(lang));
      CHECK(key == matching_key_text(unit.segments.at(lang)));
      ++keyed;
    }
  }
  CHECK(keyed > segments / 2);
  CHECK(keyed < segments);  // not those with a paragraph label put before them
}

TEST_CASE("to_stored_document: symbol from the original, sides without text left out") {
  AlignedDocumentSet set;
  set.key = "S_2011_463";
  Document fr;
  fr.lang = "fr";
  fr.properties.original_lang = "fr";
  fr.properties.symbol = "S/2011/463";
  fr.paragraphs.push_back({ParagraphKind::numbered, "1.", "1", "Le Conseil s'est réuni.", {{"Le Conseil s'est réuni.", 0, 24, {}}}, {}});
  fr.paragraphs.push_back({ParagraphKind::body, {}, {}, "", {{"", 0, 0, {}}}, {}});
  Document en;
  en.lang = "en";
  en.properties.original_lang = "fr";
  en.properties.symbol = "S/2011/46";  // a garbled masthead in the translation
  en.paragraphs.push_back({ParagraphKind::numbered, "1.", "1", "The Council met.", {{"The Council met.", 0, 16, {}}}, {}});
  en.paragraphs.push_back({ParagraphKind::body, {}, {}, "It closed.", {{"It closed.", 0, 10, {}}}, {}});
  set.documents = {en, fr};
  set.versions = {VersionReport{}, VersionReport{}};
  set.versions[0].lang = "en";
  set.versions[1].lang = "fr";
  set.alignment.langs = {"en", "fr"};
  set.alignment.pivot = 1;
  set.alignment.units.push_back({{{{0, 0}}, {{0, 0}}}, "1", 0.9, false});
  set.alignment.units.push_back({{{{1, 0}}, {}}, std::nullopt, 0.4, true});      // nothing on the fr side
  set.alignment.units.push_back({{{}, {{1, 0}}}, std::nullopt, 0.2, true});      // an empty fr sentence only

  const StoredDocument doc = to_stored_document(set);
  CHECK(doc.symbol == "S/2011/463");
  CHECK(doc.original_lang == "fr");
  REQUIRE(doc.units.size() == 2);  // the unit with no text in any language is not produced
  CHECK(doc.units[0].segments == std::map<std::string, std::string>{{"en", "1. The Council met."}, {"fr", "1. Le Conseil s'est réuni."}});
  CHECK(doc.units[0].keys.empty());  // sentences made by hand have no key
  CHECK(doc.units[0].paragraph_key == "1");
  CHECK(doc.units[1].segments == std::map<std::string, std::string>{{"en", "It closed."}});
  CHECK(doc.units[1].confidence == 0.4);

  // Without a stated original, the first version with a symbol.
  set.documents[0].properties.original_lang.reset();
  set.documents[1].properties.original_lang.reset();
  CHECK(to_stored_document(set).symbol == "S/2011/46");
  CHECK_FALSE(to_stored_document(set).original_lang);
}
