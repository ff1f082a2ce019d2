// The untm binary as users run it: exit codes, messages on stderr, and
// approval (golden) tests of its output with volatile parts scrubbed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/test_support.h"

using namespace untm::test;

namespace {

const std::filesystem::path kCorpus = source_dir() / "corpora" / "libya-contact-group-2011";
const std::filesystem::path kGolden = source_dir() / "tests" / "golden" / "cli";

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
  return s;
}

// The repository path differs between machines: show it as <root>.
std::string scrub(const std::string& output) { return replace_all(output, source_dir().string(), "<root>"); }

// Compares with the golden file; UNTM_UPDATE_GOLDEN=1 rewrites it instead
// (then review the diff before committing).
void check_golden(const std::string& actual, const std::string& name) {
  auto path = kGolden / name;
  if (std::getenv("UNTM_UPDATE_GOLDEN")) {
    write_file(path, actual);
    WARN("updated " << path);
  }
  REQUIRE(std::filesystem::exists(path));
  CHECK(actual == read_file(path));
}

}  // namespace

TEST_CASE("untm --help, --version and usage errors") {
  auto help = run_untm("--help");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("segment") != std::string::npos);
  auto segment_help = run_untm("segment --help");
  CHECK(segment_help.exit_code == 0);
  CHECK(segment_help.out.find("--json") != std::string::npos);
  CHECK(segment_help.out.find("--lang") != std::string::npos);

  auto version = run_untm("--version");
  CHECK(version.exit_code == 0);
  CHECK(version.out.starts_with("untm 0."));
  CHECK(version.out.find("FTS5") != std::string::npos);
  // The allocator the build linked (tools/CMakeLists.txt).
#ifdef UNTM_EXPECT_MIMALLOC
  CHECK(version.out.find(", mimalloc 2.") != std::string::npos);
#else
  CHECK(version.out.find(", C library malloc)") != std::string::npos);
#endif

  auto none = run_untm("");
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("Run 'untm --help' for usage.") != std::string::npos);

  auto unknown = run_untm("frobnicate");
  CHECK(unknown.exit_code == 2);

  auto bad_lang = run_untm("segment " + shell_quote((kCorpus / "zh.txt").string()) + " --lang chinese");
  CHECK(bad_lang.exit_code == 2);
  CHECK(bad_lang.err ==
        "untm: error: --lang chinese: not a language code. Give a two-letter ISO 639-1 code such as ar, zh, en, fr, "
        "ru or es.\n");
}

TEST_CASE("untm: numeric options out of range or not numbers name the option, the range and the value") {
  // Checked before anything is opened: no TM is needed.
  const std::string db = " --db /nonexistent/tm.sqlite";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"lookup x --from en --min 101" + db, "--min: give a whole number from 0 to 100 (got '101')"},
      {"lookup x --from en --min 7.5" + db, "--min: give a whole number from 0 to 100 (got '7.5')"},
      {"lookup x --from en --limit 0" + db, "--limit: give a whole number, 1 or more (got '0')"},
      {"concordance x --limit abc" + db, "--limit: give a whole number, 1 or more (got 'abc')"},
      {"batch dir --jobs -1" + db, "--jobs: give a whole number from 0 to 1024 (0: one per core) (got '-1')"},
      {"batch dir --jobs 5000" + db, "--jobs: give a whole number from 0 to 1024 (0: one per core) (got '5000')"},
      {"batch dir --low-confidence 1.5" + db, "--low-confidence: give a number from 0 to 1, such as 0.5 (got '1.5')"},
      {"align a.txt b.txt --low-confidence nan",
       "--low-confidence: give a number from 0 to 1, such as 0.5 (got 'nan')"},
      {"batch dir --low-confidence ' 0.5'" + db,
       "--low-confidence: give a number from 0 to 1, such as 0.5 (got ' 0.5')"},
      {"batch dir --low-confidence inf" + db, "--low-confidence: give a number from 0 to 1, such as 0.5 (got 'inf')"},
      {"export --tmx out.tmx --min-confidence -0.1" + db,
       "--min-confidence: give a number from 0 to 1, such as 0.5 (got '-0.1')"},
  };
  for (const auto& [args, message] : cases) {
    INFO(args);
    const auto r = run_untm(args);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "untm: error: " + message + "\nRun 'untm --help' for usage.\n");
  }
  // In range: parsed, and the command goes on to the missing TM (exit 4).
  CHECK(run_untm("lookup x --from en --min 0 --limit 1" + db).exit_code == 4);
  CHECK(run_untm("export --tmx out.tmx --min-confidence 1" + db).exit_code == 4);
}

