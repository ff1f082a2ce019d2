#include "tm/gram_index.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <limits>
#include <new>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "aligner/utf8_util.h"
#include "tm/fuzzy_match.h"

namespace untm::grams {

void key_grams(std::string_view key, std::vector<Gram>& out) {
  out.clear();
  // An ASCII key (most keys of English, French, Spanish text): a code point
  // a byte, and no CJK unigrams to look for.
  const auto* bytes = reinterpret_cast<const unsigned char*>(key.data());
  const std::size_t n = key.size();
  std::size_t ascii = 0;
  while (ascii < n && bytes[ascii] < 0x80) ++ascii;
  if (ascii == n) {
    if (n < 2) return;
    out.resize(n - 1);
    for (std::size_t k = 0; k + 2 < n; ++k) out[k] = pack(bytes[k], bytes[k + 1], bytes[k + 2]);
    out[n - 2] = pack(bytes[n - 2], bytes[n - 1], kEndMark);
    return;
  }
  // A gram per code point at most (its trigrams and the end gram), written
  // without push_back's checks; ASCII and two-byte characters (Arabic,
  // Cyrillic, accented Latin) decoded here, the rest by utf8::next (in all,
  // a third less time than utf8::next and push_back for every character).
  out.resize(n);
  Gram* gram = out.data();
  char32_t a = 0, b = 0;
  int have = 0;
  bool cjk_bytes = false;  // a lead byte of U+2E80 or above: CJK unigrams may follow
  for (std::size_t i = 0; i < n;) {
    char32_t c = bytes[i];
    if (c < 0x80) {
      ++i;
    } else if ((c & 0xE0) == 0xC0 && i + 1 < n && (bytes[i + 1] & 0xC0) == 0x80) {
      c = ((c & 0x1F) << 6) | (bytes[i + 1] & 0x3Fu);  // as utf8::next decodes it
      i += 2;
    } else {
      cjk_bytes |= c >= 0xE2;
      c = utf8::next(key, i);
    }
    if (have >= 2)
      *gram++ = pack(a, b, c);
    else
      ++have;
    a = b;
    b = c;
  }
  if (have >= 2) *gram++ = pack(a, b, kEndMark);
  out.resize(static_cast<std::size_t>(gram - out.data()));
  if (cjk_bytes) fuzzy::cjk_unigram_codes(key, out);
}

namespace {

// A gram's count so far: the running total of its last block.
constexpr const char* kGramTotalSql =
    "SELECT total FROM gram_postings WHERE lang = ?1 AND gram = ?2 ORDER BY first_id DESC LIMIT 1";

// Reads one varint at `i`; false at a truncated or overlong one.
bool get_varint(std::string_view bytes, std::size_t& i, std::uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64 && i < bytes.size(); shift += 7) {
    const auto byte = static_cast<unsigned char>(bytes[i++]);
    value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if (byte < 0x80) return true;
  }
  return false;
}

}  // namespace

bool decode_block(std::int64_t first_id, std::uint32_t count, std::string_view bytes, std::vector<std::int64_t>& out) {
  if (count == 0) return false;
  out.push_back(first_id);
  std::int64_t id = first_id;
  std::size_t i = 0;
  for (std::uint32_t n = 1; n < count; ++n) {
    std::uint64_t gap = 0;
    if (!get_varint(bytes, i, gap) || gap == 0 ||
        gap > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() - id))
      return false;
    id += static_cast<std::int64_t>(gap);
    out.push_back(id);
  }
  return i == bytes.size();
}

// ---- PostingBuilder ----

PostingBuilder::~PostingBuilder() { release(); }

PostingBuilder::PostingBuilder(PostingBuilder&& other) noexcept
    : langs_(std::move(other.langs_)), postings_(std::exchange(other.postings_, 0)) {
  other.langs_.clear();
}

PostingBuilder& PostingBuilder::operator=(PostingBuilder&& other) noexcept {
  if (this != &other) {
    release();
    langs_ = std::move(other.langs_);
    other.langs_.clear();
    postings_ = std::exchange(other.postings_, 0);
  }
  return *this;
}

void PostingBuilder::release() noexcept {
  for (auto& [lang, table] : langs_)
    for (Entry& entry : table.slots) std::free(entry.bytes);
  langs_.clear();
  postings_ = 0;
}

std::size_t PostingBuilder::Table::slot_of(Gram gram) const {
  return static_cast<std::size_t>((gram * 0x9E3779B97F4A7C15ULL) >> shift);
}

