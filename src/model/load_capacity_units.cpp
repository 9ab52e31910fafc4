/// \file A database's `capacity_units` (docs/capacity-units.md): DynamoDB-like provisioned
/// capacity with a burst bucket, or on-demand capacity that follows the previous peak; requests
/// beyond them fail at once with `throttled`.

#include <algorithm>
#include <cmath>
#include <utility>

#include "model_loader.hpp"

namespace capsim::model::detail {

namespace {

constexpr double max_units_per_s = 1e9;

bool units(double x) {
  return std::isfinite(x) && x > 0 && x <= max_units_per_s;
}

/// `read` or `write`: the keys of `mode`; the other mode's keys are refused by name.
std::optional<CapacityDimensionSpec> read_dimension(Reader& reader, const Json& value,
                                                    const std::string& pointer, CapacityMode mode,
                                                    double default_peak) {
  const bool provisioned = mode == CapacityMode::provisioned;
  if (!value.is_object()) {
    reader.expected(pointer,
                    provisioned ? R"(an object such as {"units_per_s": 100})"
                                : R"(an object such as {"peak_units_per_s": 2000})",
                    value);
    return std::nullopt;
  }
  const Names provisioned_keys{"units_per_s", "price_per_unit_hour"};
  const Names on_demand_keys{"peak_units_per_s", "max_units_per_s", "price_per_million_units"};
  Names own{"units_per_request"};
  const Names& mine = provisioned ? provisioned_keys : on_demand_keys;
  const Names& theirs = provisioned ? on_demand_keys : provisioned_keys;
  own.insert(own.end(), mine.begin(), mine.end());
  reader.check_keys(value, pointer, "capacity_units", own, theirs);
  const std::size_t errors_before = reader.error_count();
  for (const std::string_view key : theirs) {
    if (find(value, key) == nullptr) continue;
    reader.error(child(pointer, key), provisioned ? R"(only with "mode": "on_demand")"
                                                  : R"(only with "mode": "provisioned")");
  }
  CapacityDimensionSpec spec;
  spec.peak_units_per_s = default_peak;
  const char* units_what = "a number of units > 0 per second (at most 1e9)";
  if (const Json* rate = find(value, "units_per_s")) {
    if (provisioned) {
      spec.units_per_s = reader.number(*rate, child(pointer, "units_per_s"), units_what, units);
    }
  } else if (provisioned) {
    reader.missing(child(pointer, "units_per_s"), "the provisioned units per second (> 0)");
  }
  if (const Json* per = find(value, "units_per_request")) {
    if (const auto u = reader.number(*per, child(pointer, "units_per_request"),
                                     "a number of units > 0 per request", units)) {
      spec.units_per_request = *u;
    }
  }
  if (!provisioned) {
    if (const Json* peak = find(value, "peak_units_per_s")) {
      if (const auto p =
              reader.number(*peak, child(pointer, "peak_units_per_s"), units_what, units)) {
        spec.peak_units_per_s = *p;
      }
    }
    if (const Json* max = find(value, "max_units_per_s")) {
      spec.max_units_per_s =
          reader.number(*max, child(pointer, "max_units_per_s"), units_what, units);
    }
    if (const Json* price = find(value, "price_per_million_units")) {
      spec.price_per_million_units = reader.signed_number(
          *price, child(pointer, "price_per_million_units"), Sign::non_negative);
    }
  } else if (const Json* price = find(value, "price_per_unit_hour")) {
    spec.price_per_unit_hour =
        reader.signed_number(*price, child(pointer, "price_per_unit_hour"), Sign::non_negative);
  }
  if (reader.error_count() != errors_before) return std::nullopt;
  return spec;
}

}  // namespace

std::optional<CapacityUnitsSpec> read_capacity_units(Reader& reader, const Json& value,
                                                     const std::string& pointer) {
  if (!value.is_object()) {
    reader.expected(pointer,
                    R"(an object such as {"mode": "provisioned", "read": {"units_per_s": 100}})",
                    value);
    return std::nullopt;
  }
  const std::size_t errors_before = reader.error_count();
  CapacityUnitsSpec spec;
  spec.pointer = pointer;
  if (const Json* mode = find(value, "mode")) {
    const auto index = reader.choice(*mode, child(pointer, "mode"), {"provisioned", "on_demand"});
    if (!index) return std::nullopt;
    spec.mode = static_cast<CapacityMode>(*index);
  }
  const bool provisioned = spec.mode == CapacityMode::provisioned;
  reader.check_keys(value, pointer, "capacity_units",
                    {"mode", "read", "write", provisioned ? "burst" : "adaptation"},
                    {provisioned ? "adaptation" : "burst"});
  if (const Json* burst = find(value, "burst")) {
    const std::string at = child(pointer, "burst");
    if (!provisioned) {
      reader.error(at, R"(only with "mode": "provisioned")");
    } else if (const auto s = reader.duration(*burst, at, Sign::non_negative)) {
      spec.burst_s = *s;
    }
  }
  if (const Json* adaptation = find(value, "adaptation")) {
    const std::string at = child(pointer, "adaptation");
    if (provisioned) {
      reader.error(at, R"(only with "mode": "on_demand")");
    } else if (const auto s = reader.duration(*adaptation, at, Sign::non_negative)) {
      // The seconds that will raise the peak are kept until they do: a day of them at most.
      if (*s > 86400.0) {
        reader.expected(at, "a duration of at most 1 day", *adaptation);
      } else {
        spec.adaptation_s = *s;
      }
    }
  }
  // DynamoDB's new on-demand table serves 12000 reads and 4000 writes per second at once: a
  // previous peak of half that.
  spec.read.peak_units_per_s = 6000.0;
  spec.write.peak_units_per_s = 2000.0;
  const Json* read = find(value, "read");
  const Json* write = find(value, "write");
  if (read != nullptr) {
    if (auto d = read_dimension(reader, *read, child(pointer, "read"), spec.mode, 6000.0)) {
      spec.read = *d;
    }
  }
  if (write != nullptr) {
    if (auto d = read_dimension(reader, *write, child(pointer, "write"), spec.mode, 2000.0)) {
      spec.write = *d;
    }
  }
  if (provisioned && read == nullptr && write == nullptr) {
    reader.missing(child(pointer, "read"),
                   R"(provisioned "read" or "write" units, such as {"units_per_s": 100})");
  }
  if (reader.error_count() != errors_before) return std::nullopt;
  // A request larger than what can ever be served would be throttled forever.
  for (const auto& [name, d] : {std::pair{"read", &spec.read}, std::pair{"write", &spec.write}}) {
    const std::string at = child(child(pointer, name), "units_per_request");
    if (provisioned && d->units_per_s) {
      const double bucket = *d->units_per_s * (1.0 + spec.burst_s);
      if (d->units_per_request > bucket) {
        reader.error(at, "expected at most " + number_text(bucket) +
                             " units (what the bucket holds: units_per_s x (1 s + burst)), found " +
                             number_text(d->units_per_request));
      }
    } else if (!provisioned) {
      // Nothing consumed, the peak never grows.
      double allowance = 2.0 * d->peak_units_per_s;
      if (d->max_units_per_s) allowance = std::min(allowance, *d->max_units_per_s);
      if (d->units_per_request > allowance) {
        reader.error(at, "expected at most " + number_text(allowance) +
                             " units (2 x peak_units_per_s, at most max_units_per_s), found " +
                             number_text(d->units_per_request));
      }
    }
  }
  if (reader.error_count() != errors_before) return std::nullopt;
  return spec;
}

}  // namespace capsim::model::detail
