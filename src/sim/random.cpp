#include "capsim/sim/random.hpp"

namespace capsim::sim {

namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char ch : text) {
    h ^= ch;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t replication, std::string_view name) {
  std::uint64_t h = splitmix64(seed);
  h = splitmix64(h ^ splitmix64(replication + 0x632be59bd9b4e019ULL));
  return splitmix64(h ^ fnv1a(name));
}

}  // namespace capsim::sim
