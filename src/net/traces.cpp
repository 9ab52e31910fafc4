/// \file The trace recorder (capsim::net::TraceRecorder) and its OTLP JSON.

#include "capsim/net/traces.hpp"

#include <cmath>
#include <cstdio>
#include <map>

namespace capsim::net {

using Json = nlohmann::ordered_json;

std::uint32_t TraceRecorder::open_span(Span span) {
  ++traces_[span.trace].open;
  spans_.push_back(std::move(span));
  return static_cast<std::uint32_t>(spans_.size() - 1);
}

void TraceRecorder::close_span(std::uint32_t index, double now_s) {
  Span& s = spans_[index];
  if (s.end_s >= 0.0) return;
  s.end_s = now_s;
  --traces_[s.trace].open;
}

void TraceRecorder::call_started(std::uint64_t call, bool client, std::uint32_t workload,
                                 std::uint64_t caller_job, std::uint32_t service,
                                 std::uint32_t endpoint, double now_s) {
  Span span;
  span.service = service;
  span.endpoint = endpoint;
  span.start_s = now_s;
  if (client) {
    if (now_s < from_s_ || traces_.size() >= sample_) return;
    traces_.emplace_back();
    span.trace = static_cast<std::uint32_t>(traces_.size() - 1);
    span.workload = workload;
  } else {
    const auto caller = live_jobs_.find(caller_job);
    if (caller == live_jobs_.end()) return;  // not a sampled request
    span.trace = spans_[caller->second].trace;
    span.parent = caller->second;
    span.caller_service = spans_[caller->second].service;
  }
  live_calls_[call] = open_span(std::move(span));
}

void TraceRecorder::attempt_sent(std::uint64_t call, std::uint32_t attempt, std::uint64_t job,
                                 double now_s) {
  const auto c = live_calls_.find(call);
  if (c == live_calls_.end()) return;
  spans_[c->second].attempt = attempt;
  Span span;
  span.trace = spans_[c->second].trace;
  span.parent = c->second;
  span.client = false;
  span.service = spans_[c->second].service;
  span.endpoint = spans_[c->second].endpoint;
  span.attempt = attempt;
  span.start_s = now_s;
  span.events.push_back(Event{"enqueued", now_s, {}});
  live_jobs_[job] = open_span(std::move(span));
}

void TraceRecorder::attempt_refused(std::uint64_t call, std::uint32_t attempt, double now_s) {
  const auto c = live_calls_.find(call);
  if (c == live_calls_.end()) return;
  spans_[c->second].attempt = attempt;
  spans_[c->second].events.push_back(Event{"circuit_open", now_s, {}});
}

void TraceRecorder::job_finished(std::uint64_t job, std::uint32_t replica, double arrived_s,
                                 bool took_worker, double started_s, double work_s, Outcome outcome,
                                 double now_s) {
  const auto j = live_jobs_.find(job);
  if (j == live_jobs_.end()) return;
  Span& s = spans_[j->second];
  s.replica = replica;
  s.outcome = outcome;
  if (took_worker) {
    s.events.push_back(
        Event{"dequeued", started_s, {{"capsim.queue_time_s", started_s - arrived_s}}});
    s.events.push_back(
        Event{"completed",
              now_s,
              {{"capsim.service_time_s", now_s - started_s}, {"capsim.cpu_work_s", work_s}}});
  } else {
    s.events.push_back(Event{"not_served", now_s, {{"capsim.queue_time_s", now_s - arrived_s}}});
  }
  close_span(j->second, now_s);
  live_jobs_.erase(j);
}

void TraceRecorder::call_completed(std::uint64_t call, Outcome outcome, std::uint32_t attempts,
                                   double now_s) {
  const auto c = live_calls_.find(call);
  if (c == live_calls_.end()) return;
  spans_[c->second].outcome = outcome;
  spans_[c->second].attempt = attempts;
  close_span(c->second, now_s);
  live_calls_.erase(c);
}

std::size_t TraceRecorder::complete_traces() const {
  std::size_t n = 0;
  for (const Trace& t : traces_) n += t.open == 0 ? 1 : 0;
  return n;
}

namespace {

std::string hex(std::uint64_t x) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(x));
  return buffer;
}

std::string unix_nano(double t_s) {
  return std::to_string(kTraceEpochUnixNano + static_cast<std::uint64_t>(std::llround(t_s * 1e9)));
}

