/// \file Workloads (open and closed, with their mixes and retries) and the profiles that drive
/// them: constant, stages, diurnal and trace-driven rates and user counts.

#include <cmath>
#include <map>

#include "model_loader.hpp"

namespace capsim::model::detail {

namespace {

// Bounds that catch typos (an extra zero or three) before they cost an hour of simulation.
constexpr double max_rate = 1e7;
constexpr std::int64_t max_users = 1000000;
constexpr std::size_t max_workloads = 1000;
// Per-client rate limits keep a few bytes per client and limiter.
constexpr std::int64_t max_clients = 1000000;

std::optional<ClientsSpec> read_clients(Reader& reader, const Json& value,
                                        const std::string& pointer) {
  if (!value.is_object()) {
    reader.expected(pointer, R"(an object such as {"count": 1000, "popularity": {"zipf": 1.1}})",
                    value);
    return std::nullopt;
  }
  const std::size_t errors_before = reader.error_count();
  reader.check_keys(value, pointer, "clients", {"count", "popularity"});
  ClientsSpec spec;
  if (const Json* count = find(value, "count")) {
    if (const auto n = reader.integer(*count, child(pointer, "count"), 1, max_clients)) {
      spec.count = *n;
    }
  } else {
    reader.missing(child(pointer, "count"), "the number of distinct clients");
  }
  if (const Json* popularity = find(value, "popularity")) {
    read_popularity(reader, *popularity, child(pointer, "popularity"), spec.popularity,
                    spec.zipf_exponent);
  }
  if (reader.error_count() != errors_before) return std::nullopt;
  return spec;
}

}  // namespace

void ModelLoader::read_workloads(const Json& value, const std::string& pointer, Spec& spec) {
  if (!value.is_array()) {
    reader_.expected(pointer, "an array of workloads", value);
    return;
  }
  if (value.empty()) {
    reader_.expected(pointer, "at least one workload", value);
    return;
  }
  if (value.size() > max_workloads) {
    reader_.error(pointer, "expected at most " + std::to_string(max_workloads) +
                               " workloads, found " + std::to_string(value.size()));
    return;
  }
  std::map<std::string, std::string> names;  // name -> pointer of the first use
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string at = child(pointer, i);
    const Json* name = find(value[i], "name");
    if (name != nullptr && name->is_string() && !name->get_ref<const std::string&>().empty()) {
      const auto [first, inserted] = names.emplace(name->get<std::string>(), at);
      if (!inserted) {
        reader_.expected(child(at, "name"), "a unique workload name", *name,
                         " (also used by " + first->second + ")");
      }
    }
    if (auto workload = read_workload(value[i], at)) spec.workloads.push_back(std::move(*workload));
  }
}

void ModelLoader::check_client_keys(const Json& workloads, Spec& spec) {
  // A cache keyed by client holds one key per client of every workload (numbered as the
  // simulation numbers them); the analytic estimates take the first workload's popularity.
  std::int64_t clients = 0;
  const ClientsSpec* first = nullptr;
  for (const WorkloadSpec& w : spec.workloads) {
    if (!w.clients) continue;
    clients += w.clients->count;
    if (first == nullptr) first = &*w.clients;
  }
  std::int64_t item_keys = 0;
  for (const ServiceSpec& s : spec.services) {
    if (s.cache && !s.cache->keyed_by_client) item_keys += s.cache->key_count;
  }
  for (ServiceSpec& s : spec.services) {
    if (!s.cache || !s.cache->keyed_by_client || first == nullptr) continue;
    CacheSpec& cache = *s.cache;
    cache.key_count = clients;
    cache.popularity = first->popularity;
    cache.zipf_exponent = first->zipf_exponent;
    item_keys += clients;
    if (item_keys > max_cache_keys) {
      reader_.error(child(s.pointer, "keys"),
                    "expected at most " + std::to_string(max_cache_keys) +
                        " keys in all caches together (a cache keyed by client holds one per "
                        "client), found " +
                        std::to_string(item_keys));
    }
  }
  // The workloads as written: one whose clients had an error is not in spec.workloads.
  if (workloads.is_array()) {
    for (const Json& w : workloads) {
      if (w.is_object() && find(w, "clients") != nullptr) return;
    }
  }
  for (const ServiceSpec& s : spec.services) {
    for (const RateLimitSpec& limit : s.rate_limits) {
      if (limit.per_client) {
        reader_.error(child(limit.pointer, "per"),
                      "expected a workload with clients for a per-client limit, found none");
      }
    }
    if (s.load_balancer.policy == LbPolicy::client_hash) {
      reader_.error(child(child(s.pointer, "load_balancer"), "policy"),
                    "expected a workload with clients for client_hash, found none");
    }
    if (s.cache && s.cache->keyed_by_client) {
      reader_.error(child(s.pointer, "keys"),
                    R"(expected a workload with clients for keys "client", found none)");
    }
  }
}

