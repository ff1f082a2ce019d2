// Reading text files as UN documents really come: UTF-8 with or without BOM,
// UTF-16 LE/BE with BOM, any line ends. The result is UTF-8 in NFC with "\n"
// line ends; this "document text" is what every byte offset in untm refers to.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace untm {

struct ReadOptions {
  // Replace invalid bytes with U+FFFD instead of throwing EncodingError.
  bool lossy = false;
};

struct TextFile {
  std::string path;      // as given, for messages
  std::string text;      // UTF-8, NFC, "\n" line ends, no BOM
  std::string encoding;  // "UTF-8", "UTF-8 (BOM)", "UTF-16LE (BOM)", "UTF-16BE (BOM)"
  std::size_t replaced_count = 0;  // invalid sequences replaced (lossy mode)
};

// Decodes bytes already in memory; `path` is only used in messages.
// Throws InputError (empty, NUL/binary) or EncodingError (invalid bytes).
TextFile decode_text(std::string_view bytes, const std::string& path,
                     const ReadOptions& options = {});

// The file's bytes as they are on disk (what a file hash is of). Throws
// InputError if it cannot be read.
std::string read_file_bytes(const std::string& path);

// Reads and decodes a file. Throws InputError if it cannot be read.
TextFile read_text_file(const std::string& path,
                        const ReadOptions& options = {});

}  // namespace untm
