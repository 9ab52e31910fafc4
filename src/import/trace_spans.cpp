/// \file Reading span exports (capsim::import::read_trace_spans): OTLP JSON and Jaeger JSON.

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <set>

#include "capsim/import/traces.hpp"
#include "capsim/model/diagnostics.hpp"
#include "capsim/model/error.hpp"

namespace capsim::import {

namespace {

using model::child;
using model::describe;

[[noreturn]] void refuse(const std::string& pointer, const std::string& message) {
  throw model::ModelError(pointer, message);
}

const Json& need(const Json& object, const char* key, const std::string& at) {
  if (!object.is_object() || !object.contains(key)) refuse(child(at, key), "missing");
  return object.at(key);
}

std::string need_text(const Json& object, const char* key, const std::string& at) {
  const Json& v = need(object, key, at);
  if (!v.is_string() || v.get<std::string>().empty()) {
    refuse(child(at, key), "expected a non-empty string, found " + describe(v));
  }
  return v.get<std::string>();
}

/// `object[key]` when it is a string, else "" (exporters vary; a wrong type is not ours to fix).
std::string text_of(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

/// An integer time: OTLP writes 64-bit integers as decimal strings, some exporters as numbers.
std::uint64_t integer_time(const Json& v, const std::string& at) {
  std::uint64_t n = 0;
  if (v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
    n = v.get<std::uint64_t>();
  } else if (v.is_string() && !v.get<std::string>().empty() &&
             v.get<std::string>().find_first_not_of("0123456789") == std::string::npos &&
             v.get<std::string>().size() <= 19) {
    n = std::stoull(v.get<std::string>());
  } else {
    refuse(at, "expected a time as an integer (or its decimal string), found " + describe(v));
  }
  return n;
}

std::string attribute_text(const Json& attributes, const char* key) {
  if (!attributes.is_array()) return "";
  for (const Json& a : attributes) {
    if (a.is_object() && text_of(a, "key") == key && a.contains("value") &&
        a["value"].is_object() && a["value"].contains("stringValue") &&
        a["value"]["stringValue"].is_string()) {
      return a["value"]["stringValue"];
    }
  }
  return "";
}

/// OTLP's SpanKind: an integer (OTLP/JSON) or, as some exporters write it, the enum's name.
SpanKind otlp_kind(const Json& kind) {
  static constexpr std::array<SpanKind, 6> kKinds = {SpanKind::unspecified, SpanKind::internal,
                                                     SpanKind::server,      SpanKind::client,
                                                     SpanKind::producer,    SpanKind::consumer};
  static constexpr std::array<const char*, 6> kNames = {
      "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
      "SPAN_KIND_CLIENT",      "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"};
  if (kind.is_number_integer()) {
    const auto k = kind.get<std::int64_t>();
    return k >= 0 && k < 6 ? kKinds[static_cast<std::size_t>(k)] : SpanKind::unspecified;
  }
  if (kind.is_string()) {
    for (std::size_t k = 0; k < kNames.size(); ++k) {
      if (kind.get<std::string>() == kNames[k]) return kKinds[k];
    }
  }
  return SpanKind::unspecified;
}

void otlp(const Json& doc, std::vector<TraceSpan>& out) {
  const Json& resources = doc["resourceSpans"];
  if (!resources.is_array()) refuse("/resourceSpans", "expected a list");
  for (std::size_t r = 0; r < resources.size(); ++r) {
    const std::string r_at = child("/resourceSpans", r);
    const Json& rs = resources[r];
    std::string service;
    if (rs.is_object() && rs.contains("resource") && rs["resource"].is_object()) {
      service = attribute_text(rs["resource"].value("attributes", Json()), "service.name");
    }
    const bool unnamed = service.empty();
    if (unnamed) service = "unknown";
    const Json& scopes = need(rs, "scopeSpans", r_at);
    if (!scopes.is_array()) refuse(child(r_at, "scopeSpans"), "expected a list");
    for (std::size_t c = 0; c < scopes.size(); ++c) {
      const std::string c_at = child(child(r_at, "scopeSpans"), c);
      const Json& spans = need(scopes[c], "spans", c_at);
      if (!spans.is_array()) refuse(child(c_at, "spans"), "expected a list");
      for (std::size_t i = 0; i < spans.size(); ++i) {
        const std::string at = child(child(c_at, "spans"), i);
        const Json& s = spans[i];
        TraceSpan t;
        t.pointer = at;
        t.trace = need_text(s, "traceId", at);
        t.id = need_text(s, "spanId", at);
        if (s.contains("parentSpanId") && s["parentSpanId"].is_string())
          t.parent = s["parentSpanId"];
        t.service = service;
        t.unnamed_service = unnamed;
        t.name = need_text(s, "name", at);
        if (s.contains("kind")) t.kind = otlp_kind(s["kind"]);
        t.start_ticks =
            integer_time(need(s, "startTimeUnixNano", at), child(at, "startTimeUnixNano"));
        t.end_ticks = integer_time(need(s, "endTimeUnixNano", at), child(at, "endTimeUnixNano"));
        if (s.contains("events") && s["events"].is_array()) {
          for (const Json& e : s["events"]) {
            if (!e.is_object() || text_of(e, "name") != "completed" || !e.contains("attributes")) {
              continue;
            }
            for (const Json& a : e["attributes"]) {
              if (a.is_object() && text_of(a, "key") == "capsim.cpu_work_s" &&
                  a.contains("value") && a["value"].contains("doubleValue") &&
                  a["value"]["doubleValue"].is_number()) {
                t.cpu_work_s = a["value"]["doubleValue"].get<double>();
              }
            }
          }
        }
        out.push_back(std::move(t));
      }
    }
  }
}

void jaeger(const Json& doc, std::vector<TraceSpan>& out) {
  const Json& data = doc["data"];
  if (!data.is_array()) refuse("/data", "expected a list of traces");
  for (std::size_t d = 0; d < data.size(); ++d) {
    const std::string d_at = child("/data", d);
    const Json& trace = data[d];
    const Json& spans = need(trace, "spans", d_at);
    const Json empty = Json::object();
    const Json& processes = trace.contains("processes") ? trace["processes"] : empty;
    if (!spans.is_array()) refuse(child(d_at, "spans"), "expected a list");
    for (std::size_t i = 0; i < spans.size(); ++i) {
      const std::string at = child(child(d_at, "spans"), i);
      const Json& s = spans[i];
      TraceSpan t;
      t.pointer = at;
      t.trace = need_text(s, "traceID", at);
      t.id = need_text(s, "spanID", at);
      t.name = need_text(s, "operationName", at);
      const std::string process = need_text(s, "processID", at);
      if (!processes.contains(process) || !processes[process].is_object()) {
        refuse(child(at, "processID"), "expected a process of /data/" + std::to_string(d) +
                                           "/processes, found \"" + process + "\"");
      }
      t.service = text_of(processes[process], "serviceName");
      if (t.service.empty()) {
        t.service = "unknown";
        t.unnamed_service = true;
      }
      if (s.contains("references") && s["references"].is_array()) {
        for (const Json& ref : s["references"]) {
          if (ref.is_object() && text_of(ref, "refType") == "CHILD_OF" &&
              !text_of(ref, "spanID").empty()) {
            t.parent = text_of(ref, "spanID");
            break;
          }
        }
      }
      if (s.contains("tags") && s["tags"].is_array()) {
        for (const Json& tag : s["tags"]) {
          if (tag.is_object() && text_of(tag, "key") == "span.kind") {
            const std::string kind = text_of(tag, "value");
            if (kind == "client") t.kind = SpanKind::client;
            if (kind == "server") t.kind = SpanKind::server;
            if (kind == "producer") t.kind = SpanKind::producer;
            if (kind == "consumer") t.kind = SpanKind::consumer;
            if (kind == "internal") t.kind = SpanKind::internal;
          }
        }
      }
      t.start_ticks = integer_time(need(s, "startTime", at), child(at, "startTime"));
      const std::uint64_t duration = integer_time(need(s, "duration", at), child(at, "duration"));
      if (duration > std::numeric_limits<std::uint64_t>::max() - t.start_ticks) {
        refuse(child(at, "duration"), "expected a duration that ends before the year 584554");
      }
      t.end_ticks = t.start_ticks + duration;
      out.push_back(std::move(t));
    }
  }
}

}  // namespace

std::vector<TraceSpan> read_trace_spans(const Json& doc, std::vector<std::string>* notes) {
  std::vector<TraceSpan> spans;
  if (doc.is_object() && doc.contains("resourceSpans")) {
    otlp(doc, spans);
  } else if (doc.is_object() && doc.contains("data")) {
    jaeger(doc, spans);
  } else {
    refuse("", "expected OTLP JSON (\"resourceSpans\") or Jaeger JSON (\"data\"), found " +
                   describe(doc));
  }
  if (spans.empty()) refuse("", "expected at least one span, found none");
  const double tick_s = doc.contains("resourceSpans") ? 1e-9 : 1e-6;
  std::uint64_t origin = spans.front().start_ticks;
  for (const TraceSpan& s : spans) origin = std::min(origin, s.start_ticks);
  // Today's times are about 1.7e18 ns (1.7e15 us) since 1970. Times below 1e17 ns (1e14 us),
  // before 1973, are most likely microseconds or milliseconds written where nanoseconds (or
  // microseconds) belong: every duration would be 1,000 times too short.
  std::uint64_t latest = 0;
  for (const TraceSpan& s : spans) latest = std::max(latest, s.end_ticks);
  const bool otlp_times = doc.contains("resourceSpans");
  if (notes != nullptr && latest > 0 &&
      latest < (otlp_times ? 100'000'000'000'000'000ULL : 100'000'000'000'000ULL)) {
    notes->push_back(std::string("the spans' times are before 1973 if they are ") +
                     (otlp_times ? "nanoseconds (OTLP's *UnixNano)" : "microseconds (Jaeger)") +
                     " since 1970: if they are another unit, every duration and rate below is off "
                     "by that factor (export them in " +
                     (otlp_times ? "nanoseconds" : "microseconds") + ")");
  }
  std::size_t unnamed = 0;
  for (const TraceSpan& s : spans) unnamed += s.unnamed_service ? 1 : 0;
  if (notes != nullptr && unnamed > 0) {
    notes->push_back(std::to_string(unnamed) + " span(s) have no service name (" +
                     (otlp_times ? "resource attribute service.name" : "process serviceName") +
                     "): they are service \"unknown\"");
  }
  std::set<std::pair<std::string, std::string>> ids;
  for (TraceSpan& s : spans) {
    if (s.end_ticks < s.start_ticks) refuse(s.pointer, "expected an end at or after the start");
    // Exact integers until the difference is converted: times to the file's own resolution.
    s.start_s = static_cast<double>(s.start_ticks - origin) * tick_s;
    s.end_s = static_cast<double>(s.end_ticks - origin) * tick_s;
    ids.emplace(s.trace, s.id);
  }
  for (const TraceSpan& s : spans) {
    if (!s.parent.empty() && ids.count({s.trace, s.parent}) == 0) {
      refuse(s.pointer, "expected the parent span " + s.parent + " in trace " + s.trace +
                            ", found none (a truncated export?)");
    }
  }
  return spans;
}

}  // namespace capsim::import
