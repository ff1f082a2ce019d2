// The batch's hand-over from the aligning threads to the writer: bounded in
// items and in the input bytes they stand for (batch/bounded_queue.h).
#include "batch/bounded_queue.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <thread>

namespace {

struct Item {
  std::size_t bytes = 0;
  int id = 0;
};
struct ItemBytes {
  std::size_t operator()(const Item& item) const { return item.bytes; }
};
using Queue = untm::BoundedQueue<Item, ItemBytes>;
constexpr auto kNoWait = std::chrono::milliseconds(0);

}  // namespace

TEST_CASE("bounded queue: items are admitted up to the count and the byte bound", "[batch]") {
  Queue queue(3, 100, 1);
  CHECK(queue.admits(1000));  // empty: any one item, whatever its size
  REQUIRE(queue.push({60, 1}));
  CHECK(queue.admits(40));
  CHECK_FALSE(queue.admits(41));  // 60 + 41 > 100
  REQUIRE(queue.push({40, 2}));
  CHECK(queue.bytes() == 100);
  CHECK(queue.admits(0));  // a third item of no bytes fits the count
  REQUIRE(queue.push({0, 3}));
  CHECK_FALSE(queue.admits(0));  // the count is reached
  CHECK(queue.size() == 3);

  Item out;
  REQUIRE(queue.pop(out, kNoWait) == Queue::Pop::item);
  CHECK(out.id == 1);  // first in, first out
  CHECK(queue.bytes() == 40);
  CHECK(queue.admits(60));
  CHECK_FALSE(queue.admits(61));
}

TEST_CASE("bounded queue: an oversized item waits for an empty queue, then goes in alone", "[batch]") {
  Queue queue(8, 100, 1);
  REQUIRE(queue.push({10, 1}));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    queue.push({500, 2});  // more than the whole bound
    pushed = true;
  });
  // It cannot go in while item 1 is there (a correct queue never lets it;
  // the wait only gives a wrong one the time to show it).
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_FALSE(pushed);
  Item out;
  REQUIRE(queue.pop(out, kNoWait) == Queue::Pop::item);
  CHECK(out.id == 1);
  producer.join();
  CHECK(pushed);
  CHECK(queue.bytes() == 500);
  CHECK_FALSE(queue.admits(1));
}

TEST_CASE("bounded queue: closing releases a waiting producer, and pop ends with the producers", "[batch]") {
  Queue queue(1, 100, 2);
  REQUIRE(queue.push({1, 1}));
  std::atomic<int> result{-1};
  std::thread producer([&] { result = queue.push({1, 2}) ? 1 : 0; });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(result == -1);  // waiting: the queue holds its one item
  queue.close();
  producer.join();
  CHECK(result == 0);  // told the consumer gave up; the item was dropped
  CHECK_FALSE(queue.push({1, 3}));

  Item out;
  REQUIRE(queue.pop(out, kNoWait) == Queue::Pop::item);
  CHECK(queue.pop(out, kNoWait) == Queue::Pop::timeout);  // empty, producers still running
  queue.producer_done();
  CHECK(queue.pop(out, kNoWait) == Queue::Pop::timeout);
  queue.producer_done();
  CHECK(queue.pop(out, kNoWait) == Queue::Pop::finished);
}