TEST_CASE("untm segment: bad input files give a clear error and exit code 3") {
  TempDir dir;
  SECTION("missing file") {
    auto path = (dir / "missing.en.txt").string();
    auto r = run_untm("segment " + shell_quote(path));
    CHECK(r.exit_code == 3);
    CHECK(r.err == "untm: error: " + path + ": cannot read the file (No such file or directory). Check the path.\n");
    CHECK(r.out.empty());
  }
  SECTION("invalid UTF-8, then --lossy") {
    auto path = (dir / "bad.en.txt").string();
    write_file(path, "1. The Council met.\n2. It agreed \xC3\x28 to meet again.\n");
    auto r = run_untm("segment " + shell_quote(path));
    CHECK(r.exit_code == 3);
    CHECK(r.err == "untm: error: " + path +
                       ": invalid UTF-8 at byte 33 (0xC3 0x28): the file is not UTF-8. Convert it to UTF-8 (for example: "
                       "iconv -f WINDOWS-1252 -t UTF-8 " +
                       path + " > fixed.txt) or pass --lossy to replace invalid bytes with U+FFFD.\n");
    auto lossy = run_untm("segment --lossy " + shell_quote(path));
    CHECK(lossy.exit_code == 0);
    CHECK(lossy.err == "untm: warning: " + path + ": replaced 1 invalid byte sequence with U+FFFD (--lossy)\n");
    CHECK(lossy.out.find("It agreed \xEF\xBF\xBD( to meet again.") != std::string::npos);
  }
  SECTION("empty file") {
    auto path = (dir / "empty.zh.txt").string();
    write_file(path, "");
    auto r = run_untm("segment " + shell_quote(path));
    CHECK(r.exit_code == 3);
    CHECK(r.err == "untm: error: " + path +
                       ": the file is empty. Give the text of the document (UTF-8 or UTF-16 with BOM).\n");
  }
  SECTION("a PDF instead of its text") {
    auto path = (dir / "doc.en.txt").string();
    write_file(path, std::string("%PDF-1.5\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\x00stream", 33));
    auto r = run_untm("segment " + shell_quote(path));
    CHECK(r.exit_code == 3);
    CHECK(r.err.starts_with("untm: error: " + path + ": binary data at byte 0: this is a PDF file"));
    CHECK(r.err.find("pdftotext") != std::string::npos);
  }
  SECTION("a directory") {
    auto r = run_untm("segment " + shell_quote(dir.path().string()));
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("(it is a directory)") != std::string::npos);
  }
}

TEST_CASE("untm segment: language from the file name, else detected and reported") {
  TempDir dir;
  auto path = (dir / "statement.txt").string();
  write_file(path, "1. Participants welcomed the progress made since the London Conference in supporting the "
                   "Libyan people.\n");
  auto r = run_untm("segment --json " + shell_quote(path));
  CHECK(r.exit_code == 0);
  CHECK(r.err.starts_with("untm: warning: " + path + ": language detected as en ("));
  CHECK(r.out.find("\"lang\": \"en\"") != std::string::npos);
  CHECK(r.out.find("\"lang_source\": \"detected\"") != std::string::npos);

  auto given = run_untm("segment --json --lang fr " + shell_quote(path));
  CHECK(given.err.empty());
  CHECK(given.out.find("\"lang_source\": \"option\"") != std::string::npos);

  auto unknown = dir / "digits.txt";
  write_file(unknown, "1 2 3\n");
  auto r2 = run_untm("segment " + shell_quote(unknown.string()));
  CHECK(r2.exit_code == 2);
  CHECK(r2.err == "untm: error: " + unknown.string() +
                      ": cannot tell the language (no letters). Pass --lang, or name the file LANG.txt or "
                      "NAME.LANG.txt.\n");
}

