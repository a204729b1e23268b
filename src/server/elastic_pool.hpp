#pragma once
// cpp-httplib task queue whose threads come and go with the load. The library serves each
// connection on one thread for its whole life (keep-alive included), so a fixed pool of 8
// queues the 9th open stream. This pool starts a thread whenever none is idle, up to
// `max_threads`, and lets a thread exit after `idle_timeout` without work, so an idle gateway
// keeps only a few threads (and little memory).
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace otari::server {

class ElasticPool : public httplib::TaskQueue {
  public:
    // `on_back_to_idle` runs (on a kept thread, no lock held) one idle period after retirements
    // brought the pool back down to `keep_threads` (never when that is 0): the burst is over,
    // and the retired threads are gone. By default it hands the heap the burst freed back to
    // the system, so an idle gateway is small again.
    ElasticPool(size_t max_threads, std::chrono::milliseconds idle_timeout, size_t keep_threads = 2,
                std::function<void()> on_back_to_idle = release_free_memory);
    ~ElasticPool() override;

    void enqueue(std::function<void()> fn) override;
    // Let queued and running tasks finish, then return once every thread has exited.
    void shutdown() override;

    size_t threads() const;

    // glibc keeps freed memory in its per-thread arenas; this returns what it can to the system.
    static void release_free_memory();

  private:
    struct State;
    static void worker(std::shared_ptr<State> state);
    std::shared_ptr<State> m_state;
};

}  // namespace otari::server
