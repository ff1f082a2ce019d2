// Aligning whole document sets, single-threaded: the benchmark of the work a
// `untm batch` worker does per set (minus hashing, language detection and
// storage).
//
//   bench_sets DIR... [--runs R] [--dump FILE] [--detect]
//       DIR holds KEY.LANG.txt files (one set per KEY) or LANG.txt files (the
//       folder is the set). For each set: read+decode (read_text_file),
//       clean+segment (clean_document), align (align_documents); all sets,
//       R times (default 5). Prints the input size and, per stage, the
//       median over the runs of the thread CPU time and the MB/s of input
//       (1 MB = 1e6 bytes) it gives. --detect adds a language-detection
//       stage (detect_language, as align_document_set runs it).
//   --dump FILE writes, for every set (after the first run), every unit:
//       its paragraph key, its confidence (6 decimals), its low-confidence
//       flag, its sentence references and the unit_text of every version;
//       then the pair summaries and warnings. Two dumps of the same input are
//       byte-identical iff the aligner's results are.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <system_error>
#include <string>
#include <vector>

#include "aligner/document_aligner.h"
#include "aligner/document_cleaner.h"
#include "aligner/language.h"
#include "aligner/text_reader.h"

namespace {

namespace fs = std::filesystem;

struct Set {
  std::string key;
  std::vector<std::string> paths;
  std::vector<std::string> langs;
};

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return 0;
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::vector<Set> find_sets(const std::vector<std::string>& dirs) {
  std::vector<Set> sets;
  for (const std::string& dir : dirs) {
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> by_key;  // key -> (lang, path)
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_regular_file() && entry.path().extension() == ".txt") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& path : files) {
      const std::string stem = path.stem().string();  // "S_2000_1196.en" or "en"
      std::string key, lang;
      if (stem.size() == 2 && untm::is_language_code(stem)) {
        key = fs::absolute(path).parent_path().filename().string();
        lang = stem;
      } else if (auto dot = stem.rfind('.'); dot != std::string::npos && untm::is_language_code(stem.substr(dot + 1))) {
        key = stem.substr(0, dot);
        lang = stem.substr(dot + 1);
      } else {
        continue;
      }
      by_key[key].emplace_back(lang, path.string());
    }
    for (auto& [key, versions] : by_key) {
      if (versions.size() < 2) continue;
      std::sort(versions.begin(), versions.end(),
                [](const auto& a, const auto& b) { return untm::language_before(a.first, b.first); });
      Set set;
      set.key = key;
      for (const auto& [lang, path] : versions) {
        set.langs.push_back(lang);
        set.paths.push_back(path);
      }
      sets.push_back(std::move(set));
    }
  }
  return sets;
}

void dump_set(std::FILE* out, const Set& set, const std::vector<untm::Document>& docs,
              const untm::DocumentAlignment& al) {
  std::fprintf(out, "=== %s pivot=%zu units=%zu\n", set.key.c_str(), al.pivot, al.units.size());
  for (std::size_t u = 0; u < al.units.size(); ++u) {
    const auto& unit = al.units[u];
    std::fprintf(out, "--- unit %zu key=%s conf=%.6f low=%d\n", u,
                 unit.paragraph_key ? unit.paragraph_key->c_str() : "(none)", unit.confidence,
                 unit.low_confidence ? 1 : 0);
    for (std::size_t v = 0; v < docs.size(); ++v) {
      std::string refs;
      for (const auto& r : unit.sentences[v]) {
        refs += ' ';
        refs += std::to_string(r.paragraph);
        refs += ':';
        refs += std::to_string(r.sentence);
      }
      const std::string text = untm::unit_text(unit, v, docs[v]);
      std::fprintf(out, "%s [%s ] %s\n", al.langs[v].c_str(), refs.c_str(), text.c_str());
    }
  }
  for (const auto& p : al.pairs)
    std::fprintf(out, "pair %s groups=%zu anchors=%zu beads=%zu mean=%.6f low=%zu ratio=%.6f\n", p.lang.c_str(),
                 p.paragraph_groups, p.label_anchors, p.beads, p.mean_confidence, p.low_confidence, p.length_ratio);
  for (const auto& w : al.warnings) std::fprintf(out, "warning %s\n", w.c_str());
}

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: bench_sets DIR... [--runs R] [--dump FILE] [--detect]\n");
  std::exit(2);
}

}  // namespace

