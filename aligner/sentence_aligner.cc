// Sentence alignment (the model is explained in sentence_aligner.h).
//
// Layout of this file:
//   features       make_features: matching key -> length, anchors, words
//   evidence       the items of every sentence (anchors, cognates, lexicon
//                  entries) with their q and r, and per sentence pair of the
//                  band the bit masks of the items found on the other side
//                  and their gains
//   search         a beam over lengths and strong anchors for the coarse
//                  path, then Viterbi with all the evidence in a band around
//                  it, then forward-backward near the best path
//   confidence     posterior x quality of each bead
//   estimation     estimate_pair_model: totals, a first pass, refined ratio,
//                  variance, shape priors, anchor recall, lexicon
#include "aligner/sentence_aligner.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aligner/anchors.h"
#include "aligner/errors.h"
#include "aligner/lexicon.h"
#include "aligner/normalizer.h"

namespace untm {
namespace {

constexpr std::size_t kShapes = kBeadShapeCount;
constexpr int kMaxRun = 3;  // most sentences on one side of a bead
constexpr double kInf = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------- tuning
// Weight of the item evidence (a sum of log-likelihood ratios that treats
// items as independent, which they are not, hence below 1), per direction.
constexpr double kItemWeight = 0.5;
// One item never outweighs everything else.
constexpr double kMaxItemGain = 4.0;
// Items worth less than this (g1 - g0, nats) are dropped.
constexpr double kMinItemSpread = 0.4;
// Anchors: r = (sentences of the other side holding it + kAnchorPseudo *
// prior r) / (sentences + kAnchorPseudo), so that in a span of 3 sentences a
// number is still rare.
constexpr double kAnchorPseudo = 10.0;
// Local r: the band's neighbours count as evidence, with kLocalPseudo
// sentences' worth of the document-wide r.
constexpr double kLocalPseudo = 5.0;
constexpr std::array<double, kAnchorKindCount> kAnchorPriorR = {0.02, 0.01, 0.02, 0.02, 0.10};
// Inputs of at most this many cells are searched exhaustively.
constexpr std::size_t kFullGridCells = 300000;
// Paths that keep to blocks (paragraphs matched by number) are all searched
// if they leave at most this many cells; more means long unnumbered gaps,
// where the beam and its band find the same units for a fraction of the
// cells (unpc_sc: the one such document took 45% of the first pass's
// cells; with this limit every unit of unpc_sc is the same).
constexpr std::size_t kFullBlockCells = 50000;
// Paragraphs (the grouping of the paragraphs between those matched by
// number) are searched exhaustively up to this many cells only: beyond, the
// beam's band finds the same groups (unpc_sc: every unit the same). Sentences
// are not: on textberg an exhaustive search of whole documents is worth
// 0.004 of F1 over a band.
constexpr std::size_t kFullParagraphCells = 10000;
// The coarse beam: 2 * kBeamWidth + 1 cells per row, doubled while the path
// meets its edge. Strong anchors shared by a bead are worth kStrongAnchorGain.
constexpr std::int64_t kBeamWidth = 16;
constexpr double kStrongAnchorGain = 2.0;
// The beam tries the first kCoarseShapes of kBeadShapes (1-1, 1-0, 0-1,
// 1-2, 2-1): the others only refine what the fine pass finds anyway.
constexpr std::size_t kCoarseShapes = 5;
// Lexicon entries the coarse pass trusts: rare (r) and reliable (q).
constexpr double kStrongLexiconR = 0.03;
constexpr double kStrongLexiconQ = 0.4;
constexpr std::size_t kMaxStrongItems = 8;
// The fine band: kDefaultBand around the coarse path, widened locally (at
// most kMaxWidenings times) where the path meets its edge.
constexpr std::size_t kDefaultBand = 4;
constexpr int kMaxWidenings = 4;
// Forward-backward runs this close to the best path.
constexpr std::int64_t kPosteriorBand = 4;
// Confidence = posterior x quality, quality = sigmoid(kQualityBias +
// kOneToOneBonus if 1-1 - delta^2 / 2 + kItemMassWeight log(1 + spread of
// the bead's items)): fitted (logistic regression) on textberg dev and a
// sample of the Bible, checked on textberg test. A bead with more to check
// that the search still chose is surer; odd shapes are wrong more often.
constexpr double kQualityBias = 0.5;
constexpr double kOneToOneBonus = 2.0;
constexpr double kItemMassWeight = 0.4;
// A number, symbol or Latin token missing on the other side is evidence
// against the pair: its log-likelihood ratio log((1 - q) / (1 - r)) (about
// -1.6 where numbers are translated 80% of the time) goes into the logit, in
// all at most -kMaxStrongMissed.
constexpr double kMaxStrongMissed = 6.0;
constexpr double kInsertionQuality = 0.5;
// Estimation.
constexpr double kSpreadFactor = 2.0;      // real length noise has heavier tails than the MAD sees
constexpr double kPriorPseudoBeads = 20.0;  // shape priors: pseudo-counts of the defaults
constexpr double kVariancePseudoBeads = 10.0;
constexpr double kTrainingConfidence = 0.85;

// ---------------------------------------------------------------- features

std::size_t key_length(std::string_view key) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const auto b = static_cast<unsigned char>(key[i]);
    if ((b & 0xC0) != 0x80 && b != ' ') ++n;
  }
  return n;
}

// A 64-bit hash of an anchor or cognate key: alignment calls tell keys
// apart by it alone (among the few thousand keys of a call, two strings
// share a hash with a probability of about 1e-12).
std::uint64_t feature_hash(std::string_view key) {
  std::uint64_t h = key_hash64(key);
  // Final mix (MurmurHash3's), so that every bit depends on every byte.
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h == 0 ? 1 : h;  // 0 means "no key"
}

// The hashes of make_features: each anchor's, and each word's cognate key's
// where `cognates` (a language whose alignments with others of its script
// look for cognates; the rest hash them in the rare call that needs them).
void hash_features(SentenceFeatures& f, bool cognates) {
  f.anchor_hashes.resize(f.anchors.size());
  for (std::size_t k = 0; k < f.anchors.size(); ++k) f.anchor_hashes[k] = feature_hash(f.anchors[k]);
  if (!cognates) return;
  f.cognate_hashes.resize(f.words.size());
  std::string buffer;
  for (std::size_t k = 0; k < f.words.size(); ++k) {
    const std::string_view key = cognate_key(f.words[k], buffer);
    f.cognate_hashes[k] = key.empty() ? 0 : feature_hash(key);
  }
}

// Ids 0, 1, 2, ... for 64-bit hashes in the order they are first met.
// Cleared once per alignment call: a slot belongs to the current call only
// when it carries the call's generation, so clearing writes nothing (the
// slots were a tenth of a small call's evidence), and a call probes only
// the first slots it needs of the memory kept from larger ones.
class HashIds {
 public:
  static constexpr std::uint32_t kNone = 0xFFFFFFFF;
  // Empties the table, with room for `keys` keys.
  void clear(std::size_t keys) {
    std::size_t slots = 64;
    while (slots < keys * 2) slots *= 2;
    if (slots_.size() < slots || generation_ == std::numeric_limits<std::uint32_t>::max()) {
      slots_.assign(std::max(slots, slots_.size()), Slot{});
      generation_ = 0;
    }
    ++generation_;
    mask_ = slots - 1;
    size_ = 0;
  }
  // The id of `hash`; `added` tells whether it is new.
  std::uint32_t intern(std::uint64_t hash, bool& added) {
    if ((size_ + 1) * 2 > mask_ + 1) grow();
    for (std::size_t slot = static_cast<std::size_t>(hash) & mask_;; slot = (slot + 1) & mask_) {
      Slot& s = slots_[slot];
      if (s.generation != generation_) {
        s = {hash, static_cast<std::uint32_t>(size_++), generation_};
        added = true;
        return s.id;
      }
      if (s.hash == hash) {
        added = false;
        return s.id;
      }
    }
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t id = kNone;
    std::uint32_t generation = 0;  // the clear() it belongs to; 0: none
  };
  // More keys than clear() was told: a table twice as large, the current
  // call's slots moved into it.
  void grow() {
    const std::size_t slots = std::max<std::size_t>(64, (mask_ + 1) * 2);
    std::vector<Slot> old = std::move(slots_);
    const std::size_t old_slots = mask_ + 1;
    slots_.assign(std::max(slots, old.size()), Slot{});
    mask_ = slots - 1;
    for (std::size_t k = 0; k < old_slots && k < old.size(); ++k) {
      const Slot& s = old[k];
      if (s.generation != generation_) continue;
      std::size_t slot = static_cast<std::size_t>(s.hash) & mask_;
      while (slots_[slot].generation == generation_) slot = (slot + 1) & mask_;
      slots_[slot] = s;
    }
  }
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
  std::uint32_t generation_ = 1;  // above the slots' 0 even before the first clear()
};

// ---------------------------------------------------------------- length

// -log P(|Z| >= d) for a standard normal Z: the Gale-Church length cost.
// Priced for every bead the search looks at, so in float from a table.
class TailCost {
 public:
  static const TailCost& instance() {
    static const TailCost table;
    return table;
  }
  float operator()(float delta) const {
    const float d = std::fabs(delta);
    const float x = d * kStepsPerUnit;
    if (x >= static_cast<float>(kSize - 1)) return 0.5f * d * d + std::log(d) + 0.2258f;  // + log(sqrt(pi/2))
    const auto k = static_cast<std::size_t>(x);
    const float f = x - static_cast<float>(k);
    return table_[k] + f * (table_[k + 1] - table_[k]);
  }

 private:
  static constexpr float kStepsPerUnit = 32;
  static constexpr std::size_t kSize = 32 * 20 + 1;
  TailCost() {
    for (std::size_t k = 0; k < kSize; ++k)
      table_[k] = static_cast<float>(-std::log(std::erfc(static_cast<double>(k) / kStepsPerUnit / std::sqrt(2.0))));
  }
  std::array<float, kSize> table_{};
};

struct LengthModel {
  double ratio = 1;
  double variance = 1;
  // delta = (l2 - ratio l1) / sqrt(variance (0.5 (l1 + l2 / ratio) + 1)).
  double delta(double l1, double l2) const {
    const double base = 0.5 * (l1 + l2 / ratio) + 1.0;
    return (l2 - ratio * l1) / std::sqrt(variance * base);
  }
};

// The same in float with the divisions done once, for the search.
struct FastLength {
  float ratio = 1, half_inv_ratio = 0.5f, variance = 1;
  explicit FastLength(const LengthModel& m = {})
      : ratio(static_cast<float>(m.ratio)),
        half_inv_ratio(static_cast<float>(0.5 / m.ratio)),
        variance(static_cast<float>(m.variance)) {}
  float delta(float l1, float l2) const {
    const float base = 0.5f * l1 + half_inv_ratio * l2 + 1.0f;
    return (l2 - ratio * l1) / std::sqrt(variance * base);
  }
};

// ---------------------------------------------------------------- evidence

