#pragma once
/// \file Closed forms of queueing theory, used to check the simulator and to give instant
/// estimates. Rates are per second, times in seconds.

#include <vector>

#include <Eigen/Dense>

namespace capsim::analytic {

/// Erlang B blocking probability for c servers and offered load a = lambda / mu (Erlangs).
double erlang_b(int c, double offered_load);
/// Erlang C: probability that an arrival waits in M/M/c, offered load a = lambda / mu < c.
double erlang_c(int c, double offered_load);

/// M/M/c with arrival rate lambda and per-server service rate mu (requires lambda < c mu).
struct MMc {
  double lambda;
  double mu;
  int c;
  double utilization() const;        ///< rho = lambda / (c mu)
  double wait_probability() const;   ///< Erlang C
  double mean_wait() const;          ///< Wq
  double mean_sojourn() const;       ///< W = Wq + 1/mu
  double mean_queue_length() const;  ///< Lq
  double mean_in_system() const;     ///< L
  /// P(sojourn > t), exact (hypoexponential mix of the wait and the service).
  double sojourn_survival(double t) const;
  /// The q-quantile of the sojourn time, by bisection on sojourn_survival.
  double sojourn_quantile(double q) const;
  /// The q-quantile of the waiting time in queue (0 when q <= 1 - Erlang C).
  double wait_quantile(double q) const;
};

/// M/M/c/K (K = capacity in system, K >= c): probability an arrival is blocked, and mean sojourn of
/// admitted customers.
struct MMcK {
  double lambda;
  double mu;
  int c;
  int k;
  double blocking_probability() const;
  double mean_in_system() const;
  double mean_sojourn() const;  ///< of admitted customers (Little's law with lambda (1 - P_K))
};

/// Pollaczek-Khinchine mean waiting time in M/G/1 with service mean `mean_s` and squared
/// coefficient of variation `scv` (requires lambda mean_s < 1).
double mg1_mean_wait(double lambda, double mean_s, double scv);
/// M/G/1 mean sojourn = P-K wait + mean service.
double mg1_mean_sojourn(double lambda, double mean_s, double scv);

/// Open Jackson network: stations with external arrival rates `external` (per station), routing
/// matrix `routing(i, j)` = probability a job leaving i goes to j, solved with Eigen.
/// Returns the total arrival rate at every station (the traffic equations lambda = a + R^T lambda).
Eigen::VectorXd jackson_arrival_rates(const Eigen::VectorXd& external,
                                      const Eigen::MatrixXd& routing);

/// Exact Mean Value Analysis of a closed, single-class product-form network.
struct MvaResult {
  double throughput;                   ///< X, per second
  double response_time;                ///< R = sum of residence times (excluding think time)
  std::vector<double> residence_time;  ///< per station
  std::vector<double> queue_length;    ///< per station, mean number present
};
/// Stations are single-server queueing (FCFS exponential or PS) unless `servers[i]` > 1, handled
/// with the exact load-dependent multi-server recursion; `demand[i]` = visits x mean service time
/// (seconds), `think_s` the delay (think) time, `users` the population N >= 0.
MvaResult mva(const std::vector<double>& demand, const std::vector<int>& servers, double think_s,
              int users);

}  // namespace capsim::analytic
