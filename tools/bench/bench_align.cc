// Presegmented sentence alignment: the benchmark and driver of the aligner.
//
//   bench_align SRC TGT [--langs de,fr] [--out FILE] [--confidence] [--runs N]
//       Aligns two files of one sentence per line (languages default en,zh)
//       and prints the beads in the Vecalign format "[0, 1]:[2]" (0-based
//       line numbers; "[]:[5]" is an insertion), with --confidence a third
//       field ":0.93". Timings go to stderr: features, model estimation,
//       alignment, total wall and CPU time, medians of N runs.
//   bench_align --bench SET [--shared DIR] [--keep DIR]
//       SET: bible (en->zh, scored by verse as the Bertalign paper does),
//       textberg (test0-6, counts summed), dev (textberg dev), all. Prints
//       strict and lax precision/recall/F1 (the definitions of
//       ../shared/tools/alignscore.py), how well confidence ranks the units
//       (beads with both sides: AUC, the chance a strict-correct one
//       outranks a wrong one) and the time. --keep writes the bead files
//       there (with confidence), for the reference scorer.
//   bench_align --bench unpc [--shared DIR] [--keep DIR]
//       Real UN text (unpc_sc/clean, en->ar and en->es): the model estimated
//       once per document, sentences aligned inside each paragraph pair, as
//       `untm align` does. Writes TSVs of units for alignscore.py units.
//   bench_align --make-synthetic N PREFIX [--shared DIR]
//       Writes PREFIX.en and PREFIX.zh: N parallel lines made of the Bible's
//       gold beads (each bead's sentences joined), repeated as needed.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "aligner/scoring.h"
#include "aligner/segmenter.h"
#include "aligner/sentence_aligner.h"
#include "aligner/text_reader.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// CPU time of the process: on a busy machine the wall clock also counts
// the time other processes had the CPU.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

std::vector<std::string> read_lines(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "bench_align: cannot read %s\n", path.c_str());
    std::exit(2);
  }
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

std::string format_ids(const std::vector<std::size_t>& ids) {
  std::string s = "[";
  for (std::size_t k = 0; k < ids.size(); ++k) s += (k ? ", " : "") + std::to_string(ids[k]);
  return s + "]";
}

std::string format_beads(const std::vector<untm::Bead>& beads, bool confidence) {
  std::string out;
  char buf[32];
  for (const auto& b : beads) {
    out += format_ids(b.src) + ":" + format_ids(b.tgt);
    if (confidence) {
      std::snprintf(buf, sizeof buf, ":%.4f", b.confidence);
      out += buf;
    }
    out += '\n';
  }
  return out;
}

// Strict and lax counts summed over files (the reference scorer's totals).
void add(untm::BeadCounts& sum, const untm::BeadCounts& c) {
  sum.tp_strict += c.tp_strict;
  sum.fp_strict += c.fp_strict;
  sum.tp_lax += c.tp_lax;
  sum.fp_lax += c.fp_lax;
}

std::vector<untm::ScoredBead> read_beads(const fs::path& path) {
  return untm::parse_beads(untm::read_file_bytes(path.string()), path.string());
}

double ratio(std::size_t a, std::size_t b) {
  return a + b > 0 ? static_cast<double>(a) / static_cast<double>(a + b) : 0.0;
}
double f1(double p, double r) { return p + r > 0 ? 2 * p * r / (p + r) : 0.0; }

struct Job {
  std::string name;
  fs::path src, tgt, gold;
  std::string src_lang, tgt_lang;
};

struct RunResult {
  std::vector<untm::Bead> beads;
  double features = 0, estimate = 0, align = 0;
  untm::PairModel model;
};

RunResult run(const std::vector<std::string>& src_lines, const std::vector<std::string>& tgt_lines,
              const std::string& src_lang, const std::string& tgt_lang) {
  RunResult r;
  auto t0 = Clock::now();
  const auto src = untm::make_features(src_lines, src_lang);
  const auto tgt = untm::make_features(tgt_lines, tgt_lang);
  r.features = seconds_since(t0);
  t0 = Clock::now();
  r.model = untm::estimate_pair_model(src, tgt, src_lang, tgt_lang);
  r.estimate = seconds_since(t0);
  t0 = Clock::now();
  r.beads = untm::align_sentences(src, tgt, r.model);
  r.align = seconds_since(t0);
  return r;
}

std::vector<untm::ScoredBead> scored_beads(const std::vector<untm::Bead>& beads) {
  std::vector<untm::ScoredBead> out;
  for (const auto& b : beads)
    out.push_back({untm::SentenceIds(b.src.begin(), b.src.end()), untm::SentenceIds(b.tgt.begin(), b.tgt.end())});
  return out;
}

