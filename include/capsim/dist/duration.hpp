#pragma once
/// \file Durations with units: "250us", "150ms", "2s", "5m", "1h", or a plain number of seconds.

#include <optional>
#include <string>
#include <string_view>

namespace capsim::dist {

/// Parses a duration string into seconds. Accepts an optional sign-free decimal number (with
/// optional exponent) followed by one of the units ns, us, ms, s, m, h, d; whitespace between the
/// number and the unit is allowed. Returns std::nullopt when the text is not a duration or the
/// value is not finite. Negative values are returned as parsed: range checks belong to validation.
std::optional<double> parse_duration(std::string_view text);

/// Formats seconds as a short human string ("150ms", "2.5s", "5m", "1h30m"), for summaries.
std::string format_duration(double seconds);

}  // namespace capsim::dist
