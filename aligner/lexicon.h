// The lexicon the sentence aligner learns from a first alignment pass (see
// sentence_aligner.h for the model). Internal to aligner/.
//
// Entries are learned in both directions: a source key (a lower-case word cut
// to its first six letters, or a Chinese/Japanese character) gets the target
// keys that co-occur with it in confident beads far more often than chance
// (phi coefficient over beads; at most three, chosen greedily while they make
// the entry more informative; at most 3,000 training beads, spread over the
// document); then
//   q = P(the aligned bead holds one of them)           (from the beads)
//   r = P(a random target sentence holds one of them)   (from sentence counts)
// and the reverse for target keys. Learning is O(sum over beads of
// |source keys| x |target keys|), with dense counters per word.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "aligner/anchors.h"
#include "aligner/sentence_aligner.h"

namespace untm {

// The lexicon key of a word token: Chinese/Japanese characters as they are,
// other words cut to their first six code points (a stemmer that knows no
// language: "resolution", "resolutions" -> "resolu"). A view into `word`.
std::string_view lexicon_key(std::string_view word);

// A fast 64-bit hash of a short key (KeyIndex's, and the base of the
// aligner's feature hashes); not stored anywhere, so free to change.
std::uint64_t key_hash64(std::string_view key);

// String keys to dense ids: open addressing over a power-of-two table, keys
// stored once. Faster than std::unordered_map for the short keys the aligner
// looks up by the hundred thousand.
class KeyIndex {
 public:
  static constexpr std::uint32_t kNone = 0xFFFFFFFF;
  std::uint32_t find(std::string_view key) const;
  // The id of `key`, added with the next id if new.
  std::uint32_t intern(std::string_view key);
  // Room for this many keys without growing (ids do not depend on it).
  void reserve(std::size_t keys);
  // Empties the index, keeping its memory for the next keys (a caller that
  // fills one index per call reuses it).
  void clear();
  std::size_t size() const { return begin_.size() - 1; }
  std::string_view key(std::uint32_t id) const { return {chars_.data() + begin_[id], begin_[id + 1] - begin_[id]}; }

 private:
  // A slot holds an id and the high half of its key's hash: the position in
  // the table and a tag that rules out most other keys without comparing
  // them (and lets the table grow without hashing the keys again).
  struct Slot {
    std::uint32_t id = kNone;
    std::uint32_t tag = 0;
  };
  static std::uint32_t hash(std::string_view key);
  bool equals(std::uint32_t id, std::string_view key) const {
    return begin_[id + 1] - begin_[id] == key.size() &&
           (key.empty() || std::memcmp(chars_.data() + begin_[id], key.data(), key.size()) == 0);
  }
  void grow() { rehash(std::max<std::size_t>(64, slots_.size() * 2)); }
  void rehash(std::size_t slots);
  std::string chars_;                      // the keys, one after another
  std::vector<std::uint32_t> begin_{0};    // key id -> its first byte in chars_; one extra at the end
  std::vector<Slot> slots_;
};

// One side's sentences as lexicon keys: an id per key seen in at least two
// of them, and each sentence as the sorted set of its key ids. The keys are
// views into the features' words, which must outlive it. Made once per
// document version: a version aligned in several pairs (the pivot) shares it.
struct LexiconKeys {
  std::vector<std::string_view> keys;
  std::vector<std::uint32_t> df;     // sentences holding the key
  std::vector<std::uint32_t> begin;  // sentence s's ids are ids[begin[s], begin[s + 1])
  std::vector<std::uint32_t> ids;
};
LexiconKeys index_lexicon_keys(std::span<const SentenceFeatures> side);

class Lexicon {
 public:
  // An entry's translations: at most kMaxTranslations key ids, kept in
  // place (a lexicon has an entry per key: no allocation each).
  static constexpr std::size_t kMaxTranslations = 3;
  class Translations {
   public:
    // Throws std::length_error past kMaxTranslations.
    void push_back(std::uint32_t key) {
      if (size_ == kMaxTranslations)
        throw std::length_error("lexicon entry: more than " + std::to_string(kMaxTranslations) + " translations");
      keys_[size_++] = key;
    }
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    const std::uint32_t* begin() const { return keys_.data(); }
    const std::uint32_t* end() const { return keys_.data() + size_; }
    std::uint32_t front() const { return keys_[0]; }
    bool operator==(const Translations& other) const { return std::equal(begin(), end(), other.begin(), other.end()); }

   private:
    std::array<std::uint32_t, kMaxTranslations> keys_{};
    std::uint32_t size_ = 0;
  };
  struct Entry {
    Translations translations;  // key ids of the other side
    float q = 0;                // P(a translation in the aligned bead)
    float r = 0;                // P(a translation in a random sentence)
  };
  static constexpr std::uint32_t kNone = 0xFFFFFFFF;

  // Side 0: source keys; side 1: target keys.
  std::uint32_t find(int side, std::string_view key) const;
  const Entry& entry(int side, std::uint32_t id) const { return entries_[side][id]; }
  std::string_view key(int side, std::uint32_t id) const { return index_[static_cast<std::size_t>(side)].key(id); }
  std::size_t size(int side) const { return index_[static_cast<std::size_t>(side)].size(); }
  // Number of (key, translation) pairs in both directions.
  std::size_t pair_count() const;
  // The keys (sorted, each once) of sentence `sentence` of side `side` of
  // the documents the lexicon was learned from: what find() gives for the
  // lexicon_key of each of its words.
  std::size_t sentences(int side) const { return sentence_begin_[static_cast<std::size_t>(side)].size() - 1; }
  std::span<const std::uint32_t> sentence_keys(int side, std::size_t sentence) const {
    const auto& begin = sentence_begin_[static_cast<std::size_t>(side)];
    return {sentence_keys_[static_cast<std::size_t>(side)].data() + begin[sentence], begin[sentence + 1] - begin[sentence]};
  }

  // P(an anchor of this kind has its counterpart in the aligned bead), as
  // measured on the first pass; the defaults before any measurement.
  std::array<double, kAnchorKindCount> anchor_recall = kDefaultAnchorRecall;
  static constexpr std::array<double, kAnchorKindCount> kDefaultAnchorRecall = {0.8, 0.9, 0.7, 0.3, 0.6};

  // Learns the lexicon from the beads of a first pass with at least
  // `min_confidence` (and both sides non-empty). Each side's keys are made
  // here unless given (index_lexicon_keys of the same features).
  static std::shared_ptr<Lexicon> learn(std::span<const SentenceFeatures> src, std::span<const SentenceFeatures> tgt,
                                        std::span<const Bead> beads, double min_confidence,
                                        const LexiconKeys* src_keys = nullptr, const LexiconKeys* tgt_keys = nullptr);

 private:
  std::array<KeyIndex, 2> index_;
  std::array<std::vector<Entry>, 2> entries_;
  std::array<std::vector<std::uint32_t>, 2> sentence_begin_{std::vector<std::uint32_t>{0}, std::vector<std::uint32_t>{0}};
  std::array<std::vector<std::uint32_t>, 2> sentence_keys_;
};

}  // namespace untm