std::optional<WorkloadSpec> ModelLoader::read_workload(const Json& value,
                                                       const std::string& pointer) {
  if (!value.is_object()) {
    reader_.expected(pointer, "a workload object", value);
    return std::nullopt;
  }
  WorkloadSpec spec;
  spec.pointer = pointer;
  const std::size_t errors_before = reader_.error_count();

  bool kind_known = true;
  if (const Json* kind = find(value, "kind")) {
    const auto index = reader_.choice(*kind, child(pointer, "kind"), {"open", "closed"});
    kind_known = index.has_value();
    if (index) spec.kind = *index == 0 ? WorkloadKind::open : WorkloadKind::closed;
  }
  const Names common{"name", "kind", "target", "endpoint", "mix", "timeout", "retry", "clients"};
  const Names open_keys{"rate", "interarrival"};
  const Names closed_keys{"users", "think_time"};
  if (!kind_known) {
    Names all = common;
    all.insert(all.end(), open_keys.begin(), open_keys.end());
    all.insert(all.end(), closed_keys.begin(), closed_keys.end());
    reader_.check_keys(value, pointer, "workload", all);
  } else {
    const bool open = spec.kind == WorkloadKind::open;
    Names own = common;
    const Names& mine = open ? open_keys : closed_keys;
    const Names& theirs = open ? closed_keys : open_keys;
    own.insert(own.end(), mine.begin(), mine.end());
    reader_.check_keys(value, pointer, "workload", own, theirs);
    for (const std::string_view key : theirs) {
      if (find(value, key) != nullptr) {
        reader_.error(child(pointer, key),
                      open ? "only for closed workloads" : "only for open workloads");
      }
    }
  }

  if (const Json* name = find(value, "name")) {
    if (const auto text = reader_.string(*name, child(pointer, "name"), "a non-empty name")) {
      spec.name = *text;
    }
  } else {
    reader_.missing(child(pointer, "name"), "a name for the workload");
  }

  const ServiceOutline* target = nullptr;
  if (const Json* target_value = find(value, "target")) {
    target = resolve_service(*target_value, child(pointer, "target"));
    if (target != nullptr) spec.target = target->name;
  } else {
    reader_.missing(child(pointer, "target"), service_what());
  }

  const Json* endpoint = find(value, "endpoint");
  const Json* mix = find(value, "mix");
  if (endpoint != nullptr && mix != nullptr) {
    reader_.error(child(pointer, "mix"), "expected either endpoint or mix, found both");
  } else if (mix != nullptr) {
    if (auto entries = read_mix(*mix, child(pointer, "mix"), target))
      spec.mix = std::move(*entries);
  } else if (target != nullptr) {
    if (auto name = resolve_endpoint(*target, endpoint, child(pointer, "endpoint"))) {
      spec.mix.push_back({*name, 1.0});
    }
  } else if (endpoint != nullptr && !endpoint->is_string()) {
    reader_.expected(child(pointer, "endpoint"), "an endpoint name", *endpoint);
  }

  if (kind_known && spec.kind == WorkloadKind::open) {
    if (const Json* rate = find(value, "rate")) {
      if (auto profile = read_rate(*rate, child(pointer, "rate"))) spec.rate = std::move(*profile);
    } else {
      reader_.missing(child(pointer, "rate"),
                      "a rate in requests per second, or a profile such as {\"stages\": [...]}");
    }
    if (const Json* interarrival = find(value, "interarrival")) {
      const std::string at = child(pointer, "interarrival");
      spec.interarrival = read_distribution(reader_, *interarrival, at, Quantity::time);
      const Json* rate = find(value, "rate");
      if (rate != nullptr && !rate->is_number()) {
        reader_.error(at, "only with a constant rate (a number), not a rate profile");
      }
    }
  } else if (kind_known) {
    if (const Json* users = find(value, "users")) {
      if (auto profile = read_users(*users, child(pointer, "users"))) {
        spec.users = std::move(*profile);
      }
    } else {
      reader_.missing(child(pointer, "users"),
                      "a number of users, or a profile such as {\"stages\": [...]}");
    }
    // Without think_time a user sends its next request as soon as the last one completes.
    spec.think_time = dist::DistSpec{dist::Constant{0.0}};
    if (const Json* think = find(value, "think_time")) {
      if (auto distribution =
              read_distribution(reader_, *think, child(pointer, "think_time"), Quantity::time)) {
        spec.think_time = std::move(*distribution);
      }
    }
    // A publish to a queue is answered at once: users who never think would publish forever
    // without simulated time moving.
    const auto* think = std::get_if<dist::Constant>(&spec.think_time.v);
    if (target != nullptr && target->kind == ServiceKind::queue && think != nullptr &&
        think->value_s == 0.0) {
      reader_.error(child(pointer, "think_time"),
                    "expected a think time above 0 for a closed workload aimed at queue '" +
                        target->name +
                        "' (a publish is answered at once, so users without think time would "
                        "publish endlessly without simulated time passing), found " +
                        (find(value, "think_time") != nullptr ? "0" : "none (0)"));
    }
  }

  if (const Json* timeout = find(value, "timeout")) {
    spec.timeout_s = reader_.duration(*timeout, child(pointer, "timeout"), Sign::positive);
  }
  if (const Json* retry = find(value, "retry")) {
    spec.retry = read_retry(reader_, *retry, child(pointer, "retry"));
  }
  if (const Json* clients = find(value, "clients")) {
    spec.clients = read_clients(reader_, *clients, child(pointer, "clients"));
  }
  if (reader_.error_count() != errors_before) return std::nullopt;
  return spec;
}

