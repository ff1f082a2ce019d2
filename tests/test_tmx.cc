// TMX import and export: the writer and reader alone (escaping, control
// characters, trimming, order, props, languages, inline codes, hostile and
// broken files), export to TMX/TSV/Moses, and interoperability with
// xmllint's DTD validation and translate-toolkit.
#include <sys/inotify.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_support.h"
#include "tm/sqlite_handle.h"
#include "tm/tm_export.h"
#include "tm/tmx_reader.h"
#include "tm/tmx_writer.h"
#include "tm/translation_memory.h"

using namespace untm;
using namespace untm::test;

namespace {

const char* kHeaderLine =
    "<header creationtool=\"t\" creationtoolversion=\"1\" segtype=\"sentence\" o-tmf=\"t\" adminlang=\"en\" "
    "srclang=\"en\" datatype=\"plaintext\"/>";

// A TMX document around the given <tu> elements.
std::string tmx_with(const std::string& tus) {
  return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\">\n") + kHeaderLine +
         "\n<body>\n" + tus + "</body>\n</tmx>\n";
}

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Keeps what an import stores, as the TM would.
class MemorySink : public ImportSink {
 public:
  void begin(const StoredDocument& header) override {
    REQUIRE_FALSE(begun);
    begun = true;
    document = header;
  }
  void add(const StoredUnit& unit) override { document.units.push_back(unit); }
  void commit() override { committed = true; }

  bool begun = false;
  bool committed = false;
  StoredDocument document;
};

// The units of a stored document as the TM streams them back.
std::vector<UnitRecord> records_of(const StoredDocument& doc) {
  std::vector<UnitRecord> records;
  std::uint32_t position = 0;
  for (const auto& unit : doc.units) {
    UnitRecord r;
    r.id = ++position;
    r.document_key = doc.key;
    r.symbol = doc.symbol;
    r.original_lang = doc.original_lang;
    r.paragraph_key = unit.paragraph_key;
    r.position = position;
    r.confidence = unit.confidence;
    r.status = unit.status;
    r.segments = unit.segments;
    r.inline_codes = unit.inline_codes;
    records.push_back(std::move(r));
  }
  return records;
}

UnitSource source_of(const std::vector<UnitRecord>& records) {
  return [&records](const UnitVisitor& visit) {
    for (const auto& r : records) visit(r);
  };
}

UnitRecord record(std::map<std::string, std::string> segments, std::optional<std::string> original = "en",
                  std::optional<std::string> paragraph = "1", double confidence = 0.875) {
  UnitRecord r;
  r.document_key = "A/RES/55/100";
  r.symbol = "A/RES/55/100";
  r.original_lang = std::move(original);
  r.paragraph_key = std::move(paragraph);
  r.confidence = confidence;
  r.segments = std::move(segments);
  return r;
}

ExportOptions tmx_options(const std::filesystem::path& path) {
  ExportOptions options;
  options.tmx_path = path.string();
  options.tool_version = "0.1.0";
  options.creation_date = "20240101T000000Z";
  return options;
}

// Exports to a TMX file in `dir` and returns its bytes.
std::string export_tmx(const TempDir& dir, const std::vector<UnitRecord>& records, ExportOptions options,
                       ExportReport* report = nullptr) {
  auto path = dir / "out.tmx";
  options.tmx_path = path.string();
  ExportReport r = export_units(source_of(records), options);
  if (report) *report = r;
  return read_file(path);
}

ImportOptions import_options() {
  ImportOptions options;
  options.tool_version = "0.1.0";
  return options;
}

ImportReport import_text(const TempDir& dir, const std::string& xml, MemorySink& sink, const std::string& name = "in.tmx") {
  auto path = dir / name;
  write_file(path, xml);
  return import_tmx(path.string(), sink, import_options());
}

// Reads every unit of a TMX text.
std::vector<TmxUnit> read_all(const std::string& xml) {
  TmxReader reader(xml, "test.tmx");
  std::vector<TmxUnit> units;
  TmxUnit unit;
  while (reader.next(unit)) units.push_back(unit);
  return units;
}

std::string seg_of(const std::string& tmx, std::size_t n) {
  std::size_t pos = 0;
  for (std::size_t i = 0; i <= n; ++i) {
    pos = tmx.find("<seg>", pos);
    REQUIRE(pos != std::string::npos);
    pos += 5;
  }
  return tmx.substr(pos, tmx.find("</seg>", pos) - pos);
}

std::string capture(const std::string& command) {
  TempDir dir;
  auto out = dir / "out";
  int status = std::system((command + " >" + shell_quote(out.string()) + " 2>&1").c_str());
  std::string text = read_file(out);
  if (status != 0) return "exit " + std::to_string(status) + ": " + text;
  return text;
}

bool command_works(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

// python3 with translate-toolkit: the one on PATH, else Debian's (a pyenv
// python3 first on PATH does not see python3-translate).
std::optional<std::string> python_with_translate() {
  for (const char* python : {"python3", "/usr/bin/python3"})
    if (command_works(std::string(python) + " -c 'import translate'")) return std::string(python);
  return std::nullopt;
}

std::optional<std::filesystem::path> tmx_dtd() {
  auto shared = shared_dir();
  if (!shared) return std::nullopt;
  auto dtd = *shared / "tmx" / "tmx14.dtd";
  if (!std::filesystem::exists(dtd)) return std::nullopt;
  return dtd;
}

// A small document in three languages, with the things export must get
// right: escaping, an original language, a unit missing a language.
std::vector<UnitRecord> sample_records() {
  std::vector<UnitRecord> records;
  records.push_back(record({{"en", "The Assembly & the <Council> \"agree\"."},
                            {"zh", "大会与安理会\"一致\"。"},
                            {"ar", "توافق الجمعية والمجلس."}}));
  records.push_back(record({{"en", "Second sentence."}, {"zh", "第二句。"}}, "en", "(a)", 0.5));
  records.push_back(record({{"en", "Only English."}}, "en", std::nullopt, 1.0));
  records.push_back(record({{"fr", "Troisième."}, {"zh", "第三。"}, {"ar", "ثالثا."}}, "en", "2", 0.25));
  return records;
}

}  // namespace

// ---------------------------------------------------------------------------
// Writer

TEST_CASE("TMX writer escapes text, props and attributes", "[tmx]") {
  std::ostringstream out;
  TmxWriter writer(out, TmxHeader{"1.0 \"beta\" & <x>", "*all*", "20240101T000000Z"}, "mem.tmx");
  TmxProp props[] = {{"x-document", "A&B <1>"}, {"x-paragraph", "\"(a)\""}};
  TmxVariantView variants[] = {{"en", "a < b & c > d \"q\" 'a' ]]>", ""}, {"fr", "l'été & co", ""}};
  writer.write({"en", props, variants});
  writer.finish();
  const std::string xml = out.str();
  CHECK(xml.find("creationtoolversion=\"1.0 &quot;beta&quot; &amp; &lt;x&gt;\"") != std::string::npos);
  CHECK(xml.find("<prop type=\"x-document\">A&amp;B &lt;1&gt;</prop>") != std::string::npos);
  CHECK(xml.find("<prop type=\"x-paragraph\">\"(a)\"</prop>") != std::string::npos);
  CHECK(xml.find("<seg>a &lt; b &amp; c &gt; d \"q\" 'a' ]]&gt;</seg>") != std::string::npos);
  auto units = read_all(xml);
  REQUIRE(units.size() == 1);
  CHECK(units[0].variants[0].text == "a < b & c > d \"q\" 'a' ]]>");
  CHECK(units[0].variants[1].text == "l'été & co");
  CHECK(units[0].prop("x-document") == "A&B <1>");
  CHECK(units[0].srclang == "en");
}