// Items of one side: per sentence the ids it holds (for the other side to
// look up) and its informative items (at most 64, one bit each), each with
// the ids of the other side that count as its counterpart, and its q and r.
struct SideItems {
  std::vector<std::uint32_t> present_begin{0};
  std::vector<std::uint32_t> present;
  std::vector<std::uint64_t> signature;  // per sentence: bit (id % 64) of each present id
  std::vector<std::uint32_t> item_begin{0};
  std::vector<float> q, r;  // per item
  std::vector<std::uint8_t> strong;  // per item: a number, symbol or Latin token
  std::vector<std::uint32_t> match_begin{0};
  std::vector<std::uint32_t> match_id;
  std::vector<std::uint8_t> match_bit;
  std::size_t id_space = 0;
  bool any_items = false;
  void clear() {
    present_begin.assign(1, 0);
    present.clear();
    signature.clear();
    item_begin.assign(1, 0);
    q.clear();
    r.clear();
    strong.clear();
    match_begin.assign(1, 0);
    match_id.clear();
    match_bit.clear();
    id_space = 0;
    any_items = false;
  }
};

struct Evidence {
  SideItems side[2];
  // What the coarse pass looks at besides lengths: per source sentence at
  // most 8 strong items (numbers, symbols, Latin tokens, the rarest lexicon
  // words), each with the target ids that confirm it.
  std::vector<std::uint32_t> strong_begin;     // per source sentence, into strong_ids_begin
  std::vector<std::uint32_t> strong_ids_begin;  // per item, into strong_ids
  std::vector<std::uint32_t> strong_ids;
  // Ids below anchor_kind.size() are anchors; the others lexicon keys.
  std::vector<AnchorKind> anchor_kind;
  std::vector<std::uint32_t> anchor_df[2];  // sentences of each side holding the anchor
  void clear() {
    for (SideItems& items : side) items.clear();
    strong_begin.clear();
    strong_ids_begin.clear();
    strong_ids.clear();
    anchor_kind.clear();
    anchor_df[0].clear();
    anchor_df[1].clear();
  }
};

// Per sentence pair of the band: which items of each side found their
// counterpart in the other. Then the worth of the items, made local: r is
// raised to what the neighbours in the band show (a name that recurs in
// five nearby sentences tells little about which of them is the
// translation), and taken for a run of 1, 2 or 3 sentences on the other side
// (a counterpart is more likely by chance in two sentences than in one).
struct PairTable {
  std::vector<std::int64_t> lo, hi;  // per source sentence: target sentences [lo, hi]
  std::vector<std::size_t> offset;
  std::vector<std::uint64_t> mask[2];
  // Per pair (x, y) and run length k+1: what sentence x of side 0 is worth
  // against the run of target sentences [y, y+k] (its base for the run plus
  // the spreads of its items found in the run), and what sentence y of side 1
  // is worth against the source run [x, x+k]. A bead's item evidence is the
  // sum of one entry per sentence: each is made once, not once per bead
  // shape that holds it.
  std::vector<double> run[2][kMaxRun];
  std::vector<float> spread[2][kMaxRun];        // per item: g1 - g0 against a run of k+1 sentences
  std::vector<float> base[2][kMaxRun];          // per sentence: sum of g0
  // Scratch of make_pair_table: per id of one side, the items of a sentence
  // of the other it confirms (all zero between uses); counts for local r.
  std::vector<std::uint64_t> hits;
  std::vector<std::uint32_t> found[2], width[2];
  std::size_t at(std::size_t i, std::size_t j) const {
    return offset[i] + static_cast<std::size_t>(static_cast<std::int64_t>(j) - lo[i]);
  }
};

enum class Script { latin, cyrillic, arabic, cjk, greek, other };

Script script_of(std::string_view lang) {
  if (is_latin_script_language(lang)) return Script::latin;
  static constexpr std::string_view kCyrillic[] = {"ru", "uk", "be", "bg", "mk", "sr", "kk", "ky", "tg", "mn", "tt", "ba", "cv", "os"};
  static constexpr std::string_view kArabic[] = {"ar", "fa", "ur", "ps", "ug", "sd"};
  if (std::find(std::begin(kCyrillic), std::end(kCyrillic), lang) != std::end(kCyrillic)) return Script::cyrillic;
  if (std::find(std::begin(kArabic), std::end(kArabic), lang) != std::end(kArabic)) return Script::arabic;
  if (lang == "zh" || lang == "ja") return Script::cjk;
  if (lang == "el") return Script::greek;
  return Script::other;
}

struct RawItem {
  std::uint32_t id;     // in this side's id space
  float q, r;           // P(counterpart in the aligned bead), in a random sentence
  float spread;         // g1 - g0 with the document's r, to rank the items
  std::uint32_t begin;  // counterpart ids in `counterparts`
  std::uint32_t end;
};

// Where the two sides of a call lie in the documents the model's lexicon
// was learned from: runs of their sentences (SentenceAlignOptions::
// src_offset, tgt_offset), or paragraphs made of them (src_sentences,
// tgt_sentences).
struct Offsets {
  std::array<std::optional<std::size_t>, 2> first;
  std::array<std::span<const std::size_t>, 2> sentences;
};

// Ids per sentence, one sentence after another: sentence i's are
// ids[begin[i], begin[i + 1]).
struct SentenceIds {
  std::vector<std::uint32_t> begin{0};
  std::vector<std::uint32_t> ids;
  std::span<const std::uint32_t> of(std::size_t i) const { return {ids.data() + begin[i], ids.data() + begin[i + 1]}; }
  void clear() {
    begin.assign(1, 0);
    ids.clear();
  }
  // Ends the sentence whose ids were appended since the last end; with
  // `sorted`, they are sorted and kept once each.
  void end_sentence(bool sorted) {
    if (sorted) {
      const auto first = ids.begin() + static_cast<std::ptrdiff_t>(begin.back());
      std::sort(first, ids.end());
      ids.erase(std::unique(first, ids.end()), ids.end());
    }
    begin.push_back(static_cast<std::uint32_t>(ids.size()));
  }
};

// What EvidenceBuilder works in besides the Evidence it fills (part of the
// buffers an alignment call reuses, below).
struct BuilderScratch {
  HashIds anchor_ids;
  std::vector<std::uint64_t> hashes;  // of features made without them
  std::string cognate_buffer;
  KeyIndex latin_words;                    // "unicef" for the anchor "=unicef"
  std::vector<std::uint32_t> latin_anchor;  // the anchor id of each latin word
  SentenceIds first_anchors[2];     // per sentence: its anchors' ids, in order
  SentenceIds sentence_anchors[2];  // and with cognates and bridged Latin words, sorted
  SentenceIds sentence_words[2];    // per sentence: its lexicon keys, sorted
  std::vector<std::pair<float, std::uint32_t>> rare;
  std::vector<RawItem> items;
  std::vector<std::uint32_t> counterparts, priced;
  std::vector<float> entry_spread;  // per lexicon entry: its spread while a call prices it, else -1
};

// Builds the items of both sides for one alignment call into `ev`.
class EvidenceBuilder {
 public:
  // `offsets`: where src and tgt lie in the documents the model's lexicon
  // was learned from, if they are runs of their sentences.
  EvidenceBuilder(std::span<const SentenceFeatures> src, std::span<const SentenceFeatures> tgt, const PairModel& model,
                  const Offsets& offsets, Evidence& ev, BuilderScratch& scratch)
      : feats_{src, tgt}, model_(model), offsets_(offsets), ev_(ev), scratch_(scratch) {
    ev.clear();
    scratch.latin_words.clear();
    scratch.latin_anchor.clear();
    for (int s = 0; s < 2; ++s) {
      scratch.sentence_anchors[s].clear();
      scratch.sentence_words[s].clear();
    }
  }