std::optional<std::vector<MixEntry>> ModelLoader::read_mix(const Json& value,
                                                           const std::string& pointer,
                                                           const ServiceOutline* target) {
  if (!value.is_array() || value.empty()) {
    reader_.expected(
        pointer, R"(a non-empty array such as [{"endpoint": "read", "weight": 0.9}, ...])", value);
    return std::nullopt;
  }
  std::vector<MixEntry> entries;
  bool ok = true;
  double sum = 0.0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const Json& entry = value[i];
    const std::string at = child(pointer, i);
    if (!entry.is_object()) {
      reader_.expected(at, R"(an object such as {"endpoint": "read", "weight": 0.9})", entry);
      ok = false;
      continue;
    }
    reader_.check_keys(entry, at, "mix", {"endpoint", "weight"});
    MixEntry mix_entry;
    const Json* endpoint = find(entry, "endpoint");
    if (target != nullptr) {
      const auto name = resolve_endpoint(*target, endpoint, child(at, "endpoint"));
      ok = ok && name.has_value();
      if (name) mix_entry.endpoint = *name;
    } else if (endpoint == nullptr) {
      reader_.missing(child(at, "endpoint"), "an endpoint name");
      ok = false;
    }
    if (const Json* weight = find(entry, "weight")) {
      const auto w = reader_.signed_number(*weight, child(at, "weight"), Sign::positive);
      ok = ok && w.has_value();
      if (w) mix_entry.weight = *w;
    }
    sum += mix_entry.weight;
    entries.push_back(std::move(mix_entry));
  }
  if (!ok) return std::nullopt;
  for (MixEntry& entry : entries) entry.weight /= sum;
  return entries;
}

std::optional<double> ModelLoader::read_rate_value(const Json& value, const std::string& pointer) {
  if (!value.is_number() || !(value.get<double>() >= 0)) {
    reader_.expected(pointer, "a rate >= 0 requests per second", value);
    return std::nullopt;
  }
  const double rate = value.get<double>();
  if (rate > max_rate) {
    reader_.expected(pointer, "a rate of at most " + number_text(max_rate) + " requests per second",
                     value, " (absurdly large rate)");
    return std::nullopt;
  }
  return rate;
}

std::optional<double> ModelLoader::read_user_target(const Json& value, const std::string& pointer) {
  return reader_.number(value, pointer, "a number of users from 0 to " + std::to_string(max_users),
                        [](double x) { return x >= 0 && x <= static_cast<double>(max_users); });
}