TEST_CASE("untm segment output (approval): seed JSON, Arabic text") {
  auto zh = run_untm("segment --json " + shell_quote((kCorpus / "zh.txt").string()));
  REQUIRE(zh.exit_code == 0);
  CHECK(zh.err.empty());
  check_golden(scrub(zh.out), "segment_zh.json");

  auto ar = run_untm("segment " + shell_quote((kCorpus / "ar.txt").string()));
  REQUIRE(ar.exit_code == 0);
  check_golden(scrub(ar.out), "segment_ar.txt");

  auto en = run_untm("segment --json " + shell_quote((kCorpus / "en.txt").string()));
  REQUIRE(en.exit_code == 0);
  check_golden(scrub(en.out), "segment_en.json");
}

TEST_CASE("untm segment reads UTF-16 with BOM like UTF-8") {
  TempDir dir;
  std::string utf8 = "1. The Group met in Doha.\n2. It agreed.\n";
  std::string utf16 = "\xFF\xFE";
  for (char c : utf8) {
    utf16 += c;
    utf16 += '\0';
  }
  auto path = dir / "doc.en.txt";
  write_file(path, utf16);
  auto r = run_untm("segment --json " + shell_quote(path.string()));
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("\"encoding\": \"UTF-16LE (BOM)\"") != std::string::npos);
  CHECK(r.out.find("\"text\": \"It agreed.\"") != std::string::npos);
}

TEST_CASE("untm align: the seed corpus, TSV scored by untm eval against the gold") {
  TempDir dir;
  auto tsv = (dir / "units.tsv").string();
  auto r = run_untm("align " + shell_quote((kCorpus / "zh.txt").string()) + " " +
                    shell_quote((kCorpus / "en.txt").string()) + " " + shell_quote((kCorpus / "ar.txt").string()) +
                    " --out " + shell_quote(tsv));
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.empty());
  CHECK(r.err.find("untm: ar-zh: ") != std::string::npos);  // per-pair summary, pivot first
  std::string units = read_file(tsv);
  CHECK(units.starts_with("key\tparagraph\tconfidence\tzh\ten\tar\n"));
  CHECK(std::count(units.begin(), units.end(), '\n') == 65);  // header + 64 units, as the gold
  CHECK(units.find("\nlibya-contact-group-2011\t1\t") != std::string::npos);
  auto eval = run_untm("eval --units " + shell_quote(tsv) + " --gold " + shell_quote((kCorpus / "gold.tsv").string()) +
                       " --pair zh-en ar-en ar-zh");
  CHECK(eval.exit_code == 0);
  CHECK(eval.out ==
        "zh-en\tP 1.000\tR 1.000\tF1 1.000\t(gold 64, test 64)\n"
        "ar-en\tP 1.000\tR 1.000\tF1 1.000\t(gold 64, test 64)\n"
        "ar-zh\tP 1.000\tR 1.000\tF1 1.000\t(gold 64, test 64)\n");

  auto json = run_untm("align --json --langs zh,en " + shell_quote((kCorpus / "zh.txt").string()) + " " +
                       shell_quote((kCorpus / "en.txt").string()));
  REQUIRE(json.exit_code == 0);
  CHECK(json.out.find("\"pivot\": \"en\"") != std::string::npos);  // ar is not among the versions
  CHECK(json.out.find("\"sentences\": {") != std::string::npos);
}

TEST_CASE("untm align: clear errors for bad calls") {
  auto zh = shell_quote((kCorpus / "zh.txt").string());
  auto en = shell_quote((kCorpus / "en.txt").string());
  auto one = run_untm("align " + zh);
  CHECK(one.exit_code == 2);
  CHECK(one.err ==
        "untm: error: untm align needs 2 to 6 language versions of one document; got 1 file. Give one file per "
        "language.\n");
  auto same = run_untm("align " + zh + " " + en + " --langs zh,zh");
  CHECK(same.exit_code == 2);
  CHECK(same.err.find("two versions are in the same language (zh)") != std::string::npos);
  auto count = run_untm("align " + zh + " " + en + " --langs zh");
  CHECK(count.exit_code == 2);
  CHECK(count.err ==
        "untm: error: --langs zh names 1 language for 2 files: give one per file, in file order.\n");
  CHECK(run_untm("align " + zh + " " + en + " --langs zh,en,ar").err ==
        "untm: error: --langs zh,en,ar names 3 languages for 2 files: give one per file, in file order.\n");
  auto unknown = run_untm("align " + zh + " " + en + " --langs zh,english");
  CHECK(unknown.exit_code == 2);
  auto pivot = run_untm("align " + zh + " " + en + " --pivot fr");
  CHECK(pivot.exit_code == 2);
  CHECK(pivot.err.find("pivot language fr is not among the versions (zh, en)") != std::string::npos);
}