  void build() {
    const Lexicon* lex = model_.lexicon.get();
    recall_ = lex ? lex->anchor_recall : Lexicon::kDefaultAnchorRecall;
    const Script ss = script_of(model_.src_lang), ts = script_of(model_.tgt_lang);
    const bool same_script = ss == ts && ss != Script::other;
    const bool latin_bridge[2] = {ss == Script::latin && ts != Script::latin, ts == Script::latin && ss != Script::latin};

    string_ids(same_script, latin_bridge, lex);
    const std::size_t anchors = ev_.anchor_kind.size();
    // Sentences of each side holding each anchor.
    for (int s = 0; s < 2; ++s) {
      ev_.anchor_df[s].assign(anchors, 0);
      for (std::uint32_t id : scratch_.sentence_anchors[s].ids) ++ev_.anchor_df[s][id];
    }

    Evidence& ev = ev_;
    // Strong items for the coarse pass.
    std::vector<std::pair<float, std::uint32_t>>& rare = scratch_.rare;
    ev.strong_begin.push_back(0);
    ev.strong_ids_begin.push_back(0);
    for (std::size_t i = 0; i < feats_[0].size(); ++i) {
      std::size_t items = 0;
      for (std::uint32_t id : scratch_.sentence_anchors[0].of(i)) {
        const AnchorKind kind = ev_.anchor_kind[id];
        if ((kind == AnchorKind::number || kind == AnchorKind::symbol || kind == AnchorKind::latin) &&
            ev_.anchor_df[1][id] > 0 && items < kMaxStrongItems) {
          ev.strong_ids.push_back(id);
          ev.strong_ids_begin.push_back(static_cast<std::uint32_t>(ev.strong_ids.size()));
          ++items;
        }
      }
      if (lex && items < kMaxStrongItems) {
        // The rarest reliable words.
        rare.clear();
        for (const std::uint32_t k : scratch_.sentence_words[0].of(i)) {
          const Lexicon::Entry& e = lex->entry(0, k);
          if (e.translations.empty() || e.r > kStrongLexiconR || e.q < kStrongLexiconQ) continue;
          rare.emplace_back(e.r, k);
        }
        std::sort(rare.begin(), rare.end());
        for (const auto& [r, k] : rare) {
          if (items == kMaxStrongItems) break;
          for (std::uint32_t t : lex->entry(0, k).translations) ev.strong_ids.push_back(static_cast<std::uint32_t>(anchors + t));
          ev.strong_ids_begin.push_back(static_cast<std::uint32_t>(ev.strong_ids.size()));
          ++items;
        }
      }
      ev.strong_begin.push_back(static_cast<std::uint32_t>(ev.strong_ids_begin.size() - 1));
    }
    for (int s = 0; s < 2; ++s) {
      const int o = 1 - s;
      SideItems& out = ev.side[s];
      out.id_space = anchors + (lex ? lex->size(s) : 0);
      const double other_n = static_cast<double>(feats_[o].size());
      std::vector<RawItem>& items = scratch_.items;
      std::vector<std::uint32_t>& counterparts = scratch_.counterparts;
      // Each lexicon entry is priced once (all -1 between calls: the
      // entries priced are reset at the end).
      std::vector<float>& entry_spread = scratch_.entry_spread;
      if (lex && entry_spread.size() < lex->size(s)) entry_spread.resize(lex->size(s), -1.0f);
      std::vector<std::uint32_t>& priced = scratch_.priced;
      priced.clear();
      struct Reset {  // also if something throws
        std::vector<float>& table;
        std::vector<std::uint32_t>& keys;
        ~Reset() {
          for (std::uint32_t k : keys) table[k] = -1.0f;
        }
      } reset{entry_spread, priced};
      for (std::size_t i = 0; i < feats_[s].size(); ++i) {
        items.clear();
        counterparts.clear();
        for (std::uint32_t id : scratch_.sentence_anchors[s].of(i)) {
          out.present.push_back(id);
          const int kind = static_cast<int>(ev_.anchor_kind[id]);
          const std::uint32_t df = ev_.anchor_df[o][id];
          // A cognate with nothing to match on the other side says nothing.
          if (df == 0 && ev_.anchor_kind[id] == AnchorKind::cognate) continue;
          const double q = recall_[static_cast<std::size_t>(kind)];
          const double r = (df + kAnchorPseudo * kAnchorPriorR[static_cast<std::size_t>(kind)]) / (other_n + kAnchorPseudo);
          const auto begin = static_cast<std::uint32_t>(counterparts.size());
          counterparts.push_back(id);
          add_item(items, id, q, r, begin, begin + 1);
        }
        if (lex) {
          // Anchor ids are below `anchors`, so present stays sorted.
          for (const std::uint32_t k : scratch_.sentence_words[s].of(i)) {
            const auto id = static_cast<std::uint32_t>(anchors + k);
            out.present.push_back(id);
            const Lexicon::Entry& e = lex->entry(s, k);
            if (e.translations.empty()) continue;
            if (entry_spread[k] < 0) {
              entry_spread[k] = static_cast<float>(spread_of(e.q, e.r));
              priced.push_back(k);
            }
            if (entry_spread[k] == 0) continue;
            const auto begin = static_cast<std::uint32_t>(counterparts.size());
            for (std::uint32_t t : e.translations) counterparts.push_back(static_cast<std::uint32_t>(anchors + t));
            items.push_back({id, e.q, e.r, entry_spread[k], begin, static_cast<std::uint32_t>(counterparts.size())});
          }
        }
        std::uint64_t signature = 0;
        for (std::size_t k = out.present_begin.back(); k < out.present.size(); ++k)
          signature |= std::uint64_t{1} << (out.present[k] & 63);
        out.signature.push_back(signature);
        out.present_begin.push_back(static_cast<std::uint32_t>(out.present.size()));
        // Ids are distinct (a word twice is one item); the 64 most telling.
        if (items.size() > 64) {
          std::nth_element(items.begin(), items.begin() + 63, items.end(),
                           [](const RawItem& a, const RawItem& b) { return a.spread > b.spread; });
          items.resize(64);
        }
        for (std::size_t k = 0; k < items.size(); ++k) {
          const RawItem& it = items[k];
          out.q.push_back(it.q);
          out.r.push_back(it.r);
          const bool anchor = it.id < anchors;
          const AnchorKind kind = anchor ? ev_.anchor_kind[it.id] : AnchorKind::cognate;
          out.strong.push_back(anchor && (kind == AnchorKind::number || kind == AnchorKind::symbol || kind == AnchorKind::latin));
          for (std::uint32_t c = it.begin; c < it.end; ++c) {
            out.match_id.push_back(counterparts[c]);
            out.match_bit.push_back(static_cast<std::uint8_t>(k));
          }
        }
        if (!items.empty()) out.any_items = true;
        out.item_begin.push_back(static_cast<std::uint32_t>(out.q.size()));
        out.match_begin.push_back(static_cast<std::uint32_t>(out.match_id.size()));
      }
    }
  }

  // Anchor ids, shared by both sides (identity is the counterpart), from
  // the strings. First the anchors of every sentence (flat, in order:
  // sentence i's are [first[i], first[i+1]) of its side), then cognates.
  void string_ids(bool same_script, const bool latin_bridge[2], const Lexicon* lex) {
    // Room for every anchor, and every cognate, at most.
    std::size_t keys = 0;
    for (int s = 0; s < 2; ++s)
      for (const SentenceFeatures& f : feats_[s]) keys += f.anchors.size() + (same_script ? f.words.size() : 0);
    scratch_.anchor_ids.clear(keys);
    for (int s = 0; s < 2; ++s) {
      SentenceIds& first = scratch_.first_anchors[s];
      first.clear();
      for (std::size_t i = 0; i < feats_[s].size(); ++i) {
        const SentenceFeatures& f = feats_[s][i];
        const std::span<const std::uint64_t> hashes = anchor_hashes(f);
        for (std::size_t k = 0; k < f.anchors.size(); ++k) {
          const std::string& a = f.anchors[k];
          const std::uint32_t id = intern(hashes[k], a);
          first.ids.push_back(id);
          if (a.size() > 1 && a.front() == '=' && scratch_.latin_words.intern(std::string_view(a).substr(1)) == scratch_.latin_anchor.size())
            scratch_.latin_anchor.push_back(id);
        }
        first.end_sentence(false);
      }
    }
    for (int s = 0; s < 2; ++s) {
      SentenceIds& out = scratch_.sentence_anchors[s];
      out.begin.reserve(feats_[s].size() + 1);
      out.ids.reserve(scratch_.first_anchors[s].ids.size());
      for (std::size_t i = 0; i < feats_[s].size(); ++i) {
        const std::span<const std::uint32_t> first = scratch_.first_anchors[s].of(i);
        out.ids.insert(out.ids.end(), first.begin(), first.end());
        // Latin words of an en/fr/es side that the zh/ar/ru side writes in
        // Latin letters.
        if (latin_bridge[s] && scratch_.latin_words.size() > 0) {
          for (const std::string& w : feats_[s][i].words) {
            const std::uint32_t k = scratch_.latin_words.find(w);
            if (k != KeyIndex::kNone) out.ids.push_back(scratch_.latin_anchor[k]);
          }
        }
        if (same_script) {
          for (const std::uint64_t hash : cognate_hashes(feats_[s][i]))
            if (hash != 0) out.ids.push_back(intern(hash, AnchorKind::cognate));
        }
        out.end_sentence(true);
      }
    }
    // Lexicon keys of each sentence, looked up once (or kept from the
    // lexicon's learning, for runs of the sentences it learned from).
    if (lex) {
      for (int s = 0; s < 2; ++s) {
        SentenceIds& words = scratch_.sentence_words[s];
        if (!offsets_.sentences[s].empty() && lex->sentences(s) > 0) {
          paragraph_keys(s, *lex);
          continue;
        }
        if (offsets_.first[s] && lex->sentences(s) > 0) {
          const std::size_t first = *offsets_.first[s];
          if (first > lex->sentences(s) || feats_[s].size() > lex->sentences(s) - first)
            throw ArgumentError("sentence aligner: sentences " + std::to_string(first) + " to " +
                                std::to_string(first + feats_[s].size()) + " of the " + (s == 0 ? "source" : "target") +
                                " are past the " + std::to_string(lex->sentences(s)) +
                                " the model was estimated on; give offsets only for runs of those sentences");
          for (std::size_t i = 0; i < feats_[s].size(); ++i) {
            const std::span<const std::uint32_t> keys = lex->sentence_keys(s, first + i);
            words.ids.insert(words.ids.end(), keys.begin(), keys.end());
            words.end_sentence(false);  // sorted already
          }
          continue;
        }
        if (lex->size(s) == 0) {  // nothing to find (the first pass's empty lexicon)
          words.begin.assign(feats_[s].size() + 1, 0);
          continue;
        }
        for (const SentenceFeatures& f : feats_[s]) {
          for (const std::string& w : f.words) {
            const std::uint32_t k = lex->find(s, lexicon_key(w));
            if (k != Lexicon::kNone) words.ids.push_back(k);
          }
          words.end_sentence(true);
        }
      }
    }
  }

 private:
  // The lexicon keys of each paragraph of side `s`: those of its sentences,
  // kept from the lexicon's learning (the same as looking up its words:
  // a paragraph's words are its sentences').
  void paragraph_keys(int s, const Lexicon& lex) {
    const std::span<const std::size_t> bounds = offsets_.sentences[s];
    bool valid = bounds.size() == feats_[s].size() + 1 && bounds.back() <= lex.sentences(s);
    for (std::size_t i = 0; valid && i + 1 < bounds.size(); ++i) valid = bounds[i] <= bounds[i + 1];
    if (!valid)
      throw ArgumentError(std::string("sentence aligner: the ") + (s == 0 ? "source" : "target") + "'s " +
                          std::to_string(bounds.size()) + " paragraph bounds do not fit its " +
                          std::to_string(feats_[s].size()) + " inputs and the " + std::to_string(lex.sentences(s)) +
                          " sentences the model was estimated on; give one more bound than inputs, ascending, "
                          "within those sentences");
    SentenceIds& words = scratch_.sentence_words[s];
    for (std::size_t i = 0; i < feats_[s].size(); ++i) {
      for (std::size_t k = bounds[i]; k < bounds[i + 1]; ++k) {
        const std::span<const std::uint32_t> keys = lex.sentence_keys(s, k);
        words.ids.insert(words.ids.end(), keys.begin(), keys.end());
      }
      // One sentence's keys are sorted already; several are merged.
      words.end_sentence(bounds[i + 1] - bounds[i] > 1);
    }
  }

  std::uint32_t intern(std::uint64_t hash, std::string_view anchor) {
    bool added = false;
    const std::uint32_t id = scratch_.anchor_ids.intern(hash, added);
    if (added) ev_.anchor_kind.push_back(anchor_kind(anchor));
    return id;
  }
  std::uint32_t intern(std::uint64_t hash, AnchorKind kind) {
    bool added = false;
    const std::uint32_t id = scratch_.anchor_ids.intern(hash, added);
    if (added) ev_.anchor_kind.push_back(kind);
    return id;
  }

  // The features' hashes, or made here for features made without them.
  std::span<const std::uint64_t> anchor_hashes(const SentenceFeatures& f) {
    if (f.anchor_hashes.size() == f.anchors.size()) return f.anchor_hashes;
    scratch_.hashes.clear();
    for (const std::string& a : f.anchors) scratch_.hashes.push_back(feature_hash(a));
    return scratch_.hashes;
  }
  std::span<const std::uint64_t> cognate_hashes(const SentenceFeatures& f) {
    if (f.cognate_hashes.size() == f.words.size()) return f.cognate_hashes;
    scratch_.hashes.clear();
    for (const std::string& w : f.words) {
      const std::string_view key = cognate_key(w, scratch_.cognate_buffer);
      scratch_.hashes.push_back(key.empty() ? 0 : feature_hash(key));
    }
    return scratch_.hashes;
  }

