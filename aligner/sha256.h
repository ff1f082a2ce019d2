// SHA-256 (FIPS 180-4) of file contents: the TM records each language
// version's hash so batches can skip unchanged document sets. Written here
// because none of the approved dependencies exposes a hash (ICU and SQLite
// do not); tests check it against the NIST test vectors.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace untm {

class Sha256 {
 public:
  // How blocks are compressed: with the processor's SHA extensions where it
  // has them (x86-64 SHA-NI: about 6 times faster, the batch hashes every
  // input file), else in portable C++. Both give the same digests; tests
  // run both.
  enum class Engine { automatic, portable };
  explicit Sha256(Engine engine = Engine::automatic);
  void update(std::string_view bytes);
  // The digest; the object must not be updated afterwards.
  std::array<std::uint8_t, 32> finish();
  // Whether Engine::automatic uses the SHA extensions on this machine.
  static bool hardware_available();

 private:
  void compress(const std::uint8_t* block, std::size_t blocks);
  bool hardware_;
  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

// Lower-case hex of the SHA-256 of `bytes` (64 characters).
std::string sha256_hex(std::string_view bytes);

}  // namespace untm
