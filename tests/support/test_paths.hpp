#pragma once
/// \file Where the tests find the sources and the capsim binary. The paths are compiled into one
/// generated file (tests/CMakeLists.txt), not into every test, so that a test's object does not
/// depend on where the checkout is (ccache hits across worktrees and clones).

namespace capsim::test {

/// The source tree's root (the checkout), without a trailing slash.
const char* source_dir_path();
/// The capsim executable that the end-to-end tests run.
const char* capsim_binary_path();

}  // namespace capsim::test
