// Translation-memory benchmarks (figures in docs/BENCHMARKS.md).
//
//   bench_tm build --db PATH [--units N] [--shared DIR]
//       Builds a TM of N (default 1,000,000) three-language units (en, ar,
//       zh) in one ImportSession, recombined from real sentences: en/ar from
//       DIR/data/unpc_sc/gold.tsv (the first half of one sentence + the
//       second half of another, the same pair in both languages), zh from
//       DIR/data/bible_zh_en/zh/001 (two lines joined). Prints units/s, wall
//       and CPU time (the session's writer thread runs the inserts beside
//       this thread, so CPU time may exceed wall time).
//   bench_tm query --db PATH [--units N] [--queries 200] [--shared DIR] [--no-exhaustive]
//                  [--only exact|fuzzy|concordance] [--seed N]
//       On a TM built by `build` with the same N: exact lookups (--min 100,
//       and the default --min 70 --limit 5 with an exact match present),
//       fuzzy lookups of perturbed units (100 en, 50 ar, 50 zh: 1–3 word or
//       character edits) with the best score compared with an exhaustive
//       scan of every segment, and concordance (en 2-word phrases, ar words,
//       zh 1-, 2- and 4-character strings). Prints p50/p95/max.
//
// DIR defaults to ../shared from the working directory. The data is read in
// place and never copied.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "aligner/normalizer.h"
#include "tm/fuzzy_match.h"
#include "tm/sqlite_handle.h"
#include "tm/translation_memory.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

struct Rng {
  std::uint64_t state;
  std::uint64_t next() { return state = splitmix(state); }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string join_words(const std::vector<std::string>& words, std::size_t begin, std::size_t end) {
  std::string out;
  for (std::size_t i = begin; i < end && i < words.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += words[i];
  }
  return out;
}

std::vector<std::string> code_points(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = 1;
    const auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0xF0) n = 4;
    else if (b >= 0xE0) n = 3;
    else if (b >= 0xC0) n = 2;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

struct Corpus {
  std::vector<std::string> en, ar, zh;
};

Corpus load_corpus(const std::filesystem::path& shared) {
  Corpus c;
  std::ifstream tsv(shared / "data/unpc_sc/gold.tsv");
  std::string line;
  std::getline(tsv, line);  // header: key id en ar es
  while (std::getline(tsv, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string col; std::getline(ss, col, '\t');) cols.push_back(col);
    if (cols.size() < 4 || cols[2].empty() || cols[3].empty()) continue;
    c.en.push_back(cols[2]);
    c.ar.push_back(cols[3]);
  }
  std::ifstream zh(shared / "data/bible_zh_en/zh/001");
  while (std::getline(zh, line))
    if (!line.empty()) c.zh.push_back(line);
  if (c.en.empty() || c.zh.empty()) {
    std::fprintf(stderr, "bench_tm: no data under %s (need data/unpc_sc/gold.tsv and data/bible_zh_en/zh/001)\n",
                 shared.c_str());
    std::exit(2);
  }
  return c;
}

// First half of a + second half of b, in words.
std::string recombine(const std::string& a, const std::string& b) {
  const auto wa = split_words(a), wb = split_words(b);
  std::string head = join_words(wa, 0, (wa.size() + 1) / 2), tail = join_words(wb, wb.size() / 2, wb.size());
  return head.empty() ? tail : tail.empty() ? head : head + " " + tail;
}

untm::StoredUnit make_unit(const Corpus& c, std::uint64_t i) {
  Rng rng{i * 7919 + 17};
  const std::size_t a = rng.below(c.en.size()), b = rng.below(c.en.size());
  const std::size_t x = rng.below(c.zh.size()), y = rng.below(c.zh.size());
  untm::StoredUnit u;
  u.segments["en"] = recombine(c.en[a], c.en[b]);
  u.segments["ar"] = recombine(c.ar[a], c.ar[b]);
  u.segments["zh"] = c.zh[x] + c.zh[y];
  u.confidence = 0.3 + 0.7 * static_cast<double>(rng.below(1000)) / 1000.0;
  u.paragraph_key = std::to_string(i % 40 + 1);
  return u;
}

struct Percentiles {
  double p50 = 0, p95 = 0, max = 0;
};

Percentiles percentiles(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  const auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))]; };
  return {at(0.50), at(0.95), v.back()};
}

void print_times(const char* what, const std::vector<double>& ms) {
  const Percentiles p = percentiles(ms);
  std::printf("%-44s n=%-4zu p50 %7.3f ms  p95 %7.3f ms  max %7.3f ms\n", what, ms.size(), p.p50, p.p95, p.max);
}

