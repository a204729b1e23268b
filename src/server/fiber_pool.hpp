#pragma once
// cpp-httplib task queue that serves each connection on a fiber: one event loop per CPU the
// process may run on, each on its own thread. A connection's waits (for its next request, for
// the upstream's next bytes, for room to send) hand the thread to the loop's other fibers
// instead of parking a thread, so 256 open streams cost 256 fibers on a few threads, and an
// event costs a fiber switch rather than a thread wakeup.
#include <httplib.h>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "loop/loop.hpp"

namespace otari::server {

class FiberPool : public httplib::TaskQueue {
  public:
    // `loops` threads (0: one per CPU this process may use). `on_back_to_idle` runs on a loop
    // `idle_delay` after a burst of connections on it is over (see ElasticPool).
    FiberPool(size_t loops, std::chrono::milliseconds idle_delay,
              std::function<void()> on_back_to_idle);
    ~FiberPool() override;

    // The connection goes to the loop with the fewest fibers.
    void enqueue(std::function<void()> fn) override;
    // Let every connection end, then stop the loops.
    void shutdown() override;

    size_t loops() const { return m_loops.size(); }
    // CPUs in this process's affinity mask.
    static size_t usable_cpus();

  private:
    std::vector<std::unique_ptr<loop::Loop>> m_loops;
    std::vector<std::thread> m_threads;
    bool m_stopped = false;
};

}  // namespace otari::server
