// Sentence alignment between two language versions of a text.
//
// The model. A bitext is a sequence of beads; a bead pairs a (possibly
// empty) run of source sentences with a run of target sentences, of the
// shapes in kBeadShapes (1-1, 1-0, 0-1, 1-2, 2-1, 2-2, 1-3, 3-1). The aligner
// looks for the sequence of beads of least total cost, where the cost of a
// bead is a negative log-likelihood ratio, summed over three kinds of
// evidence:
//
//   shape   -log P(shape). The priors start from the sentence counts (a
//           target with 26% more sentences gets more 1-2 and 1-3 beads) and
//           are re-estimated from a first alignment (Chinese-English Bible:
//           ~21% 1-2; German-French: ~12% 1-2, ~8% 2-1).
//   length  Gale & Church (1993): the target length of a bead is normal with
//           mean ratio*L1 and variance variance*L1 (lengths in characters of
//           the matching key, spaces not counted; L1 is taken as the mean of
//           L1 and L2/ratio, plus one, so an empty sentence is no
//           singularity); the cost is -log P(|delta| at least as large).
//           ratio and variance are estimated from the two documents: the
//           totals, then the confident 1-1 beads of the first pass (a robust
//           spread, widened for the heavy tails of real text). Nothing is
//           fixed per language: hu-de works as well as en-zh (ratio ~0.3
//           Chinese characters per English character).
//   items   what carries across the two languages: anchors (numbers in any
//           digit style and format, dates, document symbols, Latin tokens in
//           Chinese, Arabic or Russian text, shared four-letter prefixes in
//           same-script pairs, ? ! quotes and brackets) and a lexicon learned
//           from the first pass (a source word and the target tokens --
//           Chinese characters, words elsewhere -- that co-occur with it in
//           aligned beads far more than chance, and the reverse). For each
//           item the model knows q = P(a counterpart in the aligned bead) and
//           r = P(one by chance): finding one is worth log(q/r), missing it
//           log((1-q)/(1-r)). r is made local (a name that recurs in the
//           neighbouring sentences tells little about which one is the
//           translation) and grows with the number of sentences on the other
//           side of the bead (so bigger beads earn no more by chance). Both
//           directions are scored, at half weight each.
//
// Search. Time and memory are O(n * band). A beam of 33 cells per row that
// follows the best partial path (lengths, numbers, symbols and the rarest
// lexicon words only) finds the coarse path, however far it strays from the
// diagonal; the best path with all the evidence is then searched in a band
// of 4 sentences around it, widened locally where the path meets the band's
// edge. Inputs of up to 300,000 cells are searched exhaustively (given as
// paragraphs, SentenceAlignOptions::src_sentences, up to 10,000). The first
// pass of the model's estimate can be given blocks (paragraphs matched by
// their numbers): it then searches every path that keeps to them, which is
// what the final pass allows, in far fewer cells (up to 50,000 of them;
// beyond, the beam as without blocks).
//
// Confidence. A bead's confidence is its posterior probability (forward-
// backward near the best path, costs as energies) times the probability
// that it is a real pair: a logistic function of its shape (1-1 or not), its
// length agreement, how much item evidence it had, and the numbers, symbols
// and Latin tokens missing on the other side. A clean 1-1 with matching
// numbers is close to 1; an insertion is at most 0.5; a bead the search was
// forced into is low.
//
// All functions are thread-safe: nothing is shared but the immutable lexicon.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace untm {

// What the aligner needs to know of one sentence (or of one paragraph, when
// paragraphs are aligned by length).
struct SentenceFeatures {
  // Characters (code points) of the matching key, spaces not counted.
  std::size_t length = 0;
  // Language-independent anchor tokens, each at most once: "#1973", "#3.6",
  // "#3600000" (3.6 million, 360 万), "#2011-04-13", "#2011-04", "#04-13"
  // (dates), "S/2011/463" (symbols), "=unicef" (Latin or letter-digit tokens
  // inside text of another script; letter-digit tokens such as "=h1n1"
  // everywhere), "?", "!", "\"", "(".
  std::vector<std::string> anchors;
  // Matching-key word tokens in order (Chinese and Japanese: one per
  // character), for cognates and the lexicon.
  std::vector<std::string> words;
  // What the aligner compares instead of the strings, made with them by
  // make_features: a 64-bit hash of each anchor, and of each word's cognate
  // key (0 for a word that has none; made for Latin, Cyrillic and Greek
  // script only, the languages aligned with another of their script).
  // Where they are left empty (other scripts, features made by hand), each
  // alignment call hashes the strings itself.
  std::vector<std::uint64_t> anchor_hashes;
  std::vector<std::uint64_t> cognate_hashes;
};

// Extracts the features of a sentence in language `lang` (ISO 639-1; codes
// without built-in rules are fine). The language decides how numbers are
// read: "4,400" is 4400 in English and Chinese, 4.4 in French; "4 400" and
// "4.400" are 4400 where a decimal comma is used.
SentenceFeatures make_features(std::string_view text, std::string_view lang);
// The same from the text's matching key (matching_key_text(text),
// normalizer.h), when the caller has it already (Sentence::key).
SentenceFeatures make_features_from_key(std::string_view key, std::string_view lang);