TEST_CASE("TMX writer removes characters XML 1.0 forbids and keeps the rest", "[tmx]") {
  std::ostringstream out;
  TmxWriter writer(out, TmxHeader{"1", "*all*", ""}, "mem.tmx");
  // \x01 \x0B \x1F U+FFFE U+FFFF are not XML characters; \xFF is broken
  // UTF-8; tab, LF and CR are allowed (CR as a reference, or a parser would
  // turn it into LF).
  const std::string text = "a\x01" "b\x0B" "c\x1F" "d\tE\nF\rG\xEF\xBF\xBEH\xEF\xBF\xBFI\xFFJ";
  TmxVariantView variants[] = {{"en", text, ""}, {"fr", "\x02\x03", ""}, {"de", "\r\n x \xE3\x80", ""}};
  TmxProp props[] = {{"x-document", "k\x07y"}};
  writer.write({"", props, variants});
  writer.finish();
  const std::string xml = out.str();
  CHECK(seg_of(xml, 0) == "abcd\tE\nF&#13;GHI\xEF\xBF\xBDJ");
  CHECK(seg_of(xml, 1).empty());
  CHECK(seg_of(xml, 2) == "x \xEF\xBF\xBD\xEF\xBF\xBD");  // a cut-off character: each byte U+FFFD
  CHECK(xml.find("<prop type=\"x-document\">ky</prop>") != std::string::npos);
  CHECK(xml.find("creationdate") == std::string::npos);
  auto units = read_all(xml);  // well-formed: libxml2 accepts it
  REQUIRE(units.size() == 1);
  CHECK(units[0].variants[0].text == "abcd\tE\nF\rGHI\xEF\xBF\xBDJ");
}

TEST_CASE("TMX writer keeps well-formed UTF-8 and replaces surrogates and overlong forms byte by byte", "[tmx]") {
  std::ostringstream out;
  TmxWriter writer(out, TmxHeader{"1", "*all*", ""}, "mem.tmx");
  // Arabic (2 bytes), CJK (3 bytes), an emoji (4 bytes) and U+FFFD stay;
  // an encoded surrogate (ED A0 80), an overlong "/" (E0 80 AF, C0 AF) and
  // a stray continuation byte become one U+FFFD per byte.
  const std::string good = "\xD9\x85\xD8\xB1 \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80 \xEF\xBF\xBD <&>";
  const std::string bad = "a\xED\xA0\x80" "b\xE0\x80\xAF" "c\xC0\xAF" "d\x80";
  TmxVariantView variants[] = {{"ar", good, ""}, {"en", bad, ""}};
  writer.write({"", {}, variants});
  writer.finish();
  const std::string xml = out.str();
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(seg_of(xml, 0) == "\xD9\x85\xD8\xB1 \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80 \xEF\xBF\xBD &lt;&amp;&gt;");
  CHECK(seg_of(xml, 1) == "a" + fffd + fffd + fffd + "b" + fffd + fffd + fffd + "c" + fffd + fffd + "d" + fffd);
  CHECK(read_all(xml).size() == 1);  // well-formed
}

TEST_CASE("TMX writer trims white space at the ends of a segment only", "[tmx]") {
  std::ostringstream out;
  TmxWriter writer(out, TmxHeader{"1", "*all*", ""}, "mem.tmx");
  TmxVariantView variants[] = {{"en", " \t\n The  Council \xC2\xA0\n", ""},
                               {"zh", "\xE3\x80\x80\xE5\xA4\xA7\xE4\xBC\x9A\xE3\x80\x80", ""}};  // U+3000 大会 U+3000
  writer.write({"", {}, variants});
  writer.finish();
  CHECK(seg_of(out.str(), 0) == "The  Council");
  CHECK(seg_of(out.str(), 1) == "大会");
  CHECK(trim_segment("  x y  ") == "x y");
  CHECK(trim_segment(" \t ").empty());
  CHECK_FALSE(has_visible_text(" \xE3\x80\x80\n"));
}

TEST_CASE("TMX creation date honours SOURCE_DATE_EPOCH", "[tmx]") {
  {
    ScopedEnv env("SOURCE_DATE_EPOCH", "1700000000");
    CHECK(tmx_creation_date() == "20231114T221320Z");
  }
  {
    ScopedEnv env("SOURCE_DATE_EPOCH", "yesterday");
    CHECK_THROWS_AS(tmx_creation_date(), ArgumentError);
  }
  ScopedEnv env("SOURCE_DATE_EPOCH", "");
  CHECK(tmx_creation_date().size() == 16);
}

// ---------------------------------------------------------------------------
// Export

TEST_CASE("TMX export: header, props, srclang and the original first", "[tmx]") {
  TempDir dir;
  ExportReport report;
  const std::string xml = export_tmx(dir, sample_records(), tmx_options(dir / "x"), &report);
  CHECK(xml.starts_with(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\">\n  <header creationtool=\"untm\" "
      "creationtoolversion=\"0.1.0\" segtype=\"sentence\" o-tmf=\"untm\" adminlang=\"en\" srclang=\"*all*\" "
      "datatype=\"plaintext\" creationdate=\"20240101T000000Z\"/>\n  <body>\n"));
  const std::string first_tu =
      "    <tu srclang=\"en\">\n"
      "      <prop type=\"x-document\">A/RES/55/100</prop>\n"
      "      <prop type=\"x-symbol\">A/RES/55/100</prop>\n"
      "      <prop type=\"x-paragraph\">1</prop>\n"
      "      <prop type=\"x-confidence\">0.875</prop>\n"
      "      <tuv xml:lang=\"en\"><seg>The Assembly &amp; the &lt;Council&gt; \"agree\".</seg></tuv>\n"
      "      <tuv xml:lang=\"ar\"><seg>توافق الجمعية والمجلس.</seg></tuv>\n"
      "      <tuv xml:lang=\"zh\"><seg>大会与安理会\"一致\"。</seg></tuv>\n"
      "    </tu>\n";
  CHECK(xml.find(first_tu) != std::string::npos);
  // The last unit's original (en) is not in it: no srclang, UN order.
  CHECK(xml.find("    <tu>\n      <prop type=\"x-document\">A/RES/55/100</prop>\n      <prop type=\"x-symbol\">A/RES/55/100"
                 "</prop>\n      <prop type=\"x-paragraph\">2</prop>\n      <prop type=\"x-confidence\">0.25</prop>\n"
                 "      <tuv xml:lang=\"ar\"><seg>ثالثا.</seg></tuv>\n      <tuv xml:lang=\"zh\"><seg>第三。</seg></tuv>\n"
                 "      <tuv xml:lang=\"fr\"><seg>Troisième.</seg></tuv>\n") != std::string::npos);
  CHECK(xml.ends_with("    </tu>\n  </body>\n</tmx>\n"));
  REQUIRE(report.tmx);
  CHECK(report.units_read == 4);
  CHECK(report.tmx->written == 3);
  CHECK(report.tmx->skipped == 1);
  CHECK(report.tmx->skip_reasons.at("fewer than two languages") == 1);
  CHECK_FALSE(std::filesystem::exists(dir / "out.tmx.untm-part"));
}

TEST_CASE("TMX export: --langs chooses and orders languages; one document gets its srclang", "[tmx]") {
  TempDir dir;
  auto options = tmx_options(dir / "x");
  options.langs = {"zh", "ar", "en"};
  options.document_key = "A/RES/55/100";
  ExportReport report;
  std::string xml = export_tmx(dir, sample_records(), options, &report);
  CHECK(xml.find("srclang=\"en\" datatype") != std::string::npos);  // the document's original
  // The original first, then the order given.
  CHECK(xml.find("<tu srclang=\"en\">") != std::string::npos);
  CHECK(xml.find("<tuv xml:lang=\"en\"><seg>The Assembly &amp; the &lt;Council&gt; \"agree\".</seg></tuv>\n"
                 "      <tuv xml:lang=\"zh\"><seg>大会与安理会\"一致\"。</seg></tuv>\n"
                 "      <tuv xml:lang=\"ar\">") != std::string::npos);
  // A unit without its original says *all* rather than inherit en.
  CHECK(xml.find("<tu srclang=\"*all*\">") != std::string::npos);
  CHECK(xml.find("<tuv xml:lang=\"zh\"><seg>第三。</seg></tuv>\n      <tuv xml:lang=\"ar\"><seg>ثالثا.</seg></tuv>\n"
                 "    </tu>") != std::string::npos);
  CHECK(xml.find("xml:lang=\"fr\"") == std::string::npos);
  CHECK(report.tmx->written == 3);
  CHECK(report.tmx->skip_reasons.at("fewer than two languages") == 1);

  // Without the original among the languages, the header says *all*.
  options.langs = {"zh", "ar"};
  xml = export_tmx(dir, sample_records(), options, &report);
  CHECK(xml.find("srclang=\"*all*\" datatype") != std::string::npos);
  CHECK(xml.find("<tu srclang") == std::string::npos);
  CHECK(report.tmx->written == 2);
}