void PostingBuilder::Table::reserve(std::size_t more) {
  if ((used + more) * 2 <= slots.size()) return;
  std::size_t size = slots.empty() ? 4096 : slots.size();
  while ((used + more) * 2 > size) size *= 2;
  std::vector<Entry> old = std::exchange(slots, std::vector<Entry>(size));
  shift = 64 - std::countr_zero(size);
  for (const Entry& entry : old) {
    if (entry.gram == kNoGram) continue;
    std::size_t i = slot_of(entry.gram);
    while (slots[i].gram != kNoGram) i = (i + 1) & (size - 1);
    slots[i] = entry;
  }
}

PostingBuilder::Entry& PostingBuilder::Table::find(Gram gram) {
  const std::size_t mask = slots.size() - 1;
  for (std::size_t i = slot_of(gram);; i = (i + 1) & mask) {
    Entry& entry = slots[i];
    if (entry.gram == gram) return entry;
    if (entry.gram == kNoGram) {
      // reserve() made room for every gram of the segment.
      entry.gram = gram;
      ++used;
      return entry;
    }
  }
}

void PostingBuilder::grow(Entry& entry) {
  // Doubling: a gram's buffer is copied O(1) times per byte on average.
  const std::size_t capacity = entry.capacity == 0 ? 16 : std::size_t{entry.capacity} * 2;
  if (capacity > std::numeric_limits<std::uint32_t>::max())
    throw std::length_error("n-gram postings: more than 4 GiB for one gram in one import");
  void* grown = std::realloc(entry.bytes, capacity);
  if (grown == nullptr) throw std::bad_alloc();
  entry.bytes = static_cast<std::uint8_t*>(grown);
  entry.capacity = static_cast<std::uint32_t>(capacity);
}

// Inline, with the buffer's growth out of line: called for nearly every
// posting (a third of add's instructions went to the call before).
inline void PostingBuilder::append_gap(Entry& entry, std::uint64_t gap) {
  if (entry.size + 10 > entry.capacity) [[unlikely]]
    grow(entry);
  std::uint8_t* out = entry.bytes + entry.size;
  std::uint8_t* const start = out;
  while (gap >= 0x80) {
    *out++ = static_cast<std::uint8_t>(gap | 0x80);
    gap >>= 7;
  }
  *out++ = static_cast<std::uint8_t>(gap);
  entry.size += static_cast<std::uint32_t>(out - start);
}

void PostingBuilder::add(std::string_view lang, std::int64_t id, const std::vector<Gram>& grams) {
  Table* table = nullptr;
  for (auto& [name, t] : langs_)
    if (name == lang) table = &t;
  if (table == nullptr) table = &langs_.emplace_back(std::string(lang), Table{}).second;
  table->reserve(grams.size());
  // Most grams miss the cache: ask for their slots a few grams ahead.
  constexpr std::size_t kAhead = 8;
  const std::size_t n = grams.size();
  for (std::size_t k = 0; k < n && k < kAhead; ++k) __builtin_prefetch(&table->slots[table->slot_of(grams[k])]);
  for (std::size_t k = 0; k < n; ++k) {
    if (k + kAhead < n) __builtin_prefetch(&table->slots[table->slot_of(grams[k + kAhead])]);
    Entry& entry = table->find(grams[k]);
    if (entry.last == id) {
      continue;  // a repeat within the segment (a new entry's last is 0, below every id)
    } else if (entry.count == 0 && entry.closed == 0) {
      entry.first = id;  // the gram's first id
    } else if (entry.count == kBlockIds) {
      // The open block is full: close it; this id opens the next one.
      table->closed.push_back({entry.first, entry.last, entry.begin, entry.size, entry.closed});
      entry.closed = static_cast<std::uint32_t>(table->closed.size());
      entry.first = id;
      entry.begin = entry.size;
      entry.count = 0;
    } else {
      append_gap(entry, static_cast<std::uint64_t>(id - entry.last));
    }
    entry.last = id;
    ++entry.count;
    ++postings_;
  }
}

GramTotals::GramTotals(sql::Connection& db)
    : index_was_empty_(db.query_int("SELECT NOT EXISTS (SELECT 1 FROM gram_postings)", "reading the n-gram index") != 0) {}