std::optional<Profile> ModelLoader::read_rate(const Json& value, const std::string& pointer) {
  if (value.is_number()) {
    const auto rate = read_rate_value(value, pointer);
    if (!rate) return std::nullopt;
    Profile profile;
    profile.constant = *rate;
    return profile;
  }
  if (!value.is_object()) {
    reader_.expected(
        pointer, R"(a rate in requests per second, or a profile such as {"stages": [...]})", value);
    return std::nullopt;
  }
  reader_.check_keys(value, pointer, "rate", {"stages", "start", "diurnal", "trace"});
  std::vector<std::string> kinds;
  for (const std::string_view kind : {"stages", "diurnal", "trace"}) {
    if (find(value, kind) != nullptr) kinds.emplace_back(kind);
  }
  if (find(value, "start") != nullptr && find(value, "stages") == nullptr) {
    reader_.error(child(pointer, "start"), "only with stages");
  }
  if (kinds.empty()) {
    reader_.expected(pointer, "a rate profile with one of stages, diurnal or trace", value);
    return std::nullopt;
  }
  if (kinds.size() > 1) {
    reader_.error(pointer, "expected one of stages, diurnal or trace, found " + join_and(kinds));
    return std::nullopt;
  }
  if (kinds.front() == "stages") {
    return read_stages(value, pointer, [this](const Json& v, const std::string& p) {
      return read_rate_value(v, p);
    });
  }
  if (kinds.front() == "diurnal")
    return read_diurnal(*find(value, "diurnal"), child(pointer, "diurnal"));
  return read_trace(*find(value, "trace"), child(pointer, "trace"));
}

std::optional<Profile> ModelLoader::read_users(const Json& value, const std::string& pointer) {
  if (value.is_number()) {
    const auto users = reader_.integer(value, pointer, 0, max_users);
    if (!users) return std::nullopt;
    Profile profile;
    profile.constant = static_cast<double>(*users);
    return profile;
  }
  if (!value.is_object()) {
    reader_.expected(pointer, R"(a number of users, or a profile such as {"stages": [...]})",
                     value);
    return std::nullopt;
  }
  reader_.check_keys(value, pointer, "users", {"stages", "start"});
  if (find(value, "stages") == nullptr) {
    reader_.missing(child(pointer, "stages"),
                    R"(an array of stages such as {"duration": "2m", "target": 50})");
    return std::nullopt;
  }
  return read_stages(value, pointer, [this](const Json& v, const std::string& p) {
    return read_user_target(v, p);
  });
}

template <class ReadValue>
std::optional<Profile> ModelLoader::read_stages(const Json& object, const std::string& pointer,
                                                ReadValue read_value) {
  const Json& stages = *find(object, "stages");
  const std::string stages_pointer = child(pointer, "stages");
  Profile profile;
  profile.kind = ProfileKind::stages;
  bool ok = true;
  if (const Json* start = find(object, "start")) {
    const auto value = read_value(*start, child(pointer, "start"));
    ok = value.has_value();
    if (value) profile.start = *value;
  }
  if (!stages.is_array() || stages.empty()) {
    reader_.expected(stages_pointer,
                     R"(a non-empty array of stages such as {"duration": "2m", "target": 500})",
                     stages);
    return std::nullopt;
  }
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const Json& stage = stages[i];
    const std::string at = child(stages_pointer, i);
    if (!stage.is_object()) {
      reader_.expected(at, R"(a stage such as {"duration": "2m", "target": 500})", stage);
      ok = false;
      continue;
    }
    reader_.check_keys(stage, at, "stage", {"duration", "target"});
    Stage spec;
    if (const Json* duration = find(stage, "duration")) {
      const auto seconds = reader_.duration(*duration, child(at, "duration"), Sign::non_negative);
      ok = ok && seconds.has_value();
      if (seconds) spec.duration_s = *seconds;
    } else {
      reader_.missing(child(at, "duration"), R"(a duration such as "2m")");
      ok = false;
    }
    if (const Json* target = find(stage, "target")) {
      const auto value = read_value(*target, child(at, "target"));
      ok = ok && value.has_value();
      if (value) spec.target = *value;
    } else {
      reader_.missing(child(at, "target"), "the value at the end of the stage");
      ok = false;
    }
    profile.stages.push_back(spec);
  }
  if (!ok) return std::nullopt;
  return profile;
}

