#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "server/elastic_pool.hpp"

using namespace std::chrono_literals;

namespace {

// A gate the jobs wait on, so that several are running at once.
struct Gate {
    std::mutex mutex;
    std::condition_variable changed;
    int arrived = 0;
    bool open = false;

    void arrive_and_wait() {
        std::unique_lock lock(mutex);
        ++arrived;
        changed.notify_all();
        changed.wait(lock, [&] { return open; });
    }
    bool wait_arrivals(int n) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, 10s, [&] { return arrived >= n; });
    }
    void release() {
        std::lock_guard lock(mutex);
        open = true;
        changed.notify_all();
    }
};

}  // namespace

TEST_CASE(
    "the pool grows a thread per concurrent job, then retires them and reports the burst over") {
    std::mutex mutex;
    std::condition_variable idle_again;
    int back_to_idle = 0;
    otari::server::ElasticPool pool(8, 30ms, 1, [&] {
        std::lock_guard lock(mutex);
        ++back_to_idle;
        idle_again.notify_all();
    });

    Gate gate;
    std::atomic<int> done{0};
    for (int i = 0; i < 4; ++i) {
        pool.enqueue([&] {
            gate.arrive_and_wait();
            ++done;
        });
    }
    REQUIRE(gate.wait_arrivals(4));  // four jobs at once: four threads, none queued
    CHECK(pool.threads() == 4);
    {
        std::lock_guard lock(mutex);
        CHECK(back_to_idle == 0);
    }
    gate.release();

    std::unique_lock lock(mutex);
    REQUIRE(idle_again.wait_for(lock, 10s, [&] { return back_to_idle > 0; }));
    CHECK(back_to_idle == 1);  // once, when the last extra thread retired
    CHECK(done == 4);
    CHECK(pool.threads() == 1);
}