std::vector<std::pair<Gram, std::int64_t>>& GramTotals::of(std::string_view lang) {
  for (auto& [name, totals] : langs_)
    if (name == lang) return totals;
  return langs_.emplace_back(std::string(lang), std::vector<std::pair<Gram, std::int64_t>>{}).second;
}

namespace {

// Blocks of one language as rows of gram_postings (untm_rows).
class BlockRows final : public sql::RowSource {
 public:
  struct Row {
    Gram gram;
    std::int64_t first, last, total;
    std::uint32_t count;
    std::string_view gaps;
  };
  std::string_view lang;
  std::vector<Row> rows;
  std::size_t size() const override { return rows.size(); }
  void column(std::size_t row, int column, sql::ColumnSink& out) const override {
    const Row& r = rows[row];
    switch (column) {
      case 0: out.text_static(lang); break;
      case 1: out.int64(static_cast<std::int64_t>(r.gram)); break;
      case 2: out.int64(r.first); break;
      case 3: out.int64(r.last); break;
      case 4: out.int64(r.count); break;
      case 5: out.int64(r.total); break;
      case 6: out.blob_static(r.gaps); break;  // one id: an empty blob, not NULL
      default: break;
    }
  }
};

}  // namespace

void PostingBuilder::write_blocks(sql::Connection& db, GramTotals* totals) {
  // One INSERT … SELECT per 64Ki blocks, not a bind, step and reset per
  // block. OR FAIL: a failure keeps the statement's earlier rows (the
  // caller's transaction rolls back anyway), so SQLite keeps no statement
  // journal of every page the rows touch (160 MB more peak memory in a 1M
  // import without it).
  constexpr std::size_t kRowsPerInsert = std::size_t{1} << 16;
  sql::Statement insert(db,
                        "INSERT OR FAIL INTO gram_postings (lang, gram, first_id, last_id, count, total, ids) "
                        "SELECT c0, c1, c2, c3, c4, c5, c6 FROM untm_rows(?1)",
                        "writing the n-gram index");
  sql::Statement previous(db, kGramTotalSql, "reading the n-gram index");
  std::int64_t total = 0;
  BlockRows block_rows;
  const auto insert_rows = [&] {
    if (block_rows.rows.empty()) return;
    insert.bind_rows(1, block_rows);
    insert.execute();
    block_rows.rows.clear();
  };
  const auto write = [&](Gram gram, std::int64_t first, std::int64_t last, std::size_t count, const Entry& entry,
                         std::uint32_t begin, std::uint32_t end) {
    total += static_cast<std::int64_t>(count);
    const std::string_view gaps = entry.bytes == nullptr
                                      ? std::string_view()
                                      : std::string_view(reinterpret_cast<const char*>(entry.bytes) + begin, end - begin);
    block_rows.rows.push_back({gram, first, last, total, static_cast<std::uint32_t>(count), gaps});
    if (block_rows.rows.size() == kRowsPerInsert) insert_rows();
  };
  const auto stored_total = [&](const std::string& lang, Gram gram) -> std::int64_t {
    if (totals != nullptr && totals->index_was_empty_) return 0;
    sql::ResetOnExit reset(previous);
    previous.bind(1, lang).bind(2, static_cast<std::int64_t>(gram));
    return previous.step() ? previous.column_int64(0) : 0;
  };
  std::vector<const Entry*> order;
  std::vector<const ClosedBlock*> blocks;
  std::vector<std::pair<Gram, std::int64_t>> merged;
  for (auto& [lang, table] : langs_) {
    block_rows.lang = lang;  // no rows are left from the language before
    order.clear();
    for (const Entry& entry : table.slots)
      if (entry.gram != kNoGram) order.push_back(&entry);
    std::sort(order.begin(), order.end(), [](const Entry* x, const Entry* y) { return x->gram < y->gram; });
    // Both ascending: the known totals are merged with this flush's grams.
    std::vector<std::pair<Gram, std::int64_t>>* known = totals != nullptr ? &totals->of(lang) : nullptr;
    std::size_t k = 0;
    merged.clear();
    for (const Entry* entry : order) {
      if (known != nullptr) {
        while (k < known->size() && (*known)[k].first < entry->gram) merged.push_back((*known)[k++]);
        total = k < known->size() && (*known)[k].first == entry->gram ? (*known)[k++].second
                                                                       : stored_total(lang, entry->gram);
      } else {
        total = stored_total(lang, entry->gram);
      }
      blocks.clear();
      for (std::uint32_t c = entry->closed; c != 0; c = table.closed[c - 1].previous) blocks.push_back(&table.closed[c - 1]);
      for (auto at = blocks.rbegin(); at != blocks.rend(); ++at)
        write(entry->gram, (*at)->first, (*at)->last, kBlockIds, *entry, (*at)->begin, (*at)->end);
      write(entry->gram, entry->first, entry->last, entry->count, *entry, entry->begin, entry->size);
      if (known != nullptr) merged.emplace_back(entry->gram, total);
    }
    insert_rows();
    if (known != nullptr) {
      merged.insert(merged.end(), known->begin() + static_cast<std::ptrdiff_t>(k), known->end());
      known->swap(merged);
    }
  }
  release();
}

