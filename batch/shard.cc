#include "batch/shard.h"

#include <charconv>

#include "aligner/errors.h"

namespace untm {

Shard parse_shard(std::string_view text) {
  const auto fail = [&] {
    return ArgumentError("--shard " + std::string(text) +
                         ": give K/N with 1 <= K <= N, e.g. --shard 3/8 for the third of eight shards.");
  };
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) throw fail();
  Shard shard;
  const auto parse = [&](std::string_view part, unsigned& out) {
    if (part.empty()) throw fail();
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    if (ec != std::errc() || end != part.data() + part.size()) throw fail();
  };
  parse(text.substr(0, slash), shard.index);
  parse(text.substr(slash + 1), shard.count);
  if (shard.count == 0 || shard.index == 0 || shard.index > shard.count) throw fail();
  return shard;
}

std::uint64_t shard_hash(std::string_view key) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : key) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

bool in_shard(std::string_view key, const Shard& shard) {
  return shard_hash(key) % shard.count == shard.index - 1;
}

}  // namespace untm
