// Fibers on an event loop: parking and waking, waiting for descriptors, deadlines, and what
// each fiber keeps to itself while others run on the same thread.
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cfenv>
#include <cmath>
#include <fstream>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "loop/loop.hpp"
#include "util/sanitizers.hpp"

using namespace otari;
using namespace std::chrono_literals;

namespace {

// Run `fns` as fibers of one loop on this thread, until all have ended.
void run_fibers(std::vector<std::function<void()>> fns) {
    loop::Loop l;
    for (auto& fn : fns) l.spawn(std::move(fn));
    l.stop();
    l.run();
}

// CPU time this thread has used.
std::chrono::nanoseconds thread_cpu_time() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// This process's mapped address space (VmSize), in bytes; 0 if unknown.
[[maybe_unused]] size_t address_space_bytes() {  // unused under ASan
    std::ifstream status("/proc/self/status");
    std::string key;
    size_t kb = 0;
    while (status >> key) {
        if (key == "VmSize:" && status >> kb) return kb * 1024;
    }
    return 0;
}

struct SocketPair {
    int fd[2] = {-1, -1};
    SocketPair() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fd) == 0); }
    ~SocketPair() {
        ::close(fd[0]);
        ::close(fd[1]);
    }
};

}  // namespace

TEST_SUITE("loop") {
    TEST_CASE("a parked fiber runs again when another fiber wakes it, and reports it was woken") {
        loop::Fiber* parked = nullptr;
        bool woken = false;
        std::vector<std::string> order;
        run_fibers({[&] {
                        parked = loop::current_fiber();
                        order.push_back("a parks");
                        woken = loop::park_until(loop::Clock::time_point::max());
                        order.push_back("a resumes");
                    },
                    [&] {
                        order.push_back("b wakes a");
                        loop::wake(parked);
                    }});
        CHECK(woken);
        CHECK(order == std::vector<std::string>{"a parks", "b wakes a", "a resumes"});
    }

    TEST_CASE("a loop with nothing to do sleeps: looking for events stops soon after work") {
        std::chrono::nanoseconds cpu_while_parked{};
        run_fibers({[&] {
            auto before = thread_cpu_time();
            loop::park_until(loop::Clock::now() + 200ms);
            cpu_while_parked = thread_cpu_time() - before;
        }});
        // The loop looks for events for 50 µs after the fiber parks, then sleeps until the
        // deadline; a loop that kept looking would spend the whole 200 ms.
        CHECK(cpu_while_parked < 20ms);
    }

    TEST_CASE("a park ends at its deadline when nobody wakes the fiber") {
        bool woken = true;
        auto before = loop::Clock::now();
        run_fibers({[&] { woken = loop::park_until(loop::Clock::now() + 30ms); }});
        CHECK_FALSE(woken);
        CHECK(loop::Clock::now() - before >= 30ms);
    }

    TEST_CASE("fibers about to send wait for the other ready fibers, then send back to back") {
        std::vector<std::string> order;
        std::vector<bool> waited(3);
        auto fiber = [&](int i) {
            return [&, i] {
                std::string name(1, char('a' + i));
                order.push_back(name + " computes");
                waited[size_t(i)] = loop::join_send_batch();
                order.push_back(name + " sends");
            };
        };
        run_fibers({fiber(0), fiber(1), fiber(2)});
        // The last of the round has nobody left to wait for: it sends at once, then the
        // fibers it waited for.
        CHECK(order == std::vector<std::string>{"a computes", "b computes", "c computes", "c sends",
                                                "a sends", "b sends"});
        CHECK(waited == std::vector<bool>{true, true, false});
    }

    TEST_CASE("a full send batch goes before the next ready fiber runs") {
        constexpr int k_fibers = int(loop::k_send_batch) + 4;
        std::vector<std::string> order;
        std::vector<std::function<void()>> fibers;
        for (int i = 0; i < k_fibers; ++i) {
            fibers.push_back([&, i] {
                order.push_back("computes " + std::to_string(i));
                loop::join_send_batch();
                order.push_back("sends " + std::to_string(i));
            });
        }
        run_fibers(fibers);
        REQUIRE(order.size() == size_t(2 * k_fibers));
        auto at = [&](const std::string& entry) {
            return std::find(order.begin(), order.end(), entry) - order.begin();
        };
        const int last_of_batch = int(loop::k_send_batch) - 1;
        // The batch's fibers send in the order they joined, all before the next one computes.
        for (int i = 0; i < last_of_batch; ++i)
            CHECK(at("sends " + std::to_string(i)) < at("sends " + std::to_string(i + 1)));
        CHECK(at("sends " + std::to_string(last_of_batch)) <
              at("computes " + std::to_string(last_of_batch + 1)));
        CHECK(at("computes " + std::to_string(last_of_batch)) < at("sends 0"));
        for (int i = last_of_batch + 1; i < k_fibers; ++i)
            CHECK(at("sends " + std::to_string(i)) < ptrdiff_t(order.size()));
    }

    TEST_CASE("join_send_batch goes on at once when no other fiber is ready, or off a fiber") {
        bool waited = true;
        run_fibers({[&] { waited = loop::join_send_batch(); }});
        CHECK_FALSE(waited);
        CHECK_FALSE(loop::join_send_batch());
    }

    TEST_CASE("a fiber waiting in a send batch is not ended early by a wake") {
        loop::Fiber* batched = nullptr;
        std::vector<std::string> order;
        run_fibers({[&] {
                        batched = loop::current_fiber();
                        CHECK(loop::join_send_batch());
                        order.push_back("a sends");
                    },
                    [&] {
                        loop::wake(batched);  // no effect: a is not parked
                        order.push_back("b computes");
                    },
                    [&] { order.push_back("c computes"); }});
        CHECK(order == std::vector<std::string>{"b computes", "c computes", "a sends"});
    }

    TEST_CASE("wait_fd yields to the loop's other fibers until the descriptor is readable") {
        SocketPair pair;
        int revents = 0;
        std::vector<std::string> order;
        run_fibers({[&] {
                        revents = loop::wait_fd(pair.fd[0], POLLIN, 5000);
                        order.push_back("reader ready");
                    },
                    [&] {
                        order.push_back("writer writes");
                        REQUIRE(::write(pair.fd[1], "x", 1) == 1);
                    }});
        CHECK((revents & POLLIN) != 0);
        CHECK(order == std::vector<std::string>{"writer writes", "reader ready"});
    }

    TEST_CASE("wait_fd returns 0 at its timeout, and the descriptor can be waited for again") {
        SocketPair pair;
        int first = -1, second = -1;
        run_fibers({[&] {
                        first = loop::wait_fd(pair.fd[0], POLLIN, 20);
                        second = loop::wait_fd(pair.fd[0], POLLIN, 5000);
                    },
                    [&] {
                        // Written after the first wait gave up.
                        loop::park_until(loop::Clock::now() + 60ms);
                        REQUIRE(::write(pair.fd[1], "x", 1) == 1);
                    }});
        CHECK(first == 0);
        CHECK((second & POLLIN) != 0);
    }

    TEST_CASE("a wake meant for something else does not end a wait for a descriptor") {
        SocketPair pair;
        loop::Fiber* reader = nullptr;
        int revents = -1;
        run_fibers({[&] {
                        reader = loop::current_fiber();
                        revents = loop::wait_fd(pair.fd[0], POLLIN, 5000);
                    },
                    [&] {
                        loop::wake(reader);  // as an upstream transfer's callback would
                        loop::park_until(loop::Clock::now() + 20ms);
                        REQUIRE(::write(pair.fd[1], "x", 1) == 1);
                    }});
        CHECK((revents & POLLIN) != 0);
    }

    TEST_CASE("wait_fd outside a fiber blocks the thread as poll(2) does") {
        SocketPair pair;
        CHECK(loop::wait_fd(pair.fd[0], POLLIN, 10) == 0);
        REQUIRE(::write(pair.fd[1], "x", 1) == 1);
        CHECK((loop::wait_fd(pair.fd[0], POLLIN, 1000) & POLLIN) != 0);
        CHECK_FALSE(loop::in_fiber());
    }

    TEST_CASE(
        "an exception being handled belongs to its fiber while another fiber handles its own") {
        loop::Fiber* a = nullptr;
        loop::Fiber* b = nullptr;
        std::string a_rethrew, b_rethrew;
        run_fibers({[&] {
                        a = loop::current_fiber();
                        try {
                            throw std::runtime_error("from a");
                        } catch (...) {
                            loop::park_until(
                                loop::Clock::time_point::max());  // b runs, in its catch
                            try {
                                throw;
                            } catch (const std::exception& e) {
                                a_rethrew = e.what();
                            }
                            loop::wake(b);
                        }
                    },
                    [&] {
                        b = loop::current_fiber();
                        try {
                            throw std::runtime_error("from b");
                        } catch (...) {
                            loop::wake(a);
                            loop::park_until(loop::Clock::time_point::max());
                            try {
                                throw;
                            } catch (const std::exception& e) {
                                b_rethrew = e.what();
                            }
                        }
                    }});
        CHECK(a_rethrew == "from a");
        CHECK(b_rethrew == "from b");
        CHECK(std::uncaught_exceptions() == 0);
    }

    TEST_CASE("a fiber's floating-point rounding mode is its own across switches") {
        loop::Fiber* a = nullptr;
        int a_mode_after = -1, b_mode = -1;
        double a_rounded_after = 0, b_rounded = 0;
        volatile double two_and_a_half = 2.5;  // not folded at compile time
        run_fibers({[&] {
                        a = loop::current_fiber();
                        std::fesetround(FE_UPWARD);
                        loop::park_until(loop::Clock::time_point::max());
                        a_mode_after = std::fegetround();                  // x87 control word
                        a_rounded_after = std::nearbyint(two_and_a_half);  // SSE, MXCSR
                        std::fesetround(FE_TONEAREST);
                    },
                    [&] {
                        b_mode = std::fegetround();
                        b_rounded = std::nearbyint(two_and_a_half);
                        loop::wake(a);
                    }});
        CHECK(a_mode_after == FE_UPWARD);
        CHECK(a_rounded_after == 3.0);
        CHECK(b_mode == FE_TONEAREST);
        CHECK(b_rounded == 2.0);
        CHECK(std::fegetround() == FE_TONEAREST);
    }

    TEST_CASE("a forgotten descriptor that keeps reporting leaves the epoll set, not spins") {
        // As curl's kept-alive connections between transfers: forgotten, still registered.
        struct Counting : loop::Watcher {
            int calls = 0;
            void on_ready(int, uint32_t) override { ++calls; }
        } first, second;
        SocketPair pair;
        std::chrono::nanoseconds cpu_while_parked{};
        run_fibers({[&] {
            loop::Loop* l = loop::Loop::current();
            l->watch(pair.fd[0], EPOLLIN, &first);
            l->forget(pair.fd[0]);
            // Readable from now on, level-triggered: each round of the loop would report it.
            REQUIRE(::write(pair.fd[1], "x", 1) == 1);
            auto before = thread_cpu_time();
            loop::park_until(loop::Clock::now() + 200ms);
            cpu_while_parked = thread_cpu_time() - before;
            // Watching it again works as for a new descriptor.
            l->watch(pair.fd[0], EPOLLIN, &second);
            while (second.calls == 0) loop::park_until(loop::Clock::now() + 1ms);
            l->unwatch(pair.fd[0]);
        }});
        CHECK(first.calls == 0);
        CHECK(second.calls >= 1);
        // A loop that kept the registration would wake for it back to back for the whole park.
        CHECK(cpu_while_parked < 100ms);
    }

    TEST_CASE("an exception that escapes a fiber ends that fiber only") {
        bool later_ran = false;
        run_fibers({[] { throw std::runtime_error("escapes"); }, [&] { later_ran = true; }});
        CHECK(later_ran);
    }

    TEST_CASE("the fiber-local pointer is each fiber's own") {
        int x = 1, y = 2;
        loop::Fiber* first = nullptr;
        void* seen_by_first = nullptr;
        void* seen_by_second = nullptr;
        run_fibers({[&] {
                        first = loop::current_fiber();
                        loop::fiber_local() = &x;
                        loop::park_until(loop::Clock::time_point::max());
                        seen_by_first = loop::fiber_local();
                    },
                    [&] {
                        seen_by_second = loop::fiber_local();  // not the first fiber's
                        loop::fiber_local() = &y;
                        loop::wake(first);
                    }});
        CHECK(seen_by_first == &x);
        CHECK(seen_by_second == nullptr);
    }

    TEST_CASE("fibers spawned from another thread run, and stop() returns once they end") {
        loop::Loop l;
        std::thread runner([&] { l.run(); });
        std::atomic<int> ran{0};
        for (int i = 0; i < 100; ++i) {
            l.spawn([&] {
                loop::park_until(loop::Clock::now() + 5ms);
                ++ran;
            });
        }
        l.stop();
        runner.join();
        CHECK(ran == 100);
        CHECK(l.fibers() == 0);
    }

    TEST_CASE("the idle hook runs once a burst of fibers is over") {
        std::atomic<int> idle_runs{0};
        loop::Loop::Options options;
        options.on_idle = [&] { ++idle_runs; };
        options.idle_delay = 20ms;
        options.burst = 3;
        loop::Loop l(std::move(options));
        std::thread runner([&] { l.run(); });
        for (int i = 0; i < 3; ++i) l.spawn([] { loop::park_until(loop::Clock::now() + 5ms); });
        // The hook's own timer keeps the loop busy until it fired; a later fiber sees the count.
        std::atomic<bool> checked{false};
        auto give_up = std::chrono::steady_clock::now() + 5s;
        while (idle_runs.load() == 0 && std::chrono::steady_clock::now() < give_up)
            std::this_thread::sleep_for(5ms);
        l.spawn([&] { checked = true; });
        l.stop();
        runner.join();
        CHECK(idle_runs == 1);
        CHECK(checked);
    }

    TEST_CASE("work run off the loop leaves the loop's other fibers running meanwhile") {
        std::promise<void> other_ran;
        auto signal = other_ran.get_future();
        bool work_saw_other_fiber = false;
        bool work_ran_off_thread = false;
        const auto loop_thread = std::this_thread::get_id();
        run_fibers({[&] {
                        loop::run_off_loop([&] {
                            work_ran_off_thread = std::this_thread::get_id() != loop_thread;
                            // Only another fiber of this loop sets it: the loop must keep going.
                            work_saw_other_fiber = signal.wait_for(5s) == std::future_status::ready;
                        });
                    },
                    [&] { other_ran.set_value(); }});
        CHECK(work_ran_off_thread);
        CHECK(work_saw_other_fiber);
    }

    TEST_CASE("off_loop_if hands back the work's value, and its exception to the caller") {
        int value = 0;
        std::string error;
        run_fibers({[&] {
            value = loop::off_loop_if(true, [] { return 42; });
            try {
                loop::off_loop_if(true,
                                  []() -> int { throw std::runtime_error("from the helper"); });
            } catch (const std::runtime_error& e) {
                error = e.what();
            }
        }});
        CHECK(value == 42);
        CHECK(error == "from the helper");
        // Outside a fiber the work runs on the caller.
        CHECK(loop::off_loop_if(true, [] { return std::this_thread::get_id(); }) ==
              std::this_thread::get_id());
    }
#if !defined(OTARI_ASAN)  // ASan's shadow memory cannot live under RLIMIT_AS
    TEST_CASE("a connection is still served when there is no memory for its fiber's stack") {
        // In a child process: its address space is capped below one more fiber stack, so the
        // loop must run the work on itself; the cap lifted, the next work gets a fiber again.
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::alarm(20);  // a loop that never ends its work ends the child, not the test run
            int without_fiber = 0, in_fiber = 0;
            {
                loop::Loop l;
                rlimit roomy{};
                ::getrlimit(RLIMIT_AS, &roomy);
                rlimit tight = roomy;
                tight.rlim_cur = address_space_bytes() + (4u << 20);  // under one 8 MB stack
                if (address_space_bytes() == 0 || ::setrlimit(RLIMIT_AS, &tight) != 0) _exit(3);
                l.spawn([&] {
                    if (!loop::in_fiber()) ++without_fiber;
                    ::setrlimit(RLIMIT_AS, &roomy);
                    l.spawn([&] {
                        if (loop::in_fiber()) ++in_fiber;
                        l.stop();
                    });
                });
                l.run();
            }
            _exit(without_fiber == 1 && in_fiber == 1 ? 0 : 1);
        }
        int status = 0;
        REQUIRE(::waitpid(child, &status, 0) == child);
        REQUIRE_MESSAGE(WIFEXITED(status), "the child was killed by signal ", WTERMSIG(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
#endif
}
