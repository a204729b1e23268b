#include "server/elastic_pool.hpp"

#include <thread>

#include "util/block_cache.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace otari::server {

// Shared with the threads, so a thread that outlives shutdown() by a few instructions never
// touches freed memory.
struct ElasticPool::State {
    std::mutex mutex;
    std::condition_variable work_ready;
    std::condition_variable all_exited;
    std::deque<std::function<void()>> jobs;
    size_t max_threads;
    size_t keep_threads;
    std::chrono::milliseconds idle_timeout;
    std::function<void()> on_back_to_idle;
    size_t threads = 0;
    size_t idle = 0;
    bool burst_over = false;  // back down to keep_threads; on_back_to_idle not yet run
    bool stopping = false;
};

ElasticPool::ElasticPool(size_t max_threads, std::chrono::milliseconds idle_timeout,
                         size_t keep_threads, std::function<void()> on_back_to_idle)
    : m_state(std::make_shared<State>()) {
    m_state->max_threads = std::max<size_t>(1, max_threads);
    m_state->keep_threads = keep_threads;
    m_state->idle_timeout = idle_timeout;
    m_state->on_back_to_idle = std::move(on_back_to_idle);
}

void ElasticPool::release_free_memory() {
    // Blocks this thread keeps for reuse would pin the pages malloc_trim could hand back.
    util::block_cache::flush_this_thread();
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

ElasticPool::~ElasticPool() { shutdown(); }

void ElasticPool::enqueue(std::function<void()> fn) {
    std::unique_lock lock(m_state->mutex);
    m_state->jobs.push_back(std::move(fn));
    // Every queued job needs its own idle thread; start one when there are fewer.
    if (m_state->idle < m_state->jobs.size() && m_state->threads < m_state->max_threads &&
        !m_state->stopping) {
        ++m_state->threads;
        std::thread(worker, m_state).detach();
    } else {
        m_state->work_ready.notify_one();
    }
}

void ElasticPool::worker(std::shared_ptr<State> state) {
    std::unique_lock lock(state->mutex);
    for (;;) {
        while (state->jobs.empty() && !state->stopping) {
            ++state->idle;
            bool woke = state->work_ready.wait_for(
                lock, state->idle_timeout, [&] { return !state->jobs.empty() || state->stopping; });
            --state->idle;
            if (!woke && state->threads > state->keep_threads) {
                --state->threads;
                if (state->threads == state->keep_threads) state->burst_over = true;
                state->all_exited.notify_all();
                return;
            }
            if (!woke && state->burst_over && !state->stopping) {
                // One idle period after the last retirement: the retired threads have exited
                // and freed their thread-local caches by now.
                state->burst_over = false;
                lock.unlock();
                if (state->on_back_to_idle) state->on_back_to_idle();
                lock.lock();
            }
        }
        if (state->jobs.empty()) break;  // stopping and drained
        auto job = std::move(state->jobs.front());
        state->jobs.pop_front();
        lock.unlock();
        job();
        job = nullptr;  // release captures before taking the lock again
        // A connection's thread may idle for long, and there can be hundreds: it keeps no
        // freed blocks between connections.
        util::block_cache::flush_this_thread();
        lock.lock();
    }
    --state->threads;
    state->all_exited.notify_all();
}

void ElasticPool::shutdown() {
    std::unique_lock lock(m_state->mutex);
    m_state->stopping = true;
    m_state->work_ready.notify_all();
    m_state->all_exited.wait(lock, [&] { return m_state->threads == 0; });
}

size_t ElasticPool::threads() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->threads;
}

}  // namespace otari::server