TEST_CASE("TMX export: a bilingual pair puts the source tuv first", "[tmx]") {
  TempDir dir;
  auto options = tmx_options(dir / "x");
  options.pair = std::make_pair(std::string("zh"), std::string("en"));
  ExportReport report;
  const std::string xml = export_tmx(dir, sample_records(), options, &report);
  CHECK(xml.find("srclang=\"zh\" datatype") != std::string::npos);
  CHECK(xml.find("<tu>\n") != std::string::npos);
  CHECK(xml.find("<tu srclang") == std::string::npos);
  CHECK(xml.find("<tuv xml:lang=\"zh\"><seg>第二句。</seg></tuv>\n      <tuv xml:lang=\"en\"><seg>Second "
                 "sentence.</seg></tuv>\n    </tu>") != std::string::npos);
  CHECK(xml.find("xml:lang=\"ar\"") == std::string::npos);
  CHECK(report.tmx->written == 2);
  CHECK(report.tmx->skip_reasons.at("no zh segment") == 1);
  CHECK(report.tmx->skip_reasons.at("no en segment") == 1);
}

TEST_CASE("TMX export: rejected units are left out unless asked; status is a prop", "[tmx]") {
  TempDir dir;
  auto records = sample_records();
  records[0].status = UnitStatus::rejected;
  records[1].status = UnitStatus::confirmed;
  ExportReport report;
  std::string xml = export_tmx(dir, records, tmx_options(dir / "x"), &report);
  CHECK(report.rejected_left_out == 1);
  CHECK(report.tmx->written == 2);
  CHECK(xml.find("<prop type=\"x-status\">confirmed</prop>") != std::string::npos);
  auto options = tmx_options(dir / "x");
  options.include_rejected = true;
  xml = export_tmx(dir, records, options, &report);
  CHECK(report.tmx->written == 3);
  CHECK(xml.find("<prop type=\"x-status\">rejected</prop>") != std::string::npos);
}

TEST_CASE("TMX export: bad options are ArgumentErrors", "[tmx]") {
  std::vector<UnitRecord> none;
  ExportOptions options;
  CHECK_THROWS_AS(export_units(source_of(none), options), ArgumentError);  // no output
  options.tmx_path = "/nonexistent-dir/x.tmx";
  options.langs = {"zh", "english"};
  CHECK_THROWS_WITH(export_units(source_of(none), options), Catch::Contains("english: not a language code"));
  options.langs = {"zh"};
  CHECK_THROWS_WITH(export_units(source_of(none), options), Catch::Contains("at least two languages"));
  options.langs = {"zh", "zh"};
  CHECK_THROWS_WITH(export_units(source_of(none), options), Catch::Contains("given twice"));
  options.langs = {};
  options.pair = std::make_pair(std::string("en"), std::string("en"));
  CHECK_THROWS_WITH(export_units(source_of(none), options), Catch::Contains("must differ"));
  options.pair.reset();
  CHECK_THROWS_AS(export_units(source_of(none), options), InputError);  // folder missing
}

TEST_CASE("TMX export of nothing is a valid empty TMX", "[tmx]") {
  TempDir dir;
  const std::string xml = export_tmx(dir, {}, tmx_options(dir / "x"));
  CHECK(xml.ends_with("datatype=\"plaintext\" creationdate=\"20240101T000000Z\"/>\n  <body>\n  </body>\n</tmx>\n"));
  CHECK(read_all(xml).empty());
}

TEST_CASE("TSV and Moses export: a column or file per language, parallel lines", "[tmx]") {
  TempDir dir;
  auto records = sample_records();
  records[1].segments["en"] = "Tab\there,\nnewline  kept ";
  ExportOptions options;
  options.tsv_path = (dir / "out.tsv").string();
  options.moses_prefix = (dir / "corpus").string();
  options.langs = {"zh", "en"};
  ExportReport report = export_units(source_of(records), options);
  CHECK(read_file(dir / "out.tsv") ==
        "zh\ten\tdocument\tparagraph\tconfidence\n"
        "大会与安理会\"一致\"。\tThe Assembly & the <Council> \"agree\".\tA/RES/55/100\t1\t0.875\n"
        "第二句。\tTab here, newline  kept\tA/RES/55/100\t(a)\t0.5\n");
  CHECK(report.tsv->skipped == 2);
  CHECK(read_file(dir / "corpus.zh") == "大会与安理会\"一致\"。\n第二句。\n");
  CHECK(read_file(dir / "corpus.en") == "The Assembly & the <Council> \"agree\".\nTab here, newline  kept\n");
  CHECK(report.moses->written == 2);
  CHECK(report.moses->skipped == 2);
  CHECK(report.moses->skip_reasons.at("no zh segment") == 1);
  CHECK(report.moses->skip_reasons.at("no en segment") == 1);
  CHECK_FALSE(std::filesystem::exists(dir / "corpus.ar"));

  // Without --langs: every language of the exported units, in UN order.
  ExportOptions all;
  all.moses_prefix = (dir / "all").string();
  report = export_units(source_of(records), all);
  CHECK(report.langs == std::vector<std::string>{"ar", "zh", "en", "fr"});
  CHECK(report.moses->written == 0);
  CHECK(report.moses->skipped == 4);
  CHECK(read_file(dir / "all.fr").empty());
}

// ---------------------------------------------------------------------------
// Reader and import

TEST_CASE("TMX language codes fold to ISO 639-1", "[tmx]") {
  CHECK(fold_tmx_language("zh-CN") == "zh");
  CHECK(fold_tmx_language("AR-sa") == "ar");
  CHECK(fold_tmx_language("EN_us") == "en");
  CHECK(fold_tmx_language("zh-Hans-CN") == "zh");
  CHECK(fold_tmx_language("fr") == "fr");
  CHECK(fold_tmx_language("eng") == "en");
  CHECK(fold_tmx_language("fil").empty());
  CHECK(fold_tmx_language("x-klingon").empty());
  CHECK(fold_tmx_language("*all*").empty());
  CHECK(fold_tmx_language("").empty());

  TempDir dir;
  MemorySink sink;
  auto report = import_text(dir,
                            tmx_with("<tu srclang=\"AR-sa\">"
                                     "<tuv xml:lang=\"zh-CN\"><seg>大会</seg></tuv>"
                                     "<tuv xml:lang=\"AR-sa\"><seg>الجمعية</seg></tuv>"
                                     "<tuv xml:lang=\"EN_us\"><seg>Assembly</seg></tuv>"
                                     "<tuv lang=\"FR-fr\"><seg>Assemblée</seg></tuv>"  // TMX 1.1
                                     "<tuv xml:lang=\"es\" lang=\"ru\"><seg>Asamblea</seg></tuv>"
                                     "<tuv xml:lang=\"en-GB\"><seg>Assembly (GB)</seg></tuv>"
                                     "<tuv xml:lang=\"fil\"><seg>Kapulungan</seg></tuv>"
                                     "</tu>\n"),
                            sink);
  REQUIRE(sink.committed);
  REQUIRE(sink.document.units.size() == 1);
  const auto& segments = sink.document.units[0].segments;
  CHECK(segments == std::map<std::string, std::string>{
                        {"zh", "大会"}, {"ar", "الجمعية"}, {"en", "Assembly"}, {"fr", "Assemblée"}, {"es", "Asamblea"}});
  CHECK(sink.document.original_lang == "ar");
  CHECK(sink.document.key == "in");
  CHECK(report.segments_dropped.at("a second segment in a language the TU already has").count == 1);
  CHECK(report.segments_dropped.at("language code not ISO 639-1 (fil)").count == 1);
  CHECK(report.segments_dropped.at("language code not ISO 639-1 (fil)").first_line == 5);
}

