// Learning the aligner's lexicon from a first pass (see lexicon.h).
#include "aligner/lexicon.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "aligner/sentence_aligner.h"
#include "aligner/utf8_util.h"

namespace untm {
namespace {

// Words in more than this share of the beads are function words: whatever
// they "translate" to is everywhere too.
constexpr double kMaxBeadShare = 0.4;
// Co-occurrence that counts: at least twice, and a phi coefficient of at
// least this.
constexpr double kMinPhi = 0.12;
constexpr std::size_t kMaxCandidates = 3;
static_assert(kMaxCandidates <= Lexicon::kMaxTranslations);  // an entry takes at most every candidate
// More beads add little to the entries that matter and cost time.
constexpr std::size_t kMaxTrainingBeads = 3000;
// q is measured on at most this many beads of a word (they are a sample).
constexpr std::size_t kMaxSample = 400;
// A translation is added while it makes the entry more informative by this
// much (Kullback-Leibler divergence of aligned from random, in nats).
constexpr double kMinGain = 0.02;
constexpr double kMinInformation = 0.05;
// q is shrunk toward kPriorQ by kPriorWeight pseudo-beads, so that a word
// seen twice does not claim certainty.
constexpr double kPriorQ = 0.3;
constexpr double kPriorWeight = 2.0;

// Key sets of the training beads on one side.
struct BeadSets {
  std::vector<std::uint32_t> begin{0};
  std::vector<std::uint32_t> ids;
  std::span<const std::uint32_t> of(std::size_t b) const { return {ids.data() + begin[b], ids.data() + begin[b + 1]}; }
};

double kl_bernoulli(double q, double r) {
  return q * std::log(q / r) + (1 - q) * std::log((1 - q) / (1 - r));
}

// The training beads that hold each key of one side.
struct KeyBeads {
  std::vector<std::uint32_t> begin;
  std::vector<std::uint32_t> beads;
  KeyBeads(const BeadSets& sets, std::size_t keys) : begin(keys + 1, 0), beads(sets.ids.size()) {
    for (std::uint32_t id : sets.ids) ++begin[id + 1];
    for (std::size_t k = 0; k < keys; ++k) begin[k + 1] += begin[k];
    std::vector<std::uint32_t> fill(begin.begin(), begin.end() - 1);
    for (std::size_t b = 0; b + 1 < sets.begin.size(); ++b)
      for (std::uint32_t id : sets.of(b)) beads[fill[id]++] = static_cast<std::uint32_t>(b);
  }
  std::uint32_t count(std::size_t k) const { return begin[k + 1] - begin[k]; }
  std::span<const std::uint32_t> of(std::size_t k) const { return {beads.data() + begin[k], count(k)}; }
};

// The phi coefficient of two keys found in cx and cy of n beads, together
// in a of them; 0 where it is no candidate (not positive, or under kMinPhi).
// Every product is an integer below 2^53 (n <= kMaxTrainingBeads), exact in
// a double, so the value is the same whichever key comes first.
static_assert(double{kMaxTrainingBeads} * kMaxTrainingBeads * kMaxTrainingBeads * kMaxTrainingBeads < 9007199254740992.0);
double association(double n, double a, double cx, double cy) {
  const double covariance = n * a - cx * cy;
  if (covariance <= 0) return 0;  // phi <= 0 < kMinPhi
  const double phi = covariance / std::sqrt(cx * (n - cx) * cy * (n - cy));
  return phi < kMinPhi ? 0 : phi;
}

// A candidate translation: its association, its key, and how many of the
// beads that hold the other key hold it too.
struct Candidate {
  double phi = 0;
  std::uint32_t key = 0;
  std::uint32_t together = 0;
  // Greater association first; ties: the larger key.
  bool before(const Candidate& other) const { return phi != other.phi ? phi > other.phi : key > other.key; }
};

// A key's kMaxCandidates best candidates, best first, kept sorted as they
// come, so the order they come in does not matter.
struct Candidates {
  std::array<Candidate, kMaxCandidates> best{};
  std::size_t size = 0;
  void offer(double phi, std::uint32_t key, std::uint32_t together) {
    const Candidate candidate{phi, key, together};
    if (size == kMaxCandidates) {
      if (!candidate.before(best[size - 1])) return;
      --size;
    }
    std::size_t at = size;
    while (at > 0 && candidate.before(best[at - 1])) {
      best[at] = best[at - 1];
      --at;
    }
    best[at] = candidate;
    ++size;
  }
  std::span<const Candidate> items() const { return {best.data(), size}; }
};

// Co-occurrence counts for one key of the other side at a time: per key,
// the beads of the current one that hold it. A key whose `owner` is not the
// current one has none yet, so nothing is reset between keys. Only keys in
// two or more of its beads can be candidates (a >= 2); they are listed as
// they reach 2, and most keys never do.
class Cooccurrence {
 public:
  explicit Cooccurrence(std::size_t keys) : counts_(keys) {}
  void count(std::uint32_t owner, std::uint32_t key) {
    Count& c = counts_[key];
    if (c.owner != owner) {
      c.owner = owner;
      c.beads = 1;
    } else if (++c.beads == 2) {
      shared_.push_back(key);
    }
  }
  // The keys in two or more beads; cleared by next().
  const std::vector<std::uint32_t>& shared() const { return shared_; }
  std::uint32_t beads(std::uint32_t key) const { return counts_[key].beads; }
  void next() { shared_.clear(); }

