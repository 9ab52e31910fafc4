#pragma once
/// \file Internal to reading capsim outputs (not installed): JSON reading that names the JSON
/// Pointer of what is wrong, estimates and the common header, and RFC 4180 CSV records
/// (input_reading.cpp); shared by detection and the results, sweep and compare readers.

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "capsim/report/inputs.hpp"

namespace capsim::report::detail {

using Json = nlohmann::ordered_json;

/// Throws model::ModelError(where, message).
[[noreturn]] void bad(const std::string& where, const std::string& message);

/// What a JSON value is, for messages: `"text"`, `3.5`, `null`, `an array`, `an object`.
std::string describe(const Json& j);

/// `text` as JSON; throws model::ModelError with the line and column of a syntax error.
Json parse_json(const std::string& text);

/// `text` as a JSON object; throws model::ModelError when it is anything else.
Json root_object(const std::string& text);

/// The member `key` of `object`, or nullptr when it has none.
const Json* member(const Json& object, const std::string& key);

/// The member `key` of the object at `pointer`; throws when it is missing.
const Json& required(const Json& object, const std::string& pointer, const std::string& key);
/// The member `key` of the object at `pointer`; throws when it is missing or not an object.
const Json& object_at(const Json& object, const std::string& pointer, const std::string& key);
/// The member `key` of the object at `pointer`; throws when it is missing or not an array.
const Json& array_at(const Json& object, const std::string& pointer, const std::string& key);

/// `j` (at `pointer`) as a number; throws when it is not one.
double number(const Json& j, const std::string& pointer);
/// `j` as a number, absent for null.
std::optional<double> number_or_null(const Json& j, const std::string& pointer);
/// `j` as a string; throws when it is not one.
std::string string_of(const Json& j, const std::string& pointer);
/// `j` as a boolean, absent for null.
std::optional<bool> bool_or_null(const Json& j, const std::string& pointer);
/// The string member `key`, "" when it is missing or null.
std::string optional_string(const Json& object, const std::string& pointer, const std::string& key);
/// The number member `key`, absent when it is missing or null.
std::optional<double> optional_number(const Json& object, const std::string& pointer,
                                      const std::string& key);
/// An array of strings.
std::vector<std::string> strings(const Json& array, const std::string& pointer);

/// Whether `j` is an object with "mean" and "ci": an estimate.
bool looks_like_estimate(const Json& j);
/// An estimate {"mean": ..., "ci": [lo, hi] or null, "n": ...}; throws when `j` is none.
Value read_value(const Json& j, const std::string& pointer);

/// The header of a results, sweep or compare output (absent fields stay empty).
Header read_header(const Json& root);

/// An array of SLO checks [{"metric", "limit", "value", "met", "confident"}] at `pointer`.
std::vector<SloCheckRow> read_slo_checks(const Json& checks, const std::string& pointer);

/// The member "slo" of a sweep or size output, {"latency": {"p99_ms": 200}, "error_rate": x};
/// empty limits when there is none.
SloLimits read_slo_limits(const Json& root);

/// RFC 4180 records: fields separated by commas, quoted with "" when they hold commas, quotes or
/// line ends. Records end at LF or CRLF; empty records are dropped. Each record carries its
/// first line number.
std::vector<std::pair<std::size_t, std::vector<std::string>>> csv_records(const std::string& text);

}  // namespace capsim::report::detail