// Features of every sentence.
std::vector<SentenceFeatures> make_features(std::span<const std::string> sentences, std::string_view lang);

// Bead shapes (source sentences, target sentences) the aligner considers.
struct BeadShape {
  int src = 0;
  int tgt = 0;
};
inline constexpr std::size_t kBeadShapeCount = 8;
inline constexpr std::array<BeadShape, kBeadShapeCount> kBeadShapes = {
    {{1, 1}, {1, 0}, {0, 1}, {1, 2}, {2, 1}, {2, 2}, {1, 3}, {3, 1}}};

// Prior probabilities of kBeadShapes when nothing is known of the pair.
inline constexpr std::array<double, kBeadShapeCount> kDefaultBeadPriors = {0.80, 0.01, 0.01, 0.06,
                                                                            0.06, 0.02, 0.02, 0.02};

class Lexicon;  // learned statistics (aligner/lexicon.h): word translations, anchor reliabilities
struct LexiconKeys;  // one side's sentences as lexicon key ids (aligner/lexicon.h)

// The statistics of one language pair, estimated from documents.
struct PairModel {
  std::string src_lang;
  std::string tgt_lang;
  double ratio = 1.0;     // mean target length per source character
  double variance = 3.4;  // variance of the target length per source character (Gale-Church's s^2)
  std::array<double, kBeadShapeCount> bead_priors = kDefaultBeadPriors;  // P(shape), kBeadShapes order
  // Learned word translations and anchor reliabilities; null = built-in
  // defaults for the anchors and no lexicon.
  std::shared_ptr<const Lexicon> lexicon;
};

// Sentences [src_begin, src_end) of the source translate sentences
// [tgt_begin, tgt_end) of the target, and no others: paragraphs matched by
// their numbers.
struct SentenceBlock {
  std::size_t src_begin = 0, src_end = 0;
  std::size_t tgt_begin = 0, tgt_end = 0;
};

struct PairModelOptions {
  bool learn_lexicon = true;  // a first alignment pass, then a lexicon from its confident beads
  // Known blocks, in order on both sides, non-empty: the first pass searches
  // only paths that keep to them (up to a bead straddling a block's edge),
  // which is also far cheaper than its exhaustive search of every pairing.
  // Blocks out of order or out of range are ignored, all of them, and so
  // are blocks that leave more than 50,000 cells (long unnumbered gaps).
  std::vector<SentenceBlock> blocks;
  // Each side's lexicon keys, when the caller keeps them for a version that
  // is aligned in several pairs (made from the same features; else made
  // here): index_lexicon_keys in aligner/lexicon.h.
  const LexiconKeys* src_keys = nullptr;
  const LexiconKeys* tgt_keys = nullptr;
};

// Estimates the model from the two sides of a document (or many documents
// concatenated; 30 sentences are enough for the ratio, more help the
// lexicon): their total lengths, a first alignment, the lexicon. Empty
// input gives the defaults with the ratio 1.
PairModel estimate_pair_model(std::span<const SentenceFeatures> src, std::span<const SentenceFeatures> tgt,
                              std::string_view src_lang, std::string_view tgt_lang,
                              const PairModelOptions& options = {});

struct Bead {
  std::vector<std::size_t> src;  // indices into the source span, ascending
  std::vector<std::size_t> tgt;  // indices into the target span, ascending
  double confidence = 0;         // in [0, 1]
};

struct SentenceAlignOptions {
  // Half-width of the search band around the coarse path, in sentences (the
  // coarse beam is twice as wide); 0 = automatic (4; the beam 16, 32 without
  // a lexicon, doubled while the path meets its edge). A band at least as
  // large as both inputs is an exhaustive search.
  std::size_t band = 0;
  // Where the inputs lie in the two documents the model was estimated on,
  // when they are runs of their sentences: source sentences [src_offset,
  // src_offset + src.size()), target likewise. The lexicon's word keys of
  // those sentences, kept from its learning, are then reused instead of
  // looked up word by word. Leave unset for any other input.
  std::optional<std::size_t> src_offset, tgt_offset;
  // When the inputs are paragraphs of those documents instead: source input
  // k holds sentences [src_sentences[k], src_sentences[k + 1]) (one more
  // bound than inputs), target likewise; their lexicon keys are then those
  // kept for their sentences. Empty: not paragraphs.
  std::span<const std::size_t> src_sentences, tgt_sentences;
  // false: the beads only, each with confidence 0 (the same beads: the
  // posterior pass and the confidence's pricing are skipped, which a caller
  // that only groups, such as the paragraph-level alignment, does not need).
  bool confidence = true;
};

// Aligns two sequences with a model estimated from them or from the whole
// documents they are part of (for a span of a few sentences inside aligned
// paragraphs). Every index of both sides appears in exactly one bead, in
// order. Empty inputs give the obvious beads (all 1-0 or all 0-1). Throws
// ArgumentError if the model's ratio or variance is not positive.
std::vector<Bead> align_sentences(std::span<const SentenceFeatures> src, std::span<const SentenceFeatures> tgt,
                                  const PairModel& model, const SentenceAlignOptions& options = {});

}  // namespace untm
