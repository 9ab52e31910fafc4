/// \file Spans -> a model skeleton (capsim::import::import_traces): invocations of services,
/// their calls, self times fitted, arrival rates of the roots.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <utility>

#include "capsim/fit/fit.hpp"
#include "capsim/import/traces.hpp"
#include "capsim/model/diagnostics.hpp"
#include "capsim/model/error.hpp"

namespace capsim::import {

namespace {

constexpr std::size_t kMaxDepth = 1000;

/// A name the model accepts: [A-Za-z0-9_.-]+, other characters as '_'.
std::string model_name(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    out += ok ? c : '_';
  }
  return out.empty() ? "unnamed" : out;
}

/// One service's handling of a request: a span whose parent is in another service (or none).
struct Invocation {
  std::size_t span = 0;
  std::string endpoint;  ///< "service/endpoint"
  double start_s = 0, end_s = 0;
  /// The call as its caller saw it: the caller's CLIENT span around this invocation where there
  /// is one (network and the callee's accept queue included), else the invocation itself.
  double call_start_s = 0, call_end_s = 0;
  std::vector<std::size_t> calls;  ///< child invocations, by start
  /// Its CLIENT (or PRODUCER) spans with no span of another service below them: waits on a
  /// dependency that is not instrumented (a database, an external API).
  std::vector<std::size_t> externals;
  /// Called asynchronously: through a PRODUCER span, or a CONSUMER span itself.
  bool async = false;
  /// Reached through a CLIENT or PRODUCER span of its caller's (call_start_s is that span's).
  bool through_caller_span = false;
  std::size_t caller_span = 0;  ///< that span, when through_caller_span
};

struct CalleeStats {
  std::size_t calls = 0;        ///< in all
  std::size_t async_calls = 0;  ///< of which asynchronous (a PRODUCER -> CONSUMER message)
  std::size_t callers = 0;      ///< invocations with at least one
  /// Per other callee: invocations that called both, and those where the two overlapped.
  std::map<std::string, std::pair<std::size_t, std::size_t>> beside;
  double offset_sum = 0;            ///< start - caller start, summed over first calls
  std::vector<std::size_t> counts;  ///< per calling invocation with at least one
};

struct EndpointStats {
  std::string service, endpoint;
  std::size_t invocations = 0;
  std::vector<double> self_s;
  std::map<std::string, CalleeStats> callees;  ///< by "service/endpoint"
  /// Per invocation with any: the time its uninstrumented dependencies held it (the union of
  /// its external spans, less what its calls already cover), and when the first began.
  std::vector<double> wait_s;
  double wait_offset_sum = 0;
  std::map<std::string, std::size_t> external_names;  ///< external spans by name, in all
  /// capsim's own traces (capsim.cpu_work_s): invocations, and their time that is neither CPU
  /// nor calls nor instrumented waits (a queue, a wait for a core, a delay step), summed.
  std::size_t cpu_known = 0;
  double unexplained_s_sum = 0, duration_s_sum = 0;
};

/// The first instant of `waits` (clipped to [from, to]) that no interval of `calls` covers.
double first_uncovered(std::vector<std::pair<double, double>> waits,
                       const std::vector<std::pair<double, double>>& calls, double from,
                       double to) {
  std::sort(waits.begin(), waits.end());
  for (const auto& [a, b] : waits) {
    double at = std::max(a, from);
    for (bool moved = true; moved;) {
      moved = false;
      for (const auto& [c0, c1] : calls) {
        if (c0 <= at && at < c1) {
          at = c1;
          moved = true;
        }
      }
    }
    if (at < std::min(b, to)) return at;
  }
  return from;
}

/// A probability as the model takes it: three significant digits (a rare call keeps its rate,
/// 0.0004 stays 0.0004 rather than 0).
double probability_value(double p) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", p);
  return std::strtod(text, nullptr);
}

/// The length of the union of intervals [a, b], each clipped to [from, to].
double union_length(std::vector<std::pair<double, double>> intervals, double from, double to) {
  for (auto& [a, b] : intervals) {
    a = std::max(a, from);
    b = std::min(b, to);
  }
  std::sort(intervals.begin(), intervals.end());
  double covered = 0, reach = from;
  for (const auto& [a, b] : intervals) {
    const double start = std::max(a, reach);
    if (b > start) covered += b - start;
    reach = std::max(reach, b);
  }
  return covered;
}

std::string seconds_text(double s) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.6gs", s);
  return buffer;
}