TEST_CASE("TMX import: props, confidence, trimming, NFC; single-language TUs skipped", "[tmx]") {
  TempDir dir;
  MemorySink sink;
  auto report = import_text(
      dir,
      tmx_with("<tu><prop type=\"x-symbol\">S/2011/463</prop><prop type=\"x-paragraph\">(b)</prop>"
               "<prop type=\"x-confidence\">0.625</prop><prop type=\"x-status\">confirmed</prop><note>n</note>"
               "<tuv xml:lang=\"en\"><prop type=\"p\">v</prop><seg>  Cafe\xCC\x81 &amp; co\n </seg></tuv>"
               "<tuv xml:lang=\"fr\"><seg>Caf&#xE9;</seg></tuv></tu>\n"
               "<tu><tuv xml:lang=\"en\"><seg>Alone</seg></tuv></tu>\n"
               "<tu><tuv xml:lang=\"en\"><seg>Alone</seg></tuv><tuv xml:lang=\"fr\"><seg>   </seg></tuv></tu>\n"
               "<tu/>\n"
               "<tu><tuv xml:lang=\"en\"><seg>x</seg></tuv><tuv xml:lang=\"fr\"><seg>y</seg></tuv>"
               "<prop type=\"x-confidence\">high</prop></tu>\n"),
      sink, "S_2011_463.tmx");
  CHECK(report.tus_read == 5);
  CHECK(report.units_stored == 2);
  CHECK(report.tus_skipped == 3);
  CHECK(report.skipped.at("only one language").count == 2);
  CHECK(report.skipped.at("only one language").first_line == 7);  // the first TU spans two lines
  CHECK(report.skipped.at("no usable segment").count == 1);
  CHECK(report.segments_dropped.at("empty segment").count == 1);
  CHECK(report.segments_per_lang == std::map<std::string, std::size_t>{{"en", 2}, {"fr", 2}});
  REQUIRE(sink.committed);
  CHECK(sink.document.key == "S_2011_463");
  CHECK(sink.document.symbol == "S/2011/463");
  CHECK(sink.document.original_lang == "en");  // from the header
  CHECK(sink.document.aligner_version == "untm 0.1.0 (TMX import)");
  REQUIRE(sink.document.units.size() == 2);
  const StoredUnit& unit = sink.document.units[0];
  CHECK(unit.segments.at("en") == "Caf\xC3\xA9 & co");  // NFC, trimmed
  CHECK(unit.segments.at("fr") == "Café");
  CHECK(unit.paragraph_key == "(b)");
  CHECK(unit.confidence == 0.625);
  CHECK(unit.status == UnitStatus::confirmed);
  CHECK(unit.inline_codes.empty());
  CHECK(sink.document.units[1].confidence == 1.0);  // not a number: default
}

TEST_CASE("TMX inline codes become placeholders and come back exactly", "[tmx]") {
  const std::string en =
      "Press <bpt i=\"1\" type=\"bold\">&lt;b&gt;</bpt>Save<ept i=\"1\">&lt;/b&gt;</ept> now"
      "<ph x=\"2\" type=\"image\">&lt;img src=\"a.png\"/&gt;</ph>, <hi type=\"em\">really <ph/>now</hi>"
      "<it pos=\"begin\" x=\"3\">&lt;i&gt;</it> and <ut>{\\b}</ut> "
      "<ph>&lt;a title=\"<sub type=\"x-title\">The &amp; title</sub>\"&gt;</ph> \xEE\x80\x81 end";
  const std::string fr = "Appuyez <bpt i=\"1\">&lt;b&gt;</bpt>Enregistrer<ept i=\"1\">&lt;/b&gt;</ept>";
  TempDir dir;
  MemorySink sink;
  auto report = import_text(dir,
                            tmx_with("<tu><tuv xml:lang=\"en\"><seg>" + en + "</seg></tuv><tuv xml:lang=\"fr\"><seg>" +
                                     fr + "</seg></tuv><tuv xml:lang=\"es\"><seg>Literal \xEE\x80\x80 only</seg></tuv></tu>\n"),
                            sink);
  REQUIRE(sink.document.units.size() == 1);
  const StoredUnit& unit = sink.document.units[0];
  CHECK(report.segments_with_codes == 2);
  // Placeholders U+E000+n in the text; <hi> keeps its text between two codes.
  CHECK(unit.segments.at("en") ==
        "Press \xEE\x80\x80Save\xEE\x80\x81 now\xEE\x80\x82, \xEE\x80\x83really \xEE\x80\x84now\xEE\x80\x85"
        "\xEE\x80\x86 and \xEE\x80\x87 \xEE\x80\x88 \xEE\x80\x89 end");
  CHECK(unit.inline_codes.at("en") ==
        "<bpt i=\"1\" type=\"bold\">&lt;b&gt;</bpt>\x1F<ept i=\"1\">&lt;/b&gt;</ept>\x1F"
        "<ph x=\"2\" type=\"image\">&lt;img src=\"a.png\"/&gt;</ph>\x1F<hi type=\"em\">\x1F<ph/>\x1F</hi>\x1F"
        "<it pos=\"begin\" x=\"3\">&lt;i&gt;</it>\x1F<ut>{\\b}</ut>\x1F"
        "<ph>&lt;a title=\"<sub type=\"x-title\">The &amp; title</sub>\"&gt;</ph>\x1F\xEE\x80\x81");
  // A segment whose only "codes" would be literal private-use characters keeps them as text.
  CHECK(unit.segments.at("es") == "Literal \xEE\x80\x80 only");
  CHECK(unit.inline_codes.count("es") == 0);
  // Plain text (TSV, Moses) drops the codes and keeps the text.
  std::string plain;
  append_plain_text(plain, unit.segments.at("en"), unit.inline_codes.at("en"));
  CHECK(plain == "Press Save now, really now and   \xEE\x80\x81 end");

  // Export writes the same markup back.
  auto records = records_of(sink.document);
  const std::string xml = export_tmx(dir, records, tmx_options(dir / "x"));
  CHECK(xml.find("<seg>" + en + "</seg>") != std::string::npos);
  CHECK(xml.find("<seg>" + fr + "</seg>") != std::string::npos);
  CHECK(xml.find("<seg>Literal \xEE\x80\x80 only</seg>") != std::string::npos);
}

TEST_CASE("TMX export keeps <hi> balanced when placeholders were edited", "[tmx]") {
  std::ostringstream out;
  TmxWriter writer(out, TmxHeader{"1", "*all*", ""}, "mem.tmx");
  const std::string codes = std::string("<hi>") + kInlineCodeSeparator + "</hi>";
  // The end placeholder before the start one, and a placeholder with no code.
  TmxVariantView variants[] = {{"en", "a \xEE\x80\x81 b \xEE\x80\x80 c \xEE\x80\x85", codes}, {"fr", "x", ""}};
  writer.write({"", {}, variants});
  writer.finish();
  CHECK(seg_of(out.str(), 0) == "a  b <hi> c \xEE\x80\x85</hi>");
  CHECK(read_all(out.str()).size() == 1);
}

