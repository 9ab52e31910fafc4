#pragma once
/// \file Workloads: where requests come from. Open workloads arrive by a rate profile (thinned
/// Poisson) or an interarrival distribution; closed workloads are virtual users who send, wait
/// for the answer, think, and send again, their number following a profile (k6 ramping-vus).
/// The component schedules arrivals and users' sends and says what to send; the coordinator
/// starts the call.

#include <cstdint>
#include <optional>
#include <vector>

#include "calls.hpp"
#include "capsim/dist/distribution.hpp"
#include "capsim/model/spec.hpp"
#include "capsim/net/cache_store.hpp"
#include "capsim/sim/random.hpp"
#include "clock.hpp"
#include "program.hpp"
#include "statistics.hpp"

namespace capsim::net {

class Workloads {
 public:
  Workloads(Clock& clock, Statistics& stats, const model::Spec& spec, std::uint64_t replication)
      : clock_(clock), stats_(stats), spec_(spec), replication_(replication) {}
  /// Resolves targets and endpoints and registers each workload's client policy.
  void build(Calls& calls);

  /// Clients of every workload together: workload w's are numbered after those of 0..w-1.
  static std::uint32_t client_count(const model::Spec& spec);

  /// Schedules the first arrival (open) or sets the first user level (closed).
  void start(std::uint32_t w);
  /// The next request of workload `w` (from `user`, or kNone for open workloads).
  CallRequest next_request(std::uint32_t w, std::uint32_t user);
  /// Schedules an open workload's next arrival.
  void schedule_next_arrival(std::uint32_t w);
  /// Event::user_send: the user's request to send, if it is still active and idle.
  std::optional<CallRequest> user_send(Pair who);
  /// Event::users_change, and the first level: users [0, level) are active.
  void set_user_level(std::uint32_t w, long level);
  /// A client request ended: counted, and a closed workload's user thinks, then sends again.
  void done(std::uint32_t w, std::uint32_t user, Outcome outcome, std::uint32_t attempts,
            double latency_s);

 private:
  struct User {
    bool active = false;
    bool busy = false;
    sim::EventId think_event;
  };
  struct Workload {
    const model::WorkloadSpec* spec = nullptr;
    std::uint32_t target = kNone;
    std::vector<std::uint32_t> endpoints;
    std::vector<double> mix_cumulative;
    sim::RandomStream arrival_rng, mix_rng, think_rng;
    std::uint64_t request_keys = 0;     // the key of the workload's requests: derive(it, n)
    std::optional<KeySampler> clients;  // workloads with `clients`
    std::uint32_t first_client = 0;     // its clients are first_client + [0, count)
    std::uint64_t sent = 0;
    std::optional<dist::Distribution> interarrival;
    double interarrival_scale = 1.0;
    dist::Distribution think;
    Policy policy;
    std::vector<User> users;
    long user_level = 0;
  };

  Clock& clock_;
  Statistics& stats_;
  const model::Spec& spec_;
  std::uint64_t replication_;
  std::vector<Workload> workloads_;
};

}  // namespace capsim::net
