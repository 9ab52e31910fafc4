#pragma once
/// \file Pooled runtime objects (jobs, calls) and references to them that detect reuse.

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

namespace capsim::net {

/// "No index": no replica, no service, no job.
inline constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();

/// A reference to a pooled object that detects reuse of its slot.
struct Ref {
  std::uint32_t index = kNone;
  std::uint32_t generation = 0;
  std::uint64_t pack() const { return (static_cast<std::uint64_t>(generation) << 32) | index; }
  static Ref unpack(std::uint64_t v) {
    return Ref{static_cast<std::uint32_t>(v & 0xffffffffu), static_cast<std::uint32_t>(v >> 32)};
  }
};

/// Two 32-bit indices in an event's data word (service and replica, workload and user, ...).
struct Pair {
  std::uint32_t first = 0;
  std::uint32_t second = 0;
  std::uint64_t pack() const { return (static_cast<std::uint64_t>(first) << 32) | second; }
  static Pair unpack(std::uint64_t v) {
    return Pair{static_cast<std::uint32_t>(v >> 32), static_cast<std::uint32_t>(v & 0xffffffffu)};
  }
};

/// Objects recycled through a free list, stored in fixed-size chunks so that references stay
/// valid while the pool grows. Once warm, acquiring and releasing allocate nothing. T has
/// `generation` and `next_free` members.
template <class T>
class Pool {
 public:
  Ref acquire() {
    std::uint32_t i;
    if (free_ != kNone) {
      i = free_;
      free_ = (*this)[i].next_free;
    } else {
      i = size_++;
      if ((i >> kChunkBits) >= chunks_.size()) chunks_.push_back(std::make_unique<T[]>(kChunk));
    }
    T& item = (*this)[i];
    const std::uint32_t generation = item.generation;
    item = T{};
    item.generation = generation;
    return Ref{i, generation};
  }
  void release(std::uint32_t i) {
    T& item = (*this)[i];
    if (++item.generation == 0) item.generation = 1;
    item.next_free = free_;
    free_ = i;
  }
  /// The object `r` names, or null when its slot has been released (and perhaps reused).
  T* get(Ref r) {
    if (r.index >= size_) return nullptr;
    T& item = (*this)[r.index];
    return item.generation == r.generation ? &item : nullptr;
  }
  const T* get(Ref r) const {
    if (r.index >= size_) return nullptr;
    const T& item = (*this)[r.index];
    return item.generation == r.generation ? &item : nullptr;
  }
  T& operator[](std::uint32_t i) { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
  const T& operator[](std::uint32_t i) const { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
  /// One past the highest index ever acquired (for scans).
  std::uint32_t extent() const { return size_; }

 private:
  static constexpr std::uint32_t kChunkBits = 10;
  static constexpr std::uint32_t kChunk = 1u << kChunkBits;
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::uint32_t size_ = 0;
  std::uint32_t free_ = kNone;
};

}  // namespace capsim::net
