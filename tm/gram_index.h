// The TM's n-gram index (schema version 2; version 3 dropped the CJK
// bigrams): for each language, which segments hold each gram of their
// matching key. Fuzzy lookups take their candidates from it, concordance its
// substring candidates. Internal to tm/.
//
// Grams of a key, code points packed 21 bits each into 63 bits (exact: no
// hashing, no collisions):
//   trigrams (a, b, c)              every three consecutive code points;
//   the end gram (y, z, kEndMark)   the key's last two code points;
//   CJK unigrams (0, 0, c)          see fuzzy::cjk_unigram_codes.
// Every occurrence of two characters a, b is thus under a gram of the range
// (a, b, *): followed by a character, or at the end of the key. (Version 2
// also had CJK bigrams (0, a, b) for two-character Chinese terms: 8% of all
// postings, and 8% of the import's time, for what the range already finds.)
//
// Postings are stored in blocks, rows of
//   gram_postings (lang, gram, first_id, last_id, count, total, ids)
// with the segment ids as varint gaps after first_id, at most kBlockIds per
// block, and `total` the gram's postings up to and including the block (so
// the last block tells how many segments have the gram: one seek). Readers
// seek to the block that holds an id; they never read a gram's list whole.
// Blocks are written in bulk (an import session, or the segments stored
// since the last indexing) and never updated: a deleted segment stays
// in the postings until the index is rebuilt, and readers check every
// candidate against the segments table. Segment ids are never reused, so a
// stale posting can only point at a segment that no longer exists.
//
// Why not FTS5: its trigram tokenizer makes one token per character, and its
// insertion cost (~53 s of CPU per million three-language units, measured:
// docs/BENCHMARKS.md) alone exceeded the import budget; here a gram costs a
// hash probe and a varint, and the blocks are written in key order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tm/sqlite_handle.h"

namespace untm::grams {

using Gram = std::uint64_t;

// Third code point of a key's end gram (above every Unicode code point).
inline constexpr char32_t kEndMark = 0x1FFFFF;
// Postings per stored block: readers skip whole blocks when intersecting.
inline constexpr std::size_t kBlockIds = 2048;

inline constexpr Gram pack(char32_t a, char32_t b, char32_t c) {
  return (static_cast<Gram>(a) << 42) | (static_cast<Gram>(b) << 21) | static_cast<Gram>(c);
}

// Every gram of a matching key, repeats included, in no particular order
// (`out` is overwritten). PostingBuilder::add drops the repeats.
void key_grams(std::string_view key, std::vector<Gram>& out);

// Appends the ids of a stored block (first_id, then the gaps in `bytes`).
// Returns false when the bytes are not `count` - 1 well-formed gaps (a
// damaged file).
bool decode_block(std::int64_t first_id, std::uint32_t count, std::string_view bytes, std::vector<std::int64_t>& out);

// The running total of every gram that blocks were written for through it,
// so that writing a gram's next blocks need not read its last one back (in
// a 1M-unit import, 4.2 million B-tree seeks over its 7 flushes). Valid
// while every block written to the index goes through it: an import
// session, or one indexing run.
class GramTotals {
 public:
  // Notes whether `db`'s index is empty now: then a gram not seen here has
  // no postings, and none are looked up.
  explicit GramTotals(sql::Connection& db);

 private:
  friend class PostingBuilder;
  std::vector<std::pair<Gram, std::int64_t>>& of(std::string_view lang);  // ascending by gram
  bool index_was_empty_ = false;
  std::vector<std::pair<std::string, std::vector<std::pair<Gram, std::int64_t>>>> langs_;
};

// Postings collected in memory, per language, for segments added in
// ascending id order; written out as blocks by write_blocks().
//
// Built for bulk loads (hundreds of millions of postings): a gram's entry
// sits in the probe table itself (one cache line touched per posting, with
// the next grams' lines prefetched), its gaps in one growing buffer, and
// its blocks cut as they fill, so writing them out copies nothing.
class PostingBuilder {
 public:
  PostingBuilder() = default;
  ~PostingBuilder();
  PostingBuilder(PostingBuilder&& other) noexcept;
  PostingBuilder& operator=(PostingBuilder&& other) noexcept;
  PostingBuilder(const PostingBuilder&) = delete;
  PostingBuilder& operator=(const PostingBuilder&) = delete;

  // Adds segment `id` (positive, and not below any id added before in
  // `lang`) with its grams (repeats are counted once).
  void add(std::string_view lang, std::int64_t id, const std::vector<Gram>& grams);
  std::size_t postings() const { return postings_; }
  // Inserts every block into gram_postings (grams ascending per language:
  // sequential B-tree writes) and empties the builder. Each gram's running
  // total comes from `totals` when given (and is kept there), else from its
  // last stored block.
  void write_blocks(sql::Connection& db, GramTotals* totals = nullptr);

