// Splitting a batch across machines: shard K of N takes the document sets
// whose key hashes to K. The hash is fixed (FNV-1a, 64 bits), so every
// machine, run and untm version agrees on the partition.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace untm {

struct Shard {
  unsigned index = 1;  // K, 1-based
  unsigned count = 1;  // N
};

// Parses "K/N" (1 ≤ K ≤ N). Throws ArgumentError naming the text and the
// expected form.
Shard parse_shard(std::string_view text);

// FNV-1a (64-bit) of the key's bytes.
std::uint64_t shard_hash(std::string_view key);

// True when the set with this key belongs to the shard.
bool in_shard(std::string_view key, const Shard& shard);

}  // namespace untm
