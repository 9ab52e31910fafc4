#pragma once
// Runs the engine without the GIL, on a thread of its own, while the calling thread watches for
// Ctrl-C: Python's signal handlers run only when the interpreter gets control, so the caller
// polls them (PyErr_CheckSignals) and turns a KeyboardInterrupt into run::request_stop, the
// same flag the command line's SIGINT handler sets.

#include <functional>

namespace capsim::python {

/// Calls `work` with the GIL released. When a signal handler raises (Ctrl-C: KeyboardInterrupt)
/// while it runs, asks the engine to stop, waits for `work` to return or throw, and throws
/// pybind11::error_already_set with the handler's exception. Otherwise returns, or rethrows what
/// `work` threw. The stop request is cleared before and after.
void run_interruptibly(const std::function<void()>& work);

}  // namespace capsim::python
