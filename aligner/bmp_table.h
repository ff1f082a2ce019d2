// A property of every Basic Multilingual Plane code point, computed on
// first use by a function (usually a few ICU calls) and then read with one
// load. Hot loops over text (matching keys, NFC checks, character classes)
// call ICU several times per character; most texts use a few hundred
// distinct characters, so caching per code point makes those loops several
// times faster.
//
// The table is filled one page of 256 code points at a time, so a process
// pays only for the scripts it meets (a page costs microseconds). Safe to
// share between threads: a page is published with release/acquire, and
// when two threads fill the same page at once one copy is dropped.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>

namespace untm {

template <typename T>
class BmpTable {
 public:
  using Compute = T (*)(char32_t);
  static constexpr char32_t kEnd = 0x10000;  // code points below are cached

  // constexpr: a table at namespace scope is constant-initialized (constinit),
  // so readers need no guard for a function-local static.
  explicit constexpr BmpTable(Compute compute) : compute_(compute) {}
  ~BmpTable() {
    for (auto& page : pages_) delete page.load(std::memory_order_acquire);
  }
  BmpTable(const BmpTable&) = delete;
  BmpTable& operator=(const BmpTable&) = delete;

  // The value for `c`, which must be below kEnd.
  const T& operator[](char32_t c) const {
    const Page* page = pages_[c >> 8].load(std::memory_order_acquire);
    if (page == nullptr) page = fill(c >> 8);
    return page->values[c & 0xFF];
  }

 private:
  struct Page {
    T values[256];
  };

  const Page* fill(char32_t page_index) const {
    auto page = std::make_unique<Page>();
    for (char32_t low = 0; low < 256; ++low) page->values[low] = compute_((page_index << 8) | low);
    Page* expected = nullptr;
    if (pages_[page_index].compare_exchange_strong(expected, page.get(), std::memory_order_acq_rel,
                                                   std::memory_order_acquire))
      return page.release();
    return expected;  // another thread was first; its page is the same
  }

  Compute compute_;
  mutable std::array<std::atomic<Page*>, 256> pages_{};
};

}  // namespace untm