// AUC of confidence against strict correctness (after merging, if groups).
double auc(const std::vector<std::pair<double, bool>>& scored) {
  std::vector<std::pair<double, bool>> v = scored;
  std::sort(v.begin(), v.end());
  double pos = 0, neg = 0, rank_sum = 0;
  for (std::size_t k = 0; k < v.size();) {
    std::size_t e = k;
    while (e < v.size() && v[e].first == v[k].first) ++e;
    const double mid_rank = (static_cast<double>(k + e - 1)) / 2.0 + 1.0;
    for (std::size_t x = k; x < e; ++x) {
      if (v[x].second) {
        pos += 1;
        rank_sum += mid_rank;
      } else {
        neg += 1;
      }
    }
    k = e;
  }
  if (pos == 0 || neg == 0) return 0;
  return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}

int bench(const std::string& set, const fs::path& shared, const std::optional<fs::path>& keep) {
  struct Set {
    std::string name;
    std::vector<Job> jobs;
    bool groups = false;
  };
  std::vector<Set> sets;
  const fs::path bible = shared / "data/bible_zh_en";
  const fs::path tb = shared / "data/textberg_de_fr";
  if (set == "bible" || set == "all")
    sets.push_back({"bible en-zh", {{"bible", bible / "en/001", bible / "zh/001", bible / "gold/001.align", "en", "zh"}}, true});
  if (set == "textberg" || set == "all") {
    Set s{"textberg de-fr test0-6", {}, false};
    for (int k = 0; k < 7; ++k) {
      const std::string t = "test" + std::to_string(k);
      s.jobs.push_back({t, tb / (t + ".de"), tb / (t + ".fr"), tb / (t + ".defr"), "de", "fr"});
    }
    sets.push_back(std::move(s));
  }
  if (set == "dev" || set == "all") sets.push_back({"textberg de-fr dev", {{"dev", tb / "dev.de", tb / "dev.fr", tb / "dev.defr", "de", "fr"}}, false});
  if (sets.empty()) {
    std::fprintf(stderr, "bench_align: unknown set %s (bible, textberg, dev, all)\n", set.c_str());
    return 2;
  }
  for (const Set& s : sets) {
    untm::BeadCounts pc, rc;
    double seconds = 0;
    std::vector<std::pair<double, bool>> scored;
    std::string model_text;
    for (const Job& job : s.jobs) {
      const auto src_lines = read_lines(job.src);
      const auto tgt_lines = read_lines(job.tgt);
      const auto t0 = Clock::now();
      RunResult r = run(src_lines, tgt_lines, job.src_lang, job.tgt_lang);
      seconds += seconds_since(t0);
      if (keep) {
        fs::create_directories(*keep);
        std::ofstream(*keep / (job.name + ".align")) << format_beads(r.beads, true);
      }
      char buf[200];
      std::snprintf(buf, sizeof buf, " %s: ratio %.3f var %.3f p11 %.2f p12 %.2f p21 %.2f;", job.name.c_str(),
                    r.model.ratio, r.model.variance, r.model.bead_priors[0], r.model.bead_priors[3], r.model.bead_priors[4]);
      if (s.jobs.size() == 1) model_text += buf;
      std::vector<untm::ScoredBead> test = scored_beads(r.beads);
      const auto gold = read_beads(job.gold);
      // Confidence of a scored bead: the least confident of the beads it
      // was merged from.
      std::vector<double> conf_of_src(src_lines.size(), 1.0), conf_of_tgt(tgt_lines.size(), 1.0);
      for (const auto& b : r.beads) {
        for (std::size_t x : b.src) conf_of_src[x] = b.confidence;
        for (std::size_t y : b.tgt) conf_of_tgt[y] = b.confidence;
      }
      if (s.groups) {
        const untm::BeadGroups groups{read_lines(bible / "en.verse"), read_lines(bible / "zh.verse"), "en.verse",
                                      "zh.verse"};
        test = untm::merge_in_groups(test, groups);
      }
      const std::set<untm::ScoredBead> gold_set(gold.begin(), gold.end());
      for (const auto& b : test) {
        double c = 1.0;
        for (const auto x : b.src) c = std::min(c, conf_of_src[static_cast<std::size_t>(x)]);
        for (const auto y : b.tgt) c = std::min(c, conf_of_tgt[static_cast<std::size_t>(y)]);
        // Units only (both sides non-empty): what the confidence is for.
        if (!b.src.empty() && !b.tgt.empty()) scored.emplace_back(c, gold_set.count(b) > 0);
      }
      add(pc, untm::count_beads(gold, test));
      auto both = [](const std::vector<untm::ScoredBead>& v) {
        std::vector<untm::ScoredBead> out;
        for (const auto& b : v)
          if (!b.src.empty() && !b.tgt.empty()) out.push_back(b);
        return out;
      };
      add(rc, untm::count_beads(both(test), both(gold)));
    }
    const double p_s = ratio(pc.tp_strict, pc.fp_strict), p_l = ratio(pc.tp_lax, pc.fp_lax);
    const double r_s = ratio(rc.tp_strict, rc.fp_strict), r_l = ratio(rc.tp_lax, rc.fp_lax);
    std::printf("%-24s strict P %.3f R %.3f F1 %.3f | lax P %.3f R %.3f F1 %.3f | unit conf AUC %.3f | %.3f s\n",
                s.name.c_str(), p_s, r_s, f1(p_s, r_s), p_l, r_l, f1(p_l, r_l), scored.empty() ? 0.0 : auc(scored), seconds);
    if (!model_text.empty()) std::printf("  model:%s\n", model_text.c_str());
  }
  return 0;
}

