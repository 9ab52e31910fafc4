#pragma once
// Output paths checked before any work starts: a run of minutes must not end with "cannot write".

#include <string>
#include <utility>
#include <vector>

namespace capsim::cli {

/// Throws model::ModelError (exit 2) naming `flag` when `path` (a file to be written, e.g. by
/// -o) cannot be created: its folder does not exist, is not a folder, or cannot be written, or
/// `path` itself is a folder, a device, a pipe or a symbolic link (outputs are renamed over their
/// name: that would replace it). An empty path (no such option given) passes.
void check_output_file(const std::string& flag, const std::string& path);

/// The same for a folder that capsim creates if needed (--csv): the nearest existing folder on
/// its path must be writable, and `path` must not be an existing file.
void check_output_folder(const std::string& flag, const std::string& path);

/// Throws model::ModelError (exit 2) when two of `outputs` (flag, path; empty paths skipped)
/// name the same file, or one of them names one of `inputs`: one would be lost.
void check_distinct_files(const std::vector<std::pair<std::string, std::string>>& outputs,
                          const std::vector<std::string>& inputs);

}  // namespace capsim::cli