TEST_CASE("TMX import rejects billion laughs with a clear error", "[tmx]") {
  std::string lol = "<?xml version=\"1.0\"?>\n<!DOCTYPE tmx [\n <!ENTITY lol \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    lol += " <!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k) lol += i == 1 ? "&lol;" : "&lol" + std::to_string(i - 1) + ";";
    lol += "\">\n";
  }
  lol += "]>\n<tmx version=\"1.4\"><header srclang=\"en\"/><body><tu><tuv xml:lang=\"en\"><seg>&lol9;</seg></tuv>"
         "<tuv xml:lang=\"fr\"><seg>x</seg></tuv></tu></body></tmx>\n";
  TempDir dir;
  MemorySink sink;
  try {
    import_text(dir, lol, sink, "lol.tmx");
    FAIL("billion laughs accepted");
  } catch (const TmxFormatError& e) {
    CHECK(e.line() == 3);
    CHECK(e.column() == 2);
    CHECK_THAT(e.what(), Catch::StartsWith((dir / "lol.tmx").string() + ": line 3, column 2: the DOCTYPE declares "
                                                                       "entities"));
    CHECK_THAT(e.what(), Catch::Contains("billion laughs") && Catch::EndsWith("Nothing was imported."));
  }
  CHECK_FALSE(sink.begun);

  // UTF-16 does not hide the declaration.
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<!DOCTYPE tmx [<!ENTITY a \"b\">]><tmx/>")) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  CHECK_THROWS_WITH(TmxReader(utf16, "u16.tmx"), Catch::Contains("line 2, column 16: the DOCTYPE declares entities"));
  // Far into the file, past libxml2's first reads, the declaration is still seen.
  const std::string padding = "<!-- " + std::string(100000, 'x') + " -->\n";
  CHECK_THROWS_WITH(TmxReader("<?xml version=\"1.0\"?>\n" + padding + "<!DOCTYPE tmx [\n" + padding +
                                  "<!ENTITY a \"b\">]><tmx/>", "long.tmx"),
                    Catch::Contains("line 5, column 1: the DOCTYPE declares entities"));
  // A quoted "]>" inside the internal subset does not end it early.
  CHECK_THROWS_WITH(TmxReader("<!DOCTYPE tmx [<!ATTLIST tmx a CDATA \"]><x\"> <!-- ' --> <!ENTITY b \"c\">]><tmx/>",
                              "q.tmx"),
                    Catch::Contains("the DOCTYPE declares entities"));
  // A DOCTYPE without entities (po2tmx writes one) is fine, and not loaded.
  CHECK(read_all("<!DOCTYPE tmx SYSTEM \"tmx14.dtd\">\n<tmx version=\"1.4\"><header/><body/></tmx>").empty());
}