 private:
  static constexpr Gram kNoGram = ~Gram{0};  // above every 63-bit gram
  // A full block of a gram (kBlockIds ids) that more ids followed.
  struct ClosedBlock {
    std::int64_t first = 0, last = 0;
    std::uint32_t begin = 0, end = 0;  // its gaps in the entry's buffer
    std::uint32_t previous = 0;        // index + 1 of the gram's block before; 0 = none
  };
  // One cache line each: at 56 bytes, most entries straddled two lines, and
  // the probe for nearly every posting misses the cache (1M import ~3% faster).
  struct alignas(64) Entry {
    Gram gram = kNoGram;
    std::int64_t first = 0, last = 0;  // of the open (last) block
    std::uint8_t* bytes = nullptr;     // gaps of all the gram's blocks, varints
    std::uint32_t size = 0, capacity = 0;
    std::uint32_t count = 0;           // ids in the open block
    std::uint32_t begin = 0;           // where the open block's gaps start
    std::uint32_t closed = 0;          // index + 1 of its last closed block; 0 = none
  };
  struct Table {
    std::vector<Entry> slots;  // open addressing, at most half full
    std::size_t used = 0;
    int shift = 64;
    std::vector<ClosedBlock> closed;
    std::size_t slot_of(Gram gram) const;
    Entry& find(Gram gram);
    void reserve(std::size_t more);  // room for `more` new grams
  };
  static void append_gap(Entry& entry, std::uint64_t gap);
  static void grow(Entry& entry);  // room for one more varint
  void release() noexcept;
  std::vector<std::pair<std::string, Table>> langs_;  // a handful: a linear search
  std::size_t postings_ = 0;
};

// The statements readers share (each use resets them).
class PostingStore {
 public:
  explicit PostingStore(sql::Connection& db);
  // Segments with `gram` (deleted ones too, until the index is rebuilt).
  std::int64_t count(std::string_view lang, Gram gram);
  // Distinct grams of `lang` in [low, high], ascending.
  std::vector<Gram> grams_between(std::string_view lang, Gram low, Gram high);

 private:
  friend class PostingCursor;
  sql::Connection& db_;
  sql::Statement count_, between_, at_or_before_, after_;
};

// The ids of one gram's postings, ascending; blocks are read when reached.
class PostingCursor {
 public:
  PostingCursor(PostingStore& store, std::string lang, Gram gram);
  bool done() const { return done_; }
  std::int64_t id() const { return ids_[pos_]; }
  void next();
  // Moves to the first id ≥ target (seeking past the blocks before it).
  void seek(std::int64_t target);

 private:
  // Loads the block `statement` finds for `bound`; done when none.
  void load(sql::Statement& statement, std::int64_t bound);
  PostingStore* store_;
  std::string lang_;
  Gram gram_;
  bool done_ = false;
  std::int64_t first_ = 0, last_ = 0;  // of the loaded block
  std::vector<std::int64_t> ids_;
  std::size_t pos_ = 0;
};

// The first `limit` ids present in every cursor, ascending.
std::vector<std::int64_t> intersect(std::vector<PostingCursor>& cursors, std::size_t limit);

// Ids present in any cursor, ascending, without repeats, one at a time.
class PostingUnion {
 public:
  explicit PostingUnion(std::vector<PostingCursor> cursors);
  bool next(std::int64_t& id);

 private:
  std::vector<PostingCursor> cursors_;
  std::vector<std::size_t> heap_;  // indexes of live cursors, min-heap by id
  std::int64_t last_ = -1;
};

// Adds the segments with id > `after` (their keys as stored) to `builder`,
// writing its blocks (through `totals`, if given) whenever it holds
// `flush_postings` postings. Returns
// the highest id seen (`after` when there is none) and how many segments
// were added.
struct AddedSegments {
  std::int64_t last_id = 0;
  std::int64_t count = 0;
  bool wrote_blocks = false;  // the builder was flushed on the way
};
AddedSegments add_segments_after(sql::Connection& db, std::int64_t after, PostingBuilder& builder,
                                 GramTotals* totals = nullptr, std::size_t flush_postings = std::size_t{1} << 26);

// The same, written out: indexes the segments with id > `after`.
AddedSegments index_segments_after(sql::Connection& db, std::int64_t after);

// What check_index found: every posting should belong to a segment that
// has the gram, and every indexed segment should have all its postings.
struct IndexCheck {
  std::int64_t segments = 0;  // live segments up to indexed_through, checked
  std::int64_t missing = 0;   // grams of those segments without their posting
  std::int64_t wrong = 0;     // postings of live segments for grams their keys lack (or not indexed yet)
  std::int64_t stale = 0;     // postings of deleted segments (dropped by the next rebuild)
  bool ok() const { return missing == 0 && wrong == 0; }
};

// Reads the whole index and every segment up to `indexed_through` and
// compares them: for tests and diagnosis, not for large TMs.
IndexCheck check_index(sql::Connection& db, std::int64_t indexed_through);

}  // namespace untm::grams
