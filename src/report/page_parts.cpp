#include "page_parts.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "capsim/report/html.hpp"

namespace capsim::report {

namespace detail {

namespace {

std::string seconds_text(double s) {
  return format_number(s) + " s";
}

}  // namespace

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string part;
  for (const char c : s) {
    if (c == sep) {
      parts.push_back(std::move(part));
      part.clear();
    } else {
      part += c;
    }
  }
  parts.push_back(std::move(part));
  return parts;
}

double scaled(const std::optional<double>& v, double factor) {
  return v ? *v * factor : kNaN;
}

std::string value_text(const std::optional<double>& v, double factor) {
  return v ? format_number(*v * factor) : "undefined";
}

std::string interval_text(const Value& v, double factor) {
  if (!v.lo || !v.hi) return "";
  // Built piecewise: GCC 12 warns falsely (-Wrestrict) about "literal" + std::string.
  std::string out("[");
  out += format_number(*v.lo * factor);
  out += ", ";
  out += format_number(*v.hi * factor);
  return out + "]";
}

std::string value_interval_text(const Value& v, const DisplayUnit& u) {
  if (!v.lo || !v.hi) return "";
  Value shown = v;
  if (!v.mean || *v.mean >= 0.0) shown.lo = std::max(*v.lo, 0.0);
  // A percentage is held as a fraction: the whole is 1.
  if (u.unit == "%" && (!v.mean || *v.mean <= 1.0)) shown.hi = std::min(*v.hi, 1.0);
  return interval_text(shown, u.factor);
}

std::string estimate_text(const Value& v, const DisplayUnit& u) {
  if (!v.mean) return "undefined";
  const std::string interval = interval_text(v, u.factor);
  return format_number(*v.mean * u.factor) + (interval.empty() ? "" : " " + interval);
}

std::string percent_text(double fraction) {
  return format_number(fraction * 100.0) + "%";
}

std::string confidence_text(const Header& h) {
  return percent_text(h.confidence.value_or(0.95));
}

std::string label_with_unit(const std::string& label, const DisplayUnit& u) {
  return u.unit.empty() ? label : label + " (" + u.unit + ")";
}

std::string page_header(const std::string& title, const Header& h, const ReportOptions& options,
                        const std::string& what) {
  std::string out = "<h1>" + escape_html(title) + "</h1>\n";
  std::vector<std::string> facts;
  if (!options.source.empty()) facts.push_back(what + " " + options.source);
  if (!h.model.empty()) facts.push_back("model " + h.model);
  if (!h.capsim_version.empty()) facts.push_back("capsim " + h.capsim_version);
  if (h.seed) facts.push_back("seed " + std::to_string(*h.seed));
  if (h.replications) {
    std::string r =
        std::to_string(*h.replications) + " replication" + (*h.replications == 1 ? "" : "s");
    if (h.simulated_seconds) r += " of " + seconds_text(*h.simulated_seconds);
    if (h.warmup_seconds) r += " (warm-up " + seconds_text(*h.warmup_seconds) + ")";
    facts.push_back(r);
  }
  if (h.confidence) {
    facts.push_back("intervals: " + confidence_text(h) +
                    " confidence, Student t over replications");
  }
  if (!facts.empty()) {
    std::string line;
    for (const std::string& f : facts) line += (line.empty() ? "" : " \xC2\xB7 ") + escape_html(f);
    out += "<p class=\"meta\">" + line + "</p>\n";
  }
  if (!h.description.empty()) out += "<p>" + escape_html(h.description) + "</p>\n";
  return out;
}

std::string badge(const std::optional<bool>& ok, const std::string& yes, const std::string& no) {
  if (!ok) return "<span class=\"badge neutral\">n/a</span>";
  return *ok ? "<span class=\"badge good\">" + escape_html(yes) + "</span>"
             : "<span class=\"badge bad\">" + escape_html(no) + "</span>";
}

std::string figure(const std::string& svg, bool half) {
  return std::string(half ? "<figure class=\"half\">\n" : "<figure>\n") + svg + "</figure>\n";
}

std::string notices_html(const std::vector<std::string>& notices, std::size_t limit) {
  if (notices.empty()) return "";
  std::string out = "<ul class=\"notices\">\n";
  for (std::size_t i = 0; i < notices.size() && i < limit; ++i) {
    out += "<li>" + escape_html(notices[i]) + "</li>\n";
  }
  if (notices.size() > limit) {
    out += "<li>... and " + std::to_string(notices.size() - limit) + " more</li>\n";
  }
  return out + "</ul>\n";
}

std::vector<Reference> slo_lines(const SloLimits& slo, const std::vector<std::string>& metrics,
                                 double factor) {
  std::vector<Reference> out;
  bool latency = false;
  bool errors = false;
  for (const std::string& m : metrics) {
    const std::vector<std::string> parts = split(m, '.');
    if (parts.size() < 3 || parts[0] != "workloads") continue;
    latency = latency || (parts.size() == 4 && parts[2] == "latency_ms");
    errors = errors || (parts.size() == 3 && parts[2] == "error_rate");
  }
  if (latency) {
    for (const auto& [p, limit] : slo.latency_ms) {
      // Only the percentiles drawn (a p99 limit is no line for a p50 chart of its own).
      // A copy: clang before 16 cannot capture a structured binding.
      const std::string suffix = ".latency_ms." + p;
      const bool drawn = std::any_of(metrics.begin(), metrics.end(),
                                     [&](const std::string& m) { return m.ends_with(suffix); });
      if (drawn) out.push_back({limit * factor, "SLO " + p + " " + format_number(limit) + " ms"});
    }
  }
  if (errors && slo.error_rate) {
    out.push_back({*slo.error_rate * factor, "SLO " + percent_text(*slo.error_rate)});
  }
  return out;
}

}  // namespace detail

DisplayUnit display_unit(const std::string& metric) {
  const std::vector<std::string> parts = detail::split(metric, '.');
  static const std::set<std::string> percent{
      "error_rate",   "errors",  "cpu_utilization", "worker_utilization",  "rejected",
      "rate_limited", "dropped", "hit_ratio",       "wasted_work_fraction"};
  for (const std::string& p : parts) {
    if (p.ends_with("_ms")) return {1.0, "ms"};
  }
  for (const std::string& p : parts) {
    if (percent.count(p) > 0) return {100.0, "%"};
  }
  if (parts.back().ends_with("_rps")) return {1.0, "/s"};
  return {};
}

}  // namespace capsim::report
