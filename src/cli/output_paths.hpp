#pragma once
// Output paths checked before any work starts: a run of minutes must not end with "cannot write".

#include <string>

namespace capsim::cli {

/// Throws model::ModelError (exit 2) naming `flag` when `path` (a file to be written, e.g. by
/// -o) cannot be created: its folder does not exist, is not a folder, or cannot be written, or
/// `path` itself is a folder. An empty path (no such option given) passes.
void check_output_file(const std::string& flag, const std::string& path);

/// The same for a folder that capsim creates if needed (--csv): the nearest existing folder on
/// its path must be writable, and `path` must not be an existing file.
void check_output_folder(const std::string& flag, const std::string& path);

}  // namespace capsim::cli