/// The self times' fitted `work`: the best family (fit's choice, never empirical: that needs a
/// file); with fewer than 10 samples an exponential with their mean.
Json fitted_work(const std::vector<double>& self_s, std::string& note) {
  double sum = 0;
  for (const double s : self_s) sum += s;
  const double mean = sum / static_cast<double>(self_s.size());
  if (self_s.size() < 10) {
    note =
        "exponential with the mean of " + std::to_string(self_s.size()) + " samples (< 10 to fit)";
    return Json{{"dist", "exponential"}, {"mean", seconds_text(mean)}};
  }
  // At most kMaxFitted samples, evenly strided: fitting is by likelihood over every sample,
  // and more than a few thousand change the parameters less than the spans' own noise.
  constexpr std::size_t kMaxFitted = 10000;
  const std::size_t stride = (self_s.size() + kMaxFitted - 1) / kMaxFitted;
  fit::Observations o;
  for (std::size_t i = 0; i < self_s.size(); i += stride) {
    o.samples_s.push_back(std::max(self_s[i], 1e-6));
  }
  const fit::FitResult r = fit::fit(o);
  const std::size_t best = r.best_family;
  note = fit::family_name(r.candidates[best].family) + " (" + r.statistic_name + " " +
         std::to_string(r.candidates[best].statistic) + ", " + std::to_string(o.samples_s.size()) +
         " of " + std::to_string(self_s.size()) + " samples)";
  return r.candidates[best].work;
}

/// The `delay` of an endpoint's waits on uninstrumented dependencies: the waits fitted (a
/// mixture with 0 when only some invocations wait), with a note naming the spans.
Json wait_delay(const EndpointStats& e, const std::string& key,
                std::vector<std::string>& warnings) {
  std::string note;
  Json delay = fitted_work(e.wait_s, note);
  const double share = static_cast<double>(e.wait_s.size()) / static_cast<double>(e.invocations);
  if (share < 0.9995) {
    const double weight = std::max(0.001, std::round(share * 1000.0) / 1000.0);
    Json waits = delay;
    waits["weight"] = weight;
    delay = Json{
        {"dist", "mixture"},
        {"components", Json::array({Json{{"weight", std::round((1.0 - weight) * 1000.0) / 1000.0},
                                         {"dist", "constant"},
                                         {"value", "0s"}},
                                    std::move(waits)})}};
  }
  double sum = 0;
  for (const double w : e.wait_s) sum += w;
  std::string names;
  for (const auto& [name, n] : e.external_names) {
    char per[32];
    std::snprintf(per, sizeof per, " x%.2g", static_cast<double>(n) / e.invocations);
    names += (names.empty() ? "" : ", ") + model::describe_text(name) + per;
  }
  char mean[96];
  std::snprintf(mean, sizeof mean, "mean %.3g ms in %.3g%% of its requests",
                sum / static_cast<double>(e.wait_s.size()) * 1000.0, share * 100.0);
  warnings.push_back(key + ": client spans with no instrumented callee (" + names +
                     " per request) are waits on a dependency outside the traces: a delay step, " +
                     mean + " (" + note +
                     "); the dependency's own capacity is not modelled (add it as a service to "
                     "see it saturate)");
  return delay;
}

}  // namespace

