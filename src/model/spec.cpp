#include "capsim/model/spec.hpp"

namespace capsim::model {

std::optional<std::size_t> Spec::service_index(const std::string& name) const {
  for (std::size_t i = 0; i < services.size(); ++i) {
    if (services[i].name == name) return i;
  }
  return std::nullopt;
}

}  // namespace capsim::model