TEST_CASE("untm align --presegmented --beads: Vecalign beads") {
  TempDir dir;
  write_file(dir / "a.en", "The Council met in Doha.\nIt adopted resolution 1973 (2011).\nIt closed the meeting.\n");
  write_file(dir / "a.fr",
             "Le Conseil s'est réuni à Doha.\nIl a adopté la résolution 1973 (2011).\nIl a levé la séance.\n");
  auto r = run_untm("align --presegmented --beads --langs en,fr " + shell_quote((dir / "a.en").string()) + " " +
                    shell_quote((dir / "a.fr").string()));
  CHECK(r.exit_code == 0);
  CHECK(r.out == "[0]:[0]\n[1]:[1]\n[2]:[2]\n");
  auto missing = run_untm("align --presegmented --beads " + shell_quote((dir / "a.en").string()) + " " +
                          shell_quote((dir / "a.fr").string()));
  CHECK(missing.exit_code == 2);
  CHECK(missing.err == "untm: error: --presegmented needs --langs SRC_LANG,TGT_LANG (e.g. --langs en,zh).\n");
}

namespace {

// "documents: 1\nunits: 64\nsegments: …" of `untm stats`, without the lines
// that change with the file (size) or name it.
std::string stats_counts(const std::string& db) {
  auto r = run_untm("stats --db " + shell_quote(db));
  REQUIRE(r.exit_code == 0);
  std::string out;
  std::size_t pos = 0;
  while (pos < r.out.size()) {
    auto nl = r.out.find('\n', pos);
    const std::string line = r.out.substr(pos, nl - pos);
    if (line.starts_with("documents:") || line.starts_with("units:") || line.starts_with("segments:"))
      out += line + "\n";
    pos = nl + 1;
  }
  return out;
}

// The stats lines one stored copy of the seed corpus gives; segments per
// language in the TSV's order zh, en, ar (stats lists them in UN order).
std::string fmt_counts(const std::size_t (&segments)[3]) {
  const auto n = [](std::size_t v) { return std::to_string(v); };
  return "documents: 1\nunits: 64\nsegments: " + n(segments[0] + segments[1] + segments[2]) + " (ar " + n(segments[2]) +
         ", zh " + n(segments[0]) + ", en " + n(segments[1]) + ")\n";
}

std::vector<std::vector<std::string>> tsv_rows(const std::string& tsv) {
  std::vector<std::vector<std::string>> rows;
  std::size_t pos = 0;
  while (pos < tsv.size()) {
    auto nl = tsv.find('\n', pos);
    std::vector<std::string> row;
    std::size_t start = pos;
    for (;;) {
      auto tab = tsv.find('\t', start);
      if (tab == std::string::npos || tab > nl) {
        row.push_back(tsv.substr(start, nl - start));
        break;
      }
      row.push_back(tsv.substr(start, tab - start));
      start = tab + 1;
    }
    rows.push_back(std::move(row));
    pos = nl + 1;
  }
  return rows;
}

}  // namespace

