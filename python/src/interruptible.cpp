#include "interruptible.hpp"

#include <chrono>
#include <exception>
#include <future>
#include <thread>

#include <pybind11/pybind11.h>

#include "capsim/run/experiment_executor.hpp"

namespace py = pybind11;

namespace capsim::python {

void run_interruptibly(const std::function<void()>& work) {
  run::clear_stop();
  std::packaged_task<void()> task(work);
  std::future<void> done = task.get_future();
  bool interrupted = false;
  {
    py::gil_scoped_release release;
    std::thread worker(std::move(task));
    // Ten looks a second: Ctrl-C is answered within 0.1 s plus the engine's own reaction time.
    while (done.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
      py::gil_scoped_acquire acquire;
      if (PyErr_CheckSignals() != 0) {
        interrupted = true;
        run::request_stop();
        break;
      }
    }
    worker.join();
  }
  run::clear_stop();
  if (interrupted) {
    // What `work` threw (RunStopped, Interrupted, or a result that finished meanwhile) gives way
    // to the handler's exception.
    try {
      done.get();
    } catch (...) {
    }
    throw py::error_already_set();
  }
  done.get();
}

}  // namespace capsim::python
