#pragma once
/// \file Internal to the model reader (json_positions.cpp): the places of many JSON Pointers in
/// one JSON text, found in one reading of it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace capsim::model {

/// json_position (capsim/model/document.hpp) for each of `pointers`, reading `text` once: a
/// message with a hundred places in a file of 60 MB read it a hundred times (seconds).
std::vector<std::optional<std::pair<std::size_t, std::size_t>>> json_positions(
    std::string_view text, const std::vector<std::string>& pointers);

}  // namespace capsim::model