 private:
  struct Count {
    std::uint32_t owner = Lexicon::kNone;
    std::uint32_t beads = 0;
  };
  std::vector<Count> counts_;
  std::vector<std::uint32_t> shared_;
};

// A key of side X too frequent (in more than kMaxBeadShare of the beads) to
// get an entry, or too rare (fewer than 2).
bool gets_no_entry(std::uint32_t beads_with_key, double n) { return beads_with_key < 2 || beads_with_key > kMaxBeadShare * n; }

// The entry of X key `w` (in the beads `mine`) from its candidates among the
// Y keys: translations added greedily while the entry gets more informative.
std::optional<Lexicon::Entry> choose_translations(std::span<const std::uint32_t> mine, const Candidates& candidates,
                                                  const BeadSets& y, const LexiconKeys& y_index,
                                                  std::size_t y_sentences, std::vector<char>& hit) {
  const std::size_t cw = mine.size();
  const std::size_t sample = std::min<std::size_t>(cw, kMaxSample);
  const std::size_t stride = cw / sample;
  hit.assign(sample, 0);
  std::size_t hits = 0;  // sampled beads explained by the translations taken
  double miss_random = 1.0;  // P(no translation in a random sentence)
  double information = 0;
  Lexicon::Entry entry;
  const double r_floor = 0.5 / static_cast<double>(y_sentences);
  const std::span<const Candidate> items = candidates.items();
  for (std::size_t c = 0; c < items.size(); ++c) {
    const std::uint32_t t = items[c].key;
    // The sampled beads not yet explained that hold t: while none is
    // explained and every bead is sampled, those that hold both keys.
    std::size_t more = 0;
    if (hits == 0 && sample == cw) {
      more = items[c].together;
    } else {
      for (std::size_t k = 0; k < sample; ++k) {
        if (hit[k]) continue;
        const auto ys = y.of(mine[k * stride]);
        if (std::binary_search(ys.begin(), ys.end(), t)) ++more;
      }
    }
    const double q = (static_cast<double>(hits + more) + kPriorWeight * kPriorQ) / (static_cast<double>(sample) + kPriorWeight);
    const double miss = miss_random * (1.0 - static_cast<double>(y_index.df[t]) / static_cast<double>(y_sentences));
    const double r = std::clamp(1.0 - miss, r_floor, 0.999);
    const double gain = q > r ? kl_bernoulli(q, r) : 0.0;
    if (gain < information + kMinGain) continue;
    // Marked for the next candidates (the last has none).
    for (std::size_t k = 0; c + 1 < items.size() && k < sample; ++k) {
      if (hit[k]) continue;
      const auto ys = y.of(mine[k * stride]);
      if (std::binary_search(ys.begin(), ys.end(), t)) hit[k] = 1;
    }
    hits += more;
    miss_random = miss;
    information = gain;
    entry.translations.push_back(t);
    entry.q = static_cast<float>(q);
    entry.r = static_cast<float>(r);
  }
  if (information < kMinInformation) return std::nullopt;
  return entry;
}

// The entries of both sides' keys: source keys translated into target keys
// and the reverse. A key's candidates are the keys of the other side that
// share two or more of its beads with an association of at least kMinPhi.
// The association is symmetric, so the counts are made once, from the
// source keys, for both directions; the target's side then only needs the
// source keys that get no entry of their own for being too frequent (the
// source keys too rare have no pair with a >= 2).
std::array<std::vector<Lexicon::Entry>, 2> learn_entries(const BeadSets& src_sets, const BeadSets& tgt_sets,
                                                         const LexiconKeys& src_index, const LexiconKeys& tgt_index,
                                                         std::size_t src_sentences, std::size_t tgt_sentences) {
  const std::size_t src_keys = src_index.keys.size(), tgt_keys = tgt_index.keys.size();
  std::array<std::vector<Lexicon::Entry>, 2> entries{std::vector<Lexicon::Entry>(src_keys),
                                                     std::vector<Lexicon::Entry>(tgt_keys)};
  const std::size_t beads = src_sets.begin.size() - 1;
  if (beads == 0) return entries;
  const double n = static_cast<double>(beads);
  const KeyBeads src_beads(src_sets, src_keys), tgt_beads(tgt_sets, tgt_keys);
  std::vector<Candidates> tgt_candidates(tgt_keys);
  std::vector<char> hit;
  {
    Cooccurrence together(tgt_keys);
    for (std::size_t w = 0; w < src_keys; ++w) {
      const std::uint32_t cw = src_beads.count(w);
      if (gets_no_entry(cw, n)) continue;
      const auto word = static_cast<std::uint32_t>(w);
      const std::span<const std::uint32_t> mine = src_beads.of(w);
      for (std::uint32_t b : mine)
        for (std::uint32_t t : tgt_sets.of(b)) together.count(word, t);
      Candidates candidates;
      for (std::uint32_t t : together.shared()) {
        const std::uint32_t ct = tgt_beads.count(t);
        if (ct >= n) continue;  // in every bead
        const double phi = association(n, together.beads(t), cw, ct);
        if (phi == 0) continue;
        candidates.offer(phi, t, together.beads(t));
        if (!gets_no_entry(ct, n)) tgt_candidates[t].offer(phi, word, together.beads(t));
      }
      together.next();
      if (candidates.size == 0 || tgt_sentences == 0) continue;
      if (auto entry = choose_translations(mine, candidates, tgt_sets, tgt_index, tgt_sentences, hit))
        entries[0][w] = std::move(*entry);
    }
  }
  // Pairs of a target key with a frequent source key (one in more than
  // kMaxBeadShare of the beads, but not all): counted from the target keys,
  // over each bead's frequent source keys only.
  BeadSets frequent;
  for (std::size_t b = 0; b < beads; ++b) {
    for (std::uint32_t w : src_sets.of(b))
      if (src_beads.count(w) >= 2 && src_beads.count(w) > kMaxBeadShare * n && src_beads.count(w) < n)
        frequent.ids.push_back(w);
    frequent.begin.push_back(static_cast<std::uint32_t>(frequent.ids.size()));
  }
  Cooccurrence together(src_keys);
  for (std::size_t t = 0; t < tgt_keys; ++t) {
    const std::uint32_t ct = tgt_beads.count(t);
    if (gets_no_entry(ct, n)) continue;
    const auto key = static_cast<std::uint32_t>(t);
    const std::span<const std::uint32_t> mine = tgt_beads.of(t);
    if (!frequent.ids.empty()) {
      for (std::uint32_t b : mine)
        for (std::uint32_t w : frequent.of(b)) together.count(key, w);
      for (std::uint32_t w : together.shared()) {
        const double phi = association(n, together.beads(w), src_beads.count(w), ct);
        if (phi != 0) tgt_candidates[t].offer(phi, w, together.beads(w));
      }
      together.next();
    }
    if (tgt_candidates[t].size == 0 || src_sentences == 0) continue;
    if (auto entry = choose_translations(mine, tgt_candidates[t], src_sets, src_index, src_sentences, hit))
      entries[1][t] = std::move(*entry);
  }
  return entries;
}

}  // namespace

LexiconKeys index_lexicon_keys(std::span<const SentenceFeatures> side) {
  KeyIndex index;
  std::vector<std::string_view> keys;
  std::vector<std::uint32_t> df;
  std::vector<std::uint32_t> begin{0};
  std::vector<std::uint32_t> ids;
  std::vector<std::uint32_t> sentence;
  std::size_t words = 0;
  for (const SentenceFeatures& f : side) words += f.words.size();
  index.reserve(words);
  for (const SentenceFeatures& f : side) {
    sentence.clear();
    for (const std::string& w : f.words) {
      const std::string_view key = lexicon_key(w);
      const std::uint32_t id = index.intern(key);
      if (id == keys.size()) {
        keys.push_back(key);
        df.push_back(0);
      }
      sentence.push_back(id);
    }
    std::sort(sentence.begin(), sentence.end());
    sentence.erase(std::unique(sentence.begin(), sentence.end()), sentence.end());
    for (std::uint32_t id : sentence) ++df[id];
    ids.insert(ids.end(), sentence.begin(), sentence.end());
    begin.push_back(static_cast<std::uint32_t>(ids.size()));
  }
  // Keep the keys seen twice or more, renumbered.
  std::vector<std::uint32_t> renumber(keys.size(), Lexicon::kNone);
  LexiconKeys out;
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (df[k] < 2) continue;
    renumber[k] = static_cast<std::uint32_t>(out.keys.size());
    out.keys.push_back(keys[k]);
    out.df.push_back(df[k]);
  }
  out.begin.push_back(0);
  for (std::size_t s = 0; s + 1 < begin.size(); ++s) {
    for (std::uint32_t k = begin[s]; k < begin[s + 1]; ++k)
      if (renumber[ids[k]] != Lexicon::kNone) out.ids.push_back(renumber[ids[k]]);
    // Renumbering keeps the order, so each sentence stays sorted.
    out.begin.push_back(static_cast<std::uint32_t>(out.ids.size()));
  }
  return out;
}

