#pragma once
// Internal to the analysis (not installed): the queue one visit of a work step joins
// (station_queue.cpp): Erlang C, Pollaczek-Khinchine, Allen-Cunneen or processor sharing.

namespace capsim::analytic::detail {

/// The queue one visit of a work step joins.
struct Queue {
  bool valid = false;
  double lambda = 0.0;  // arrivals to one queue
  double mean_s = 0.0;  // per visit
  int servers = 1;
  double scv = 1.0;
  bool ps = false;
  double wait_s = 0.0;  // mean wait per visit (ps: sojourn - mean)
  double wait_probability = 0.0;
};

/// The queue of `servers` with Poisson arrivals `lambda` and work of mean `mean_s` and squared
/// coefficient of variation `scv` (processor sharing when `ps`); invalid when unstable.
Queue make_queue(double lambda, double mean_s, int servers, double scv, bool ps);

}  // namespace capsim::analytic::detail