  // g1 - g0 of an item with the document's r, or 0 for an item not worth
  // keeping. The pairs recur (an anchor kind's recall with the counts of
  // its neighbours, a lexicon entry in call after call), so each thread
  // keeps the answers for recent pairs, as item_gains does: two logarithms
  // per item were a sixth of building the evidence.
  static double spread_of(double q, double r) {
    struct Slot {  // NaN: equal to no pair
      double q = std::numeric_limits<double>::quiet_NaN(), r = std::numeric_limits<double>::quiet_NaN(), spread = 0;
    };
    constexpr std::size_t kSlots = 1024;
    thread_local std::array<Slot, kSlots> cache{};
    std::uint64_t key = std::bit_cast<std::uint64_t>(r) ^ (std::bit_cast<std::uint64_t>(q) >> 7);
    key *= 0x9E3779B97F4A7C15ull;
    Slot& slot = cache[static_cast<std::size_t>(key >> 54)];
    if (slot.q == q && slot.r == r) return slot.spread;
    slot.q = q;
    slot.r = r;
    const double qc = std::clamp(q, 0.01, 0.99);
    const double rc = std::clamp(r, 1e-6, 0.99);
    double spread = 0;
    if (qc > rc) {
      spread = std::min(std::log(qc / rc), kMaxItemGain) - std::log((1 - qc) / (1 - rc));
      if (spread < kMinItemSpread) spread = 0;
    }
    slot.spread = spread;
    return spread;
  }

  static void add_item(std::vector<RawItem>& items, std::uint32_t id, double q, double r, std::uint32_t begin,
                       std::uint32_t end) {
    const double spread = spread_of(q, r);
    if (spread == 0) return;
    items.push_back({id, static_cast<float>(q), static_cast<float>(r), static_cast<float>(spread), begin, end});
  }

  std::span<const SentenceFeatures> feats_[2];
  const PairModel& model_;
  Offsets offsets_;
  Evidence& ev_;
  BuilderScratch& scratch_;
  std::array<double, kAnchorKindCount> recall_{};
};

// ---------------------------------------------------------------- search

// The cells of the dynamic programme: for each row i (source sentences
// consumed, 0..n) the target positions [lo[i], hi[i]]. lo and hi never
// decrease, lo[0] = 0, hi[n] = m.
struct Band {
  std::vector<std::int64_t> lo, hi;
  std::vector<std::size_t> offset;  // first cell of each row; offset[n+1] = cells
  void finish() {
    offset.assign(lo.size() + 1, 0);
    for (std::size_t i = 0; i < lo.size(); ++i) offset[i + 1] = offset[i] + static_cast<std::size_t>(hi[i] - lo[i] + 1);
  }
  std::size_t cells() const { return offset.back(); }
  bool contains(std::size_t i, std::int64_t j) const { return j >= lo[i] && j <= hi[i]; }
  std::size_t at(std::size_t i, std::int64_t j) const { return offset[i] + static_cast<std::size_t>(j - lo[i]); }
};

Band full_band(std::size_t n, std::size_t m) {
  Band b;
  b.lo.assign(n + 1, 0);
  b.hi.assign(n + 1, static_cast<std::int64_t>(m));
  b.finish();
  return b;
}

// A path: the positions (i, j) after each bead, from (0, 0) to (n, m).
struct Path {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> points;
  std::vector<std::uint8_t> shapes;  // shape of the bead ending at points[k+1]
  std::vector<double> posterior;     // per bead, when asked for
  // Path points that lie on an inner edge of the band (the best path may
  // lie outside).
  std::vector<std::pair<std::uint32_t, std::uint32_t>> edge_points;
};

// The cells of paths that keep to the blocks: a block's inner rows reach
// only its own target sentences, rows up to its first only targets before
// it, rows from its last only targets after it. lo and hi stay monotone,
// and consecutive rows overlap, since the blocks are ordered on both sides.
Band block_band(std::span<const SentenceBlock> blocks, std::size_t n, std::size_t m) {
  Band band;
  band.lo.assign(n + 1, 0);
  band.hi.assign(n + 1, static_cast<std::int64_t>(m));
  // Each row is bounded by the nearest block on each side: rows before the
  // previous block's end are bounded more tightly by it.
  std::size_t previous_end = 0;
  for (const SentenceBlock& b : blocks) {
    const auto t0 = static_cast<std::int64_t>(b.tgt_begin), t1 = static_cast<std::int64_t>(b.tgt_end);
    for (std::size_t i = previous_end; i <= b.src_begin; ++i) band.hi[i] = std::min(band.hi[i], t0);
    for (std::size_t i = b.src_begin + 1; i < b.src_end; ++i) {
      band.lo[i] = t0;
      band.hi[i] = t1;
    }
    previous_end = b.src_end;
  }
  // The lower bounds from each block's last row on (nondecreasing).
  for (const SentenceBlock& b : blocks) {
    const auto t1 = static_cast<std::int64_t>(b.tgt_end);
    band.lo[b.src_end] = std::max(band.lo[b.src_end], t1);
  }
  for (std::size_t i = 1; i <= n; ++i) band.lo[i] = std::max(band.lo[i], band.lo[i - 1]);
  band.finish();
  return band;
}

// Whether the blocks are usable: in range, non-empty, in order on both sides.
bool valid_blocks(std::span<const SentenceBlock> blocks, std::size_t n, std::size_t m) {
  std::size_t s = 0, t = 0;
  for (const SentenceBlock& b : blocks) {
    if (b.src_begin < s || b.src_end <= b.src_begin || b.src_end > n) return false;
    if (b.tgt_begin < t || b.tgt_end <= b.tgt_begin || b.tgt_end > m) return false;
    s = b.src_end;
    t = b.tgt_end;
  }
  return true;
}

void make_monotone(Band& b, std::size_t m) {
  const std::size_t n = b.lo.size() - 1;
  b.lo[0] = 0;
  b.hi[n] = static_cast<std::int64_t>(m);
  for (std::size_t i = 1; i <= n; ++i) b.hi[i] = std::max(b.hi[i], b.hi[i - 1]);
  for (std::size_t i = n; i-- > 0;) b.lo[i] = std::min(b.lo[i], b.lo[i + 1]);
  for (std::size_t i = 0; i <= n; ++i) {
    b.lo[i] = std::clamp<std::int64_t>(b.lo[i], 0, static_cast<std::int64_t>(m));
    b.hi[i] = std::clamp<std::int64_t>(b.hi[i], b.lo[i], static_cast<std::int64_t>(m));
  }
  b.finish();
}

// The band of the cells within w of a path, along both axes.
Band around(const Path& path, std::size_t n, std::size_t m, std::int64_t w) {
  Band b;
  b.lo.assign(n + 1, std::numeric_limits<std::int64_t>::max());
  b.hi.assign(n + 1, -1);
  for (std::size_t k = 0; k + 1 < path.points.size(); ++k) {
    const auto [i0, j0] = path.points[k];
    const auto [i1, j1] = path.points[k + 1];
    for (std::size_t i = i0; i <= i1; ++i) {
      b.lo[i] = std::min<std::int64_t>(b.lo[i], j0);
      b.hi[i] = std::max<std::int64_t>(b.hi[i], j1);
    }
  }
  for (std::size_t i = 1; i <= n; ++i) b.hi[i] = std::max(b.hi[i], b.hi[i - 1]);
  for (std::size_t i = n; i-- > 0;) b.lo[i] = std::min(b.lo[i], b.lo[i + 1]);
  std::vector<std::int64_t> lo(n + 1), hi(n + 1);
  const auto last = static_cast<std::int64_t>(n);
  for (std::int64_t i = 0; i <= last; ++i) {
    lo[static_cast<std::size_t>(i)] = b.lo[static_cast<std::size_t>(std::max<std::int64_t>(0, i - w))] - w;
    hi[static_cast<std::size_t>(i)] = b.hi[static_cast<std::size_t>(std::min(last, i + w))] + w;
  }
  b.lo = std::move(lo);
  b.hi = std::move(hi);
  make_monotone(b, m);
  return b;
}

// The band widened by `extra` around the points where the path met its edge.
void widen_at(Band& b, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& points, std::size_t m,
              std::int64_t extra) {
  const auto n = static_cast<std::int64_t>(b.lo.size() - 1);
  for (const auto& [pi, pj] : points) {
    const auto i = static_cast<std::int64_t>(pi);
    const auto j = static_cast<std::int64_t>(pj);
    const bool low = j == b.lo[pi], high = j == b.hi[pi];
    for (std::int64_t r = std::max<std::int64_t>(0, i - 2 * extra); r <= std::min(n, i + 2 * extra); ++r) {
      const auto row = static_cast<std::size_t>(r);
      if (low) b.lo[row] = std::min(b.lo[row], j - extra);
      if (high) b.hi[row] = std::max(b.hi[row], j + extra);
    }
  }
  make_monotone(b, m);
}

// Which strong items of source sentence x target sentence y confirms, for
// the source sentences of the last few rows of the coarse pass.
class StrongCache {
 public:
  explicit StrongCache(std::size_t m) : mask_(kSlots * m, 0), stamp_(kSlots * m, 0), m_(m) {}
  std::uint32_t mask(const Evidence& ev, std::size_t x, std::size_t y) {
    const std::size_t slot = (x % kSlots) * m_ + y;
    if (stamp_[slot] == x + 1) return mask_[slot];
    const std::uint32_t* present = ev.side[1].present.data();
    const std::uint32_t* first = present + ev.side[1].present_begin[y];
    const std::uint32_t* last = present + ev.side[1].present_begin[y + 1];
    const std::uint64_t signature = ev.side[1].signature[y];
    std::uint32_t mk = 0;
    for (std::uint32_t k = ev.strong_begin[x]; k < ev.strong_begin[x + 1]; ++k) {
      for (std::uint32_t t = ev.strong_ids_begin[k]; t < ev.strong_ids_begin[k + 1]; ++t) {
        if ((signature >> (ev.strong_ids[t] & 63) & 1) == 0) continue;
        if (std::binary_search(first, last, ev.strong_ids[t])) {
          mk |= 1u << (k - ev.strong_begin[x]);
          break;
        }
      }
    }
    stamp_[slot] = static_cast<std::uint32_t>(x + 1);
    mask_[slot] = static_cast<std::uint8_t>(mk);
    return mk;
  }

 private:
  static constexpr std::size_t kSlots = 4;  // rows a bead reaches back, plus one
  std::vector<std::uint8_t> mask_;
  std::vector<std::uint32_t> stamp_;
  std::size_t m_;
};

// Everything the programme needs to price a bead.
struct Pricing {
  const double* prefix[2] = {nullptr, nullptr};  // lengths, prefix sums over sentences
  LengthModel length;
  FastLength fast_length;
  const TailCost* tail = &TailCost::instance();
  std::array<double, kShapes> prior_cost{};
  const Evidence* evidence = nullptr;
  // The coarse pass: strong items only, a fixed gain for each confirmed one.
  bool strong_only = false;
  StrongCache* strong_cache = nullptr;
  // The fine pass: every item, priced with the pair table.
  const PairTable* pairs = nullptr;
  double item_weight = 0;

  double length_of(int s, std::size_t u0, std::size_t u1) const { return prefix[s][u1] - prefix[s][u0]; }

  // Strong items of the bead's source sentences confirmed by its target
  // sentences.
  double strong(std::size_t i, std::size_t a, std::size_t j, std::size_t b) const {
    const std::uint32_t* sb = evidence->strong_begin.data();
    if (sb[i] == sb[i + a]) return 0;
    int shared = 0;
    for (std::size_t x = i; x < i + a; ++x) {
      if (sb[x] == sb[x + 1]) continue;
      std::uint32_t seen = 0;
      for (std::size_t y = j; y < j + b; ++y) seen |= strong_cache->mask(*evidence, x, y);
      shared += std::popcount(seen);
    }
    return kStrongAnchorGain * shared;
  }