std::string_view lexicon_key(std::string_view word) {
  constexpr int kMaxLetters = 6;
  // Most words are ASCII at least that far: a byte is a code point.
  const std::size_t head = std::min<std::size_t>(word.size(), kMaxLetters);
  if (std::all_of(word.begin(), word.begin() + static_cast<std::ptrdiff_t>(head),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
    return word.substr(0, head);
  std::size_t i = 0;
  int letters = 0;
  while (i < word.size() && letters < kMaxLetters) {
    utf8::next(word, i);
    ++letters;
  }
  return word.substr(0, i);
}

std::uint64_t key_hash64(std::string_view key) {
  // Eight bytes at a time, multiplied and folded.
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ key.size();
  const char* p = key.data();
  std::size_t n = key.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    h = (h ^ v) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  }
  if (n > 0) {
    // The last 1-7 bytes with fixed-size loads (a copy of n bytes is a call
    // to memcpy, which cost as much as the rest of the hash): two 4-byte
    // loads that may overlap, or the first, middle and last byte. Every
    // byte is read and the length is mixed in above, so keys of one length
    // that differ give different values before the multiply.
    std::uint64_t v;
    if (n >= 4) {
      std::uint32_t first, last;
      std::memcpy(&first, p, 4);
      std::memcpy(&last, p + n - 4, 4);
      v = std::uint64_t{first} << 32 | last;
    } else {
      const auto byte = [&](std::size_t k) { return std::uint64_t{static_cast<unsigned char>(p[k])}; };
      v = byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16;
    }
    h = (h ^ v) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  }
  return h;
}

std::uint32_t KeyIndex::hash(std::string_view key) {
  // The high bits are kept. (The hash only decides where keys sit in the
  // table, never their ids.)
  const std::uint64_t h = key_hash64(key) * 0x94D049BB133111EBull;
  return static_cast<std::uint32_t>(h >> 32);
}

std::uint32_t KeyIndex::find(std::string_view key) const {
  if (slots_.empty()) return kNone;
  const std::size_t mask = slots_.size() - 1;
  const std::uint32_t tag = hash(key);
  for (std::size_t slot = tag & mask;; slot = (slot + 1) & mask) {
    const Slot& s = slots_[slot];
    if (s.id == kNone) return kNone;
    if (s.tag == tag && equals(s.id, key)) return s.id;
  }
}

std::uint32_t KeyIndex::intern(std::string_view key) {
  if ((size() + 1) * 2 > slots_.size()) grow();
  const std::size_t mask = slots_.size() - 1;
  const std::uint32_t tag = hash(key);
  for (std::size_t slot = tag & mask;; slot = (slot + 1) & mask) {
    Slot& s = slots_[slot];
    if (s.id == kNone) {
      s.id = static_cast<std::uint32_t>(size());
      s.tag = tag;
      chars_.append(key);
      begin_.push_back(static_cast<std::uint32_t>(chars_.size()));
      return s.id;
    }
    if (s.tag == tag && equals(s.id, key)) return s.id;
  }
}

void KeyIndex::reserve(std::size_t keys) {
  std::size_t slots = 64;
  while (slots < keys * 2) slots *= 2;
  if (slots > slots_.size()) rehash(slots);
}

void KeyIndex::clear() {
  chars_.clear();
  begin_.assign(1, 0);
  // The next key makes a small table in the memory already held (rehash):
  // the old table may be far larger than the next keys need.
  slots_.clear();
}

void KeyIndex::rehash(std::size_t slots) {
  if (size() == 0) {  // nothing to move: keep the memory
    slots_.assign(slots, Slot{});
    return;
  }
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(slots, Slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.id == kNone) continue;
    std::size_t slot = s.tag & mask;
    while (slots_[slot].id != kNone) slot = (slot + 1) & mask;
    slots_[slot] = s;
  }
}

