#include "aligner/document_aligner.h"

#include <algorithm>
#include <numeric>
#include <span>

#include "aligner/errors.h"
#include "aligner/lexicon.h"
#include "aligner/sentence_aligner.h"

namespace untm {
namespace {

// A paragraph's features from its sentences': lengths add up, words follow
// one another, anchors are kept once in order of first appearance. The same
// as make_features of the paragraph's text, without tokenizing it again
// (checked on every multi-sentence paragraph of unpc_sc, the UN resolution
// in six languages and corpora/: all 2,700 identical). They could differ
// only where the parts of a date straddle a sentence break.
SentenceFeatures merge_features(std::span<const SentenceFeatures> sentences) {
  if (sentences.size() == 1) return sentences.front();
  SentenceFeatures out;
  // The hashes go with the strings where every sentence has them.
  bool anchors_hashed = true, cognates_hashed = true;
  for (const SentenceFeatures& f : sentences) {
    anchors_hashed = anchors_hashed && f.anchor_hashes.size() == f.anchors.size();
    cognates_hashed = cognates_hashed && f.cognate_hashes.size() == f.words.size();
    out.length += f.length;
    for (std::size_t k = 0; k < f.anchors.size(); ++k) {
      if (std::find(out.anchors.begin(), out.anchors.end(), f.anchors[k]) != out.anchors.end()) continue;
      out.anchors.push_back(f.anchors[k]);
      if (anchors_hashed) out.anchor_hashes.push_back(f.anchor_hashes[k]);
    }
    out.words.insert(out.words.end(), f.words.begin(), f.words.end());
    if (cognates_hashed) out.cognate_hashes.insert(out.cognate_hashes.end(), f.cognate_hashes.begin(), f.cognate_hashes.end());
  }
  // Otherwise each alignment call makes them.
  if (!anchors_hashed) out.anchor_hashes.clear();
  if (!cognates_hashed) out.cognate_hashes.clear();
  return out;
}

// The paragraphs and sentences of one version that take part in alignment:
// metadata is left out (it is aligned by nothing and stored by nobody).
struct Version {
  const Document* doc = nullptr;
  std::string lang;
  std::vector<std::size_t> paragraphs;          // content paragraphs, indices into doc->paragraphs
  std::vector<SentenceRef> sentences;           // all their sentences, in order
  std::vector<std::size_t> first_sentence;      // per content paragraph: index into `sentences`
  std::vector<SentenceFeatures> sentence_features;
  // Per content paragraph, made when a paragraph gap needs them (most
  // paragraphs are matched by label and never need them); the pivot's serve
  // every pair.
  mutable std::vector<SentenceFeatures> paragraph_features;
  mutable std::vector<char> paragraph_features_made;
  // The sentences' lexicon keys, made for the first pair and shared by the
  // next (the pivot is in every pair).
  mutable std::optional<LexiconKeys> lexicon_keys;

  const LexiconKeys& keys() const {
    if (!lexicon_keys) lexicon_keys = index_lexicon_keys(sentence_features);
    return *lexicon_keys;
  }

