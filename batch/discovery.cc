#include "batch/discovery.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>

#include "aligner/errors.h"
#include "aligner/language.h"

namespace untm {
namespace {

namespace fs = std::filesystem;

std::string lower_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

// What fs::absolute gives, with the working folder read once (it costs a
// system call per file otherwise); empty when that folder is unreadable.
fs::path absolute_of(const fs::path& path, const fs::path& cwd) {
  if (path.is_absolute()) return path;
  if (!cwd.empty()) return cwd / path;
  std::error_code ec;
  return fs::absolute(path, ec);
}

// The set key of a file whose language the name gives: the folder for
// "LANG.txt", else the name before the language part.
std::string key_of(const fs::path& path, const fs::path& cwd) {
  const std::string stem = path.stem().string();
  if (language_from_file_name(stem + ".txt") && stem.find_first_of("._-") == std::string::npos)
    return absolute_of(path, cwd).parent_path().filename().string();
  const auto sep = stem.find_last_of("._-");
  return stem.substr(0, sep);
}

// Sets' files and the batch's languages come out in this order.
struct LanguageOrder {
  bool operator()(const std::string& a, const std::string& b) const { return language_before(a, b); }
};

bool hidden(const fs::path& path) {
  const std::string name = path.filename().string();
  return !name.empty() && name[0] == '.';
}

}  // namespace

Discovery discover_document_sets(const std::vector<std::string>& roots, const std::vector<std::string>& langs) {
  // key → lang → paths claiming it (more than one is a conflict)
  std::map<std::string, std::map<std::string, std::vector<std::string>, LanguageOrder>> found;
  Discovery result;
  std::set<std::string> seen_files;  // the same file reached twice (overlapping roots) counts once
  std::error_code cwd_ec;
  const fs::path cwd = fs::current_path(cwd_ec);  // empty on failure
  for (const std::string& root : roots) {
    std::error_code ec;
    if (!fs::is_directory(root, ec))
      throw InputError(root, root + ": not a folder. Give folders that hold document sets (KEY.LANG.txt files or "
                                    "KEY/LANG.txt).");
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    if (ec) throw InputError(root, root + ": cannot read the folder (" + ec.message() + "). Check its permissions.");
    std::vector<fs::path> files;
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) throw InputError(root, root + ": cannot read the folder (" + ec.message() + "). Check its permissions.");
      const fs::path& path = it->path();
      if (hidden(path)) {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (!it->is_regular_file(ec) || lower_extension(path) != ".txt") continue;
      files.push_back(path);
    }
    std::sort(files.begin(), files.end());  // deterministic warnings and conflicts
    for (const fs::path& path : files) {
      const std::string name = path.string();
      // By absolute path, not resolving links: links under other names are
      // other sets (a benchmark corpus of linked copies, say).
      const fs::path absolute = absolute_of(path, cwd).lexically_normal();
      if (!seen_files.insert(absolute.empty() ? name : absolute.string()).second) continue;
      const auto lang = language_from_file_name(name);
      if (!lang) {
        result.warnings.push_back(name + ": skipped: the name gives no language. Name it KEY.LANG.txt (e.g. "
                                         "S_2011_245.en.txt) or put it in a folder as LANG.txt.");
        continue;
      }
      if (!langs.empty() && std::find(langs.begin(), langs.end(), *lang) == langs.end()) continue;
      found[key_of(path, cwd)][*lang].push_back(name);
      ++result.files;
    }
  }
  std::set<std::string, LanguageOrder> languages;
  for (auto& [key, by_lang] : found) {
    DiscoveredSet set;
    set.key = key;
    for (auto& [lang, paths] : by_lang) {
      languages.insert(lang);
      set.files.push_back({.path = paths.front(), .lang = lang, .lang_from_file_name = true});
      if (paths.size() > 1) {
        std::string list;
        for (const auto& p : paths) list += (list.empty() ? "" : ", ") + p;
        set.conflicts.push_back("set " + key + ": " + std::to_string(paths.size()) + " files in " + lang + " (" +
                                list + "). Keys must be unique across the batch: rename or remove all but one.");
      }
    }
    result.sets.push_back(std::move(set));
  }
  result.languages.assign(languages.begin(), languages.end());
  return result;
}

}  // namespace untm
