/// \file Reading a service's `memory`: a baseline per replica, memory per request in flight (a
/// distribution), the pod's request and limit (docs/memory.md). It refers to no other part of
/// the model, so it is read here, apart from the model's structure (load_services.cpp).

#include "loader.hpp"

namespace capsim::model::detail {

std::optional<MemorySpec> read_memory(Reader& reader, const Json& value,
                                      const std::string& pointer) {
  if (!value.is_object()) {
    reader.expected(
        pointer,
        R"(an object such as {"baseline_mib": 200, "per_request_mib": 2, "limit_mib": 512})",
        value);
    return std::nullopt;
  }
  reader.check_keys(value, pointer, "memory",
                    {"baseline_mib", "per_request_mib", "request_mib", "limit_mib"});
  MemorySpec m;
  m.pointer = pointer;
  bool ok = true;
  const auto number = [&](const char* key, Sign sign) -> std::optional<double> {
    const Json* v = find(value, key);
    if (v == nullptr) return std::nullopt;
    const auto x = reader.signed_number(*v, child(pointer, key), sign);
    ok = ok && x.has_value();
    return x;
  };
  if (find(value, "baseline_mib") == nullptr) {
    reader.missing(child(pointer, "baseline_mib"), "the memory of an idle replica in MiB (>= 0)");
    ok = false;
  } else if (const auto b = number("baseline_mib", Sign::non_negative)) {
    m.baseline_mib = *b;
  }
  if (const Json* per = find(value, "per_request_mib")) {
    const auto d =
        read_distribution(reader, *per, child(pointer, "per_request_mib"), Quantity::count);
    ok = ok && d.has_value();
    if (d) m.per_request_mib = *d;
  } else {
    m.per_request_mib = dist::DistSpec{};  // constant 0
  }
  m.limit_mib = number("limit_mib", Sign::positive);
  const auto request = number("request_mib", Sign::positive);
  if (!ok) return std::nullopt;
  if (m.limit_mib && *m.limit_mib <= m.baseline_mib) {
    reader.expected(child(pointer, "limit_mib"),
                    "a limit above baseline_mib (an idle replica would be killed at once)",
                    *find(value, "limit_mib"));
    return std::nullopt;
  }
  m.request_mib = request ? *request : m.limit_mib ? *m.limit_mib : m.baseline_mib;
  if (!(m.request_mib > 0.0)) {
    reader.missing(child(pointer, "request_mib"),
                   "the pod's memory request in MiB (> 0; the baseline is 0 and there is no "
                   "limit)");
    return std::nullopt;
  }
  return m;
}

}  // namespace capsim::model::detail
