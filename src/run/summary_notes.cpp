// The `!` lines of the terminal summary (summary_notes.hpp).

#include "summary_notes.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace capsim::run {

namespace {

/// Errors at or above this fraction make the latency columns worth a caveat.
constexpr double kSignificantErrorRate = 0.01;

/// The mean over replications of metric `name`, when it was defined in some.
std::optional<double> defined_mean(const Results& r, const std::string& name) {
  const MergedMetric* m = r.find(name);
  if (m == nullptr || m->estimate.n == 0 || !std::isfinite(m->estimate.mean)) return {};
  return m->estimate.mean;
}

/// `v` with `digits` decimals.
std::string fixed(double v, int digits) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits) << v;
  return out.str();
}

}  // namespace

std::vector<std::string> reading_notes(const Results& r, const std::string& workload) {
  std::vector<std::string> notes;
  const std::string p = "workloads." + workload + ".";
  const auto mean = [&](const std::string& name) { return defined_mean(r, p + name); };
  const auto pct = [](double f) { return fixed(f * 100.0, 2) + '%'; };
  if (const auto errors = mean("error_rate"); errors && *errors >= kSignificantErrorRate) {
    // By kind, largest first: a 429 from a rate limit asks for another remedy than a 5xx.
    std::vector<std::pair<double, std::string>> kinds;
    for (const auto& [name, label] :
         {std::pair{"timeout", "timed out"}, std::pair{"rejected", "rejected (503)"},
          std::pair{"rate_limited", "rate limited (429)"},
          std::pair{"circuit_open", "circuit open"}, std::pair{"error", "errors (5xx)"},
          std::pair{"throttled", "throttled"}}) {
      const auto share = mean(std::string("errors.") + name);
      if (share && *share > 0.0) kinds.emplace_back(*share, label);
    }
    std::stable_sort(kinds.begin(), kinds.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::string by_kind;
    for (const auto& [share, label] : kinds) {
      by_kind += (by_kind.empty() ? " (" : ", ") + label + " " + pct(share);
    }
    if (!by_kind.empty()) by_kind += ")";
    if (mean("latency_ms.p50")) {
      notes.push_back(workload + ": " + pct(*errors) + " of requests failed" + by_kind +
                      "; the latency columns cover the successful " + pct(1.0 - *errors) + " only");
    } else {
      notes.push_back(workload + ": no request succeeded" + by_kind +
                      "; its latencies are undefined (-)");
    }
  }
  const auto offered = mean("offered_rps");
  const auto done = mean("throughput_rps");
  if (!mean("error_rate") && offered && *offered > 0.0 && done && *done == 0.0) {
    // No request ended in the measured time: every column but offered/s is undefined, and the
    // error note above cannot say so (no request failed either).
    notes.push_back(workload + ": no request finished in the measured time; they are all still " +
                    "queued or in flight (a service far past its capacity, or a run shorter " +
                    "than one request), so errors and latencies are undefined (-)");
  }
  if (offered && done && *offered > 0.0 && *done > *offered * 1.01) {
    std::ostringstream out;
    out << workload << ": done/s is above offered/s: it counts the requests that finished in the "
        << "measured time, some sent before the warm-up ended (a backlog";
    if (const auto attempts = mean("attempts_per_request"); attempts && *attempts > 1.0) {
      out << ", kept alive by retries: " << std::fixed << std::setprecision(2) << *attempts
          << " attempts per request";
    }
    out << "); it is not capacity beyond the load";
    notes.push_back(out.str());
  }
  return notes;
}

std::vector<std::string> mechanism_notes(const Results& r, const std::string& service) {
  std::vector<std::string> notes;
  const std::string at = "services." + service + ".";
  const auto mean = [&](const std::string& name) { return defined_mean(r, at + name); };
  // Connection pools: services.S.pools.P.*, P the callee.
  std::vector<std::string> pools;
  for (const MergedMetric& m : r.metrics) {
    if (m.path.size() == 5 && m.path[0] == "services" && m.path[1] == service &&
        m.path[2] == "pools" && m.path[4] == "timeout_rate" &&
        std::find(pools.begin(), pools.end(), m.path[3]) == pools.end()) {
      pools.push_back(m.path[3]);
    }
  }
  for (const std::string& pool : pools) {
    const std::string p = "pools." + pool + ".";
    const double timeouts = mean(p + "timeout_rate").value_or(0.0);
    const double refused = mean(p + "refused_rate").value_or(0.0);
    if (timeouts < kSignificantErrorRate && refused < kSignificantErrorRate) continue;
    std::string note = service + ": its connection pool to " + pool + " failed " +
                       fixed((timeouts + refused) * 100.0, 2) + "% of the calls that asked it (";
    if (timeouts >= kSignificantErrorRate) {
      note += "timed out waiting " + fixed(timeouts * 100.0, 2) + "%";
      if (const auto wait = mean(p + "wait_ms.mean")) {
        // wait_ms is over the calls that got a connection, not the ones that timed out.
        note += "; the calls that got one waited " + fixed(*wait, 0) + " ms on average";
      }
      const auto in_use = mean(p + "in_use");
      const auto open = mean(p + "open");
      if (in_use && open) {
        note += " with " + fixed(*in_use, 1) + " of " + fixed(*open, 1) + " open connections busy";
      }
    }
    if (refused >= kSignificantErrorRate) {
      if (timeouts >= kSignificantErrorRate) note += "; ";
      note += "refused " + fixed(refused * 100.0, 2) + "%: " + pool + "'s max_connections";
    }
    note += "): those calls fail without reaching " + pool +
            ", whose own utilisation does not show them (services." + service + ".pools." + pool +
            ".*)";
    notes.push_back(std::move(note));
  }
  // Refusals before any work: no utilisation or queue of the service shows them, and its
  // callers see failed calls (an upstream 5xx unless they retry or fall back).
  if (const auto limited = mean("rate_limited"); limited && *limited >= kSignificantErrorRate) {
    notes.push_back(service + ": its rate limit refused " + fixed(*limited * 100.0, 2) +
                    "% of its arrivals (429), before any work: its callers see failed calls "
                    "that its utilisation does not show (services." +
                    service + ".rate_limited)");
  }
  if (const auto throttled = mean("capacity_units.throttled");
      throttled && *throttled >= kSignificantErrorRate) {
    notes.push_back(service + ": its capacity units throttled " + fixed(*throttled * 100.0, 2) +
                    "% of its arrivals, before any work: its callers see failed calls that its "
                    "utilisation does not show (services." +
                    service + ".capacity_units.throttled, docs/capacity-units.md)");
  }
  // A queue (kind "queue"): a backlog that grows to the end, messages refused or dead-lettered.
  // None of them fails a request: the senders' calls succeeded when the broker stored them.
  if (const auto end = mean("queue.backlog.end"); end && *end >= 100.0) {
    const double backlog = mean("queue.backlog.mean").value_or(0.0);
    const double sent = mean("queue.sent_rps").value_or(0.0);
    const double delivered = mean("queue.delivered_rps").value_or(0.0);
    // The trend at the end, from replication 0's windows: the backlog's last value against the
    // one a fifth of the run earlier (a spike's backlog still draining is no consumer behind).
    std::vector<std::pair<double, double>> backlog_at;  // (window start, backlog)
    for (const stats::TimeSeriesRow& row : r.timeseries) {
      if (row.service == service && row.workload.empty() && row.queue_length) {
        backlog_at.emplace_back(row.t_s, *row.queue_length);
      }
    }
    std::optional<bool> growing;
    if (backlog_at.size() >= 5) {
      const auto& last = backlog_at.back();
      const auto& before = backlog_at[backlog_at.size() - 1 - backlog_at.size() / 5];
      growing = last.second > before.second;
    }
    if (growing.value_or(*end >= 1.5 * backlog && sent > 1.01 * delivered)) {
      notes.push_back(service + ": its backlog grew to " + fixed(*end, 0) +
                      " messages at the end (" + fixed(backlog, 0) + " on average; sent " +
                      fixed(sent, 1) + "/s, delivered " + fixed(delivered, 1) +
                      "/s): its consumer falls behind, and a message waits longer the later it "
                      "is sent, which no request's latency shows (services." +
                      service + ".queue.latency_ms)");
    } else if (growing.has_value()) {
      notes.push_back(service + ": " + fixed(*end, 0) +
                      " messages still waiting at the end, the backlog draining: the run ended "
                      "before it cleared (a longer --duration shows when it does; services." +
                      service + ".queue.backlog)");
    }
  }
  if (const auto rejected = mean("queue.rejected"); rejected && *rejected >= 1.0) {
    notes.push_back(service + ": " + fixed(*rejected, 0) +
                    " messages refused per replication, the backlog at its max_backlog: an "
                    "async sender does not see them fail (services." +
                    service + ".queue.rejected)");
  }
  if (const auto dead = mean("queue.dead_lettered"); dead && *dead >= 1.0) {
    notes.push_back(service + ": " + fixed(*dead, 0) + " messages dead-lettered per replication " +
                    "(" + fixed(mean("queue.redeliveries").value_or(0.0), 0) +
                    " redeliveries): their processing failed or passed the visibility timeout " +
                    "max_receives times (services." + service + ".queue.dead_lettered)");
  }
  if (const auto kills = mean("memory.oom_kills"); kills && *kills > 0.0) {
    notes.push_back(service + ": " + fixed(*kills, 1) +
                    " OOM kills per replication: a replica whose requests' memory passed its " +
                    "limit was killed with every request on it, and serves nothing until the " +
                    "kubelet restarts it (services." + service +
                    ".memory.oom_kills, docs/memory.md)");
  }
  return notes;
}

}  // namespace capsim::run
