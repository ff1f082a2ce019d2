// Main of the tests on ../shared data. Without ../shared (a user's clone)
// they are skipped: exit code 77, which ctest reports as "Skipped". In CI
// (CI=true) ../shared must be there, so its absence fails.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>

#include "tests/test_support.h"

int main(int argc, char** argv) {
  if (!untm::test::shared_dir()) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") {
      std::fprintf(stderr, "FAILED: ../shared is missing beside %s, and CI must have it.\n",
                   untm::test::source_dir().c_str());
      return 1;
    }
    std::printf("Skipped: ../shared not found beside %s; these tests use its real UN corpora.\n",
                untm::test::source_dir().c_str());
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
