// Records that go in and out of the translation memory: what the aligner
// stores, what lookups return, what TMX import and export stream.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace untm {

enum class UnitStatus { automatic, confirmed, rejected };  // "auto", "confirmed", "rejected" in the database

// The status as the database and TMX (x-status) write it.
inline const char* status_name(UnitStatus status) {
  switch (status) {
    case UnitStatus::confirmed:
      return "confirmed";
    case UnitStatus::rejected:
      return "rejected";
    default:
      return "auto";
  }
}

// The status a name stands for; anything unknown is automatic.
inline UnitStatus parse_status(std::string_view name) {
  if (name == "confirmed") return UnitStatus::confirmed;
  if (name == "rejected") return UnitStatus::rejected;
  return UnitStatus::automatic;
}

// One language version of a stored document.
struct StoredVersion {
  std::string lang;       // ISO 639-1
  std::string file_name;  // as given to the aligner
  std::string sha256;     // hex of the file's bytes
  std::uint32_t paragraphs = 0;
  std::uint32_t sentences = 0;
};

// The exact-match hashes of a segment's matching key, as the store keeps
// them (fuzzy::key_hashes in tm/fuzzy_match.h: of the key, and of its
// skeleton).
struct SegmentKeyHashes {
  std::int64_t key = 0;
  std::int64_t skeleton = 0;
};

// A multi-language translation unit: one text per language (languages
// without text are absent).
struct StoredUnit {
  std::optional<std::string> paragraph_key;  // "1", "(a)", …
  double confidence = 1.0;
  UnitStatus status = UnitStatus::automatic;
  std::map<std::string, std::string> segments;  // lang → text (NFC, as stored)
  // lang → the segment's TMX inline codes (bpt, ept, ph, it, hi, ut) in a
  // serialized form of tm/tmx_reader.h; the text holds placeholders for them,
  // and export restores them. Empty for aligned text.
  std::map<std::string, std::string> inline_codes;
  // Set by a reader that made every text valid UTF-8 in NFC itself (the TMX
  // import): the store then trusts it instead of checking each text again.
  bool texts_in_nfc = false;
  // lang -> matching_key_text(text) (aligner/normalizer.h), where the maker
  // of the unit has it already (the aligner, for a segment that is one
  // sentence): the store uses it instead of making it again, so it must be
  // exactly that. Segments without one get theirs made by the store.
  std::map<std::string, std::string> keys;
  // lang -> the hashes of keys[lang], where prepare_for_store
  // (tm/translation_memory.h) made them; the store makes the others.
  std::map<std::string, SegmentKeyHashes> key_hashes;
};

// A whole document as the aligner stores it; re-storing the same key
// replaces it.
struct StoredDocument {
  std::string key;                           // document key: folder name or file stem
  std::optional<std::string> symbol;         // "S/2011/463"
  std::optional<std::string> title;
  std::optional<std::string> date;
  std::optional<std::string> original_lang;
  std::string aligner_version;               // which untm aligned it (batch re-runs compare it)
  std::vector<StoredVersion> versions;
  std::vector<StoredUnit> units;             // in document order
};

// True when `stored` was aligned by `aligner_version` from versions with the
// same languages and contents (SHA-256) as `versions`, in any order: aligning
// again would give the same document (batch re-runs and merges skip it). A
// document without versions (a TMX import) never is.
inline bool same_source(const StoredDocument& stored, std::string_view aligner_version,
                        const std::vector<StoredVersion>& versions) {
  if (versions.empty() || stored.aligner_version != aligner_version || stored.versions.size() != versions.size())
    return false;
  for (const StoredVersion& v : versions) {
    bool found = false;
    for (const StoredVersion& s : stored.versions) found = found || (s.lang == v.lang && s.sha256 == v.sha256);
    if (!found) return false;
  }
  return true;
}

// A unit as read back, with its provenance: for export, lookups and merges.
struct UnitRecord {
  std::int64_t id = 0;
  std::string document_key;
  std::optional<std::string> symbol;
  std::optional<std::string> original_lang;
  std::optional<std::string> paragraph_key;
  std::uint32_t position = 0;  // order within the document
  double confidence = 1.0;
  UnitStatus status = UnitStatus::automatic;
  std::map<std::string, std::string> segments;  // lang → text
  std::map<std::string, std::string> inline_codes;  // lang → serialized inline codes (see StoredUnit)
};

// A unit read back, as a unit to store again (merges, re-imports).
inline StoredUnit to_stored_unit(const UnitRecord& record) {
  StoredUnit unit;
  unit.paragraph_key = record.paragraph_key;
  unit.confidence = record.confidence;
  unit.status = record.status;
  unit.segments = record.segments;
  unit.inline_codes = record.inline_codes;
  return unit;
}

}  // namespace untm
