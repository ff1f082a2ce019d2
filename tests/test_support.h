// Helpers shared by the test files: paths, file reading, running the CLI.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace untm::test {

std::filesystem::path source_dir();
// ../shared beside the repository, or nothing when it is absent.
std::optional<std::filesystem::path> shared_dir();
std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& bytes);

// A fresh directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the untm binary built with the tests, with arguments already quoted
// for the shell.
CommandResult run_untm(const std::string& arguments);

// The message of the exception `f` throws, or "(no error)".
std::string error_of(const std::function<void()>& f);

// Quotes one argument for /bin/sh.
std::string shell_quote(const std::string& argument);

}  // namespace untm::test