TEST_CASE("untm align --db: stores the document once, re-runs replace it") {
  TempDir dir;
  const auto db = (dir / "tm.db").string();
  const std::string files = shell_quote((kCorpus / "zh.txt").string()) + " " +
                            shell_quote((kCorpus / "en.txt").string()) + " " +
                            shell_quote((kCorpus / "ar.txt").string());
  // What is stored must be what align prints: count the non-empty cells.
  auto tsv = run_untm("align " + files);
  REQUIRE(tsv.exit_code == 0);
  const auto rows = tsv_rows(tsv.out);
  REQUIRE(rows.size() == 65);
  std::size_t segments[3] = {0, 0, 0};
  for (std::size_t r = 1; r < rows.size(); ++r)
    for (int c = 0; c < 3; ++c) segments[c] += rows[r][3 + c].empty() ? 0 : 1;
  const std::string expected_counts = fmt_counts(segments);

  auto first = run_untm("align " + files + " --db " + shell_quote(db));
  REQUIRE(first.exit_code == 0);
  CHECK(first.out.empty());  // storing is the job: no TSV unless asked for
  CHECK(first.err.ends_with("untm: stored 64 units of libya-contact-group-2011 in " + db + "\n"));
  CHECK(stats_counts(db) == expected_counts);

  auto again = run_untm("align " + files + " --db " + shell_quote(db));
  REQUIRE(again.exit_code == 0);
  CHECK(again.err.ends_with("untm: stored 64 units of libya-contact-group-2011 in " + db +
                            " (replaced the version stored before)\n"));
  CHECK(stats_counts(db) == expected_counts);  // no duplicates

  // A stored sentence is found, with its translations and provenance.
  const std::string& en = rows[1][4];
  const std::string& zh = rows[1][3];
  auto hit = run_untm("lookup " + shell_quote(en) + " --db " + shell_quote(db) + " --from en");
  REQUIRE(hit.exit_code == 0);
  CHECK(hit.out.find("] 100%  doc libya-contact-group-2011") != std::string::npos);
  CHECK(hit.out.find("  zh: " + zh + "\n") != std::string::npos);

  // --key, and --tsv with --db: both stored and printed.
  auto keyed = run_untm("align " + files + " --db " + shell_quote(db) + " --key LCG-2011 --tsv");
  REQUIRE(keyed.exit_code == 0);
  CHECK(keyed.out.starts_with("key\tparagraph\tconfidence\tzh\ten\tar\nLCG-2011\t"));
  CHECK(keyed.err.ends_with("untm: stored 64 units of LCG-2011 in " + db + "\n"));
  CHECK(stats_counts(db).starts_with("documents: 2\nunits: 128\n"));
}

TEST_CASE("untm align --db: a bad file or a bad TM path stores nothing") {
  TempDir dir;
  const auto db = (dir / "tm.db").string();
  const auto zh = shell_quote((kCorpus / "zh.txt").string());
  const auto en = shell_quote((kCorpus / "en.txt").string());
  const auto bad = (dir / "ar.txt").string();
  write_file(bad, "1. \xC3\x28\n");

  // No TM is created for a run that fails.
  auto failed = run_untm("align " + zh + " " + en + " " + shell_quote(bad) + " --db " + shell_quote(db) +
                         " --key libya-contact-group-2011");
  CHECK(failed.exit_code == 3);
  CHECK(failed.err.starts_with("untm: error: " + bad + ": invalid UTF-8 at byte 3"));
  CHECK_FALSE(std::filesystem::exists(db));

  REQUIRE(run_untm("align " + zh + " " + en + " --db " + shell_quote(db)).exit_code == 0);
  const std::string before = stats_counts(db);
  CHECK(before.starts_with("documents: 1\nunits: "));
  failed = run_untm("align " + zh + " " + en + " " + shell_quote(bad) + " --db " + shell_quote(db) +
                    " --key libya-contact-group-2011");
  CHECK(failed.exit_code == 3);
  CHECK(stats_counts(db) == before);  // the stored version stays whole

  const auto unwritable = (dir / "no-such-folder" / "tm.db").string();
  auto r = run_untm("align " + zh + " " + en + " --db " + shell_quote(unwritable));
  CHECK(r.exit_code == 4);
  CHECK(r.out.empty());
  CHECK(r.err.ends_with("untm: error: " + unwritable +
                        ": opening: unable to open database file; cannot open the file: check the path, and that its "
                        "folder exists and is writable\n"));

  const auto not_tm = (dir / "notes.txt").string();
  write_file(not_tm, "these are notes, not a translation memory\n");
  auto r2 = run_untm("align " + zh + " " + en + " --db " + shell_quote(not_tm));
  CHECK(r2.exit_code == 4);
  CHECK(r2.err.ends_with("untm: error: " + not_tm +
                         ": reading the file: file is not a database; not a untm TM: give a file made by untm or a "
                         "new path\n"));
  CHECK(read_file(not_tm) == "these are notes, not a translation memory\n");

  auto presegmented = run_untm("align --presegmented --beads --langs zh,en " + zh + " " + en + " --db " +
                               shell_quote(db));
  CHECK(presegmented.exit_code == 2);
  CHECK(presegmented.err ==
        "untm: error: --db and --key store whole documents; they do not go with --presegmented --beads.\n");

  auto help = run_untm("align --help");
  CHECK(help.out.find("--db") != std::string::npos);
  CHECK(help.out.find("--key") != std::string::npos);
}