  // Item evidence of the bead: sentences [i, i+a) x [j, j+b), both non-empty.
  // (Sentences without items have base 0 and empty masks.)
  double items(std::size_t i, std::size_t a, std::size_t j, std::size_t b) const {
    double total = 0;
    const double* run0 = pairs->run[0][b - 1].data();
    for (std::size_t x = i; x < i + a; ++x) total += run0[pairs->at(x, j)];
    const double* run1 = pairs->run[1][a - 1].data();
    for (std::size_t y = j; y < j + b; ++y) total += run1[pairs->at(i, y)];
    return item_weight * total;
  }

  // What the confidence looks at: the total spread of the bead's items (how
  // much there was to check), and its numbers, symbols and Latin tokens found
  // and missing on the other side.
  struct ItemSummary {
    double mass = 0;
    double strong_missed = 0;  // sum of log((1 - q) / (1 - r)) over the strong items not found
  };
  ItemSummary item_summary(std::size_t i, std::size_t a, std::size_t j, std::size_t b) const {
    ItemSummary out;
    for (int s = 0; s < 2; ++s) {
      const std::size_t own0 = s == 0 ? i : j, own_n = s == 0 ? a : b;
      const std::size_t oth0 = s == 0 ? j : i, oth_n = s == 0 ? b : a;
      const SideItems& side = evidence->side[s];
      const float* spread = pairs->spread[s][oth_n - 1].data();
      for (std::size_t x = own0; x < own0 + own_n; ++x) {
        std::uint64_t seen = 0;
        for (std::size_t y = oth0; y < oth0 + oth_n; ++y) seen |= pairs->mask[s][s == 0 ? pairs->at(x, y) : pairs->at(y, x)];
        for (std::uint32_t k = side.item_begin[x]; k < side.item_begin[x + 1]; ++k) {
          out.mass += spread[k];
          if (side.strong[k] && (seen >> (k - side.item_begin[x]) & 1) == 0)
            out.strong_missed += std::log((1.0 - side.q[k]) / (1.0 - side.r[k]));
        }
      }
    }
    return out;
  }

  double length_cost(double l1, double l2) const {
    return (*tail)(fast_length.delta(static_cast<float>(l1), static_cast<float>(l2)));
  }

  // Inlined into the search's loops: as a call, its entry and exit were a
  // fifth of its instructions. relax_row<true> computes the same price with
  // the row's constants taken out of its loop: a change here goes there too.
  [[gnu::always_inline]] double cost(std::size_t i, std::size_t j, std::size_t shape) const {
    const BeadShape sh = kBeadShapes[shape];
    double c = prior_cost[shape];
    if (sh.src == 0 || sh.tgt == 0) return c;
    const auto a = static_cast<std::size_t>(sh.src), b = static_cast<std::size_t>(sh.tgt);
    c += length_cost(prefix[0][i + a] - prefix[0][i], prefix[1][j + b] - prefix[1][j]);
    if (strong_only) {
      const std::uint32_t* sb = evidence->strong_begin.data();
      if (sb[i] != sb[i + a]) c -= strong(i, a, j, b);
    } else if (pairs) {
      c -= items(i, a, j, b);
    }
    return c;
  }
};

// What an item with P(counterpart in its bead) q and local r is worth
// against runs of 1, 2, 3 sentences: g1 - g0 and g0, where
// g1 = min(log(q / r_run), kMaxItemGain), g0 = log((1 - q) / (1 - r_run)),
// r_run = 1 - (1 - r)^run; not informative where q <= r_run.
struct ItemGains {
  double r = -1;
  float q = -1;
  std::size_t runs = 0;  // runs made
  std::array<bool, kMaxRun> informative{};
  std::array<float, kMaxRun> spread{}, g0{};
};

// Most items recur with the same q and r (a word's entry in every sentence
// that holds it, where its neighbours hold the same counts), so each
// thread keeps the gains of recent (q, r) pairs: the logarithms were a
// third of the pair table's instructions. The same values as computing them.
const ItemGains& item_gains(float item_q, double r, std::size_t runs) {
  constexpr std::size_t kSlots = 4096;
  thread_local std::vector<ItemGains> cache(kSlots);
  std::uint64_t key = std::bit_cast<std::uint64_t>(r) ^ (std::uint64_t{std::bit_cast<std::uint32_t>(item_q)} << 21);
  key *= 0x9E3779B97F4A7C15ull;
  ItemGains& slot = cache[static_cast<std::size_t>(key >> 52)];
  if (slot.r == r && slot.q == item_q && slot.runs >= runs) return slot;
  slot.r = r;
  slot.q = item_q;
  slot.runs = runs;
  const double q = item_q;
  double miss = 1.0;  // P(no counterpart by chance in the run)
  for (std::size_t run = 0; run < runs; ++run) {
    miss *= 1.0 - r;
    const double r_run = 1.0 - miss;
    slot.informative[run] = q > r_run;
    if (!slot.informative[run]) continue;
    const double g1 = std::min(std::log(q / r_run), kMaxItemGain);
    const double g0 = std::log((1 - q) / (1 - r_run));
    slot.spread[run] = static_cast<float>(g1 - g0);
    slot.g0[run] = static_cast<float>(g0);
  }
  return slot;
}

// Fills the pair table `pt` (its memory reused) for the band.
void make_pair_table(const Evidence& ev, const Band& band, std::size_t n, std::size_t m, PairTable& pt) {
  pt.lo.resize(n);
  pt.hi.resize(n);
  pt.offset.assign(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    // Beads holding sentence i start at row >= i - (kMaxRun - 1) and end at
    // row <= i + kMaxRun.
    const std::size_t first = i >= kMaxRun - 1 ? i - (kMaxRun - 1) : 0;
    const std::size_t last = std::min(n, i + kMaxRun);
    pt.lo[i] = band.lo[first];
    pt.hi[i] = std::min<std::int64_t>(static_cast<std::int64_t>(m) - 1, band.hi[last] - 1);
    if (pt.hi[i] < pt.lo[i]) pt.hi[i] = pt.lo[i] - 1;
    pt.offset[i + 1] = pt.offset[i] + static_cast<std::size_t>(pt.hi[i] - pt.lo[i] + 1);
  }
  for (int s = 0; s < 2; ++s) {
    pt.mask[s].assign(pt.offset[n], 0);
    for (std::size_t k = 0; k < kMaxRun; ++k) {
      pt.spread[s][k].assign(ev.side[s].q.size(), 0.0f);
      pt.base[s][k].assign(ev.side[s].item_begin.size() - 1, 0.0f);
    }
  }
  if (m == 0 || n == 0) return;
  // Side s's items found in the other side's sentence. For one sentence x
  // of side s, `hits` maps each id of the other side to the items of x it
  // confirms; a pair's mask is then the OR over the other sentence's ids.
  for (int s = 0; s < 2; ++s) {
    const SideItems& own = ev.side[s];
    const SideItems& other = ev.side[1 - s];
    if (!own.any_items) continue;
    // All zero between uses (load(x, false) clears what load(x, true) set).
    std::vector<std::uint64_t>& hits = pt.hits;
    if (hits.size() < other.id_space) hits.resize(other.id_space, 0);
    auto load = [&](std::size_t x, bool set) {
      for (std::uint32_t k = own.match_begin[x]; k < own.match_begin[x + 1]; ++k)
        hits[own.match_id[k]] = set ? hits[own.match_id[k]] | std::uint64_t{1} << own.match_bit[k] : 0;
    };
    auto fill = [&](std::size_t y, std::size_t p) {
      std::uint64_t mk = 0;
      for (std::uint32_t k = other.present_begin[y]; k < other.present_begin[y + 1]; ++k) mk |= hits[other.present[k]];
      pt.mask[s][p] = mk;
    };
    if (s == 0) {
      for (std::size_t i = 0; i < n; ++i) {
        if (pt.hi[i] < pt.lo[i] || own.match_begin[i] == own.match_begin[i + 1]) continue;
        load(i, true);
        for (std::int64_t j = pt.lo[i]; j <= pt.hi[i]; ++j) fill(static_cast<std::size_t>(j), pt.at(i, static_cast<std::size_t>(j)));
        load(i, false);
      }
    } else {
      // For each target sentence j, the source rows whose range holds j
      // form an interval (lo and hi never decrease).
      std::size_t first = 0, last = 0;  // rows [first, last)
      for (std::size_t j = 0; j < m; ++j) {
        const auto jj = static_cast<std::int64_t>(j);
        while (first < n && pt.hi[first] < jj) ++first;
        if (last < first) last = first;
        while (last < n && pt.lo[last] <= jj) ++last;
        if (first >= last || own.match_begin[j] == own.match_begin[j + 1]) continue;
        load(j, true);
        for (std::size_t i = first; i < last; ++i)
          if (pt.lo[i] <= jj && jj <= pt.hi[i]) fill(i, pt.at(i, j));
        load(j, false);
      }
    }
  }
  // Local r: how many sentences of the band around each item hold its
  // counterpart (one of them is presumably the translation).
  std::vector<std::uint32_t>(&found)[2] = pt.found;
  std::vector<std::uint32_t>(&width)[2] = pt.width;
  for (int s = 0; s < 2; ++s) {
    found[s].assign(ev.side[s].q.size(), 0);
    width[s].assign(s == 0 ? n : m, 0);
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::int64_t jj = pt.lo[i]; jj <= pt.hi[i]; ++jj) {
      const auto j = static_cast<std::size_t>(jj);
      const std::size_t p = pt.at(i, j);
      ++width[0][i];
      ++width[1][j];
      for (std::uint64_t bits = pt.mask[0][p]; bits; bits &= bits - 1)
        ++found[0][ev.side[0].item_begin[i] + static_cast<std::uint32_t>(std::countr_zero(bits))];
      for (std::uint64_t bits = pt.mask[1][p]; bits; bits &= bits - 1)
        ++found[1][ev.side[1].item_begin[j] + static_cast<std::uint32_t>(std::countr_zero(bits))];
    }
  }
  // Runs of the other side a sentence of each side is priced against: a
  // bead holds at most as many sentences of the other side as it has.
  const std::size_t runs[2] = {std::min<std::size_t>(kMaxRun, m), std::min<std::size_t>(kMaxRun, n)};
  for (int s = 0; s < 2; ++s) {
    const SideItems& own = ev.side[s];
    for (std::size_t x = 0; x + 1 < own.item_begin.size(); ++x) {
      const double others = std::max<double>(width[s][x], 1.0) - 1.0;
      for (std::uint32_t k = own.item_begin[x]; k < own.item_begin[x + 1]; ++k) {
        const double chance = std::max<double>(found[s][k], 1.0) - 1.0;
        const double r = (chance + kLocalPseudo * own.r[k]) / (others + kLocalPseudo);
        const ItemGains& gains = item_gains(own.q[k], r, runs[s]);
        for (std::size_t run = 0; run < runs[s]; ++run) {
          if (!gains.informative[run]) continue;
          pt.spread[s][run][k] = gains.spread[run];
          pt.base[s][run][x] += gains.g0[run];
        }
      }
    }
  }
  for (int s = 0; s < 2; ++s)
    for (std::size_t k = 0; k < kMaxRun; ++k) pt.run[s][k].assign(k < runs[s] ? pt.offset[n] : 0, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::int64_t jj = pt.lo[i]; jj <= pt.hi[i]; ++jj) {
      const auto j = static_cast<std::size_t>(jj);
      const std::size_t p = pt.at(i, j);
      // Source sentence i against the targets [j, j+k] (the row's next pairs).
      std::uint64_t seen = 0;
      for (std::size_t k = 0; k < runs[0] && jj + static_cast<std::int64_t>(k) <= pt.hi[i]; ++k) {
        seen |= pt.mask[0][p + k];
        double total = pt.base[0][k][i];
        const float* spread = pt.spread[0][k].data() + ev.side[0].item_begin[i];
        for (std::uint64_t bits = seen; bits; bits &= bits - 1) total += spread[std::countr_zero(bits)];
        pt.run[0][k][p] = total;
      }
      // Target sentence j against the sources [i, i+k] (while their rows hold j).
      seen = 0;
      for (std::size_t k = 0; k < runs[1] && i + k < n; ++k) {
        const std::size_t x = i + k;
        if (jj < pt.lo[x] || jj > pt.hi[x]) break;
        seen |= pt.mask[1][pt.at(x, j)];
        double total = pt.base[1][k][j];
        const float* spread = pt.spread[1][k].data() + ev.side[1].item_begin[j];
        for (std::uint64_t bits = seen; bits; bits &= bits - 1) total += spread[std::countr_zero(bits)];
        pt.run[1][k][p] = total;
      }
    }
  }
}