Json attribute(const char* key, Json value) {
  Json a = Json::object();
  a["key"] = key;
  a["value"] = std::move(value);
  return a;
}
Json string_value(const std::string& s) {
  return Json{{"stringValue", s}};
}
Json int_value(std::uint64_t i) {
  return Json{{"intValue", std::to_string(i)}};
}
Json double_value(double d) {
  return Json{{"doubleValue", d}};
}

}  // namespace

Json TraceRecorder::otlp(const model::Spec& spec) const {
  // Spans by resource: the client (index UINT32_MAX) and each service, in the model's order.
  std::map<std::int64_t, Json> by_service;  // -1: the client
  const auto endpoint_name = [&](std::uint32_t service, std::uint32_t endpoint) {
    return spec.services[service].name + "/" + spec.services[service].endpoints[endpoint].name;
  };
  for (std::size_t i = 0; i < spans_.size(); ++i) {
    const Span& s = spans_[i];
    if (traces_[s.trace].open != 0) continue;
    Json span = Json::object();
    span["traceId"] = hex(spec.simulation.seed) + hex(s.trace + 1ULL);
    span["spanId"] = hex(i + 1ULL);
    if (s.parent >= 0) span["parentSpanId"] = hex(static_cast<std::uint64_t>(s.parent) + 1ULL);
    span["name"] = (s.client ? "call " : "") + endpoint_name(s.service, s.endpoint);
    span["kind"] = s.client ? 3 : 2;  // SPAN_KIND_CLIENT, SPAN_KIND_SERVER
    span["startTimeUnixNano"] = unix_nano(s.start_s);
    span["endTimeUnixNano"] = unix_nano(s.end_s);
    Json attributes = Json::array();
    attributes.push_back(attribute("capsim.service", string_value(spec.services[s.service].name)));
    attributes.push_back(attribute(
        "capsim.endpoint", string_value(spec.services[s.service].endpoints[s.endpoint].name)));
    if (s.workload != UINT32_MAX) {
      attributes.push_back(
          attribute("capsim.workload", string_value(spec.workloads[s.workload].name)));
    }
    attributes.push_back(
        attribute(s.client ? "capsim.attempts" : "capsim.attempt", int_value(s.attempt)));
    if (s.replica != UINT32_MAX)
      attributes.push_back(attribute("capsim.replica", int_value(s.replica)));
    attributes.push_back(attribute("capsim.outcome", string_value(outcome_name(s.outcome))));
    attributes.push_back(attribute("capsim.duration_s", double_value(s.end_s - s.start_s)));
    span["attributes"] = std::move(attributes);
    if (!s.events.empty()) {
      Json events = Json::array();
      for (const Event& e : s.events) {
        Json event = Json::object();
        event["timeUnixNano"] = unix_nano(e.t_s);
        event["name"] = e.name;
        Json ea = Json::array();
        for (const auto& [key, value] : e.seconds)
          ea.push_back(attribute(key, double_value(value)));
        event["attributes"] = std::move(ea);
        events.push_back(std::move(event));
      }
      span["events"] = std::move(events);
    }
    Json status = Json::object();
    if (s.outcome == Outcome::success) {
      status["code"] = 1;  // STATUS_CODE_OK
    } else {
      status["code"] = 2;  // STATUS_CODE_ERROR
      status["message"] = outcome_name(s.outcome);
    }
    span["status"] = std::move(status);
    // A call belongs to its caller's resource (the client for a root call).
    const std::uint32_t owner = s.client ? s.caller_service : s.service;
    Json& list = by_service[owner == UINT32_MAX ? -1 : static_cast<std::int64_t>(owner)];
    if (list.is_null()) list = Json::array();
    list.push_back(std::move(span));
  }
  Json resource_spans = Json::array();
  for (auto& [service, spans] : by_service) {
    const std::string name =
        service < 0 ? "capsim-client" : spec.services[static_cast<std::size_t>(service)].name;
    Json rs = Json::object();
    rs["resource"] =
        Json{{"attributes", Json::array({attribute("service.name", string_value(name))})}};
    Json scope = Json::object();
    scope["scope"] = Json{{"name", "capsim"}, {"version", CAPSIM_VERSION}};
    scope["spans"] = std::move(spans);
    rs["scopeSpans"] = Json::array({std::move(scope)});
    resource_spans.push_back(std::move(rs));
  }
  Json out = Json::object();
  out["resourceSpans"] = std::move(resource_spans);
  return out;
}

}  // namespace capsim::net