  // The features of content paragraphs [begin, end), made if not yet.
  std::span<const SentenceFeatures> paragraph_span(std::size_t begin, std::size_t end) const {
    for (std::size_t p = begin; p < end; ++p) {
      if (paragraph_features_made[p]) continue;
      paragraph_features[p] = merge_features({sentence_features.data() + first_sentence[p],
                                              first_sentence[p + 1] - first_sentence[p]});
      paragraph_features_made[p] = 1;
    }
    return {paragraph_features.data() + begin, end - begin};
  }
};

Version prepare(const Document& doc) {
  Version v;
  v.doc = &doc;
  v.lang = doc.lang;
  for (std::size_t p = 0; p < doc.paragraphs.size(); ++p) {
    const Paragraph& paragraph = doc.paragraphs[p];
    if (paragraph.kind == ParagraphKind::meta || paragraph.sentences.empty()) continue;
    v.first_sentence.push_back(v.sentences.size());
    v.paragraphs.push_back(p);
    for (std::size_t s = 0; s < paragraph.sentences.size(); ++s) {
      v.sentences.push_back({p, s});
      const Sentence& sentence = paragraph.sentences[s];
      v.sentence_features.push_back(sentence.key ? make_features_from_key(*sentence.key, doc.lang)
                                                 : make_features(sentence.text, doc.lang));
    }
  }
  v.first_sentence.push_back(v.sentences.size());
  v.paragraph_features.resize(v.paragraphs.size());
  v.paragraph_features_made.assign(v.paragraphs.size(), 0);
  return v;
}

const std::optional<std::string>& key_of(const Version& v, std::size_t content_paragraph) {
  return v.doc->paragraphs[v.paragraphs[content_paragraph]].key;
}

// Paragraphs matched by label key: the longest common subsequence of the two
// key sequences, so repeated keys ("(a)" under several paragraphs) pair up in
// order and a missing paragraph shifts nothing after it.
std::vector<std::pair<std::size_t, std::size_t>> match_labels(const Version& a, const Version& b) {
  std::vector<std::size_t> ka, kb;  // content paragraphs that have a key
  for (std::size_t i = 0; i < a.paragraphs.size(); ++i)
    if (key_of(a, i)) ka.push_back(i);
  for (std::size_t j = 0; j < b.paragraphs.size(); ++j)
    if (key_of(b, j)) kb.push_back(j);
  const std::size_t n = ka.size(), m = kb.size();
  if (n == 0 || m == 0) return {};
  // Keys are few (numbered paragraphs), so the quadratic table is small.
  std::vector<std::vector<std::uint32_t>> lcs(n + 1, std::vector<std::uint32_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      lcs[i][j] = *key_of(a, ka[i]) == *key_of(b, kb[j]) ? lcs[i + 1][j + 1] + 1
                                                          : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t i = 0, j = 0; i < n && j < m;) {
    if (*key_of(a, ka[i]) == *key_of(b, kb[j])) {
      out.emplace_back(ka[i], kb[j]);
      ++i;
      ++j;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

struct ParagraphGroup {
  std::vector<std::size_t> a;  // content paragraph indices
  std::vector<std::size_t> b;
  bool by_label = false;
};

// Paragraph groups: the label matches (`anchors`, from match_labels) as
// fixed 1-1 groups, a length-and-anchor alignment of the paragraphs between
// them.
std::vector<ParagraphGroup> align_paragraphs(const Version& a, const Version& b, const PairModel& model,
                                             const std::vector<std::pair<std::size_t, std::size_t>>& anchors) {
  std::vector<ParagraphGroup> groups;
  std::size_t ia = 0, ib = 0;
  auto align_gap = [&](std::size_t end_a, std::size_t end_b) {
    // With one side empty only the sizes matter (all 1-0 or 0-1 beads).
    const bool both = end_a > ia && end_b > ib;
    std::span<const SentenceFeatures> fa =
        both ? a.paragraph_span(ia, end_a) : std::span<const SentenceFeatures>(a.paragraph_features.data() + ia, end_a - ia);
    std::span<const SentenceFeatures> fb =
        both ? b.paragraph_span(ib, end_b) : std::span<const SentenceFeatures>(b.paragraph_features.data() + ib, end_b - ib);
    SentenceAlignOptions grouping;  // only the groups are kept, not their confidence
    grouping.confidence = false;
    if (both) {  // the paragraphs' sentences, whose lexicon keys the model kept
      grouping.src_sentences = std::span<const std::size_t>(a.first_sentence).subspan(ia, end_a - ia + 1);
      grouping.tgt_sentences = std::span<const std::size_t>(b.first_sentence).subspan(ib, end_b - ib + 1);
    }
    for (const Bead& bead : align_sentences(fa, fb, model, grouping)) {
      ParagraphGroup g;
      for (std::size_t k : bead.src) g.a.push_back(ia + k);
      for (std::size_t k : bead.tgt) g.b.push_back(ib + k);
      groups.push_back(std::move(g));
    }
    ia = end_a;
    ib = end_b;
  };
  for (const auto& [pa, pb] : anchors) {
    align_gap(pa, pb);
    groups.push_back({{pa}, {pb}, true});
    ia = pa + 1;
    ib = pb + 1;
  }
  align_gap(a.paragraphs.size(), b.paragraphs.size());
  return groups;
}

// A pairwise bead in global sentence indices of the two versions.
struct GlobalBead {
  std::vector<std::size_t> a;
  std::vector<std::size_t> b;
  double confidence = 0;
};

std::vector<GlobalBead> align_pair(const Version& a, const Version& b, PairSummary& summary) {
  const auto label_matches = match_labels(a, b);
  // The first pass keeps to the paragraphs matched by number, as the final
  // one does.
  PairModelOptions first_pass;
  first_pass.src_keys = &a.keys();
  first_pass.tgt_keys = &b.keys();
  for (const auto& [pa, pb] : label_matches)
    first_pass.blocks.push_back(
        {a.first_sentence[pa], a.first_sentence[pa + 1], b.first_sentence[pb], b.first_sentence[pb + 1]});
  PairModel model = estimate_pair_model(a.sentence_features, b.sentence_features, a.lang, b.lang, first_pass);
  summary.length_ratio = model.ratio;
  auto groups = align_paragraphs(a, b, model, label_matches);
  summary.paragraph_groups = groups.size();
  summary.label_anchors = label_matches.size();
  std::vector<GlobalBead> beads;
  for (const auto& g : groups) {
    // The sentences of a group are contiguous: its paragraphs are.
    auto range = [](const Version& v, const std::vector<std::size_t>& paragraphs) {
      if (paragraphs.empty()) return std::pair<std::size_t, std::size_t>{0, 0};
      return std::pair<std::size_t, std::size_t>{v.first_sentence[paragraphs.front()],
                                                 v.first_sentence[paragraphs.back() + 1]};
    };
    auto [a_begin, a_end] = range(a, g.a);
    auto [b_begin, b_end] = range(b, g.b);
    std::span<const SentenceFeatures> fa(a.sentence_features.data() + a_begin, a_end - a_begin);
    std::span<const SentenceFeatures> fb(b.sentence_features.data() + b_begin, b_end - b_begin);
    SentenceAlignOptions placed;  // runs of the sentences the model was estimated on
    placed.src_offset = a_begin;
    placed.tgt_offset = b_begin;
    for (const Bead& bead : align_sentences(fa, fb, model, placed)) {
      GlobalBead out;
      for (std::size_t k : bead.src) out.a.push_back(a_begin + k);
      for (std::size_t k : bead.tgt) out.b.push_back(b_begin + k);
      out.confidence = bead.confidence;
      beads.push_back(std::move(out));
    }
  }
  return beads;
}

// Union-find over pivot sentences: beads of different versions that share a
// pivot sentence end up in one unit.
struct DisjointSets {
  std::vector<std::size_t> parent;
  explicit DisjointSets(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  std::size_t find(std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void unite(std::size_t x, std::size_t y) {
    x = find(x);
    y = find(y);
    if (x != y) parent[std::max(x, y)] = std::min(x, y);
  }
};

std::size_t choose_pivot(const std::vector<Document>& versions, const DocumentAlignOptions& options) {
  auto find = [&](const std::string& lang) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < versions.size(); ++i)
      if (versions[i].lang == lang) return i;
    return std::nullopt;
  };
  if (options.pivot) {
    if (auto i = find(*options.pivot)) return *i;
    std::string langs;
    for (const auto& v : versions) langs += (langs.empty() ? "" : ", ") + v.lang;
    throw ArgumentError("pivot language " + *options.pivot + " is not among the versions (" + langs +
                        "). Give one of those, or leave the pivot out.");
  }
  // The original language, as any version states it.
  for (const auto& v : versions)
    if (v.properties.original_lang)
      if (auto i = find(*v.properties.original_lang)) return *i;
  if (auto i = find("en")) return *i;
  return 0;
}

bool joins_without_space(const std::string& lang) { return lang == "zh" || lang == "ja"; }

// Under this mean bead confidence two versions look like different documents.
constexpr double kSameDocumentConfidence = 0.65;

}  // namespace

DocumentAlignment align_documents(const std::vector<Document>& versions, const DocumentAlignOptions& options) {
  if (versions.size() < 2)
    throw ArgumentError("alignment needs at least two language versions of the document; got " +
                        std::to_string(versions.size()) + ".");
  for (std::size_t i = 0; i < versions.size(); ++i)
    for (std::size_t j = i + 1; j < versions.size(); ++j)
      if (versions[i].lang == versions[j].lang)
        throw ArgumentError("two versions are in the same language (" + versions[i].lang + "): " + versions[i].path +
                            " and " + versions[j].path + ". Give one file per language, or set --langs.");

  DocumentAlignment result;
  for (const auto& v : versions) result.langs.push_back(v.lang);
  result.pivot = choose_pivot(versions, options);

  std::vector<Version> prepared;
  prepared.reserve(versions.size());
  for (const auto& v : versions) prepared.push_back(prepare(v));
  const Version& pivot = prepared[result.pivot];

  // Pairwise alignments to the pivot.
  std::vector<std::vector<GlobalBead>> beads(versions.size());
  for (std::size_t v = 0; v < versions.size(); ++v) {
    if (v == result.pivot) continue;
    PairSummary summary;
    summary.lang = prepared[v].lang;
    beads[v] = align_pair(pivot, prepared[v], summary);
    summary.beads = beads[v].size();
    double total = 0;
    for (const auto& b : beads[v]) {
      total += b.confidence;
      if (b.confidence < options.low_confidence) ++summary.low_confidence;
    }
    summary.mean_confidence = beads[v].empty() ? 0 : total / double(beads[v].size());
    result.pairs.push_back(summary);
  }

  // Pivot sentences that any version keeps together form one unit.
  const std::size_t n_pivot = pivot.sentences.size();
  DisjointSets sets(n_pivot);
  for (const auto& version_beads : beads)
    for (const auto& b : version_beads)
      for (std::size_t k = 1; k < b.a.size(); ++k) sets.unite(b.a[0], b.a[k]);

  // Units by pivot component (components are runs of consecutive sentences,
  // since every version's beads are monotone).
  std::vector<std::size_t> unit_of(n_pivot);
  std::vector<AlignedUnit> pivot_units;
  for (std::size_t s = 0; s < n_pivot; ++s) {
    if (s == 0 || sets.find(s) != sets.find(s - 1)) {
      AlignedUnit u;
      u.sentences.resize(versions.size());
      u.confidence = 1.0;
      pivot_units.push_back(std::move(u));
    }
    unit_of[s] = pivot_units.size() - 1;
    pivot_units.back().sentences[result.pivot].push_back(pivot.sentences[s]);
  }
  // Sentences of a version with no pivot counterpart: units of their own,
  // placed after the pivot unit that precedes them.
  std::vector<std::vector<AlignedUnit>> insertions_after(pivot_units.size() + 1);  // [0] = before the first
  for (std::size_t v = 0; v < versions.size(); ++v) {
    if (v == result.pivot) continue;
    std::size_t slot = 0;  // insertion slot: 0 before any pivot unit, k+1 after unit k
    for (const auto& b : beads[v]) {
      if (!b.a.empty()) {
        AlignedUnit& u = pivot_units[unit_of[b.a[0]]];
        for (std::size_t k : b.b) u.sentences[v].push_back(prepared[v].sentences[k]);
        u.confidence = std::min(u.confidence, b.confidence);
        slot = unit_of[b.a.back()] + 1;
      } else if (!b.b.empty()) {
        AlignedUnit u;
        u.sentences.resize(versions.size());
        for (std::size_t k : b.b) u.sentences[v].push_back(prepared[v].sentences[k]);
        u.confidence = b.confidence;
        insertions_after[slot].push_back(std::move(u));
      }
    }
  }
  // The paragraph key of a unit: the pivot's, else the first version's.
  std::vector<std::size_t> key_order = {result.pivot};
  for (std::size_t v = 0; v < versions.size(); ++v)
    if (v != result.pivot) key_order.push_back(v);
  auto finish = [&](AlignedUnit&& u) {
    for (std::size_t v : key_order) {
      if (u.sentences[v].empty()) continue;
      u.paragraph_key = versions[v].paragraphs[u.sentences[v].front().paragraph].key;
      break;
    }
    u.low_confidence = u.confidence < options.low_confidence;
    result.units.push_back(std::move(u));
  };
  for (auto& u : insertions_after[0]) finish(std::move(u));
  for (std::size_t k = 0; k < pivot_units.size(); ++k) {
    finish(std::move(pivot_units[k]));
    for (auto& u : insertions_after[k + 1]) finish(std::move(u));
  }

  // Versions of different documents: few label keys in common, low confidence.
  const auto keyed = [](const Version& version) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < version.paragraphs.size(); ++i) n += key_of(version, i).has_value();
    return n;
  };
  const std::size_t keyed_pivot = keyed(pivot);
  for (std::size_t p = 0, v = 0; v < versions.size(); ++v) {
    if (v == result.pivot) continue;
    const PairSummary& s = result.pairs[p++];
    const std::size_t fewer = std::min(keyed_pivot, keyed(prepared[v]));
    const bool labels_disagree = fewer >= 3 && s.label_anchors * 2 < fewer;
    // Measured on unpc_sc: versions of one document average 0.71–0.99 (median
    // 0.96), versions of different documents 0.35–0.61 (median 0.49).
    const bool weak = s.beads > 0 && s.mean_confidence < kSameDocumentConfidence;
    if (labels_disagree || weak) {
      result.warnings.push_back(
          versions[v].path + " (" + s.lang + ") may not be a version of the same document as " +
          versions[result.pivot].path + " (" + pivot.lang + "): " + std::to_string(s.label_anchors) + " of " +
          std::to_string(fewer) + " paragraph numbers match, mean confidence " +
          std::to_string(s.mean_confidence).substr(0, 4) + ". Check that the files belong together.");
    }
  }
  return result;
}

std::string unit_text(const AlignedUnit& unit, std::size_t version, const Document& doc) {
  const bool tight = joins_without_space(doc.lang);
  std::string out;
  for (const SentenceRef& ref : unit.sentences[version]) {
    const Paragraph& p = doc.paragraphs[ref.paragraph];
    if (!out.empty() && !tight) out += ' ';
    if (ref.sentence == 0 && p.label) {
      out += *p.label;
      if (!tight) out += ' ';
    }
    out += p.sentences[ref.sentence].text;
  }
  return out;
}

}  // namespace untm