// -log(exp(-a) + exp(-b)), with log1p(exp(-d)) from a table.
class SoftMin {
 public:
  static const SoftMin& instance() {
    static const SoftMin table;
    return table;
  }
  double operator()(double a, double b) const {
    if (a > b) std::swap(a, b);
    if (b == kInf) return a;
    const double x = (b - a) * kStepsPerUnit;
    if (x >= static_cast<double>(kSize - 1)) return a;
    const auto k = static_cast<std::size_t>(x);
    const double f = x - static_cast<double>(k);
    return a - (table_[k] + f * (table_[k + 1] - table_[k]));
  }

 private:
  static constexpr double kStepsPerUnit = 32;
  static constexpr std::size_t kSize = 32 * 20 + 1;
  SoftMin() {
    for (std::size_t k = 0; k < kSize; ++k) table_[k] = std::log1p(std::exp(-static_cast<double>(k) / kStepsPerUnit));
  }
  std::array<double, kSize> table_{};
};

// The best bead into a cell so far.
struct Relaxed {
  double cost = kInf;
  std::uint8_t shape = 0xFF;
};

Path trace_back(const Band& band, const std::vector<std::uint8_t>& back, std::size_t n, std::size_t m) {
  Path path;
  path.points.reserve(n + m + 1);  // a bead takes at least one sentence
  path.shapes.reserve(n + m);
  std::size_t i = n;
  auto j = static_cast<std::int64_t>(m);
  path.points.emplace_back(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j));
  while (i > 0 || j > 0) {
    const std::uint8_t s = back[band.at(i, j)];
    if (s == 0xFF) throw Error("sentence aligner: no path through the search band (internal error)");
    path.shapes.push_back(s);
    i -= static_cast<std::size_t>(kBeadShapes[s].src);
    j -= kBeadShapes[s].tgt;
    path.points.emplace_back(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j));
  }
  std::reverse(path.points.begin(), path.points.end());
  std::reverse(path.shapes.begin(), path.shapes.end());
  for (const auto& [pi, pj] : path.points) {
    const auto jj = static_cast<std::int64_t>(pj);
    if ((jj == band.lo[pi] && band.lo[pi] > 0) || (jj == band.hi[pi] && band.hi[pi] < static_cast<std::int64_t>(m)))
      path.edge_points.emplace_back(pi, pj);
  }
  return path;
}

// Per-row scratch of relax_row, kept by each thread.
std::vector<double>& row_scratch() {
  thread_local std::vector<double> scratch;
  return scratch;
}

// Fills row i of a band whose rows above are final: first every bead from
// the rows above, shape by shape over the row's cells (no band test per
// cell and shape), then the cells in order, each taking the best of its
// beads in kBeadShapes order (the first of equal costs wins) and the 0-1
// bead from the cell before it, final by then. `shapes`: the first so many
// of kBeadShapes. `costs`, if given, receives the price of each bead into
// each cell of the row (kShapes per cell, from the row's first cell).
// kFine: `pricing` is the fine pass's (a pair table, every item), priced
// here in the loop; else Pricing::cost prices each bead.
template <bool kFine>
void relax_row(const Band& band, const Pricing& pricing, std::size_t i, std::size_t shapes, std::vector<double>& best,
               std::vector<std::uint8_t>& back, float* costs) {
  static_assert(kBeadShapes[2].src == 0 && kBeadShapes[2].tgt == 1);
  constexpr std::size_t kZeroOne = 2;
  const std::int64_t lo = band.lo[i], hi = band.hi[i];
  if (hi < lo) return;
  const auto width = static_cast<std::size_t>(hi - lo + 1);
  const std::size_t row = band.offset[i];
  std::vector<double>& through = row_scratch();  // per shape and cell: best of the cell it comes from + bead
  through.assign(shapes * width, kInf);
  for (std::size_t s = 0; s < shapes; ++s) {
    const auto a = static_cast<std::size_t>(kBeadShapes[s].src);
    const std::int64_t b = kBeadShapes[s].tgt;
    if (a == 0 || a > i) continue;
    const std::size_t pi = i - a;
    const std::int64_t first = std::max({lo, b, band.lo[pi] + b});
    const std::int64_t last = std::min(hi, band.hi[pi] + b);
    const double* from = best.data() + band.offset[pi];
    // With the fine pass's pricing, Pricing::cost(pi, j - b, s) with what is
    // the same along the row taken out of the loop, and the same operations
    // in the same order: the prior, plus the length cost, minus the item
    // evidence (each source sentence of the bead against its targets, then
    // each target against its sources).
    const double prior = pricing.prior_cost[s];
    const double l1 = pricing.prefix[0][pi + a] - pricing.prefix[0][pi];
    const double* prefix1 = pricing.prefix[1];
    std::array<const double*, kMaxRun> source_runs{};  // source sentence pi + x against targets [y, y + b): [y]
    const double* target_runs = nullptr;                // target y against sources [pi, pi + a): [y]
    if (kFine && b > 0) {
      const PairTable& pt = *pricing.pairs;
      for (std::size_t x = 0; x < a; ++x)
        source_runs[x] = pt.run[0][static_cast<std::size_t>(b) - 1].data() +
                         (static_cast<std::int64_t>(pt.offset[pi + x]) - pt.lo[pi + x]);
      target_runs = pt.run[1][a - 1].data() + (static_cast<std::int64_t>(pt.offset[pi]) - pt.lo[pi]);
    }
    for (std::int64_t j = first; j <= last; ++j) {
      const double prev = from[j - b - band.lo[pi]];
      if (prev == kInf) continue;
      const std::int64_t pj = j - b;
      double bead;
      if constexpr (!kFine) {
        bead = pricing.cost(pi, static_cast<std::size_t>(pj), s);
      } else {
        bead = prior;
        if (b > 0) {
          bead += pricing.length_cost(l1, prefix1[pj + b] - prefix1[pj]);
          double total = 0;
          for (std::size_t x = 0; x < a; ++x) total += source_runs[x][pj];
          for (std::int64_t y = pj; y < pj + b; ++y) total += target_runs[y];
          bead -= pricing.item_weight * total;
        }
#ifndef NDEBUG
        // Debug builds (the sanitizer tests) check every hoisted price
        // against Pricing::cost, bit for bit: a change to one must go to both.
        if (bead != pricing.cost(pi, static_cast<std::size_t>(pj), s))
          throw std::logic_error("relax_row<true> priced a bead differently from Pricing::cost");
#endif
      }
      const auto k = static_cast<std::size_t>(j - lo);
      if (costs) costs[k * kShapes + s] = static_cast<float>(bead);
      through[s * width + k] = prev + bead;
    }
  }
  for (std::int64_t j = lo; j <= hi; ++j) {
    const auto k = static_cast<std::size_t>(j - lo);
    if (i == 0 && j == 0) {
      best[row + k] = 0;
      continue;
    }
    Relaxed r;
    for (std::size_t s = 0; s < shapes; ++s) {
      double c = through[s * width + k];
      if (s == kZeroOne) {
        if (j == lo || best[row + k - 1] == kInf) continue;
        const double bead = pricing.cost(i, static_cast<std::size_t>(j - 1), s);
        if (costs) costs[k * kShapes + s] = static_cast<float>(bead);
        c = best[row + k - 1] + bead;
      }
      if (c < r.cost) {
        r.cost = c;
        r.shape = static_cast<std::uint8_t>(s);
      }
    }
    best[row + k] = r.cost;
    back[row + k] = r.shape;
  }
}

// The best path through a band (Viterbi), priced with the fine pass's
// Pricing (a pair table; not strong_only). `costs` receives the price of
// every bead into every cell (kShapes per cell, infinity where none).
// Without `keep_costs`, `costs` is left empty.
Path viterbi(const Band& band, const Pricing& pricing, std::size_t n, std::size_t m, std::vector<float>& costs,
             std::vector<double>& best, std::vector<std::uint8_t>& back, bool keep_costs = true) {
  best.assign(band.cells(), kInf);
  back.assign(band.cells(), 0xFF);
  if (keep_costs)
    costs.assign(band.cells() * kShapes, std::numeric_limits<float>::infinity());
  else
    costs.clear();
  for (std::size_t i = 0; i <= n; ++i)
    relax_row<true>(band, pricing, i, kShapes, best, back, keep_costs ? costs.data() + band.offset[i] * kShapes : nullptr);
  return trace_back(band, back, n, m);
}