Fragment import_traces(const std::vector<TraceSpan>& spans) {
  Fragment f;
  // Spans by (trace, id), and children by parent.
  std::map<std::pair<std::string, std::string>, std::size_t> index;
  for (std::size_t i = 0; i < spans.size(); ++i) index[{spans[i].trace, spans[i].id}] = i;
  std::vector<std::vector<std::size_t>> children(spans.size());
  std::vector<std::size_t> roots;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (spans[i].parent.empty()) {
      roots.push_back(i);
    } else {
      children[index.at({spans[i].trace, spans[i].parent})].push_back(i);
    }
  }
  // Invocations: a root, or a span whose parent is in another service. A root CLIENT span is a
  // caller outside the system (a load generator): its invocations are the roots.
  std::vector<Invocation> invocations;
  std::vector<std::size_t> root_invocations;
  // Model names are the traces' names with other characters as '_': two names that become
  // the same one (cart/v1 and cart v1) get a suffix (_2, _3, ...), with a note, rather than
  // being merged into one service or endpoint.
  std::map<std::string, std::string> named;  // original -> model name
  std::map<std::string, std::string> taken;  // model name -> original
  const auto unique_name = [&](const std::string& scope, const std::string& original) {
    const auto it = named.find(scope + '\n' + original);
    if (it != named.end()) return it->second;
    const std::string base = model_name(original);
    std::string name = base;
    for (int k = 2; taken.count(scope + '\n' + name) != 0; ++k)
      name = base + "_" + std::to_string(k);
    if (name != base) {
      f.warnings.push_back("named " + model::describe_text(original) + " " + name + " (" +
                           model::describe_text(taken[scope + '\n' + base]) + " is " + base + ")");
    }
    taken[scope + '\n' + name] = original;
    named[scope + '\n' + original] = name;
    return name;
  };
  const auto endpoint_of = [&](const TraceSpan& s) {
    std::string name = s.name;
    if (name.rfind(s.service + "/", 0) == 0) name = name.substr(s.service.size() + 1);
    const std::string service = unique_name("", s.service);
    return service + "/" + unique_name(service, name);
  };
  // Collects the invocations below `span` (through spans of its own service).
  // `client`: the caller's CLIENT span that the spans below are in, if any (kNoSpan: none).
  constexpr std::size_t kNoSpan = static_cast<std::size_t>(-1);
  std::function<void(std::size_t, const std::string&, std::vector<std::size_t>&,
                     std::vector<std::size_t>&, std::size_t)>
      below;
  std::function<std::size_t(std::size_t, std::size_t)> invoke = [&](std::size_t span,
                                                                    std::size_t client) {
    const std::size_t k = invocations.size();
    const TraceSpan& via = spans[client == kNoSpan ? span : client];
    Invocation inv;
    inv.span = span;
    inv.endpoint = endpoint_of(spans[span]);
    inv.start_s = spans[span].start_s;
    inv.end_s = spans[span].end_s;
    inv.call_start_s = via.start_s;
    inv.call_end_s = via.end_s;
    inv.through_caller_span = client != kNoSpan;
    inv.caller_span = client;
    inv.async = spans[span].kind == SpanKind::consumer ||
                (client != kNoSpan && spans[client].kind == SpanKind::producer);
    invocations.push_back(std::move(inv));
    std::vector<std::size_t> calls, externals;
    below(span, spans[span].service, calls, externals, kNoSpan);
    std::sort(calls.begin(), calls.end(), [&](std::size_t a, std::size_t b) {
      return invocations[a].call_start_s < invocations[b].call_start_s;
    });
    invocations[k].calls = std::move(calls);
    invocations[k].externals = std::move(externals);
    return k;
  };
  std::size_t depth = 0;
  std::vector<char> reached(spans.size(), 0);
  // Whether a SERVER or CONSUMER span is below `span` (its own service's: the others' are
  // invocations). Depth is bounded by the walk that calls it.
  std::function<bool(std::size_t)> serves_below = [&](std::size_t span) {
    for (const std::size_t c : children[span]) {
      if (spans[c].kind == SpanKind::server || spans[c].kind == SpanKind::consumer) return true;
      if (spans[c].service == spans[span].service && serves_below(c)) return true;
    }
    return false;
  };
  below = [&](std::size_t span, const std::string& service, std::vector<std::size_t>& calls,
              std::vector<std::size_t>& externals, std::size_t client) {
    reached[span] = 1;
    // Deeper than any real call chain: refuse rather than exhaust the stack.
    if (++depth > kMaxDepth) {
      throw model::ModelError(
          spans[span].pointer,
          "expected spans nested at most " + std::to_string(kMaxDepth) + " deep, found more");
    }
    for (const std::size_t c : children[span]) {
      if (spans[c].service != service) {
        calls.push_back(invoke(c, client));
      } else {
        const std::size_t before = calls.size();
        below(c, service, calls, externals, spans[c].calls_out() ? c : client);
        // A CLIENT span with nothing of another service below it, and no server span of its
        // own service (a call to itself), waits on a dependency outside the traces.
        if (spans[c].kind == SpanKind::client && calls.size() == before && !serves_below(c)) {
          externals.push_back(c);
        }
      }
    }
    --depth;
  };
  // Requests, one per root: a root CLIENT span (a load generator's request) whose several
  // invocations are its attempts (retries) is one request, at its first attempt.
  std::vector<std::pair<std::size_t, std::size_t>> root_requests;  // (first invocation, attempts)
  for (const std::size_t r : roots) {
    if (spans[r].kind == SpanKind::client) {
      std::vector<std::size_t> calls, externals;
      below(r, spans[r].service, calls, externals, kNoSpan);
      root_invocations.insert(root_invocations.end(), calls.begin(), calls.end());
      // Its attempts are its invocations of one endpoint; another endpoint is another request.
      std::map<std::string, std::size_t> first_of;
      for (const std::size_t c : calls) {
        const auto [at, fresh] =
            first_of.try_emplace(invocations[c].endpoint, root_requests.size());
        if (fresh) {
          root_requests.emplace_back(c, 1);
        } else {
          ++root_requests[at->second].second;
        }
      }
    } else {
      root_invocations.push_back(invoke(r, kNoSpan));
      root_requests.emplace_back(root_invocations.back(), 1);
    }
  }
  // A span that no root reaches has parents that form a loop (or is its own parent).
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (!reached[i]) {
      throw model::ModelError(spans[i].pointer,
                              "expected a span whose chain of parents reaches a root span (one "
                              "without a parent), found a loop of parents through span " +
                                  model::describe_text(spans[i].id));
    }
  }
  // Per endpoint: self time (duration less the union of its calls' intervals) and callees.
  std::map<std::string, EndpointStats> endpoints;
  for (const Invocation& inv : invocations) {
    EndpointStats& e = endpoints[inv.endpoint];
    e.service = inv.endpoint.substr(0, inv.endpoint.find('/'));
    e.endpoint = inv.endpoint.substr(inv.endpoint.find('/') + 1);
    ++e.invocations;
    std::vector<std::pair<double, double>> calls_waited;  // the synchronous calls' intervals
    std::vector<std::pair<double, double>> waits;         // waits on what is not a model call
    std::map<std::string, std::size_t> count;
    for (std::size_t i = 0; i < inv.calls.size(); ++i) {
      // The caller waits for the whole call: its CLIENT span where there is one. An
      // asynchronous call holds it for its PRODUCER span (the publish) alone, which the model's
      // async call does not: the publish is a wait, as an uninstrumented dependency is.
      const Invocation& c = invocations[inv.calls[i]];
      if (!c.async) {
        calls_waited.emplace_back(c.call_start_s, c.call_end_s);
      } else if (c.through_caller_span) {
        waits.emplace_back(c.call_start_s, c.call_end_s);
        ++e.external_names[spans[c.caller_span].name];
      }
      CalleeStats& cs = e.callees[c.endpoint];
      ++cs.calls;
      if (c.async) ++cs.async_calls;
      // Where the caller sent it (its CLIENT or PRODUCER span), not when the callee began.
      if (count[c.endpoint]++ == 0) cs.offset_sum += c.call_start_s - inv.start_s;
    }
    for (const std::size_t x : inv.externals) {
      waits.emplace_back(spans[x].start_s, spans[x].end_s);
      ++e.external_names[spans[x].name];
    }
    const double covered_by_calls = union_length(calls_waited, inv.start_s, inv.end_s);
    std::vector<std::pair<double, double>> all = calls_waited;
    all.insert(all.end(), waits.begin(), waits.end());
    const double covered = union_length(all, inv.start_s, inv.end_s);
    if (covered > covered_by_calls) {
      e.wait_s.push_back(covered - covered_by_calls);
      e.wait_offset_sum +=
          first_uncovered(waits, calls_waited, inv.start_s, inv.end_s) - inv.start_s;
    }
    for (const auto& [callee, n] : count) {
      ++e.callees[callee].callers;
      e.callees[callee].counts.push_back(n);
    }
    // Two callees are parallel when their calls overlap in time in most invocations that make
    // both (a conditional parallel call leaves its sibling alone in the others).
    std::map<std::pair<std::string, std::string>, bool> overlapped;  // (a, b) with a < b
    for (std::size_t i = 0; i < inv.calls.size(); ++i) {
      for (std::size_t j = i + 1; j < inv.calls.size(); ++j) {
        const Invocation& a = invocations[inv.calls[i]];
        const Invocation& b = invocations[inv.calls[j]];
        if (a.endpoint == b.endpoint || a.async || b.async) continue;
        bool& o = overlapped[std::minmax(a.endpoint, b.endpoint)];
        o = o || (a.start_s < b.end_s && b.start_s < a.end_s);
      }
    }
    for (const auto& [pair, o] : overlapped) {
      for (const auto& [x, y] : {pair, std::make_pair(pair.second, pair.first)}) {
        auto& both = e.callees[x].beside[y];
        ++both.first;
        if (o) ++both.second;
      }
    }
    // capsim's own traces say the CPU demand; otherwise the self time includes any waiting.
    const double cpu_s = spans[inv.span].cpu_work_s;
    e.self_s.push_back(cpu_s >= 0 ? cpu_s : std::max(0.0, inv.end_s - inv.start_s - covered));
    if (cpu_s >= 0) {
      ++e.cpu_known;
      e.unexplained_s_sum += std::max(0.0, inv.end_s - inv.start_s - covered - cpu_s);
      e.duration_s_sum += inv.end_s - inv.start_s;
    }
  }
  // The model.
  Json services = Json::object();
  for (auto& [key, e] : endpoints) {
    Json steps = Json::array();
    std::string note;
    double self_sum = 0;
    for (const double s : e.self_s) self_sum += s;
    if (self_sum > 0) steps.push_back(Json{{"work", fitted_work(e.self_s, note)}});
    // Calls in the order they start on average; overlapping callees in one parallel step. Each
    // step's offset (its first call's) places the wait on dependencies, never inside a group.
    std::vector<std::pair<double, std::string>> order;
    for (const auto& [callee, cs] : e.callees) {
      order.emplace_back(cs.offset_sum / static_cast<double>(cs.callers), callee);
    }
    std::sort(order.begin(), order.end());
    std::vector<double> step_offsets(steps.size(), -1.0);  // the work step comes first
    Json parallel = Json::array();
    double parallel_offset = 0.0;
    std::string inferred;
    const auto flush_parallel = [&] {
      if (parallel.empty()) return;
      steps.push_back(Json{{"parallel", std::exchange(parallel, Json::array())}});
      step_offsets.push_back(parallel_offset);
    };
    for (const auto& [offset, callee] : order) {
      const CalleeStats& cs = e.callees[callee];
      Json call = Json::object();
      call["call"] = callee.substr(0, callee.find('/'));
      call["endpoint"] = callee.substr(callee.find('/') + 1);
      const bool async = 2 * cs.async_calls > cs.calls;
      if (async) call["async"] = true;
      const double mean_count = static_cast<double>(cs.calls) / static_cast<double>(cs.callers);
      const bool fixed = std::all_of(cs.counts.begin(), cs.counts.end(),
                                     [&](std::size_t n) { return n == cs.counts[0]; });
      const double p = static_cast<double>(cs.callers) / static_cast<double>(e.invocations);
      // A count that varies is modelled by its mean: floor(mean) calls, then one more with the
      // fraction's probability (1.4: one call, then a second in 40% of requests).
      const auto whole = static_cast<long long>(std::floor(mean_count + 1e-9));
      const double extra = fixed ? 0.0 : mean_count - static_cast<double>(whole);
      const bool split = extra >= 0.0005;
      const long long count = split ? whole : std::llround(mean_count);
      if (count != 1) call["count"] = count;
      if (p < 1.0) call["probability"] = probability_value(p);
      Json extra_call = Json();
      if (split) {
        extra_call = Json{{"call", call["call"]}, {"endpoint", call["endpoint"]}};
        if (async) extra_call["async"] = true;
        extra_call["probability"] = probability_value(p * extra);
      }
      if (!fixed) {
        f.warnings.push_back(key + " -> " + callee + ": the number of calls varies (mean " +
                             std::to_string(mean_count) + "); modelled as " +
                             std::to_string(count) +
                             (split ? " and one more with probability " +
                                          std::to_string(extra_call["probability"].get<double>())
                                    : std::string()) +
                             " (the mean, not the spread)");
      }
      if (async) {
        f.warnings.push_back(key + " -> " + callee +
                             ": a message (PRODUCER -> CONSUMER spans): an async call, the "
                             "caller does not wait (a kind: \"queue\" service between them "
                             "would model the broker's backlog)");
      }
      bool is_parallel = false;
      for (const auto& [other, both] : cs.beside) {
        if (2 * both.second > both.first) is_parallel = true;
      }
      is_parallel = is_parallel && count == 1 && !split && !async;
      inferred += " " + callee + (is_parallel ? " (parallel)" : "") + (async ? " (async)" : "") +
                  " x" + std::to_string(mean_count) + " p=" + std::to_string(p) + ";";
      if (is_parallel) {
        if (parallel.empty()) parallel_offset = offset;
        parallel.push_back(std::move(call));
      } else {
        flush_parallel();
        steps.push_back(std::move(call));
        step_offsets.push_back(offset);
        if (split) {
          steps.push_back(std::move(extra_call));
          step_offsets.push_back(offset);
        }
      }
    }
    flush_parallel();
    if (!e.wait_s.empty()) {
      // Before the first step that starts after the wait does, on average.
      const double wait_offset = e.wait_offset_sum / static_cast<double>(e.wait_s.size());
      std::size_t at = 0;
      while (at < step_offsets.size() && step_offsets[at] < wait_offset) ++at;
      steps.insert(steps.begin() + static_cast<std::ptrdiff_t>(at),
                   Json{{"delay", wait_delay(e, key, f.warnings)}});
    }
    if (e.cpu_known > 0) {
      // capsim's traces give the CPU; the rest of a span that no call covers is queueing, a
      // wait for a core or a delay step, which the traces do not tell apart: said, not modelled
      // (a delay would count the queueing that the model reproduces a second time).
      const double n = static_cast<double>(e.cpu_known);
      const double unexplained_s = e.unexplained_s_sum / n;
      if (unexplained_s >= 1e-3 && unexplained_s >= 0.1 * e.duration_s_sum / n) {
        f.warnings.push_back(key + ": " + seconds_text(unexplained_s) + " per invocation (of " +
                             seconds_text(e.duration_s_sum / n) +
                             ") is neither CPU (capsim.cpu_work_s) nor a call: a wait for a "
                             "worker or a core, or a delay step, which the spans do not tell "
                             "apart; the model has no delay for it (add the source model's "
                             "delay steps if it had some)");
      }
    }
    if (steps.empty()) steps.push_back(Json{{"work", "1us"}});
    f.warnings.push_back("inferred " + key + ": " + std::to_string(e.invocations) +
                         " invocations; self time " + (note.empty() ? "none" : note) + ";" +
                         inferred);
    Json& service = services[e.service];
    if (service.is_null()) service = Json{{"endpoints", Json::object()}};
    service["endpoints"][e.endpoint] = Json{{"steps", std::move(steps)}};
  }
  // Open workloads: one per root endpoint, at its mean arrival rate over the traces' span.
  std::map<std::string, std::vector<double>> arrivals;
  std::map<std::string, std::pair<std::size_t, std::size_t>> retried;  // (requests, attempts)
  for (const auto& [r, attempts] : root_requests) {
    arrivals[invocations[r].endpoint].push_back(invocations[r].start_s);
    if (attempts > 1) {
      auto& [requests, all] = retried[invocations[r].endpoint];
      ++requests;
      all += attempts;
    }
  }
  for (const auto& [endpoint, counts] : retried) {
    f.warnings.push_back("workload " + endpoint + ": " + std::to_string(counts.first) +
                         " requests were sent again by their client (" +
                         std::to_string(counts.second) +
                         " attempts in all, one CLIENT span each): the rate counts requests, "
                         "not attempts; give the workload a retry to send them again");
  }
  Json workloads = Json::array();
  for (auto& [endpoint, times] : arrivals) {
    std::sort(times.begin(), times.end());
    Json w = Json::object();
    w["name"] = model_name(endpoint);
    w["target"] = endpoint.substr(0, endpoint.find('/'));
    w["endpoint"] = endpoint.substr(endpoint.find('/') + 1);
    if (times.size() < 2 || times.back() <= times.front()) {
      w["rate"] = 1;
      f.warnings.push_back("workload " + endpoint + ": " +
                           (times.size() < 2 ? std::string("fewer than two arrivals")
                                             : std::to_string(times.size()) +
                                                   " arrivals at one instant: no rate can be "
                                                   "inferred") +
                           "; rate 1/s assumed (set the real one)");
    } else {
      const double rate = static_cast<double>(times.size() - 1) / (times.back() - times.front());
      w["rate"] = std::round(rate * 1e6) / 1e6;
      f.warnings.push_back("inferred workload " + endpoint + ": " + std::to_string(times.size()) +
                           " requests over " + seconds_text(times.back() - times.front()) +
                           " (a sample's rate: set the real one)");
    }
    workloads.push_back(std::move(w));
  }
  f.warnings.push_back(
      "not inferred: replicas, cores, workers, timeouts and retries (set them); "
      "self time is one work step before the calls");
  f.model["workloads"] = std::move(workloads);
  f.model["services"] = std::move(services);
  return f;
}

}  // namespace capsim::import
