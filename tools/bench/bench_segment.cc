// Throughput of reading and cleaning: decodes and segments every file given
// (or every *.txt in the folders given), several times, and prints the median
// MB/s of (a) reading alone (decode + NFC: the baseline) and (b) reading plus
// cleaning and sentence splitting, measured in the same run.
//
//   bench_segment [--runs N] PATH...
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "aligner/document_cleaner.h"
#include "aligner/language.h"
#include "aligner/text_reader.h"

namespace {

struct Input {
  std::string path;
  std::string lang;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  std::vector<Input> inputs;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
      continue;
    }
    std::vector<std::filesystem::path> paths;
    if (std::filesystem::is_directory(arg)) {
      for (const auto& e : std::filesystem::directory_iterator(arg))
        if (e.path().extension() == ".txt") paths.push_back(e.path());
    } else {
      paths.emplace_back(arg);
    }
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths) {
      auto lang = untm::language_from_file_name(p.string());
      if (!lang) {
        std::fprintf(stderr, "bench_segment: %s: no language in the file name, skipped\n", p.c_str());
        continue;
      }
      inputs.push_back({p.string(), *lang});
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "usage: bench_segment [--runs N] FILE_OR_DIR...\n");
    return 2;
  }
  std::size_t bytes = 0;
  for (const auto& in : inputs) bytes += std::filesystem::file_size(in.path);

  std::vector<double> read_mbs, clean_mbs;
  std::size_t paragraphs = 0, sentences = 0;
  for (int r = 0; r < runs; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    std::vector<untm::TextFile> files;
    files.reserve(inputs.size());
    for (const auto& in : inputs) files.push_back(untm::read_text_file(in.path));
    auto t1 = std::chrono::steady_clock::now();
    paragraphs = sentences = 0;
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      auto doc = untm::clean_document(files[k].text, inputs[k].lang);
      paragraphs += doc.paragraphs.size();
      for (const auto& p : doc.paragraphs) sentences += p.sentences.size();
    }
    auto t2 = std::chrono::steady_clock::now();
    const double read_s = std::chrono::duration<double>(t1 - t0).count();
    const double total_s = std::chrono::duration<double>(t2 - t0).count();
    read_mbs.push_back(double(bytes) / 1e6 / read_s);
    clean_mbs.push_back(double(bytes) / 1e6 / total_s);
  }
  const double read = median(read_mbs), clean = median(clean_mbs);
  std::printf("files %zu, %.2f MB, %zu paragraphs, %zu sentences, %d runs (median)\n", inputs.size(),
              double(bytes) / 1e6, paragraphs, sentences, runs);
  std::printf("read (decode + NFC), baseline: %8.2f MB/s\n", read);
  std::printf("read + clean + segment:        %8.2f MB/s  (%.2fx the baseline's time)\n", clean, read / clean);
  return 0;
}