int build(const std::string& db, std::size_t units, const Corpus& corpus) {
  std::filesystem::remove(db);
  std::filesystem::remove(db + "-wal");
  std::filesystem::remove(db + "-shm");
  // Baseline: generating the units alone.
  auto start = Clock::now();
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < units; ++i) bytes += make_unit(corpus, i).segments.at("en").size();
  const double generate_ms = ms_since(start);
  untm::TranslationMemory tm(db);
  untm::StoredDocument header;
  header.key = "bench";
  header.aligner_version = "bench";
  start = Clock::now();
  const std::clock_t cpu_start = std::clock();
  auto session = tm.begin_import(header);
  for (std::size_t i = 0; i < units; ++i) {
    session.add(make_unit(corpus, i));
    if ((i + 1) % 100000 == 0) {
      std::fprintf(stderr, "  %zu units, %.1f s\n", i + 1, ms_since(start) / 1000);
    }
  }
  session.commit();
  const double total_ms = ms_since(start);
  const double cpu_s = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const double store_ms = total_ms - generate_ms;
  const auto stats = tm.stats();
  std::printf("built %zu units (%zu segments) in %.1f s: %.0f units/s (%.0f units/s without generating them: %.1f s)\n",
              stats.units, stats.segments, total_ms / 1000, static_cast<double>(units) / (total_ms / 1000),
              static_cast<double>(units) / (store_ms / 1000), generate_ms / 1000);
  std::printf("CPU time %.1f s: %.0f units/s of CPU (the machine may be shared; wall time counts waits too)\n", cpu_s,
              static_cast<double>(units) / cpu_s);
  std::printf("file: %.1f MiB\n", static_cast<double>(stats.file_bytes) / (1024.0 * 1024.0));
  (void)bytes;
  return 0;
}

// An edited copy of a stored text: 1–3 edits of words (en, ar) or
// characters (zh), replacements taken from another unit.
std::string perturb(const std::string& text, const std::string& donor, bool characters, Rng& rng) {
  std::vector<std::string> items = characters ? code_points(text) : split_words(text);
  const std::vector<std::string> spare = characters ? code_points(donor) : split_words(donor);
  const std::size_t edits = 1 + rng.below(3);
  for (std::size_t e = 0; e < edits && items.size() > 2; ++e) {
    const std::size_t at = rng.below(items.size());
    switch (rng.below(3)) {
      case 0:
        items[at] = spare[rng.below(spare.size())];
        break;
      case 1:
        items.erase(items.begin() + static_cast<std::ptrdiff_t>(at));
        break;
      default:
        items.insert(items.begin() + static_cast<std::ptrdiff_t>(at), spare[rng.below(spare.size())]);
        break;
    }
  }
  std::string out;
  for (const auto& item : items) {
    if (!out.empty() && !characters) out += ' ';
    out += item;
  }
  return out;
}

// Every segment of one language, tokenized once, for the exhaustive scan.
struct Exhaustive {
  std::string lang;
  std::unordered_map<std::string, std::uint32_t> vocabulary;
  std::vector<std::vector<std::uint32_t>> tokens;
  std::vector<std::int64_t> unit_ids;

  std::vector<std::uint32_t> ids(const std::string& key, bool add) {
    std::vector<std::uint32_t> out;
    for (const auto& t : untm::fuzzy::tokenize_key(lang, key)) {
      const std::string token = key.substr(t.begin, t.end - t.begin);
      auto it = vocabulary.find(token);
      if (it == vocabulary.end()) {
        const auto id = static_cast<std::uint32_t>(vocabulary.size());
        if (add) vocabulary.emplace(token, id);
        out.push_back(add ? id : 0xFFFFFFFFu - static_cast<std::uint32_t>(out.size()));
      } else {
        out.push_back(it->second);
      }
    }
    return out;
  }
};

// The best score any stored segment gets: the token-level edit distance of
// every segment (a length filter and a cut-off skip hopeless ones), then the
// real scorer on every segment within 5 points of the best.
int exhaustive_best(Exhaustive& ex, untm::sql::Connection& db, const std::string& query) {
  const untm::fuzzy::Matcher matcher(ex.lang, query);
  const std::vector<std::uint32_t> q = ex.ids(matcher.query_key().text, false);
  int best_raw = 60;
  std::vector<std::pair<int, std::size_t>> near;
  for (std::size_t i = 0; i < ex.tokens.size(); ++i) {
    const auto& s = ex.tokens[i];
    const std::size_t n = std::max(q.size(), s.size());
    if (n == 0) continue;
    const int floor_raw = best_raw - 5;
    const std::size_t max_d = n * static_cast<std::size_t>(100 - floor_raw) / 100;
    const std::size_t d = untm::fuzzy::edit_distance(q, s, max_d);
    if (d > max_d) continue;
    const int raw = static_cast<int>(100 * (n - d) / n);
    if (raw > best_raw) best_raw = raw;
    near.emplace_back(raw, i);
  }
  untm::sql::Statement text(db, "SELECT s.text, s.key FROM segments s WHERE s.unit_id = ?1 AND s.lang = ?2");
  int best = 0;
  for (const auto& [raw, i] : near) {
    if (raw < best_raw - 5) continue;
    untm::sql::ResetOnExit reset(text);
    text.bind(1, ex.unit_ids[i]).bind(2, ex.lang);
    if (text.step()) best = std::max(best, matcher.score(text.column_view(0), text.column_view(1), 0).score);
  }
  return best;
}

