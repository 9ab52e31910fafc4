/// \file The queue of one station of the analysis (station_queue.hpp).

#include "station_queue.hpp"

#include "capsim/analytic/queueing.hpp"

namespace capsim::analytic::detail {

Queue make_queue(double lambda, double mean_s, int servers, double scv, bool ps) {
  Queue q;
  q.lambda = lambda;
  q.mean_s = mean_s;
  q.servers = servers;
  q.scv = scv;
  q.ps = ps;
  if (lambda <= 0.0 || mean_s <= 0.0) {
    q.valid = true;
    return q;
  }
  if (lambda * mean_s >= servers) return q;  // unstable
  const MMc mmc{lambda, 1.0 / mean_s, servers};
  q.wait_probability = mmc.wait_probability();
  if (ps) {
    // Processor sharing on c cores: the population is that of M/M/c whatever the work's
    // distribution (a symmetric queue), so the mean sojourn is L / lambda.
    q.wait_s = mmc.mean_in_system() / lambda - mean_s;
  } else if (servers == 1) {
    q.wait_s = mg1_mean_wait(lambda, mean_s, scv);  // Pollaczek-Khinchine, exact for M/G/1
  } else {
    q.wait_s = mmc.mean_wait() * (1.0 + scv) / 2.0;  // Allen-Cunneen (exact when scv = 1)
  }
  q.valid = true;
  return q;
}

}  // namespace capsim::analytic::detail
