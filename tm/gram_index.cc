#include "tm/gram_index.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <tuple>
#include <utility>

#include "aligner/utf8_util.h"
#include "tm/fuzzy_match.h"

namespace untm::grams {

void key_grams(std::string_view key, std::vector<Gram>& out) {
  out.clear();
  char32_t a = 0, b = 0;
  int have = 0;
  for (std::size_t i = 0; i < key.size();) {
    const char32_t c = utf8::next(key, i);
    if (have >= 2) out.push_back(pack(a, b, c));
    a = b;
    b = c;
    if (have < 2) ++have;
  }
  if (have >= 2) out.push_back(pack(a, b, kEndMark));
  fuzzy::cjk_ngram_codes(key, out);
}

void put_varint(std::string& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

namespace {

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

PostingBuilder::Entry& PostingBuilder::Table::find(Gram gram) {
  if ((entries.size() + 1) * 2 > slots.size()) {
    // Grow and re-place every entry (slots hold indexes only).
    slots.assign(slots.empty() ? 1024 : slots.size() * 2, 0);
    const std::size_t mask = slots.size() - 1;
    for (std::size_t e = 0; e < entries.size(); ++e) {
      std::size_t i = static_cast<std::size_t>((entries[e].gram * 0x9E3779B97F4A7C15ULL) >> 32) & mask;
      while (slots[i] != 0) i = (i + 1) & mask;
      slots[i] = static_cast<std::uint32_t>(e + 1);
    }
  }
  const std::size_t mask = slots.size() - 1;
  std::size_t i = static_cast<std::size_t>((gram * 0x9E3779B97F4A7C15ULL) >> 32) & mask;
  while (slots[i] != 0) {
    Entry& entry = entries[slots[i] - 1];
    if (entry.gram == gram) return entry;
    i = (i + 1) & mask;
  }
  entries.emplace_back();
  entries.back().gram = gram;
  slots[i] = static_cast<std::uint32_t>(entries.size());
  return entries.back();
}

void PostingBuilder::append_gap(Entry& entry, std::uint64_t gap) {
  do {
    if (entry.tail == 0 || entry.used == kChunkBytes) {
      chunks_.emplace_back();
      const auto index = static_cast<std::uint32_t>(chunks_.size());
      if (entry.tail == 0)
        entry.head = index;
      else
        chunks_[entry.tail - 1].next = index;
      entry.tail = index;
      entry.used = 0;
    }
    const auto byte = static_cast<std::uint8_t>((gap & 0x7F) | (gap >= 0x80 ? 0x80 : 0));
    chunks_[entry.tail - 1].bytes[entry.used++] = byte;
    gap >>= 7;
  } while (gap != 0);
}

void PostingBuilder::gather(const Entry& entry, std::string& gaps) const {
  gaps.clear();
  for (std::uint32_t c = entry.head; c != 0; c = chunks_[c - 1].next) {
    const Chunk& chunk = chunks_[c - 1];
    const std::size_t n = c == entry.tail ? entry.used : kChunkBytes;
    gaps.append(reinterpret_cast<const char*>(chunk.bytes), n);
  }
}

void PostingBuilder::add(std::string_view lang, std::int64_t id, const std::vector<Gram>& grams) {
  auto found = langs_.find(lang);
  if (found == langs_.end()) found = langs_.emplace(std::string(lang), Table{}).first;
  Table& table = found->second;
  for (const Gram gram : grams) {
    Entry& entry = table.find(gram);
    if (entry.count == 0) {
      entry.first = id;
    } else if (entry.last == id) {
      continue;  // a repeat within the segment
    } else {
      append_gap(entry, static_cast<std::uint64_t>(id - entry.last));
    }
    entry.last = id;
    ++entry.count;
    ++postings_;
  }
}

void PostingBuilder::write_blocks(sql::Connection& db) {
  sql::Statement insert(db,
                        "INSERT INTO gram_postings (lang, gram, first_id, last_id, count, total, ids) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        "writing the n-gram index");
  sql::Statement previous(db,
                          "SELECT total FROM gram_postings WHERE lang = ?1 AND gram = ?2 ORDER BY first_id DESC LIMIT 1",
                          "reading the n-gram index");
  std::int64_t total = 0;
  std::vector<std::uint32_t> order;
  std::vector<std::int64_t> ids;
  std::string gaps, block;
  const auto write = [&](const std::string& lang, Gram gram, std::int64_t first, std::int64_t last,
                         std::size_t count, std::string_view bytes) {
    total += static_cast<std::int64_t>(count);
    insert.bind(1, lang).bind(2, static_cast<std::int64_t>(gram)).bind(3, first).bind(4, last);
    insert.bind(5, static_cast<std::int64_t>(count)).bind(6, total).bind_blob_static(7, bytes);
    insert.execute();
  };
  for (auto& [lang, table] : langs_) {
    order.resize(table.entries.size());
    std::iota(order.begin(), order.end(), 0U);
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t x, std::uint32_t y) { return table.entries[x].gram < table.entries[y].gram; });
    for (const std::uint32_t e : order) {
      const Entry& entry = table.entries[e];
      {
        sql::ResetOnExit reset(previous);
        previous.bind(1, lang).bind(2, static_cast<std::int64_t>(entry.gram));
        total = previous.step() ? previous.column_int64(0) : 0;
      }
      gather(entry, gaps);
      if (entry.count <= kBlockIds) {
        write(lang, entry.gram, entry.first, entry.last, entry.count, gaps);
        continue;
      }
      // A long list: cut into blocks of kBlockIds, each with its own first id.
      ids.clear();
      decode_block(entry.first, entry.count, gaps, ids);  // written by add(): well formed
      for (std::size_t begin = 0; begin < ids.size(); begin += kBlockIds) {
        const std::size_t end = std::min(ids.size(), begin + kBlockIds);
        block.clear();
        for (std::size_t i = begin + 1; i < end; ++i) put_varint(block, static_cast<std::uint64_t>(ids[i] - ids[i - 1]));
        write(lang, entry.gram, ids[begin], ids[end - 1], end - begin, block);
      }
    }
  }
  langs_.clear();
  chunks_.clear();
  chunks_.shrink_to_fit();
  postings_ = 0;
}

// ---- reading ----

PostingStore::PostingStore(sql::Connection& db)
    : db_(db),
      count_(db, "SELECT total FROM gram_postings WHERE lang = ?1 AND gram = ?2 ORDER BY first_id DESC LIMIT 1",
             "reading the n-gram index"),
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
                                 std::size_t flush_postings) {
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
      builder.write_blocks(db);
      added.wrote_blocks = true;
    }
  }
  return added;
}

AddedSegments index_segments_after(sql::Connection& db, std::int64_t after) {
  PostingBuilder builder;
  const AddedSegments added = add_segments_after(db, after, builder);
  builder.write_blocks(db);
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
