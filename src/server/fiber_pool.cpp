#include "server/fiber_pool.hpp"

#include <sched.h>

namespace otari::server {

size_t FiberPool::usable_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) == 0) {
        int count = CPU_COUNT(&set);
        if (count > 0) return size_t(count);
    }
    unsigned hw = std::thread::hardware_concurrency();
    return hw > 0 ? hw : 1;
}

FiberPool::FiberPool(size_t loops, std::chrono::milliseconds idle_delay,
                     std::function<void()> on_back_to_idle) {
    if (loops == 0) loops = usable_cpus();
    for (size_t i = 0; i < loops; ++i) {
        loop::Loop::Options options;
        options.on_idle = on_back_to_idle;
        options.idle_delay = idle_delay;
        m_loops.push_back(std::make_unique<loop::Loop>(std::move(options)));
    }
    for (auto& loop : m_loops) m_threads.emplace_back([l = loop.get()] { l->run(); });
}

FiberPool::~FiberPool() { shutdown(); }

void FiberPool::enqueue(std::function<void()> fn) {
    loop::Loop* least = m_loops.front().get();
    size_t fewest = least->fibers();
    for (size_t i = 1; i < m_loops.size() && fewest > 0; ++i) {
        size_t n = m_loops[i]->fibers();
        if (n < fewest) {
            fewest = n;
            least = m_loops[i].get();
        }
    }
    least->spawn(std::move(fn));
}

void FiberPool::shutdown() {
    if (m_stopped) return;
    m_stopped = true;
    for (auto& loop : m_loops) loop->stop();
    for (auto& thread : m_threads) thread.join();
}

}  // namespace otari::server