std::optional<Profile> ModelLoader::read_diurnal(const Json& value, const std::string& pointer) {
  if (!value.is_object()) {
    reader_.expected(pointer, "an object with mean, amplitude, period and phase", value);
    return std::nullopt;
  }
  reader_.check_keys(value, pointer, "diurnal", {"mean", "amplitude", "period", "phase"});
  Profile profile;
  profile.kind = ProfileKind::diurnal;
  Diurnal& diurnal = profile.diurnal;
  bool ok = true;
  std::optional<double> mean;
  if (const Json* m = find(value, "mean")) {
    mean = read_rate_value(*m, child(pointer, "mean"));
    ok = mean.has_value();
    if (mean) diurnal.mean = *mean;
  } else {
    reader_.missing(child(pointer, "mean"), "the mean rate in requests per second");
    ok = false;
  }
  if (const Json* a = find(value, "amplitude")) {
    const std::string at = child(pointer, "amplitude");
    const auto amplitude = reader_.number(*a, at, "an amplitude >= 0 requests per second",
                                          [](double x) { return x >= 0; });
    ok = ok && amplitude.has_value();
    if (amplitude && mean && *amplitude > *mean) {
      reader_.expected(at, "an amplitude <= the mean (" + number_text(*mean) + ")", *a,
                       " (the rate would go negative)");
      ok = false;
    }
    if (amplitude) diurnal.amplitude = *amplitude;
  } else {
    reader_.missing(child(pointer, "amplitude"), "the amplitude in requests per second");
    ok = false;
  }
  if (const Json* period = find(value, "period")) {
    const auto seconds = reader_.duration(*period, child(pointer, "period"), Sign::positive);
    ok = ok && seconds.has_value();
    if (seconds) diurnal.period_s = *seconds;
  }
  if (const Json* phase = find(value, "phase")) {
    const auto seconds = reader_.duration(*phase, child(pointer, "phase"), Sign::any);
    ok = ok && seconds.has_value();
    if (seconds) diurnal.phase_s = *seconds;
  }
  if (!ok) return std::nullopt;
  return profile;
}

std::optional<Profile> ModelLoader::read_trace(const Json& value, const std::string& pointer) {
  const auto file = reader_.string(value, pointer, R"(a file name such as "rates.csv")");
  if (!file) return std::nullopt;
  Profile profile;
  profile.kind = ProfileKind::trace;
  bool ok = true;
  bool first = true;
  std::size_t previous_line = 0;
  const bool read =
      read_lines(reader_, *file, pointer, [&](std::size_t number, std::string_view text) {
        const std::string_view line = trim(text);
        if (line.empty() || line.front() == '#') return;
        const std::string where = *file + " line " + std::to_string(number) + ": ";
        const auto comma = line.find(',');
        std::optional<double> time;
        std::optional<double> rate;
        if (comma != std::string_view::npos) {
          time = parse_number(line.substr(0, comma));
          rate = parse_number(line.substr(comma + 1));
        }
        const bool first_row = first;
        first = false;
        if (!time || !rate) {
          // The first row may be a header such as "time_seconds,rate".
          if (first_row && !time) return;
          reader_.error(pointer,
                        where + "expected time_seconds,rate, found " + describe_text(line));
          ok = false;
          return;
        }
        if (profile.trace.empty() && *time != 0.0) {
          reader_.error(pointer,
                        where + "expected the first time to be 0, found " + number_text(*time));
          ok = false;
        } else if (!profile.trace.empty() && *time <= profile.trace.back().time_s) {
          reader_.error(pointer, where + "expected a time after " +
                                     number_text(profile.trace.back().time_s) + " (line " +
                                     std::to_string(previous_line) + "), found " +
                                     number_text(*time));
          ok = false;
          return;
        }
        if (*rate < 0) {
          reader_.error(pointer, where + "expected a rate >= 0, found " + number_text(*rate));
          ok = false;
        } else if (*rate > max_rate) {
          reader_.error(pointer, where + "expected a rate of at most " + number_text(max_rate) +
                                     " requests per second, found " + number_text(*rate) +
                                     " (absurdly large rate)");
          ok = false;
        }
        profile.trace.push_back({*time, *rate});
        previous_line = number;
      });
  if (!read) return std::nullopt;
  if (profile.trace.empty() && ok) {
    reader_.error(pointer, *file + ": expected rows time_seconds,rate, found none");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return profile;
}

}  // namespace capsim::model::detail