// The coarse pass: a beam of 2w+1 cells per row that follows the best cell
// of the row above, so it needs no guess of where the path goes and costs
// O(n * w) however far the path strays from the diagonal.
Path beam(const Pricing& pricing, std::size_t n, std::size_t m, std::int64_t w) {
  Band band;
  band.lo.assign(n + 1, 0);
  band.hi.assign(n + 1, 0);
  band.offset.assign(n + 2, 0);
  std::vector<double> best;
  std::vector<std::uint8_t> back;
  const auto mm = static_cast<std::int64_t>(m);
  const double slope = static_cast<double>(m) / static_cast<double>(std::max<std::size_t>(n, 1));
  // The cells of a row have consumed different numbers of target sentences;
  // a path that lags behind has simply not paid for them yet. So the beam
  // follows the cell of least cost minus `rate` per sentence consumed, rate
  // being the cost per sentence of the path so far.
  double rate = 0;
  for (std::size_t i = 0; i <= n; ++i) {
    std::int64_t lo = 0, hi = std::min(mm, w);
    if (i > 0) {
      std::int64_t arg = band.lo[i - 1];
      double top = kInf;
      for (std::int64_t j = band.lo[i - 1]; j <= band.hi[i - 1]; ++j) {
        const double c = best[band.at(i - 1, j)] - rate * static_cast<double>(j);
        if (c < top) {
          top = c;
          arg = j;
        }
      }
      const double consumed = static_cast<double>(i - 1 + static_cast<std::size_t>(arg));
      if (consumed > 0 && top != kInf) rate = best[band.at(i - 1, arg)] / consumed;
      const double center = static_cast<double>(arg) + slope;
      lo = std::max(band.lo[i - 1], static_cast<std::int64_t>(std::floor(center)) - w);
      hi = std::max(band.hi[i - 1], static_cast<std::int64_t>(std::ceil(center)) + w);
      lo = std::min({lo, band.hi[i - 1], mm});
      hi = std::min(hi, mm);
    }
    if (i == n) hi = mm;
    band.lo[i] = lo;
    band.hi[i] = hi;
    band.offset[i + 1] = band.offset[i] + static_cast<std::size_t>(hi - lo + 1);
    best.resize(band.offset[i + 1], kInf);
    back.resize(band.offset[i + 1], 0xFF);
    relax_row<false>(band, pricing, i, kCoarseShapes, best, back, nullptr);
  }
  return trace_back(band, back, n, m);
}

// Posterior probability of each bead of the path: forward-backward over the
// cells near the path (the mass elsewhere is negligible), bead costs taken
// as energies.
void add_posteriors(Path& path, const Band& limit, const std::vector<float>& costs, std::size_t n, std::size_t m) {
  Band band = around(path, n, m, kPosteriorBand);
  for (std::size_t i = 0; i <= n; ++i) {
    band.lo[i] = std::max(band.lo[i], limit.lo[i]);
    band.hi[i] = std::min(band.hi[i], limit.hi[i]);
  }
  band.finish();
  const SoftMin& soft_min = SoftMin::instance();
  const std::size_t cells = band.cells();
  constexpr float kNoBead = std::numeric_limits<float>::infinity();
  auto bead_cost = [&](std::size_t i, std::int64_t j, std::size_t s) { return costs[limit.at(i, j) * kShapes + s]; };
  std::vector<double> forward(cells, kInf), backward(cells, kInf);
  forward[0] = 0;
  for (std::size_t i = 0; i <= n; ++i) {
    for (std::int64_t j = band.lo[i]; j <= band.hi[i]; ++j) {
      if (i == 0 && j == 0) continue;
      double acc = kInf;
      for (std::size_t s = 0; s < kShapes; ++s) {
        const auto a = static_cast<std::size_t>(kBeadShapes[s].src);
        const std::int64_t b = kBeadShapes[s].tgt;
        if (a > i || b > j || !band.contains(i - a, j - b)) continue;
        const double prev = forward[band.at(i - a, j - b)];
        const float c = bead_cost(i, j, s);
        if (prev == kInf || c == kNoBead) continue;
        acc = soft_min(acc, prev + c);
      }
      forward[band.at(i, j)] = acc;
    }
  }
  backward[band.at(n, static_cast<std::int64_t>(m))] = 0;
  for (std::size_t r = n + 1; r-- > 0;) {
    for (std::int64_t c = band.hi[r]; c >= band.lo[r]; --c) {
      const std::size_t cell = band.at(r, c);
      double acc = backward[cell];
      for (std::size_t s = 0; s < kShapes; ++s) {
        const std::size_t ni = r + static_cast<std::size_t>(kBeadShapes[s].src);
        const std::int64_t nj = c + kBeadShapes[s].tgt;
        if (ni > n || nj > static_cast<std::int64_t>(m) || !band.contains(ni, nj)) continue;
        const std::size_t next = band.at(ni, nj);
        const float bc = bead_cost(ni, nj, s);
        if (bc == kNoBead || backward[next] == kInf) continue;
        acc = soft_min(acc, backward[next] + bc);
      }
      backward[cell] = acc;
    }
  }
  const double total = forward[band.at(n, static_cast<std::int64_t>(m))];
  path.posterior.resize(path.shapes.size());
  for (std::size_t k = 0; k < path.shapes.size(); ++k) {
    const auto [i0, j0] = path.points[k];
    const auto [i1, j1] = path.points[k + 1];
    const double e = forward[band.at(i0, j0)] + bead_cost(i1, j1, path.shapes[k]) + backward[band.at(i1, j1)] - total;
    path.posterior[k] = std::clamp(std::exp(-e), 0.0, 1.0);
  }
}


// The vectors an alignment call fills. The aligner makes thousands of small
// calls per document set (one per paragraph group, most of them one
// sentence against one); each thread keeps these between calls, so that
// their vectors keep their capacity instead of being allocated again (with
// glibc's allocator a sixth of the aligner's instructions went to malloc
// and free).
struct CallBuffers {
  Evidence evidence;
  PairTable pairs;
  BuilderScratch builder;
  std::vector<double> prefix[2];
  std::vector<double> best;
  std::vector<std::uint8_t> back;
  std::vector<float> costs;
};

// A thread's CallBuffers, lent to one call until the lease ends (a call
// made while another holds them gets its own).
class BufferLease {
 public:
  BufferLease() {
    auto& pool = free_buffers();
    if (pool.empty()) {
      buffers_ = std::make_unique<CallBuffers>();
    } else {
      buffers_ = std::move(pool.back());
      pool.pop_back();
    }
  }
  BufferLease(BufferLease&&) noexcept = default;
  BufferLease& operator=(BufferLease&&) = delete;
  ~BufferLease() {
    if (!buffers_) return;
    try {
      free_buffers().push_back(std::move(buffers_));
    } catch (...) {  // no room to keep them: they are freed
    }
  }
  CallBuffers& operator*() const { return *buffers_; }
  CallBuffers* operator->() const { return buffers_.get(); }

 private:
  static std::vector<std::unique_ptr<CallBuffers>>& free_buffers() {
    thread_local std::vector<std::unique_ptr<CallBuffers>> pool;
    return pool;
  }
  std::unique_ptr<CallBuffers> buffers_;
};

struct CoreResult {
  BufferLease buffers;
  Path path;
  // In the buffers (which stay where they are when the result moves).
  Evidence& evidence = buffers->evidence;
  PairTable& pairs = buffers->pairs;
  std::vector<double> (&prefix)[2] = buffers->prefix;
};

std::array<double, kShapes> prior_costs(const std::array<double, kShapes>& priors) {
  std::array<double, kShapes> out{};
  double total = 0;
  for (double p : priors) total += std::max(p, 0.0);
  for (std::size_t s = 0; s < kShapes; ++s) out[s] = -std::log(std::max(priors[s], 1e-6) / std::max(total, 1e-12));
  return out;
}

Pricing full_pricing(const CoreResult& core, const PairModel& model) {
  Pricing p;
  p.prefix[0] = core.prefix[0].data();
  p.prefix[1] = core.prefix[1].data();
  p.length = {model.ratio, model.variance};
  p.fast_length = FastLength(p.length);
  p.prior_cost = prior_costs(model.bead_priors);
  p.evidence = &core.evidence;
  p.pairs = &core.pairs;
  p.item_weight = kItemWeight;
  return p;
}

// Coarse path by the beam (lengths and strong anchors), then the best path
// with all the evidence in a band around it, widened where the path meets
// the band's edge; small inputs are searched exhaustively.
CoreResult align_core(std::span<const SentenceFeatures> src, std::span<const SentenceFeatures> tgt,
                      const PairModel& model, std::size_t band_option, bool posteriors,
                      std::span<const SentenceBlock> blocks = {}, const Offsets& offsets = {}) {
  const std::size_t n = src.size(), m = tgt.size();
  CoreResult core;
  const std::span<const SentenceFeatures> sides[2] = {src, tgt};
  for (int s = 0; s < 2; ++s) {
    core.prefix[s].assign(sides[s].size() + 1, 0.0);
    for (std::size_t k = 0; k < sides[s].size(); ++k)
      core.prefix[s][k + 1] = core.prefix[s][k] + static_cast<double>(sides[s][k].length);
  }
  EvidenceBuilder(src, tgt, model, offsets, core.evidence, core.buffers->builder).build();
  Pricing pricing = full_pricing(core, model);

  // Every path that keeps to the blocks, if they leave few enough cells.
  std::optional<Band> kept_to_blocks;
  if (!blocks.empty() && valid_blocks(blocks, n, m)) {
    kept_to_blocks = block_band(blocks, n, m);
    if (kept_to_blocks->cells() > kFullBlockCells) kept_to_blocks.reset();
  }
  const bool paragraphs = !offsets.sentences[0].empty() || !offsets.sentences[1].empty();
  const bool exhaustive = kept_to_blocks ||
                          (n + 1) * (m + 1) <= (paragraphs ? kFullParagraphCells : kFullGridCells) ||
                          band_option >= std::max(n, m);
  // Lengths alone lose the path more easily than with a lexicon.
  const bool lexicon = model.lexicon && model.lexicon->size(0) > 0;
  StrongCache strong_cache(m);
  Pricing coarse = pricing;
  coarse.pairs = nullptr;
  coarse.strong_only = true;
  coarse.strong_cache = &strong_cache;
  Band band;
  if (kept_to_blocks) {
    band = std::move(*kept_to_blocks);
  } else if (exhaustive) {
    band = full_band(n, m);
  } else {
    std::int64_t w = static_cast<std::int64_t>(band_option ? 2 * band_option : lexicon ? kBeamWidth : 2 * kBeamWidth);
    Path path;
    while (true) {
      path = beam(coarse, n, m, w);
      if (path.edge_points.empty() || w >= static_cast<std::int64_t>(std::max(n, m))) break;
      w *= 2;
    }
    band = around(path, n, m, static_cast<std::int64_t>(band_option ? band_option : kDefaultBand));
  }
  std::int64_t extra = static_cast<std::int64_t>(band_option ? band_option : kDefaultBand);
  std::vector<float>& costs = core.buffers->costs;
  for (int round = 0;; ++round) {
    make_pair_table(core.evidence, band, n, m, core.pairs);
    core.path = viterbi(band, pricing, n, m, costs, core.buffers->best, core.buffers->back, posteriors);
    if (core.path.edge_points.empty() || exhaustive || round == kMaxWidenings) break;
    widen_at(band, core.path.edge_points, m, extra);
    extra *= 2;
  }
  if (posteriors) add_posteriors(core.path, band, costs, n, m);
  return core;
}

