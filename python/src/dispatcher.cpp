// The Dispatcher: delivers the outbox through the channels and records every outcome. A host
// drives it in one of three ways: `drain_once()` (one pass: a cron job, a management command),
// `run()` in a thread of its own (a threading.Thread, stopped by `stop()` from any thread),
// or `start()` (the library's own background thread). Every one releases the GIL while it
// talks to the store and the channels, so a slow SMTP server never stalls other Python
// threads.
#include <condition_variable>
#include <mutex>

#include <interviewkit/outbox/dispatcher.hpp>

#include "bindings.hpp"

namespace interviewkit::python {
namespace {

constexpr auto release = py::call_guard<py::gil_scoped_release>();
using Ms = std::chrono::milliseconds;

/// A Dispatcher plus the loop `run()` needs: a stop flag and a wake-up, so the thread
/// running it can be stopped (or woken for new messages) from any other thread. Owns the
/// C++ Dispatcher, which owns shared references to the store, channels and log: those stay
/// alive as long as this object does, whatever Python drops.
class HostDispatcher {
 public:
  HostDispatcher(std::unique_ptr<Dispatcher> dispatcher, Ms poll)
      : dispatcher_(std::move(dispatcher)), poll_(poll) {}

  Dispatcher& get() { return *dispatcher_; }

  /// Passes until stop(): one pass, then a wait of `poll` or until wake()/stop(). A pass
  /// that fails to claim (the store unreachable) is reported on the dispatcher's error
  /// path and retried after the wait; a loop that ends by an exception would look alive.
  void run() {
    while (!stopping()) {
      (void)dispatcher_->drain_once();
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, poll_, [this] { return stop_ || woken_; });
      woken_ = false;
    }
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    dispatcher_->stop();
  }

  void wake() {
    {
      std::lock_guard lock(mutex_);
      woken_ = true;
    }
    cv_.notify_all();
    dispatcher_->wake();
  }

  bool stopping() {
    std::lock_guard lock(mutex_);
    return stop_;
  }

 private:
  std::unique_ptr<Dispatcher> dispatcher_;
  Ms poll_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
};

std::shared_ptr<HostDispatcher> make_dispatcher(std::shared_ptr<Store> store,
                                                const Dispatcher::Channels& channels,
                                                std::shared_ptr<ActionLog> log,
                                                std::uint32_t max_attempts, Ms lease,
                                                Ms delivery_timeout, Ms poll) {
  DispatcherOptions options{.lease = lease, .delivery_timeout = delivery_timeout};
  options.retry.max_attempts = max_attempts;
  auto dispatcher = unwrap(Dispatcher::make(std::move(store), channels, std::move(log), options));
  // Destroying a started dispatcher waits for its thread's deliveries in flight: not while
  // holding the GIL, which other Python threads may need meanwhile.
  return {new HostDispatcher(std::move(dispatcher), poll), [](HostDispatcher* d) {
            if (PyGILState_Check() != 0) {
              py::gil_scoped_release release_gil;
              delete d;
            } else {
              delete d;
            }
          }};
}

void bind_stats(py::module_& m) {
  py::class_<DrainStats>(m, "DrainStats")
      .def_readonly("claimed", &DrainStats::claimed)
      .def_readonly("delivered", &DrainStats::delivered)
      .def_readonly("failed", &DrainStats::failed)
      .def_readonly("dead", &DrainStats::dead)
      .def_readonly("expired", &DrainStats::expired)
      .def_readonly("fenced", &DrainStats::fenced)
      .def_readonly("released", &DrainStats::released)
      .def_readonly("store_errors", &DrainStats::store_errors)
      .def("__repr__", [](const DrainStats& s) {
        return "<DrainStats claimed=" + std::to_string(s.claimed) +
               " delivered=" + std::to_string(s.delivered) + " failed=" + std::to_string(s.failed) +
               " dead=" + std::to_string(s.dead) + ">";
      });
}

void bind_passes(py::class_<HostDispatcher, std::shared_ptr<HostDispatcher>>& cls) {
  cls.def(
         "drain_once", [](HostDispatcher& d) { return unwrap(d.get().drain_once()); }, release,
         "One pass: claims what is due now, delivers it, records the outcomes.")
      .def(
          "drain_until_idle",
          [](HostDispatcher& d, Ms timeout) { return unwrap(d.get().drain_until_idle(timeout)); },
          py::arg("timeout"), release,
          "Passes until nothing due is left; Unavailable if `timeout` passes first.")
      .def(
          "requeue",
          [](HostDispatcher& d, OutboxId id, const Actor& actor) {
            return unwrap(d.get().requeue(id, actor));
          },
          py::arg("id"), py::arg("actor"), release);
}

void bind_threads(py::class_<HostDispatcher, std::shared_ptr<HostDispatcher>>& cls) {
  cls.def("run", &HostDispatcher::run, release,
          "Passes until stop() is called (from any thread); for a threading.Thread target.")
      .def("stop", &HostDispatcher::stop, release,
           "Ends run() and the background thread; returns once deliveries in flight end.")
      .def("wake", &HostDispatcher::wake, "New messages may be due: pass now.")
      .def(
          "start", [](HostDispatcher& d) { d.get().start(); }, release,
          "Starts the library's own background thread.")
      .def_property_readonly("running", [](HostDispatcher& d) { return d.get().running(); })
      .def_property_readonly("stopping", &HostDispatcher::stopping);
}

}  // namespace

void bind_dispatcher(py::module_& m) {
  bind_stats(m);
  py::class_<HostDispatcher, std::shared_ptr<HostDispatcher>> cls(m, "Dispatcher");
  cls.def_static("make", &make_dispatcher, py::arg("store"), py::arg("channels"), py::arg("log"),
                 py::kw_only(), py::arg("max_attempts") = 0, py::arg("lease") = Ms{300000},
                 py::arg("delivery_timeout") = Ms{30000}, py::arg("poll") = Ms{500},
                 "A dispatcher delivering `store`'s outbox through `channels` "
                 "({name: Notifier}); max_attempts 0: retry until the interview starts.");
  bind_passes(cls);
  bind_threads(cls);
}

}  // namespace interviewkit::python
