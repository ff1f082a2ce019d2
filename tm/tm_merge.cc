#include "tm/tm_merge.h"

#include <filesystem>
#include <optional>
#include <system_error>

#include "aligner/errors.h"

namespace untm {

MergeResult merge_tm(const std::string& source_path, TranslationMemory& into,
                     const std::function<void(const std::string& key, bool copied)>& on_document) {
  std::error_code ec;
  if (std::filesystem::equivalent(source_path, into.path(), ec))
    throw ArgumentError(source_path + ": this is the TM being merged into. Give the shard TMs and a different --into.");
  const TranslationMemory source(source_path, OpenOptions{.create = false, .read_only = true, .upgrade = true});
  MergeResult result;
  for (const std::string& key : source.document_keys()) {
    ++result.documents;
    const std::optional<StoredDocument> header = source.document_info(key);
    if (!header) continue;  // removed meanwhile by another writer
    const std::optional<StoredDocument> existing = into.document_info(key);
    if (existing && same_source(*existing, header->aligner_version, header->versions)) {
      ++result.unchanged;
      if (on_document) on_document(key, false);
      continue;
    }
    TranslationMemory::ImportSession session = into.begin_import(*header);
    source.for_each_unit([&](const UnitRecord& record) { session.add(to_stored_unit(record)); }, key);
    result.units += session.added();
    session.commit();
    ++result.copied;
    if (on_document) on_document(key, true);
  }
  // Small documents' segments wait in the TM's unindexed tail: indexed now,
  // so lookups on the merged TM read only the n-gram index.
  into.update_index();
  return result;
}

}  // namespace untm