int query(const std::string& db_path, std::size_t units, std::size_t queries, const Corpus& corpus, bool exhaustive,
          const std::string& only, std::uint64_t seed) {
  const auto run = [&](const char* part) { return only.empty() || only == part; };
  untm::OpenOptions open;
  open.create = false;
  open.read_only = true;
  untm::TranslationMemory tm(db_path, open);
  Rng rng{seed};
  const std::vector<std::string> langs = {"en", "ar", "zh"};

  // Exact lookups.
  std::vector<double> exact_only, exact_default;
  for (std::size_t k = 0; k < queries && run("exact"); ++k) {
    const auto unit = make_unit(corpus, rng.below(units));
    const std::string& lang = langs[k % 3];
    untm::LookupOptions o;
    o.from = lang;
    o.min_score = 100;
    auto start = Clock::now();
    auto hits = tm.lookup(unit.segments.at(lang), o);
    exact_only.push_back(ms_since(start));
    if (hits.empty() || hits.front().score != 100) std::fprintf(stderr, "exact lookup missed its unit (%s)\n", lang.c_str());
    o.min_score = 70;
    start = Clock::now();
    hits = tm.lookup(unit.segments.at(lang), o);
    exact_default.push_back(ms_since(start));
  }
  if (run("exact")) {
    print_times("exact lookup, --min 100", exact_only);
    print_times("lookup of a stored text, --min 70 --limit 5", exact_default);
  }

  // Fuzzy lookups.
  struct Query {
    std::string lang, text;
    int best_found = 0;
  };
  std::vector<Query> fuzzy;
  for (std::size_t k = 0; k < queries; ++k) {
    const std::string lang = k < queries / 2 ? "en" : k < queries * 3 / 4 ? "ar" : "zh";
    const auto unit = make_unit(corpus, rng.below(units));
    const auto donor = make_unit(corpus, rng.below(units));
    fuzzy.push_back({lang, perturb(unit.segments.at(lang), donor.segments.at(lang), lang == "zh", rng)});
  }
  std::map<std::string, std::vector<double>> fuzzy_ms;
  std::vector<double> all_fuzzy;
  for (auto& q : fuzzy) {
    if (!run("fuzzy")) break;
    untm::LookupOptions o;
    o.from = q.lang;
    const auto start = Clock::now();
    const auto hits = tm.lookup(q.text, o);
    const double ms = ms_since(start);
    if (std::getenv("BENCH_TM_SLOW") && ms > std::atof(std::getenv("BENCH_TM_SLOW")))
      std::fprintf(stderr, "slow lookup %.1f ms, %zu hits: %s\n", ms, hits.size(), q.text.c_str());
    fuzzy_ms[q.lang].push_back(ms);
    all_fuzzy.push_back(ms);
    q.best_found = hits.empty() ? 0 : hits.front().score;
  }
  if (run("fuzzy")) {
    print_times("fuzzy lookup, all", all_fuzzy);
    for (const auto& lang : langs) print_times(("fuzzy lookup, " + lang).c_str(), fuzzy_ms[lang]);
  }

  // Concordance.
  std::map<std::string, std::vector<double>> conc_ms;
  std::vector<double> all_conc;
  std::size_t conc_hits = 0;
  for (std::size_t k = 0; k < queries && run("concordance"); ++k) {
    const auto unit = make_unit(corpus, rng.below(units));
    std::string term, kind;
    switch (k % 5) {
      case 0: {
        const auto w = split_words(unit.segments.at("en"));
        const std::size_t at = rng.below(w.size() > 1 ? w.size() - 1 : 1);
        term = join_words(w, at, at + 2);
        kind = "en 2 words";
        break;
      }
      case 1: {
        const auto w = split_words(unit.segments.at("ar"));
        for (int attempt = 0; attempt < 50 && term.size() < 4; ++attempt) term = w[rng.below(w.size())];  // 2+ letters
        kind = "ar 1 word";
        break;
      }
      default: {
        // Ideographs only (a term of punctuation is no search).
        const auto cps = code_points(unit.segments.at("zh"));
        const std::size_t len = k % 5 == 2 ? 1 : k % 5 == 3 ? 2 : 4;
        for (int attempt = 0; attempt < 50 && term.empty(); ++attempt) {
          const std::size_t at = rng.below(cps.size() > len ? cps.size() - len : 1);
          for (std::size_t i = at; i < at + len && i < cps.size(); ++i) {
            if (cps[i].size() != 3 || cps[i] < "\xE4\xB8\x80" || cps[i] > "\xE9\xBF\xBF") {
              term.clear();
              break;
            }
            term += cps[i];
          }
        }
        if (term.empty()) term = "\xE7\x9A\x84";  // 的
        kind = "zh " + std::to_string(len) + " char";
        break;
      }
    }
    untm::ConcordanceOptions o;
    const auto start = Clock::now();
    const auto hits = tm.concordance(term, o);
    const double ms = ms_since(start);
    conc_hits += hits.size();
    if (std::getenv("BENCH_TM_SLOW") && ms > std::atof(std::getenv("BENCH_TM_SLOW")))
      std::fprintf(stderr, "slow concordance %.1f ms, %zu hits: %s\n", ms, hits.size(), term.c_str());
    conc_ms[kind].push_back(ms);
    all_conc.push_back(ms);
  }
  if (run("concordance")) {
    print_times("concordance, all (limit 50)", all_conc);
    for (const auto& [kind, ms] : conc_ms) print_times(("concordance, " + kind).c_str(), ms);
    std::printf("concordance: %.1f hits per query on average\n", static_cast<double>(conc_hits) / static_cast<double>(queries));
  }

  if (!exhaustive || !run("fuzzy")) return 0;
  // Recall of the fuzzy lookup against an exhaustive scan.
  untm::sql::Connection db(db_path, untm::sql::OpenMode::read_only);
  std::map<std::string, Exhaustive> scans;
  for (const auto& lang : langs) scans[lang].lang = lang;
  auto start = Clock::now();
  tm.for_each_unit([&](const untm::UnitRecord& r) {
    for (auto& [lang, ex] : scans) {
      const auto it = r.segments.find(lang);
      if (it == r.segments.end()) continue;
      ex.tokens.push_back(ex.ids(untm::matching_key_text(it->second), true));
      ex.unit_ids.push_back(r.id);
    }
  });
  std::fprintf(stderr, "tokenized every segment for the exhaustive scan in %.1f s\n", ms_since(start) / 1000);
  std::map<std::string, std::pair<std::size_t, std::size_t>> recall;  // lang → (found, compared)
  std::size_t below_min = 0;
  for (std::size_t k = 0; k < fuzzy.size(); ++k) {
    const auto& q = fuzzy[k];
    const int best = exhaustive_best(scans[q.lang], db, q.text);
    if (best < 70) {
      ++below_min;
      continue;
    }
    auto& r = recall[q.lang];
    ++r.second;
    if (q.best_found >= best) ++r.first;
    else std::fprintf(stderr, "missed (%s): best %d, lookup %d: %s\n", q.lang.c_str(), best, q.best_found, q.text.c_str());
  }
  std::size_t found = 0, compared = 0;
  for (const auto& [lang, r] : recall) {
    std::printf("fuzzy best match found, %s: %zu / %zu\n", lang.c_str(), r.first, r.second);
    found += r.first;
    compared += r.second;
  }
  std::printf("fuzzy best match found, all: %zu / %zu (%.1f%%); %zu queries had no match >= 70 in the TM\n", found,
              compared, compared ? 100.0 * static_cast<double>(found) / static_cast<double>(compared) : 0.0, below_min);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: bench_tm build --db PATH [--units N] [--shared DIR]\n"
                 "       bench_tm query --db PATH [--units N] [--queries N] [--shared DIR] [--no-exhaustive]\n"
                 "                      [--only exact|fuzzy|concordance] [--seed N]\n");
    return 2;
  }
  const std::string mode = argv[1];
  std::string db;
  std::size_t units = 1000000, queries = 200;
  std::filesystem::path shared = "../shared";
  bool exhaustive = true;
  std::string only;
  std::uint64_t seed = 12345;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_tm: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--db") db = value();
    else if (arg == "--units") units = std::stoul(value());
    else if (arg == "--queries") queries = std::stoul(value());
    else if (arg == "--shared") shared = value();
    else if (arg == "--no-exhaustive") exhaustive = false;
    else if (arg == "--only") only = value();
    else if (arg == "--seed") seed = std::stoull(value());
    else {
      std::fprintf(stderr, "bench_tm: unknown argument %s\n", arg.c_str());
      return 2;
    }
  }
  if (db.empty()) {
    std::fprintf(stderr, "bench_tm: --db PATH is required\n");
    return 2;
  }
  try {
    const Corpus corpus = load_corpus(shared);
    if (mode == "build") return build(db, units, corpus);
    if (mode == "query") return query(db, units, queries, corpus, exhaustive, only, seed);
    std::fprintf(stderr, "bench_tm: unknown mode %s (build or query)\n", mode.c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_tm: %s\n", e.what());
    return 1;
  }
}
