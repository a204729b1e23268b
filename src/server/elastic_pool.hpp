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
    ElasticPool(size_t max_threads, std::chrono::milliseconds idle_timeout, size_t keep_threads = 2);
    ~ElasticPool() override;

    void enqueue(std::function<void()> fn) override;
    // Let queued and running tasks finish, then return once every thread has exited.
    void shutdown() override;

    size_t threads() const;

private:
    struct State;
    static void worker(std::shared_ptr<State> state);
    std::shared_ptr<State> m_state;
};

}  // namespace otari::server