// Real UN text, the way `untm align` uses the library: paragraphs are
// parallel (unpc_sc/clean has the same paragraphs in each language), the
// model is estimated once per document and language pair from all its
// sentences, and sentences are aligned inside each paragraph pair. Writes
// one TSV of units per pair (key, en, xx) for alignscore.py units.
int bench_unpc(const fs::path& shared, const fs::path& out_dir) {
  const fs::path clean = shared / "data/unpc_sc/clean";
  std::set<std::string> keys;
  for (const auto& e : fs::directory_iterator(clean)) {
    const std::string name = e.path().filename().string();  // KEY.LANG.txt, KEY may hold dots
    if (name.size() > 7 && name.ends_with(".en.txt")) keys.insert(name.substr(0, name.size() - 7));
  }
  fs::create_directories(out_dir);
  const std::vector<std::string> others = {"ar", "es"};
  std::map<std::string, std::ofstream> out;
  for (const auto& lang : others) out[lang].open(out_dir / ("units.en-" + lang + ".tsv")), out[lang] << "key\ten\t" << lang << "\n";
  auto paragraphs = [](const fs::path& path) {
    std::vector<std::string> paras;
    std::string cur;
    for (const std::string& line : read_lines(path)) {
      if (line.empty()) {
        if (!cur.empty()) paras.push_back(cur);
        cur.clear();
      } else {
        cur += (cur.empty() ? "" : " ") + line;
      }
    }
    if (!cur.empty()) paras.push_back(cur);
    return paras;
  };
  double seconds = 0;
  std::size_t mismatched = 0, units = 0;
  for (const std::string& key : keys) {
    const auto en_paras = paragraphs(clean / (key + ".en.txt"));
    std::vector<std::vector<std::string>> en_sents;
    std::vector<std::string> en_all;
    for (const auto& p : en_paras) {
      en_sents.push_back(untm::split_sentence_texts(p, "en"));
      en_all.insert(en_all.end(), en_sents.back().begin(), en_sents.back().end());
    }
    for (const auto& lang : others) {
      const auto paras = paragraphs(clean / (key + "." + lang + ".txt"));
      if (paras.size() != en_paras.size()) {
        ++mismatched;
        continue;
      }
      std::vector<std::vector<std::string>> sents;
      std::vector<std::string> all;
      for (const auto& p : paras) {
        sents.push_back(untm::split_sentence_texts(p, lang));
        all.insert(all.end(), sents.back().begin(), sents.back().end());
      }
      const auto t0 = Clock::now();
      const auto src_all = untm::make_features(en_all, "en");
      const auto tgt_all = untm::make_features(all, lang);
      const untm::PairModel model = untm::estimate_pair_model(src_all, tgt_all, "en", lang);
      std::size_t s0 = 0, t0i = 0;
      for (std::size_t k = 0; k < paras.size(); ++k) {
        const std::span<const untm::SentenceFeatures> src(src_all.data() + s0, en_sents[k].size());
        const std::span<const untm::SentenceFeatures> tgt(tgt_all.data() + t0i, sents[k].size());
        for (const auto& b : untm::align_sentences(src, tgt, model)) {
          if (b.src.empty() || b.tgt.empty()) continue;
          std::string x, y;
          for (std::size_t i : b.src) x += (x.empty() ? "" : " ") + en_sents[k][i];
          for (std::size_t j : b.tgt) y += (y.empty() ? "" : " ") + sents[k][j];
          out[lang] << key << '\t' << x << '\t' << y << '\n';
          ++units;
        }
        s0 += en_sents[k].size();
        t0i += sents[k].size();
      }
      seconds += seconds_since(t0);
    }
  }
  std::printf("unpc_sc: %zu documents, %zu units, %zu pairs skipped (paragraph counts differ), %.3f s; score with\n"
              "  alignscore.py units --test %s --gold %s --pair en-ar (and en-es)\n",
              keys.size(), units, mismatched, seconds, (out_dir / "units.en-ar.tsv").c_str(),
              (shared / "data/unpc_sc/gold.tsv").c_str());
  return 0;
}