TEST_CASE("TMX import reads nothing but the file (XXE)", "[tmx]") {
  TempDir dir;
  auto secret = dir / "secret.txt";
  write_file(secret, "secret\n");
  auto dtd = dir / "ext.dtd";
  write_file(dtd, "<!ENTITY ext \"from the DTD\">\n");
  int watch_fd = ::inotify_init1(IN_NONBLOCK);
  REQUIRE(watch_fd >= 0);
  REQUIRE(::inotify_add_watch(watch_fd, dir.path().c_str(), IN_OPEN | IN_ACCESS) >= 0);

  const std::string body = "<tmx version=\"1.4\"><header srclang=\"en\"/><body><tu><tuv xml:lang=\"en\"><seg>&xxe;</seg>"
                           "</tuv><tuv xml:lang=\"fr\"><seg>x</seg></tuv></tu></body></tmx>\n";
  const std::string xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE tmx [\n  <!ENTITY xxe SYSTEM \"file://" + secret.string() +
                          "\">\n]>\n" + body;
  CHECK_THROWS_WITH(TmxReader(xxe, "xxe.tmx"), Catch::Contains("line 3, column 3: the DOCTYPE declares entities"));
  const std::string parameter = "<?xml version=\"1.0\"?>\n<!DOCTYPE tmx [<!ENTITY % p SYSTEM \"" + dtd.string() +
                                "\"> %p;]>\n" + body;
  CHECK_THROWS_WITH(TmxReader(parameter, "pe.tmx"), Catch::Contains("the DOCTYPE declares entities"));
  // An external DTD is never loaded, so its entity stays unknown.
  const std::string external = "<?xml version=\"1.0\"?>\n<!DOCTYPE tmx SYSTEM \"" + dtd.string() +
                               "\">\n<tmx version=\"1.4\"><header/><body><tu><tuv xml:lang=\"en\"><seg>&ext;</seg>"
                               "</tuv></tu></body></tmx>\n";
  CHECK_THROWS_WITH(read_all(external), Catch::Contains("line 3, column 68: not well-formed XML: Entity 'ext' not defined"));
  const std::string network = "<!DOCTYPE tmx PUBLIC \"-//LISA OSCAR:1998//DTD for Translation Memory eXchange//EN\" "
                              "\"http://127.0.0.1:9/tmx14.dtd\">\n<tmx version=\"1.4\"><header/><body/></tmx>\n";
  CHECK(read_all(network).empty());

  char events[4096];
  ssize_t n = ::read(watch_fd, events, sizeof events);
  ::close(watch_fd);
  CHECK(n < 0);  // no event: neither file was opened or read
}

TEST_CASE("TMX import reports its progress: bytes of the file, TUs read, units stored", "[tmx]") {
  TempDir dir;
  std::string tus;
  for (int i = 0; i < 1000; ++i)
    tus += "<tu><tuv xml:lang=\"en\"><seg>unit " + std::to_string(i) + "</seg></tuv><tuv xml:lang=\"fr\"><seg>unité " +
           std::to_string(i) + "</seg></tuv></tu>\n";
  const auto path = dir / "progress.tmx";
  write_file(path, tmx_with(tus));
  std::vector<ImportProgress> seen;
  ImportOptions options = import_options();
  options.on_progress = [&](const ImportProgress& p) { seen.push_back(p); };
  MemorySink sink;
  const ImportReport report = import_tmx(path.string(), sink, options);
  CHECK(report.units_stored == 1000);
  REQUIRE(seen.size() >= 4);  // a call per batch of 256 units, and one at the end
  for (std::size_t i = 1; i < seen.size(); ++i) {
    CHECK(seen[i].bytes_read >= seen[i - 1].bytes_read);
    CHECK(seen[i].tus_read >= seen[i - 1].tus_read);
    CHECK(seen[i].units_stored >= seen[i - 1].units_stored);
  }
  const auto size = static_cast<std::uint64_t>(std::filesystem::file_size(path));
  CHECK(seen.back().file_bytes == size);
  CHECK(seen.back().bytes_read == size);
  CHECK(seen.back().tus_read == 1000);
  CHECK(seen.back().units_stored == 1000);
  CHECK(seen.front().units_stored <= 256);
}

TEST_CASE("TMX import of malformed XML names line and column and stores nothing", "[tmx]") {
  TempDir dir;
  MemorySink sink;
  const std::string xml = tmx_with(
      "<tu><tuv xml:lang=\"en\"><seg>ok</seg></tuv><tuv xml:lang=\"fr\"><seg>bien</seg></tuv></tu>\n"
      "<tu><tuv xml:lang=\"en\"><seg>a & b</seg></tuv><tuv xml:lang=\"fr\"><seg>x</seg></tuv></tu>\n");
  try {
    import_text(dir, xml, sink, "bad.tmx");
    FAIL("malformed XML accepted");
  } catch (const TmxFormatError& e) {
    CHECK(e.line() == 6);
    CHECK(e.column() == 32);
    CHECK(std::string(e.what()) == (dir / "bad.tmx").string() +
                                       ": line 6, column 32: not well-formed XML: xmlParseEntityRef: no name. Fix the "
                                       "file (xmllint --noout FILE lists every error) and try again. Nothing was "
                                       "imported.");
  }
  // The TUs are read in batches on a thread of their own: the good TU before
  // the error, in the same batch, never reached the sink.
  CHECK_FALSE(sink.begun);
  CHECK_FALSE(sink.committed);

  // An error after whole batches were stored: nothing is committed (the TM
  // rolls the session back).
  std::string good;
  for (int i = 0; i < 1000; ++i)
    good += "<tu><tuv xml:lang=\"en\"><seg>ok " + std::to_string(i) + "</seg></tuv><tuv xml:lang=\"fr\"><seg>bien</seg></tuv></tu>\n";
  MemorySink late;
  try {
    import_text(dir, tmx_with(good + "<tu><tuv xml:lang=\"en\"><seg>a & b</seg></tuv></tu>\n"), late, "late.tmx");
    FAIL("malformed XML accepted");
  } catch (const TmxFormatError& e) {
    CHECK(e.line() == 1005);
    CHECK(e.column() == 32);
  }
  CHECK(late.begun);
  CHECK(late.document.units.size() >= 256);  // whole batches were handed over...
  CHECK_FALSE(late.committed);      // ...but never committed

  CHECK_THROWS_WITH(read_all("<tmx version=\"1.4\"><body><tu><tuv xml:lang=\"en\"><seg>x</seg></tuv></tu></body>"),
                    Catch::Contains("line 1, column 79: not well-formed XML"));
  CHECK_THROWS_WITH(read_all("<?xml version=\"1.0\"?>\n<html><body/></html>"),
                    Catch::Contains("line 2: the root element is <html>, not <tmx>"));
  CHECK_THROWS_WITH(read_all("PK\x03\x04 binary"), Catch::Contains("line 1, column 1: not well-formed XML"));
  CHECK_THROWS_AS(TmxReader("", "empty.tmx"), TmxFormatError);
  CHECK_THROWS_AS(TmxReader((dir / "missing.tmx").string()), InputError);
}

TEST_CASE("TMX import of an empty TMX stores nothing", "[tmx]") {
  TempDir dir;
  for (const std::string& xml :
       {tmx_with(""), std::string("<tmx version=\"1.4\"><header srclang=\"en\"/><body/></tmx>"),
        std::string("<tmx version=\"1.4\"/>")}) {
    MemorySink sink;
    auto report = import_text(dir, xml, sink);
    CHECK(report.tus_read == 0);
    CHECK(report.units_stored == 0);
    CHECK_FALSE(sink.begun);
  }
  write_file(dir / "zero.tmx", "");
  MemorySink sink;
  CHECK_THROWS_WITH(import_tmx((dir / "zero.tmx").string(), sink, {}), Catch::Contains("the file is empty"));
}

namespace {

// UTF-16LE with a BOM, as Trados writes TMX.
std::string to_utf16le(const std::string& utf8) {
  std::string out = "\xFF\xFE";
  auto put = [&](unsigned unit) {
    out.push_back(static_cast<char>(unit & 0xFF));
    out.push_back(static_cast<char>(unit >> 8));
  };
  for (std::size_t i = 0; i < utf8.size();) {
    const auto b = static_cast<unsigned char>(utf8[i]);
    unsigned c = b;
    std::size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    if (n > 1) c = b & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) c = (c << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    i += n;
    if (c >= 0x10000) {
      put(0xD800 + ((c - 0x10000) >> 10));
      put(0xDC00 + ((c - 0x10000) & 0x3FF));
    } else {
      put(c);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("TMX import reads UTF-16 files (as Trados writes them)", "[tmx]") {
  TempDir dir;
  MemorySink sink;
  std::string xml = tmx_with("<tu><tuv xml:lang=\"EN-US\"><seg>Council 𝐀</seg></tuv>"
                             "<tuv xml:lang=\"ZH-CN\"><seg>安理会</seg></tuv></tu>\n");
  xml.replace(xml.find("UTF-8"), 5, "UTF-16");
  auto report = import_text(dir, to_utf16le(xml), sink);
  CHECK(report.units_stored == 1);
  REQUIRE(sink.document.units.size() == 1);
  CHECK(sink.document.units[0].segments ==
        std::map<std::string, std::string>{{"en", "Council 𝐀"}, {"zh", "安理会"}});
}

TEST_CASE("TMX reader skips notes, header props and unknown elements", "[tmx]") {
  auto units = read_all(
      "<tmx version=\"1.4\"><header srclang=\"en\" creationtool=\"X\"><note>n</note><prop type=\"a\">b</prop>"
      "<ude name=\"u\"><map unicode=\"#xF8FF\"/></ude></header><body><!-- c --><tu tuid=\"7\"><note>tu</note>"
      "<tuv xml:lang=\"en\"><note>x</note><seg>a<!-- c -->b<![CDATA[<c>]]></seg><seg>second</seg></tuv><x-ext/></tu>"
      "</body></tmx>");
  REQUIRE(units.size() == 1);
  CHECK(units[0].tuid == "7");
  REQUIRE(units[0].variants.size() == 1);
  CHECK(units[0].variants[0].text == "ab<c>");
  TmxReader reader("<tmx version=\"1.4\"><header srclang=\"en-US\" creationtool=\"X\"/><body/></tmx>", "h.tmx");
  CHECK(reader.header().srclang == "en-US");
  CHECK(reader.header().creation_tool == "X");
  CHECK(reader.header().version == "1.4");
}

// ---------------------------------------------------------------------------
// Round trip and interoperability

namespace {

// Units with everything export writes: escaping, codes, props, statuses.
std::vector<UnitRecord> round_trip_records() {
  TempDir dir;
  MemorySink sink;
  import_text(dir,
              tmx_with("<tu srclang=\"en\"><prop type=\"x-paragraph\">3</prop><prop type=\"x-confidence\">0.9</prop>"
                       "<tuv xml:lang=\"en\"><seg>Press <bpt i=\"1\">&lt;b&gt;</bpt>Save<ept i=\"1\">&lt;/b&gt;</ept> "
                       "<hi type=\"em\">now</hi><ph x=\"1\"/></seg></tuv>"
                       "<tuv xml:lang=\"zh\"><seg>按<bpt i=\"1\">&lt;b&gt;</bpt>保存<ept i=\"1\">&lt;/b&gt;</ept></seg>"
                       "</tuv></tu>\n"),
              sink);
  auto records = sample_records();
  auto coded = records_of(sink.document);
  coded[0].symbol = "A/RES/55/100";
  coded[0].status = UnitStatus::confirmed;
  records.push_back(coded[0]);
  for (auto& r : records) r.document_key = "round";
  return records;
}

}  // namespace

TEST_CASE("TMX round trip export → import → export is byte-identical", "[tmx]") {
  ScopedEnv epoch("SOURCE_DATE_EPOCH", "1700000000");
  TempDir dir;
  auto records = round_trip_records();
  ExportOptions options;
  options.tool_version = "0.1.0";
  for (bool one_document : {false, true}) {
    options.document_key = one_document ? std::optional<std::string>("round") : std::nullopt;
    options.tmx_path = (dir / "round.tmx").string();
    export_units(source_of(records), options);
    const std::string first = read_file(dir / "round.tmx");
    CHECK(first.find("creationdate=\"20231114T221320Z\"") != std::string::npos);

    MemorySink sink;
    auto report = import_tmx((dir / "round.tmx").string(), sink, import_options());
    CHECK(report.units_stored == records.size() - 1);  // the English-only unit was never exported
    auto again = records_of(sink.document);
    options.tmx_path = (dir / "again.tmx").string();
    export_units(source_of(again), options);
    CHECK(read_file(dir / "again.tmx") == first);
  }
}

TEST_CASE("Exported TMX validates against the TMX 1.4 DTD (xmllint)", "[tmx]") {
  auto dtd = tmx_dtd();
  if (!dtd) {
    WARN("skipped: ../shared/tmx/tmx14.dtd not found");
    return;
  }
  if (!command_works("xmllint --version")) {
    WARN("skipped: xmllint not installed (Debian package libxml2-utils)");
    return;
  }
  TempDir dir;
  auto records = round_trip_records();
  std::vector<ExportOptions> variants(4, tmx_options(dir / "x"));
  variants[1].pair = std::make_pair(std::string("zh"), std::string("en"));
  variants[2].langs = {"zh", "ar"};
  variants[2].document_key = "round";
  variants[3].creation_date = "20240101T000000Z";
  for (std::size_t i = 0; i < variants.size(); ++i) {
    auto path = dir / ("v" + std::to_string(i) + ".tmx");
    variants[i].tmx_path = path.string();
    export_units(source_of(i == 3 ? std::vector<UnitRecord>{} : records), variants[i]);
    INFO(read_file(path));
    CHECK(capture("xmllint --noout --dtdvalid " + shell_quote(dtd->string()) + " " + shell_quote(path.string())).empty());
  }
}

TEST_CASE("Exported TMX loads in translate-toolkit with the right languages and counts", "[tmx]") {
  auto python = python_with_translate();
  if (!python) {
    WARN("skipped: python3 cannot import translate (Debian package python3-translate)");
    return;
  }
  TempDir dir;
  const auto script = dir / "load.py";
  write_file(script,
             "import sys\n"
             "from translate.storage import tmx\n"
             "store = tmx.tmxfile.parsefile(sys.argv[1])\n"
             "units = [u for u in store.units if not u.isheader()]\n"
             "xml_lang = '{http://www.w3.org/XML/1998/namespace}lang'\n"
             "langs = sorted({n.get(xml_lang) for u in units for n in u.getlanguageNodes()})\n"
             "sys.stdout.buffer.write(('%d %s %s|%s\\n' % (len(units), ','.join(langs), units[0].source, "
             "units[0].target)).encode('utf-8'))\n");
  auto records = round_trip_records();
  auto options = tmx_options(dir / "x");
  auto run = [&](const ExportOptions& o) {
    export_units(source_of(records), o);
    return capture(*python + " " + shell_quote(script.string()) + " " + shell_quote(*o.tmx_path));
  };
  // Multi-language: 4 units (the English-only one is skipped), 4 languages.
  CHECK(run(options) == "4 ar,en,fr,zh The Assembly & the <Council> \"agree\".|توافق الجمعية والمجلس.\n");
  // Bilingual zh-en: the tuv order makes zh the source.
  options.pair = std::make_pair(std::string("zh"), std::string("en"));
  CHECK(run(options) == "3 en,zh 大会与安理会\"一致\"。|The Assembly & the <Council> \"agree\".\n");
}

TEST_CASE("A TMX written by translate-toolkit's po2tmx imports", "[tmx]") {
  auto python = python_with_translate();
  if (!python) {
    WARN("skipped: python3 cannot import translate (Debian package python3-translate)");
    return;
  }
  TempDir dir;
  write_file(dir / "messages.po",
             "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\"Language: zh_CN\\n\"\n\n"
             "msgid \"The General Assembly & <b>Council</b>\"\nmsgstr \"大会和<b>理事会</b>\"\n\n"
             "msgid \"Second\"\nmsgstr \"第二\"\n\n"
             "msgid \"Untranslated\"\nmsgstr \"\"\n");
  const auto tmx = dir / "messages.tmx";
  REQUIRE(capture(*python + " -m translate.convert.po2tmx --progress=none -l zh-CN " +
                  shell_quote((dir / "messages.po").string()) + " " + shell_quote(tmx.string())) == "");
  INFO(read_file(tmx));
  MemorySink sink;
  auto report = import_tmx(tmx.string(), sink, {});
  CHECK(report.tus_read == 2);
  CHECK(report.units_stored == 2);
  CHECK(report.source_tool == "Translate Toolkit");
  REQUIRE(sink.committed);
  CHECK(sink.document.key == "messages");
  CHECK(sink.document.original_lang == "en");
  REQUIRE(sink.document.units.size() == 2);
  CHECK(sink.document.units[0].segments ==
        std::map<std::string, std::string>{{"en", "The General Assembly & <b>Council</b>"}, {"zh", "大会和<b>理事会</b>"}});
  CHECK(sink.document.units[1].segments == std::map<std::string, std::string>{{"en", "Second"}, {"zh", "第二"}});
}

// ---------------------------------------------------------------------------
// The commands, on a real translation memory

namespace {

// A TM with one three-language document (an inline-coded unit included).
void make_tm(const std::filesystem::path& db) {
  StoredDocument doc;
  doc.key = "round";
  doc.symbol = "A/RES/55/100";
  doc.original_lang = "en";
  doc.aligner_version = "test";
  for (const auto& r : round_trip_records()) doc.units.push_back(to_stored_unit(r));
  TranslationMemory tm(db.string());
  tm.store_document(doc);
}

std::size_t document_units(const std::filesystem::path& db, const std::string& key) {
  TranslationMemory tm(db.string(), OpenOptions{.create = false, .read_only = true});
  std::size_t n = 0;
  tm.for_each_unit([&](const UnitRecord&) { ++n; }, key);
  return n;
}

}  // namespace

TEST_CASE("untm export → untm import → untm export is byte-identical", "[tmx][cli]") {
  ScopedEnv epoch("SOURCE_DATE_EPOCH", "1700000000");
  TempDir dir;
  make_tm(dir / "a.db");
  auto first = run_untm("export --db " + shell_quote((dir / "a.db").string()) + " --tmx " +
                        shell_quote((dir / "round.tmx").string()) + " --document round");
  REQUIRE(first.exit_code == 0);
  CHECK(first.err.empty());
  CHECK(first.out == (dir / "a.db").string() + ": 5 units read (document round)\nTMX " + (dir / "round.tmx").string() +
                         ": 4 translation units; 1 skipped (fewer than two languages: 1)\n");
  auto imported = run_untm("import " + shell_quote((dir / "round.tmx").string()) + " --db " +
                           shell_quote((dir / "b.db").string()));
  REQUIRE(imported.exit_code == 0);
  CHECK(imported.out == (dir / "round.tmx").string() + " → " + (dir / "b.db").string() +
                            " (document round): 4 translation units read, 4 stored (ar 2, en 3, fr 1, zh 4)\n"
                            "2 segments keep inline codes (restored on export)\n");
  auto second = run_untm("export --db " + shell_quote((dir / "b.db").string()) + " --tmx " +
                         shell_quote((dir / "again.tmx").string()) + " --document round");
  REQUIRE(second.exit_code == 0);
  const std::string tmx = read_file(dir / "round.tmx");
  CHECK(read_file(dir / "again.tmx") == tmx);
  CHECK(tmx.find("srclang=\"en\" datatype=\"plaintext\" creationdate=\"20231114T221320Z\"") != std::string::npos);
  CHECK(tmx.find("<seg>Press <bpt i=\"1\">&lt;b&gt;</bpt>Save<ept i=\"1\">&lt;/b&gt;</ept> <hi type=\"em\">now</hi>"
                 "<ph x=\"1\"/></seg>") != std::string::npos);
}

TEST_CASE("untm export --moses and --tsv say what they skipped", "[tmx][cli]") {
  TempDir dir;
  make_tm(dir / "a.db");
  const std::string db = shell_quote((dir / "a.db").string());
  auto result = run_untm("export --db " + db + " --moses " + shell_quote((dir / "c").string()) + " --tsv " +
                         shell_quote((dir / "c.tsv").string()) + " --pair en-zh --min-confidence 0.3");
  REQUIRE(result.exit_code == 0);
  const std::string prefix = (dir / "c").string();
  CHECK(result.out == (dir / "a.db").string() + ": 4 units read (all documents, confidence >= 0.3)\n"
                     "TSV " + prefix + ".tsv: 3 rows (columns en zh document paragraph confidence); 1 skipped (fewer "
                     "than two languages: 1)\n"
                     "Moses " + prefix + ".en, " + prefix + ".zh: 3 parallel lines; 1 unit skipped to keep the lines "
                     "parallel (no zh segment: 1)\n");
  CHECK(read_file(dir / "c.en") == "The Assembly & the <Council> \"agree\".\nSecond sentence.\nPress Save now\n");
  CHECK(read_file(dir / "c.zh") == "大会与安理会\"一致\"。\n第二句。\n按保存\n");
}

TEST_CASE("untm import into a new TM: bulk-loaded, and no file at all when the import fails", "[tmx][cli]") {
  TempDir dir;
  const auto db = dir / "new.db";
  const auto bad = dir / "bad.tmx";
  write_file(bad, tmx_with("<tu><tuv xml:lang=\"en\"><seg>ok</seg></tuv><tuv xml:lang=\"fr\"><seg>bien</seg></tuv></tu>\n"
                           "<tu><tuv xml:lang=\"en\"><seg>a & b</seg></tuv></tu>\n"));
  auto result = run_untm("import " + shell_quote(bad.string()) + " --db " + shell_quote(db.string()));
  CHECK(result.exit_code == 3);
  CHECK_FALSE(std::filesystem::exists(db));
  CHECK_FALSE(std::filesystem::exists(db.string() + ".partial"));

  const auto good = dir / "good.tmx";
  const auto nowhere = dir / "no-such-folder" / "tm.db";
  result = run_untm("import " + shell_quote(bad.string()) + " --db " + shell_quote(nowhere.string()));
  CHECK(result.exit_code == 4);
  CHECK(result.err == "untm: error: " + nowhere.string() + ": cannot create the TM: the folder " +
                          (dir / "no-such-folder").string() +
                          " does not exist. Create it, or give a path in an existing folder\n");
  write_file(good, tmx_with("<tu><tuv xml:lang=\"en\"><seg>The Council met.</seg></tuv>"
                            "<tuv xml:lang=\"fr\"><seg>Le Conseil s'est réuni.</seg></tuv></tu>\n"));
  result = run_untm("import " + shell_quote(good.string()) + " --db " + shell_quote(db.string()) + " --document d");
  CHECK(result.exit_code == 0);
  CHECK(document_units(db, "d") == 1);
  CHECK_FALSE(std::filesystem::exists(db.string() + ".partial"));
  {
    sql::Connection c(db.string(), sql::OpenMode::read_only);
    sql::Statement mode(c, "PRAGMA journal_mode");
    REQUIRE(mode.step());
    CHECK(mode.column_string(0) == "wal");
  }
  result = run_untm("lookup " + shell_quote("The Council met.") + " --from en --db " + shell_quote(db.string()));
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("Le Conseil s'est réuni.") != std::string::npos);
}

TEST_CASE("untm import of a broken TMX: exit 3, line and column, nothing stored", "[tmx][cli]") {
  TempDir dir;
  make_tm(dir / "a.db");
  const auto bad = dir / "round.tmx";  // same key as the stored document: it must survive
  write_file(bad, tmx_with("<tu><tuv xml:lang=\"en\"><seg>ok</seg></tuv><tuv xml:lang=\"fr\"><seg>bien</seg></tuv></tu>\n"
                           "<tu><tuv xml:lang=\"en\"><seg>a & b</seg></tuv></tu>\n"));
  auto result = run_untm("import " + shell_quote(bad.string()) + " --db " + shell_quote((dir / "a.db").string()));
  CHECK(result.exit_code == 3);
  CHECK(result.out.empty());
  CHECK(result.err == "untm: error: " + bad.string() +
                          ": line 6, column 32: not well-formed XML: xmlParseEntityRef: no name. Fix the file (xmllint "
                          "--noout FILE lists every error) and try again. Nothing was imported.\n");
  CHECK(document_units(dir / "a.db", "round") == 5);

  write_file(dir / "one.tmx", tmx_with("<tu><tuv xml:lang=\"en\"><seg>alone</seg></tuv></tu>\n"));
  result = run_untm("import " + shell_quote((dir / "one.tmx").string()) + " --db " + shell_quote((dir / "a.db").string()) +
                    " --document solo");
  CHECK(result.exit_code == 0);
  CHECK(result.out == (dir / "one.tmx").string() + " → " + (dir / "a.db").string() +
                          " (document solo): 1 translation unit read, 0 stored\n"
                          "1 translation unit skipped (only one language: 1, first at line 5)\n");
  CHECK(result.err == "untm: warning: " + (dir / "one.tmx").string() +
                          ": no translation unit with two languages; nothing was stored\n");
}

TEST_CASE("untm import --json prints the report as JSON; a short import shows no progress", "[tmx][cli]") {
  TempDir dir;
  const auto file = dir / "two.tmx";
  write_file(file, tmx_with("<tu><tuv xml:lang=\"en\"><seg>The Council met.</seg></tuv>"
                            "<tuv xml:lang=\"fr\"><seg>Le Conseil s'est réuni.</seg></tuv></tu>\n"
                            "<tu><tuv xml:lang=\"en\"><seg>alone</seg></tuv><tuv xml:lang=\"fr\"><seg> </seg></tuv></tu>\n"));
  const std::string db = shell_quote((dir / "tm.db").string());
  auto result = run_untm("import " + shell_quote(file.string()) + " --db " + db + " --document d2 --json");
  REQUIRE(result.exit_code == 0);
  CHECK(result.err.empty());  // not a terminal, and shorter than a progress line's 5 s
  const auto j = nlohmann::json::parse(result.out);
  CHECK(j["file"] == file.string());
  CHECK(j["document"] == "d2");
  CHECK(j["source_tool"] == "t");
  CHECK(j["translation_units_read"] == 2);
  CHECK(j["units_stored"] == 1);
  CHECK(j["translation_units_skipped"] == 1);
  REQUIRE(j["skipped"].size() == 1);
  CHECK(j["skipped"][0]["reason"] == "only one language");
  CHECK(j["skipped"][0]["first_line"] == 6);
  CHECK(j["segments_left_out"][0]["reason"] == "empty segment");
  CHECK(j["segments_per_language"] == nlohmann::json{{"en", 1}, {"fr", 1}});
  CHECK(j["segments_with_inline_codes"] == 0);

  result = run_untm("import " + shell_quote(file.string()) + " --db " + db + " --document d3 --quiet");
  REQUIRE(result.exit_code == 0);
  CHECK(result.err.empty());
  CHECK(result.out.find("(document d3): 2 translation units read, 1 stored (en 1, fr 1)") != std::string::npos);
}

TEST_CASE("untm export and import usage errors", "[tmx][cli]") {
  TempDir dir;
  make_tm(dir / "a.db");
  const std::string db = " --db " + shell_quote((dir / "a.db").string());
  const std::string out = " --tmx " + shell_quote((dir / "x.tmx").string());
  CHECK(run_untm("export" + db).exit_code == 2);
  CHECK(run_untm("export" + db + out + " --langs zh,en --pair zh-en").exit_code == 2);
  auto bad_pair = run_untm("export" + db + out + " --pair zh");
  CHECK(bad_pair.exit_code == 2);
  CHECK(bad_pair.err == "untm: error: --pair zh: write it as SOURCE-TARGET, for example zh-en.\n");
  auto bad_lang = run_untm("export" + db + out + " --langs zh,EN");
  CHECK(bad_lang.exit_code == 2);
  CHECK(bad_lang.err == "untm: error: --langs zh,EN: 'EN' is not a language code. Give two-letter ISO 639-1 codes "
                       "separated by commas, e.g. --langs zh,en,ar.\n");
  CHECK(run_untm("export" + db + out + " --min-confidence 2").exit_code == 2);
  auto missing = run_untm("export --db " + shell_quote((dir / "none.db").string()) + out);
  CHECK(missing.exit_code == 4);  // like lookup, concordance and stats
  CHECK(missing.err.find((dir / "none.db").string() + ": no such TM. Create one with untm align") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "x.tmx"));
  auto no_file = run_untm("import " + shell_quote((dir / "none.tmx").string()) + db);
  CHECK(no_file.exit_code == 3);
  CHECK(no_file.err.find("cannot open: No such file or directory") != std::string::npos);
}
