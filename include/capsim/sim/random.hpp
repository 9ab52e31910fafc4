#pragma once
/// \file Named, seeded random streams (rule 3 of docs/architecture.md).

#include <boost/random/mersenne_twister.hpp>
#include <cstdint>
#include <string_view>

namespace capsim::sim {

/// 64-bit seed for the stream named `name` of replication `replication` of a run seeded with
/// `seed`: a SplitMix64 mix of the three, the name hashed with FNV-1a. Adding a stream never shifts
/// another stream's draws, and the same (seed, replication, name) always gives the same stream.
std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t replication, std::string_view name);

/// One independent stream of random numbers (a Boost.Random mt19937_64 engine).
class RandomStream {
 public:
  using Engine = boost::random::mt19937_64;

  RandomStream() : engine_(0) {}
  explicit RandomStream(std::uint64_t seed) : engine_(seed) {}
  RandomStream(std::uint64_t seed, std::uint64_t replication, std::string_view name)
      : engine_(stream_seed(seed, replication, name)) {}

  /// Uniform on the open interval (0, 1): never exactly 0 or 1, so log(u) is always finite.
  double uniform01() {
    // 53 random bits, shifted by half an ulp away from 0.
    return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53;
  }
  /// Uniform integer in [0, n), n >= 1 (Lemire's multiply-shift; bias below 2^-64 * n).
  std::uint64_t below(std::uint64_t n) {
    __extension__ using U128 = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<U128>(engine_()) * n) >> 64);
  }
  Engine& engine() { return engine_; }

 private:
  Engine engine_;
};

}  // namespace capsim::sim
