// SHA-256 against the NIST test vectors (FIPS 180-4 examples and the
// "one million a" vector), lengths around the padding boundary and a file
// hashed by coreutils' sha256sum.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "aligner/sha256.h"
#include "tests/test_support.h"

using namespace untm;

namespace {

std::string hex(const std::array<std::uint8_t, 32>& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (auto b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace

TEST_CASE("sha256: NIST test vectors") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // 448 bits: the padding needs a second block.
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // 896 bits.
  CHECK(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                   "mnopqrstnopqrstu") == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST_CASE("sha256: one million 'a' fed in uneven chunks") {
  const std::string million(1000000, 'a');
  Sha256 hash;
  std::size_t pos = 0;
  // Chunk sizes 1, 2, …, 130 then again: they cross block boundaries at
  // every offset.
  for (std::size_t chunk = 1; pos < million.size(); chunk = chunk % 130 + 1) {
    const std::size_t n = std::min(chunk, million.size() - pos);
    hash.update(std::string_view(million).substr(pos, n));
    pos += n;
  }
  CHECK(hex(hash.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(sha256_hex(million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256: lengths around the padding boundary (references from sha256sum)") {
  // printf 'a%.0s' $(seq N) | sha256sum
  const std::pair<std::size_t, const char*> cases[] = {
      {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
      {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
      {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
      {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
      {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
      {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
      {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
  };
  for (const auto& [length, expected] : cases) {
    INFO("length " << length);
    CHECK(sha256_hex(std::string(length, 'a')) == expected);
  }
}

TEST_CASE("sha256: chunked updates equal one shot at every split point") {
  std::string input;
  for (int i = 0; i < 200; ++i) input += static_cast<char>((i * 37 + 11) & 0xff);  // all byte values mixed
  const std::string one_shot = sha256_hex(input);
  for (std::size_t split = 0; split <= input.size(); ++split) {
    INFO("split at " << split);
    Sha256 two;
    two.update(std::string_view(input).substr(0, split));
    two.update(std::string_view(input).substr(split));
    CHECK(hex(two.finish()) == one_shot);
    // An empty update in between changes nothing.
    Sha256 three;
    three.update(std::string_view(input).substr(0, split));
    three.update("");
    three.update(std::string_view(input).substr(split));
    CHECK(hex(three.finish()) == one_shot);
  }
}

TEST_CASE("sha256: a file hashed as sha256sum hashes it") {
  // sha256sum corpora/libya-contact-group-2011/zh.txt (coreutils 9.1).
  const std::string bytes = untm::test::read_file(untm::test::source_dir() / "corpora" / "libya-contact-group-2011" / "zh.txt");
  CHECK(sha256_hex(bytes) == "7806a9ca3c410c31e5ddf6e81a2c73e06f130179547ca48b2cf948e4e7f75174");
}

TEST_CASE("sha256: the portable and the hardware engine agree") {
  // The tests above use Engine::automatic: the SHA extensions where the
  // machine has them. Here the portable engine is checked against it on
  // the NIST vectors and on mixed inputs of every length up to 300 bytes
  // (1 to 5 blocks, every padding case), fed whole and in pieces.
  INFO("SHA extensions on this machine: " << (Sha256::hardware_available() ? "yes" : "no"));
#if defined(__x86_64__) && defined(__linux__)
  // The automatic engine is the hardware one exactly where the kernel
  // reports the extensions (else the comparisons below compare the portable
  // engine with itself).
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line) && !line.starts_with("flags")) {
  }
  if (line.starts_with("flags")) {
    const auto has = [&](const std::string& flag) { return (line + " ").find(" " + flag + " ") != std::string::npos; };
    CHECK(Sha256::hardware_available() == (has("sha_ni") && has("sse4_1") && has("ssse3")));
  } else {
    WARN("no flags line in /proc/cpuinfo: which engine runs is not checked");
  }
#endif
  const auto digest = [](Sha256::Engine engine, std::string_view bytes, std::size_t piece) {
    Sha256 hash(engine);
    for (std::size_t pos = 0; pos < bytes.size(); pos += piece) hash.update(bytes.substr(pos, piece));
    return hex(hash.finish());
  };
  CHECK(digest(Sha256::Engine::portable, "abc", 3) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(digest(Sha256::Engine::portable, std::string(1000000, 'a'), 4096) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  std::string input;
  for (int i = 0; i < 300; ++i) input += static_cast<char>((i * 131 + 7) & 0xff);
  for (std::size_t length = 0; length <= input.size(); ++length) {
    INFO("length " << length);
    const std::string_view bytes = std::string_view(input).substr(0, length);
    const std::string portable = digest(Sha256::Engine::portable, bytes, 1000);
    CHECK(digest(Sha256::Engine::automatic, bytes, 1000) == portable);
    CHECK(digest(Sha256::Engine::automatic, bytes, 7) == portable);
    CHECK(digest(Sha256::Engine::portable, bytes, 64) == portable);
  }
}
