// Learning the aligner's lexicon from a first pass (see lexicon.h).
#include "aligner/lexicon.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
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

// Entries for the keys of side X, translated into keys of side Y.
std::vector<Lexicon::Entry> learn_direction(const BeadSets& x, const BeadSets& y, std::size_t x_keys,
                                            const LexiconKeys& y_index, std::size_t y_sentences) {
  const std::size_t beads = x.begin.size() - 1;
  std::vector<Lexicon::Entry> entries(x_keys);
  if (beads == 0 || y_sentences == 0) return entries;
  // Postings: the beads of each X key.
  std::vector<std::uint32_t> post_begin(x_keys + 1, 0);
  for (std::uint32_t id : x.ids) ++post_begin[id + 1];
  for (std::size_t k = 0; k < x_keys; ++k) post_begin[k + 1] += post_begin[k];
  std::vector<std::uint32_t> postings(x.ids.size());
  {
    std::vector<std::uint32_t> fill(post_begin.begin(), post_begin.end() - 1);
    for (std::size_t b = 0; b < beads; ++b)
      for (std::uint32_t id : x.of(b)) postings[fill[id]++] = static_cast<std::uint32_t>(b);
  }
  std::vector<std::uint32_t> y_count(y_index.keys.size(), 0);
  for (std::uint32_t id : y.ids) ++y_count[id];

  // Per Y key: the beads of the X key `word` that hold it. A key whose
  // word is not the current one has none yet, so nothing is reset between
  // words. Only keys in two or more of the word's beads can be candidates
  // (a >= 2); they are listed as they reach 2, and most keys never do.
  struct Together {
    std::uint32_t word = Lexicon::kNone;
    std::uint32_t beads = 0;
  };
  std::vector<Together> together(y_index.keys.size());
  std::vector<std::uint32_t> shared;
  std::vector<std::pair<double, std::uint32_t>> candidates;
  std::vector<char> hit;
  const double n = static_cast<double>(beads);
  for (std::size_t w = 0; w < x_keys; ++w) {
    const std::uint32_t cw = post_begin[w + 1] - post_begin[w];
    if (cw < 2 || cw > kMaxBeadShare * n) continue;
    const std::span<const std::uint32_t> mine(postings.data() + post_begin[w], cw);
    const auto word = static_cast<std::uint32_t>(w);
    for (std::uint32_t b : mine) {
      for (std::uint32_t t : y.of(b)) {
        Together& c = together[t];
        if (c.word != word) {
          c.word = word;
          c.beads = 1;
        } else if (++c.beads == 2) {
          shared.push_back(t);
        }
      }
    }
    // The kMaxCandidates best (phi, t), greatest first (ties: the larger t),
    // kept sorted as they come instead of sorting them all (so the order
    // the keys come in does not matter).
    candidates.clear();
    for (std::uint32_t t : shared) {
      const double a = together[t].beads;
      const double ct = y_count[t];
      if (ct >= n) continue;
      const double covariance = n * a - cw * ct;
      if (covariance <= 0) continue;  // phi <= 0 < kMinPhi
      const double phi = covariance / std::sqrt(cw * (n - cw) * ct * (n - ct));
      if (phi < kMinPhi) continue;
      const std::pair<double, std::uint32_t> candidate(phi, t);
      if (candidates.size() == kMaxCandidates) {
        if (!(candidate > candidates.back())) continue;
        candidates.pop_back();
      }
      candidates.insert(std::upper_bound(candidates.begin(), candidates.end(), candidate, std::greater<>()), candidate);
    }
    shared.clear();
    if (candidates.empty()) continue;
    // Greedy: add translations while the entry gets more informative.
    const std::size_t sample = std::min<std::size_t>(cw, kMaxSample);
    const std::size_t stride = cw / sample;
    hit.assign(sample, 0);
    std::size_t hits = 0;
    double miss_random = 1.0;  // P(no translation in a random sentence)
    double information = 0;
    Lexicon::Entry entry;
    const double r_floor = 0.5 / static_cast<double>(y_sentences);
    for (const auto& [phi, t] : candidates) {
      std::size_t more = 0;
      for (std::size_t k = 0; k < sample; ++k) {
        if (hit[k]) continue;
        const auto ys = y.of(mine[k * stride]);
        if (std::binary_search(ys.begin(), ys.end(), t)) ++more;
      }
      const double q = (static_cast<double>(hits + more) + kPriorWeight * kPriorQ) / (static_cast<double>(sample) + kPriorWeight);
      const double miss = miss_random * (1.0 - static_cast<double>(y_index.df[t]) / static_cast<double>(y_sentences));
      const double r = std::clamp(1.0 - miss, r_floor, 0.999);
      const double gain = q > r ? kl_bernoulli(q, r) : 0.0;
      if (gain < information + kMinGain) continue;
      for (std::size_t k = 0; k < sample; ++k) {
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
    if (information >= kMinInformation) entries[w] = std::move(entry);
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
  lexicon->entries_[0] = learn_direction(sb, tb, si.keys.size(), ti, tgt.size());
  lexicon->entries_[1] = learn_direction(tb, sb, ti.keys.size(), si, src.size());
  // Renumbered keys are the lexicon's ids (interned in that order above).
  // Keys made here are moved into it, given ones copied.
  lexicon->sentence_begin_ = {src_keys ? si.begin : std::move(si_made.begin),
                              tgt_keys ? ti.begin : std::move(ti_made.begin)};
  lexicon->sentence_keys_ = {src_keys ? si.ids : std::move(si_made.ids), tgt_keys ? ti.ids : std::move(ti_made.ids)};
  return lexicon;
}

}  // namespace untm