std::uint32_t Lexicon::find(int side, std::string_view key) const {
  return index_[static_cast<std::size_t>(side)].find(key);
}

std::size_t Lexicon::pair_count() const {
  std::size_t n = 0;
  for (const auto& side : entries_)
    for (const Entry& e : side) n += e.translations.size();
  return n;
}

std::shared_ptr<Lexicon> Lexicon::learn(std::span<const SentenceFeatures> src, std::span<const SentenceFeatures> tgt,
                                        std::span<const Bead> beads, double min_confidence,
                                        const LexiconKeys* src_keys, const LexiconKeys* tgt_keys) {
  // The sides' keys, given or made here.
  LexiconKeys si_made, ti_made;
  if (!src_keys) si_made = index_lexicon_keys(src);
  if (!tgt_keys) ti_made = index_lexicon_keys(tgt);
  const LexiconKeys& si = src_keys ? *src_keys : si_made;
  const LexiconKeys& ti = tgt_keys ? *tgt_keys : ti_made;
  BeadSets sb, tb;
  std::vector<std::uint32_t> scratch;
  auto add_set = [&](BeadSets& sets, const LexiconKeys& index, const std::vector<std::size_t>& sentences) {
    scratch.clear();
    for (std::size_t s : sentences)
      scratch.insert(scratch.end(), index.ids.begin() + index.begin[s], index.ids.begin() + index.begin[s + 1]);
    std::sort(scratch.begin(), scratch.end());
    scratch.erase(std::unique(scratch.begin(), scratch.end()), scratch.end());
    sets.ids.insert(sets.ids.end(), scratch.begin(), scratch.end());
    sets.begin.push_back(static_cast<std::uint32_t>(sets.ids.size()));
  };
  // At most kMaxTrainingBeads, spread evenly over the document.
  std::vector<const Bead*> training;
  for (const Bead& b : beads)
    if (!b.src.empty() && !b.tgt.empty() && b.confidence >= min_confidence) training.push_back(&b);
  const std::size_t take = std::min(training.size(), kMaxTrainingBeads);
  for (std::size_t k = 0; k < take; ++k) {
    const Bead& b = *training[k * training.size() / take];
    add_set(sb, si, b.src);
    add_set(tb, ti, b.tgt);
  }
  auto lexicon = std::make_shared<Lexicon>();
  const std::array<const LexiconKeys*, 2> sides = {&si, &ti};
  for (std::size_t side = 0; side < 2; ++side)
    for (std::string_view key : sides[side]->keys) lexicon->index_[side].intern(key);
  lexicon->entries_ = learn_entries(sb, tb, si, ti, src.size(), tgt.size());
  // Renumbered keys are the lexicon's ids (interned in that order above).
  // Keys made here are moved into it, given ones copied.
  lexicon->sentence_begin_ = {src_keys ? si.begin : std::move(si_made.begin),
                              tgt_keys ? ti.begin : std::move(ti_made.begin)};
  lexicon->sentence_keys_ = {src_keys ? si.ids : std::move(si_made.ids), tgt_keys ? ti.ids : std::move(ti_made.ids)};
  return lexicon;
}

}  // namespace untm
