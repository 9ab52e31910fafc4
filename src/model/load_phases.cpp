/// \file `simulation.phases`: named intervals of the run that the results summarise on their own
/// (docs/phases.md).

#include <algorithm>

#include "loader.hpp"

namespace capsim::model::detail {

namespace {

/// A phase's name becomes a key of metric names (phases.NAME.workloads...): letters, digits,
/// '_' and '-', so that the dotted names stay unambiguous.
bool usable_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

}  // namespace

std::vector<PhaseSpec> read_phases(Reader& reader, const Json& value, const std::string& pointer,
                                   std::optional<double> duration_s) {
  std::vector<PhaseSpec> phases;
  if (!value.is_array()) {
    reader.expected(pointer,
                    R"(a list of phases such as [{"name": "spike", "from": "5m", "to": "7m"}])",
                    value);
    return phases;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    const Json& item = value[i];
    const std::string at = child(pointer, i);
    if (!item.is_object()) {
      reader.expected(at, R"(a phase such as {"name": "spike", "from": "5m", "to": "7m"})", item);
      continue;
    }
    reader.check_keys(item, at, "phase", {"name", "from", "to"});
    PhaseSpec phase;
    bool ok = true;
    if (const Json* name = find(item, "name")) {
      const std::string name_at = child(at, "name");
      if (name->is_string() && usable_name(name->get<std::string>())) {
        phase.name = name->get<std::string>();
        for (const PhaseSpec& other : phases) {
          if (other.name == phase.name) {
            reader.error(name_at, "expected a name no other phase has, found \"" + phase.name +
                                      "\" a second time");
            ok = false;
          }
        }
      } else {
        reader.expected(name_at,
                        "a name of letters, digits, '_' and '-' (it becomes part of metric names)",
                        *name);
        ok = false;
      }
    } else {
      reader.missing(child(at, "name"), "a name such as \"spike\"");
      ok = false;
    }
    std::optional<double> from, to;
    if (const Json* f = find(item, "from")) {
      from = reader.duration(*f, child(at, "from"), Sign::non_negative);
    } else {
      reader.missing(child(at, "from"), "the phase's start, a time such as \"5m\"");
    }
    if (const Json* t = find(item, "to")) {
      to = reader.duration(*t, child(at, "to"), Sign::positive);
    } else {
      reader.missing(child(at, "to"), "the phase's end, a time such as \"7m\"");
    }
    if (!from || !to) continue;
    if (*to <= *from) {
      reader.error(child(at, "to"), "expected an end after the phase's start (" +
                                        seconds_text(*from) + "), found " + seconds_text(*to));
      continue;
    }
    // A phase past the run's end is most often a shorter --duration for a quick look at a model
    // written for the whole test: it is kept (its metrics keep their names, so that experiments
    // still name them), measured until the run ends, and said so.
    if (duration_s && *from >= *duration_s) {
      reader.warning(child(at, "from"), "the phase starts at or after the run's end (" +
                                            seconds_text(*duration_s) + "): its metrics are null");
    } else if (duration_s && *to > *duration_s) {
      reader.warning(child(at, "to"), "the phase ends after the run's end (" +
                                          seconds_text(*duration_s) + "): measured until then");
    }
    phase.from_s = *from;
    phase.to_s = *to;
    if (ok) phases.push_back(std::move(phase));
  }
  return phases;
}

}  // namespace capsim::model::detail