int run(int argc, char** argv) {
  std::vector<std::string> dirs;
  int runs = 5;
  std::string dump_path;
  bool detect = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--dump" && i + 1 < argc) {
      dump_path = argv[++i];
    } else if (arg == "--detect") {
      detect = true;
    } else if (!arg.empty() && arg[0] == '-') {
      usage();
    } else {
      dirs.push_back(arg);
    }
  }
  if (dirs.empty()) usage();
  for (const std::string& dir : dirs) {
    if (std::error_code error; !fs::is_directory(dir, error)) {
      std::fprintf(stderr, "bench_sets: %s: not a folder; give folders of KEY.LANG.txt files\n", dir.c_str());
      return 2;
    }
  }
  const std::vector<Set> sets = find_sets(dirs);
  if (sets.empty()) {
    std::fprintf(stderr, "bench_sets: no document sets (KEY.LANG.txt files) found\n");
    return 2;
  }

  std::FILE* dump = nullptr;
  if (!dump_path.empty()) {
    dump = std::fopen(dump_path.c_str(), "wb");
    if (!dump) {
      std::fprintf(stderr, "bench_sets: cannot write %s\n", dump_path.c_str());
      return 2;
    }
  }

  std::size_t input_bytes = 0;
  for (const Set& set : sets)
    for (const auto& p : set.paths) input_bytes += static_cast<std::size_t>(fs::file_size(p));

  std::vector<double> t_read, t_detect, t_clean, t_align, t_total;
  std::size_t units = 0;
  for (int run = 0; run < runs; ++run) {
    double read = 0, det = 0, clean = 0, align = 0;
    units = 0;
    for (const Set& set : sets) {
      double t0 = thread_cpu_seconds();
      std::vector<untm::TextFile> texts;
      for (const auto& p : set.paths) texts.push_back(untm::read_text_file(p));
      double t1 = thread_cpu_seconds();
      read += t1 - t0;
      if (detect) {
        for (const auto& t : texts) (void)untm::detect_language(t.text);
        const double t2 = thread_cpu_seconds();
        det += t2 - t1;
        t1 = t2;
      }
      std::vector<untm::Document> docs;
      for (std::size_t i = 0; i < texts.size(); ++i) {
        docs.push_back(untm::clean_document(texts[i].text, set.langs[i]));
        docs.back().path = set.paths[i];
      }
      const double t2 = thread_cpu_seconds();
      clean += t2 - t1;
      const untm::DocumentAlignment al = untm::align_documents(docs);
      const double t3 = thread_cpu_seconds();
      align += t3 - t2;
      units += al.units.size();
      if (dump && run == 0) dump_set(dump, set, docs, al);
    }
    if (dump && run == 0) {
      std::fclose(dump);
      dump = nullptr;
    }
    t_read.push_back(read);
    t_detect.push_back(det);
    t_clean.push_back(clean);
    t_align.push_back(align);
    t_total.push_back(read + det + clean + align);
  }

  const double mb = static_cast<double>(input_bytes) / 1e6;
  std::printf("bench_sets: %zu sets, %zu files, %.3f MB of input, %zu units, %d runs (median thread CPU time)\n",
              sets.size(),
              [&] {
                std::size_t n = 0;
                for (const Set& s : sets) n += s.paths.size();
                return n;
              }(),
              mb, units, runs);
  const auto row = [&](const char* name, const std::vector<double>& t) {
    const double m = median(t);
    std::printf("  %-14s %8.3f s  %8.2f MB/s\n", name, m, m > 0 ? mb / m : 0.0);
  };
  row("read+decode", t_read);
  if (detect) row("detect", t_detect);
  row("clean+segment", t_clean);
  row("align", t_align);
  row("total", t_total);
  return 0;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    // A bench tool still says what went wrong instead of aborting.
    std::fprintf(stderr, "bench_sets: %s\n", e.what());
    return 1;
  }
}
