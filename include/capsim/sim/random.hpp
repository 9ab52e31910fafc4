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

/// SplitMix64's finaliser: a bijective 64-bit mix with full avalanche.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
/// A key derived from a parent key and a small label (a sequence number, a step index, an
/// attempt): distinct labels give unrelated keys.
constexpr std::uint64_t derive_key(std::uint64_t parent, std::uint64_t label) {
  return mix64(parent ^ mix64(label + 0x9E3779B97F4A7C15ULL));
}

/// A tiny random generator keyed by one 64-bit value (SplitMix64 from that state): cheap to make
/// per draw, for draws that belong to one request rather than to a stream's order. Capsim keys
/// each request's draws by the request (see docs/engine.md, "Common random numbers"), so that
/// variants of a model give the same request the same service times even when the order in
/// which requests start work differs (another balancer, another replica count).
class KeyedRandom {
 public:
  using result_type = std::uint64_t;
  explicit KeyedRandom(std::uint64_t key) : state_(key) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return UINT64_MAX; }
  result_type operator()() {
    state_ += 0x9E3779B97F4A7C15ULL;
    return mix64(state_);
  }
  /// Uniform on the open interval (0, 1), as RandomStream::uniform01.
  double uniform01() { return (static_cast<double>((*this)() >> 11) + 0.5) * 0x1.0p-53; }
  /// Uniform integer in [0, n), n >= 1.
  std::uint64_t below(std::uint64_t n) {
    __extension__ using U128 = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<U128>((*this)()) * n) >> 64);
  }
  KeyedRandom& engine() { return *this; }

 private:
  std::uint64_t state_;
};

}  // namespace capsim::sim
