// Merging TMs: the documents of shard TMs (untm batch --shard K/N on several
// machines) copied into one TM with the rule of a re-import: a document
// replaces the target's document with the same key, so merging twice, or
// merging overlapping shards, never duplicates anything. A document whose
// files and aligner version match the target's copy is skipped.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "tm/translation_memory.h"

namespace untm {

struct MergeResult {
  std::size_t documents = 0;  // in the source
  std::size_t copied = 0;     // new in the target, or replacing its copy
  std::size_t unchanged = 0;  // the target already had the same version
  std::size_t units = 0;      // copied
};

// Copies every document of the TM at `source_path` into `into`, each
// document in its own transaction (a crash leaves whole documents; merging
// again finishes the job), then indexes what is not indexed yet
// (TranslationMemory::update_index). `on_document` is called after each
// document.
// Throws DatabaseError when the source is not a untm TM or cannot be read,
// ArgumentError when it is the target itself.
MergeResult merge_tm(const std::string& source_path, TranslationMemory& into,
                     const std::function<void(const std::string& key, bool copied)>& on_document = {});

}  // namespace untm
