// Finding document sets in folders, by file name:
//   KEY.LANG.txt, KEY_LANG.txt, KEY-LANG.txt   LANG: ISO 639-1 ("en") or, after
//                                              _ or -, a UN letter (A C E F R S)
//   KEY/LANG.txt                               KEY: the folder's name
// Folders are searched recursively; files of one key may lie in different
// folders (an archive sorted by language). Hidden files and folders are
// skipped; other .txt files are reported, other files ignored.
#pragma once

#include <string>
#include <vector>

#include "aligner/document_set.h"

namespace untm {

struct DiscoveredSet {
  std::string key;
  std::vector<VersionFile> files;  // one per language (lang always set), in UN order then alphabetical
  // Problems that make the set unusable as found (two files claim the same
  // language); the batch reports the set as failed with these.
  std::vector<std::string> conflicts;
};

struct Discovery {
  std::vector<DiscoveredSet> sets;    // sorted by key
  std::vector<std::string> languages;  // every language found (after the filter), UN order
  std::vector<std::string> warnings;   // .txt files that name no language
  std::size_t files = 0;               // files taken
};

// Searches `roots` (folders). `langs`, when not empty, keeps only files in
// those languages. Throws InputError for a root that is not a readable
// folder.
Discovery discover_document_sets(const std::vector<std::string>& roots, const std::vector<std::string>& langs = {});

}  // namespace untm