// ---- reading ----

PostingStore::PostingStore(sql::Connection& db)
    : db_(db),
      count_(db, kGramTotalSql, "reading the n-gram index"),
      between_(db, "SELECT DISTINCT gram FROM gram_postings WHERE lang = ?1 AND gram BETWEEN ?2 AND ?3",
               "reading the n-gram index"),
      at_or_before_(db,
                    "SELECT first_id, last_id, count, ids FROM gram_postings WHERE lang = ?1 AND gram = ?2 "
                    "AND first_id <= ?3 ORDER BY first_id DESC LIMIT 1",
                    "reading the n-gram index"),
      after_(db,
             "SELECT first_id, last_id, count, ids FROM gram_postings WHERE lang = ?1 AND gram = ?2 "
             "AND first_id > ?3 ORDER BY first_id LIMIT 1",
             "reading the n-gram index") {}

std::int64_t PostingStore::count(std::string_view lang, Gram gram) {
  sql::ResetOnExit reset(count_);
  count_.bind(1, lang).bind(2, static_cast<std::int64_t>(gram));
  return count_.step() ? count_.column_int64(0) : 0;
}

std::vector<Gram> PostingStore::grams_between(std::string_view lang, Gram low, Gram high) {
  sql::ResetOnExit reset(between_);
  between_.bind(1, lang).bind(2, static_cast<std::int64_t>(low)).bind(3, static_cast<std::int64_t>(high));
  std::vector<Gram> out;
  while (between_.step()) out.push_back(static_cast<Gram>(between_.column_int64(0)));
  return out;
}

PostingCursor::PostingCursor(PostingStore& store, std::string lang, Gram gram)
    : store_(&store), lang_(std::move(lang)), gram_(gram) {
  load(store_->after_, -1);
}

void PostingCursor::load(sql::Statement& s, std::int64_t bound) {
  sql::ResetOnExit reset(s);
  s.bind(1, lang_).bind(2, static_cast<std::int64_t>(gram_)).bind(3, bound);
  ids_.clear();
  pos_ = 0;
  if (!s.step()) {
    done_ = true;
    return;
  }
  first_ = s.column_int64(0);
  last_ = s.column_int64(1);
  const std::int64_t count = s.column_int64(2);
  if (count <= 0 || count > static_cast<std::int64_t>(kBlockIds) ||
      !decode_block(first_, static_cast<std::uint32_t>(count), s.column_blob(3), ids_) || ids_.back() != last_)
    throw DatabaseError(store_->db_.path(),
                        store_->db_.path() +
                            ": the n-gram index is damaged (a posting block cannot be read). Rebuild the TM: "
                            "untm export --db TM --tmx ALL.tmx, then untm import ALL.tmx --db NEW");
}

void PostingCursor::next() {
  if (++pos_ < ids_.size()) return;
  load(store_->after_, first_);
}

void PostingCursor::seek(std::int64_t target) {
  if (done_ || id() >= target) return;
  if (target > last_) {
    // The block that may hold it starts at or before it; else the next one.
    load(store_->at_or_before_, target);
    if (!done_ && last_ < target) load(store_->after_, first_);
    if (done_) return;
  }
  pos_ = static_cast<std::size_t>(std::lower_bound(ids_.begin() + static_cast<std::ptrdiff_t>(pos_), ids_.end(), target) -
                                  ids_.begin());
}

std::vector<std::int64_t> intersect(std::vector<PostingCursor>& cursors, std::size_t limit) {
  std::vector<std::int64_t> out;
  if (cursors.empty() || cursors.front().done()) return out;
  std::int64_t target = cursors.front().id();
  while (out.size() < limit) {
    bool all = true;
    for (PostingCursor& cursor : cursors) {
      cursor.seek(target);
      if (cursor.done()) return out;
      if (cursor.id() > target) {
        target = cursor.id();
        all = false;
      }
    }
    if (!all) continue;
    out.push_back(target);
    cursors.front().next();
    if (cursors.front().done()) break;
    target = cursors.front().id();
  }
  return out;
}