// The path's beads, each with confidence 0.
std::vector<Bead> path_beads(const Path& path) {
  std::vector<Bead> beads(path.shapes.size());
  for (std::size_t k = 0; k < beads.size(); ++k) {
    const auto [i, j] = path.points[k];
    const BeadShape sh = kBeadShapes[path.shapes[k]];
    beads[k].src.resize(static_cast<std::size_t>(sh.src));
    beads[k].tgt.resize(static_cast<std::size_t>(sh.tgt));
    std::iota(beads[k].src.begin(), beads[k].src.end(), std::size_t{i});
    std::iota(beads[k].tgt.begin(), beads[k].tgt.end(), std::size_t{j});
  }
  return beads;
}

// Confidence of each bead (see the header): posterior x translation quality.
// `anchors_count`: whether missing anchors lower the confidence (not for the
// first pass, whose confidence only selects the beads to learn from).
std::vector<Bead> to_beads(const CoreResult& core, const PairModel& model, bool anchors_count = true) {
  const Path& path = core.path;
  const Pricing pricing = full_pricing(core, model);
  std::vector<Bead> beads = path_beads(path);
  for (std::size_t k = 0; k < beads.size(); ++k) {
    const auto [i, j] = path.points[k];
    const BeadShape sh = kBeadShapes[path.shapes[k]];
    Bead& b = beads[k];
    double quality = kInsertionQuality;
    if (sh.src > 0 && sh.tgt > 0) {
      const auto a = static_cast<std::size_t>(sh.src), b = static_cast<std::size_t>(sh.tgt);
      const double delta = pricing.length.delta(pricing.length_of(0, i, i + a), pricing.length_of(1, j, j + b));
      const auto items = core.pairs.offset.empty() ? Pricing::ItemSummary{} : pricing.item_summary(i, a, j, b);
      double logit = kQualityBias + (a == 1 && b == 1 ? kOneToOneBonus : 0.0) - 0.5 * delta * delta +
                     kItemMassWeight * std::log1p(items.mass);
      if (anchors_count) logit += std::max(items.strong_missed, -kMaxStrongMissed);
      quality = 1.0 / (1.0 + std::exp(-logit));
    }
    const double posterior = path.posterior.empty() ? 1.0 : path.posterior[k];
    b.confidence = std::clamp(posterior * quality, 0.0, 1.0);
  }
  return beads;
}

void check_model(const PairModel& model) {
  if (!(model.ratio > 0) || !std::isfinite(model.ratio))
    throw ArgumentError("sentence aligner: the pair model's length ratio must be positive (got " +
                        std::to_string(model.ratio) + ")");
  if (!(model.variance > 0) || !std::isfinite(model.variance))
    throw ArgumentError("sentence aligner: the pair model's variance must be positive (got " +
                        std::to_string(model.variance) + ")");
}

std::vector<Bead> trivial_beads(std::size_t n, std::size_t m) {
  std::vector<Bead> beads;
  for (std::size_t i = 0; i < n; ++i) beads.push_back({{i}, {}, kInsertionQuality});
  for (std::size_t j = 0; j < m; ++j) beads.push_back({{}, {j}, kInsertionQuality});
  return beads;
}

// ---------------------------------------------------------------- estimation

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

// Variance to start from, before any alignment: what German-French,
// English->Chinese and Chinese->English texts show is close to 4 * ratio^1.5
// (3.4, 0.55 and 35).
double initial_variance(double ratio) { return 4.0 * ratio * std::sqrt(ratio); }

// Shape priors to start from: the defaults, with as many more 1-2 (and
// some 1-3) beads as one side has more sentences than the other (Chinese
// splits an English sentence in two about every fourth time).
static_assert(kBeadShapes[3].tgt == 2 && kBeadShapes[4].src == 2 && kBeadShapes[6].tgt == 3 && kBeadShapes[7].src == 3);
std::array<double, kShapes> initial_priors(std::size_t n, std::size_t m) {
  std::array<double, kShapes> p = kDefaultBeadPriors;
  const double excess = std::min(0.5, std::fabs(static_cast<double>(m) - static_cast<double>(n)) /
                                          static_cast<double>(std::max<std::size_t>(std::min(n, m), 1)));
  const bool more_target = m > n;
  p[more_target ? 3 : 4] += 0.8 * excess;  // 1-2 or 2-1
  p[more_target ? 6 : 7] += 0.2 * excess;  // 1-3 or 3-1
  double total = 0;
  for (double x : p) total += x;
  for (double& x : p) x /= total;
  return p;
}

// Ratio, variance and shape priors from the beads of a pass.
void refine(PairModel& model, const std::vector<Bead>& beads, std::span<const SentenceFeatures> src,
            std::span<const SentenceFeatures> tgt) {
  // Length: the confident 1-1 beads.
  double sum1 = 0, sum2 = 0;
  std::vector<std::pair<double, double>> ones;
  for (const Bead& b : beads) {
    if (b.src.size() != 1 || b.tgt.size() != 1 || b.confidence < kTrainingConfidence) continue;
    const auto l1 = static_cast<double>(src[b.src[0]].length), l2 = static_cast<double>(tgt[b.tgt[0]].length);
    ones.emplace_back(l1, l2);
    sum1 += l1;
    sum2 += l2;
  }
  if (ones.size() >= 5 && sum1 > 0 && sum2 > 0) {
    const double ratio = sum2 / sum1;
    std::vector<double> z;
    z.reserve(ones.size());
    for (const auto& [l1, l2] : ones) z.push_back(std::fabs(l2 - ratio * l1) / std::sqrt(0.5 * (l1 + l2 / ratio) + 1.0));
    const double sigma = 1.4826 * median(std::move(z)) * kSpreadFactor;
    const double k = static_cast<double>(ones.size());
    const double measured = std::max(sigma * sigma, 0.05 * ratio);
    model.variance = (k * measured + kVariancePseudoBeads * initial_variance(ratio)) / (k + kVariancePseudoBeads);
    model.ratio = ratio;
  }
  // Shape priors.
  const std::array<double, kShapes> start = model.bead_priors;
  std::array<double, kShapes> count{};
  for (const Bead& b : beads) {
    for (std::size_t s = 0; s < kShapes; ++s)
      if (static_cast<int>(b.src.size()) == kBeadShapes[s].src && static_cast<int>(b.tgt.size()) == kBeadShapes[s].tgt)
        count[s] += 1;
  }
  const auto total = static_cast<double>(beads.size());
  for (std::size_t s = 0; s < kShapes; ++s)
    model.bead_priors[s] = (count[s] + kPriorPseudoBeads * start[s]) / (total + kPriorPseudoBeads);
}

// How often an anchor of a confident bead has its counterpart on the other
// side (anchors the other side never holds are not counted).
std::array<double, kAnchorKindCount> anchor_recall(const std::vector<Bead>& beads, const Evidence& ev) {
  std::array<double, kAnchorKindCount> found{}, seen{};
  const std::size_t anchors = ev.anchor_kind.size();
  std::vector<std::uint32_t> side[2];
  for (const Bead& b : beads) {
    if (b.src.empty() || b.tgt.empty() || b.confidence < kTrainingConfidence) continue;
    const std::vector<std::size_t>* ids[2] = {&b.src, &b.tgt};
    for (int s = 0; s < 2; ++s) {
      side[s].clear();
      const SideItems& items = ev.side[s];
      for (std::size_t x : *ids[s])
        for (std::uint32_t k = items.present_begin[x]; k < items.present_begin[x + 1]; ++k)
          if (items.present[k] < anchors) side[s].push_back(items.present[k]);
      std::sort(side[s].begin(), side[s].end());
      side[s].erase(std::unique(side[s].begin(), side[s].end()), side[s].end());
    }
    for (int s = 0; s < 2; ++s) {
      for (std::uint32_t id : side[s]) {
        if (ev.anchor_df[1 - s][id] == 0) continue;
        const auto kind = static_cast<std::size_t>(ev.anchor_kind[id]);
        seen[kind] += 1;
        if (std::binary_search(side[1 - s].begin(), side[1 - s].end(), id)) found[kind] += 1;
      }
    }
  }
  constexpr double kRecallPseudo = 5.0;
  std::array<double, kAnchorKindCount> recall{};
  for (std::size_t k = 0; k < kAnchorKindCount; ++k)
    recall[k] = (found[k] + kRecallPseudo * Lexicon::kDefaultAnchorRecall[k]) / (seen[k] + kRecallPseudo);
  return recall;
}

}  // namespace

SentenceFeatures make_features(std::string_view text, std::string_view lang) {
  return make_features_from_key(matching_key_text(text), lang);
}

SentenceFeatures make_features_from_key(std::string_view key, std::string_view lang) {
  SentenceFeatures f;
  f.length = key_length(key);
  tokenize_key(key, lang, f.anchors, f.words);
  const Script script = script_of(lang);
  hash_features(f, script == Script::latin || script == Script::cyrillic || script == Script::greek);
  return f;
}

std::vector<SentenceFeatures> make_features(std::span<const std::string> sentences, std::string_view lang) {
  std::vector<SentenceFeatures> out;
  out.reserve(sentences.size());
  for (const std::string& s : sentences) out.push_back(make_features(s, lang));
  return out;
}

PairModel estimate_pair_model(std::span<const SentenceFeatures> src, std::span<const SentenceFeatures> tgt,
                              std::string_view src_lang, std::string_view tgt_lang, const PairModelOptions& options) {
  PairModel model;
  model.src_lang = std::string(src_lang);
  model.tgt_lang = std::string(tgt_lang);
  double l1 = 0, l2 = 0;
  for (const auto& f : src) l1 += static_cast<double>(f.length);
  for (const auto& f : tgt) l2 += static_cast<double>(f.length);
  model.ratio = l1 > 0 && l2 > 0 ? l2 / l1 : 1.0;
  model.variance = initial_variance(model.ratio);
  if (src.empty() || tgt.empty()) return model;
  model.bead_priors = initial_priors(src.size(), tgt.size());

  // A first pass with the defaults and the anchors; from its beads the
  // ratio, the variance, the shape priors, the anchor recall and, from its
  // confident beads, the lexicon.
  model.lexicon = std::make_shared<Lexicon>();
  const CoreResult core = align_core(src, tgt, model, 0, false, options.blocks);
  const std::vector<Bead> beads = to_beads(core, model, false);
  refine(model, beads, src, tgt);
  const std::array<double, kAnchorKindCount> recall = anchor_recall(beads, core.evidence);
  std::shared_ptr<Lexicon> lexicon =
      options.learn_lexicon ? Lexicon::learn(src, tgt, beads, kTrainingConfidence, options.src_keys, options.tgt_keys)
                            : std::make_shared<Lexicon>();
  lexicon->anchor_recall = recall;
  model.lexicon = std::move(lexicon);
  return model;
}

std::vector<Bead> align_sentences(std::span<const SentenceFeatures> src, std::span<const SentenceFeatures> tgt,
                                  const PairModel& model, const SentenceAlignOptions& options) {
  check_model(model);
  if (src.empty() || tgt.empty()) return trivial_beads(src.size(), tgt.size());
  const CoreResult core =
      align_core(src, tgt, model, options.band, options.confidence, {},
                 {{options.src_offset, options.tgt_offset}, {options.src_sentences, options.tgt_sentences}});
  return options.confidence ? to_beads(core, model) : path_beads(core.path);
}

}  // namespace untm