int make_synthetic(std::size_t n, const std::string& prefix, const fs::path& shared) {
  const fs::path bible = shared / "data/bible_zh_en";
  const auto en = read_lines(bible / "en/001");
  const auto zh = read_lines(bible / "zh/001");
  const auto gold = read_beads(bible / "gold/001.align");
  std::ofstream out_en(prefix + ".en"), out_zh(prefix + ".zh");
  std::size_t written = 0;
  while (written < n) {
    for (const auto& [s, t] : gold) {
      if (written == n) break;
      std::string a, b;
      for (std::size_t x : s) a += (a.empty() ? "" : " ") + en.at(x);
      for (std::size_t y : t) b += zh.at(y);
      out_en << a << '\n';
      out_zh << b << '\n';
      ++written;
    }
  }
  return 0;
}

int usage() {
  std::fprintf(stderr,
               "usage: bench_align SRC TGT [--langs SRC,TGT] [--out FILE] [--confidence] [--runs N]\n"
               "       bench_align --bench bible|textberg|dev|all|unpc [--shared DIR] [--keep DIR]\n"
               "       bench_align --make-synthetic N PREFIX [--shared DIR]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> positional;
  std::string langs = "en,zh";
  std::optional<std::string> out_path;
  std::optional<std::string> bench_set;
  std::optional<fs::path> keep;
  fs::path shared = "../shared";
  bool confidence = false;
  int runs = 1;
  std::optional<std::size_t> synthetic;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_align: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--langs") {
      langs = value();
    } else if (a == "--out") {
      out_path = value();
    } else if (a == "--bench") {
      bench_set = value();
    } else if (a == "--shared") {
      shared = value();
    } else if (a == "--keep") {
      keep = value();
    } else if (a == "--confidence") {
      confidence = true;
    } else if (a == "--runs") {
      runs = std::max(1, std::atoi(value().c_str()));
    } else if (a == "--make-synthetic") {
      synthetic = std::stoul(value());
    } else if (a == "--help" || a == "-h") {
      return usage();
    } else {
      positional.push_back(a);
    }
  }
  if (bench_set && *bench_set == "unpc") return bench_unpc(shared, keep ? *keep : fs::path("unpc_units"));
  if (bench_set) return bench(*bench_set, shared, keep);
  if (synthetic) {
    if (positional.size() != 1) return usage();
    return make_synthetic(*synthetic, positional[0], shared);
  }
  if (positional.size() != 2) return usage();
  const auto comma = langs.find(',');
  if (comma == std::string::npos) return usage();
  const std::string src_lang = langs.substr(0, comma), tgt_lang = langs.substr(comma + 1);
  auto t0 = Clock::now();
  const auto src_lines = read_lines(positional[0]);
  const auto tgt_lines = read_lines(positional[1]);
  const double read_time = seconds_since(t0);
  std::vector<double> total, cpu, features, estimate, align;
  RunResult r;
  for (int k = 0; k < runs; ++k) {
    t0 = Clock::now();
    const double c0 = cpu_seconds();
    r = run(src_lines, tgt_lines, src_lang, tgt_lang);
    total.push_back(seconds_since(t0));
    cpu.push_back(cpu_seconds() - c0);
    features.push_back(r.features);
    estimate.push_back(r.estimate);
    align.push_back(r.align);
  }
  const std::string text = format_beads(r.beads, confidence);
  if (out_path) {
    std::ofstream(*out_path) << text;
  } else {
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  std::fprintf(stderr,
               "bench_align: %zu x %zu sentences, %zu beads; read %.3f s; median of %d: features %.3f s, model %.3f s, "
               "align %.3f s, total %.3f s wall, %.3f s CPU (ratio %.3f, variance %.3f)\n",
               src_lines.size(), tgt_lines.size(), r.beads.size(), read_time, runs, median(features), median(estimate),
               median(align), median(total), median(cpu), r.model.ratio, r.model.variance);
  return 0;
}
