// The hand-over from a batch's aligning threads to its single writer: a
// queue bounded both in items and in the bytes of input they stand for, so
// that aligned documents never pile up in memory, whatever the sets' sizes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <utility>

namespace untm {

// Producers wait in push() while the queue holds `capacity` items or
// admitting the item would pass `byte_capacity` bytes (`bytes_of(item)` each);
// an item is let into an empty queue whatever its size, so none waits
// forever. The consumer pops until every producer is done.
template <typename T, typename BytesOf>
class BoundedQueue {
 public:
  BoundedQueue(std::size_t capacity, std::size_t byte_capacity, std::size_t producers, BytesOf bytes_of = {})
      : capacity_(capacity), byte_capacity_(byte_capacity), producers_(producers), bytes_of_(std::move(bytes_of)) {}

  // Waits for room, then queues `item`. False when the queue was closed
  // (the consumer gave up): the item is dropped.
  bool push(T&& item) {
    const std::size_t bytes = bytes_of_(item);
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || admits_locked(bytes); });
    if (closed_) return false;
    bytes_ += bytes;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Whether push() would queue an item of `bytes` bytes now, without waiting.
  bool admits(std::size_t bytes) {
    std::lock_guard lock(mutex_);
    return admits_locked(bytes);
  }

  // One producer will push no more.
  void producer_done() {
    std::lock_guard lock(mutex_);
    --producers_;
    not_empty_.notify_all();
  }

  enum class Pop { item, timeout, finished };
  // The oldest item into `out`; `timeout` when none came within `wait`,
  // `finished` when the queue is empty and every producer is done.
  Pop pop(T& out, std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    if (!not_empty_.wait_for(lock, wait, [&] { return !items_.empty() || producers_ == 0; })) return Pop::timeout;
    if (items_.empty()) return Pop::finished;
    out = std::move(items_.front());
    items_.pop_front();
    bytes_ -= bytes_of_(out);
    not_full_.notify_all();  // a large item may have made several wait
    return Pop::item;
  }

  // The consumer gives up: waiting and later pushes return false.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_full_.notify_all();
  }

  std::size_t size() {
    std::lock_guard lock(mutex_);
    return items_.size();
  }
  std::size_t bytes() {
    std::lock_guard lock(mutex_);
    return bytes_;
  }

 private:
  bool admits_locked(std::size_t bytes) const {
    return items_.empty() || (items_.size() < capacity_ && bytes_ + bytes <= byte_capacity_);
  }

  std::mutex mutex_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  std::size_t capacity_;
  std::size_t byte_capacity_;
  std::size_t bytes_ = 0;  // the queued items' bytes
  std::size_t producers_;
  BytesOf bytes_of_;
  bool closed_ = false;
};

}  // namespace untm