PostingUnion::PostingUnion(std::vector<PostingCursor> cursors) : cursors_(std::move(cursors)) {
  for (std::size_t i = 0; i < cursors_.size(); ++i)
    if (!cursors_[i].done()) heap_.push_back(i);
  std::make_heap(heap_.begin(), heap_.end(),
                 [this](std::size_t x, std::size_t y) { return cursors_[x].id() > cursors_[y].id(); });
}

bool PostingUnion::next(std::int64_t& id) {
  const auto later = [this](std::size_t x, std::size_t y) { return cursors_[x].id() > cursors_[y].id(); };
  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    PostingCursor& cursor = cursors_[heap_.back()];
    const std::int64_t value = cursor.id();
    cursor.next();
    if (cursor.done())
      heap_.pop_back();
    else
      std::push_heap(heap_.begin(), heap_.end(), later);
    if (value != last_) {
      last_ = value;
      id = value;
      return true;
    }
  }
  return false;
}

AddedSegments add_segments_after(sql::Connection& db, std::int64_t after, PostingBuilder& builder,
                                 GramTotals* totals, std::size_t flush_postings) {
  sql::Statement rows(db, "SELECT id, lang, key FROM segments WHERE id > ?1 ORDER BY id", "reading segments to index");
  rows.bind(1, after);
  std::vector<Gram> grams;
  AddedSegments added{after, 0};
  while (rows.step()) {
    added.last_id = rows.column_int64(0);
    ++added.count;
    key_grams(rows.column_view(2), grams);
    builder.add(rows.column_view(1), added.last_id, grams);
    if (builder.postings() >= flush_postings) {
      builder.write_blocks(db, totals);
      added.wrote_blocks = true;
    }
  }
  return added;
}

AddedSegments index_segments_after(sql::Connection& db, std::int64_t after) {
  PostingBuilder builder;
  GramTotals totals(db);
  const AddedSegments added = add_segments_after(db, after, builder, &totals);
  builder.write_blocks(db, &totals);
  return added;
}

IndexCheck check_index(sql::Connection& db, std::int64_t indexed_through) {
  IndexCheck check;
  // (lang, gram, id) of every posting the segments call for, sorted.
  using Posting = std::tuple<std::string, Gram, std::int64_t>;
  std::vector<Posting> expected;
  std::vector<std::int64_t> live;  // ids of all segments, ascending
  {
    sql::Statement rows(db, "SELECT id, lang, key FROM segments ORDER BY id", "checking the n-gram index");
    std::vector<Gram> grams;
    while (rows.step()) {
      const std::int64_t id = rows.column_int64(0);
      live.push_back(id);
      if (id > indexed_through) continue;
      ++check.segments;
      key_grams(rows.column_view(2), grams);
      std::sort(grams.begin(), grams.end());
      grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
      for (const Gram g : grams) expected.emplace_back(rows.column_string(1), g, id);
    }
  }
  std::sort(expected.begin(), expected.end());
  std::vector<bool> found(expected.size(), false);
  sql::Statement blocks(db, "SELECT lang, gram, first_id, count, ids FROM gram_postings", "checking the n-gram index");
  std::vector<std::int64_t> ids;
  while (blocks.step()) {
    ids.clear();
    const std::string lang = blocks.column_string(0);
    const auto gram = static_cast<Gram>(blocks.column_int64(1));
    if (!decode_block(blocks.column_int64(2), static_cast<std::uint32_t>(blocks.column_int64(3)), blocks.column_blob(4),
                      ids)) {
      ++check.wrong;
      continue;
    }
    for (const std::int64_t id : ids) {
      if (!std::binary_search(live.begin(), live.end(), id)) {
        ++check.stale;
        continue;
      }
      const auto at = std::lower_bound(expected.begin(), expected.end(), Posting{lang, gram, id});
      if (at == expected.end() || *at != Posting{lang, gram, id}) {
        ++check.wrong;
        continue;
      }
      found[static_cast<std::size_t>(at - expected.begin())] = true;
    }
  }
  check.missing = std::count(found.begin(), found.end(), false);
  return check;
}

}  // namespace untm::grams
