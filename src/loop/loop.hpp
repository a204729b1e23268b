#pragma once
// Cooperative fibers on an epoll loop, one loop per thread. Code written as blocking (wait for
// a socket, park until woken, with a deadline) runs on a fiber and hands its thread back to the
// loop while it waits, so one thread serves many connections without a thread wakeup and a
// context switch per event. Outside a fiber the same calls block the calling thread (poll(2)),
// so code that uses them runs on any thread.
//
// Rules for code on a fiber: never hold a mutex across a wait (another fiber of the same thread
// that takes it would block the loop for good), and keep thread_local state only between
// waits, never across one (fibers of one loop share the thread).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <vector>

struct epoll_event;

namespace otari::loop {

using Clock = std::chrono::steady_clock;

// Readiness of a file descriptor, reported by the loop that watches it.
class Watcher {
  public:
    virtual void on_ready(int fd, uint32_t epoll_events) = 0;

  protected:
    ~Watcher() = default;
};

// A one-shot timer of a loop. Disarm it (or let it fire) before it is destroyed.
class Timer {
  public:
    virtual void on_timer() = 0;
    bool armed() const { return m_armed; }

  protected:
    ~Timer() = default;

  private:
    friend class Loop;
    using Queue = std::multimap<Clock::time_point, Timer*>;
    Queue::iterator m_at;
    // The queue node while disarmed, kept so that arming again allocates nothing (fibers
    // park with a deadline several times per request).
    Queue::node_type m_spare_node;
    bool m_armed = false;
};

struct Fiber;

class Loop {
  public:
    // `on_idle`, when set, runs on the loop once it has had no fiber for `idle_delay` after
    // having run at least `burst` at once (a burst is over).
    struct Options {
        std::function<void()> on_idle;
        std::chrono::milliseconds idle_delay{10000};
        size_t burst = 4;
    };
    Loop();
    explicit Loop(Options options);
    ~Loop();
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;

    // The loop running on this thread, or nullptr.
    static Loop* current();

    // Run `fn` on a new fiber of this loop. Any thread may call it.
    void spawn(std::function<void()> fn);
    // Serve on the calling thread until stop() was called and every fiber has ended.
    void run();
    // Run `fn` on the loop's own context (not a fiber) soon. Any thread may call it.
    void post(std::function<void()> fn);
    // Any thread: fibers already spawned run to their end; run() then returns.
    void stop();
    // Fibers spawned and not yet ended (any thread may read it).
    size_t fibers() const;
    // Loop thread: runs when run() returns (to take down what was built for this loop).
    void at_exit(std::function<void()> fn) { m_at_exit.push_back(std::move(fn)); }

    // Level-triggered interest in `fd` (EPOLLIN/EPOLLOUT), for code that drives its own sockets
    // from the loop (libcurl). `events == 0` keeps the registration, disabled. One watcher per
    // descriptor; after unwatch() it hears nothing more, even from events already collected.
    void watch(int fd, uint32_t events, Watcher* watcher);
    void unwatch(int fd);
    // Forget the watcher without touching the registration (a one-shot that fired, or a
    // descriptor likely to be watched again soon, such as a kept-alive upstream connection
    // between transfers: watching it again then costs one system call instead of two). A
    // registration that reports an event with no watcher is removed then.
    void forget(int fd);
    void arm(Timer& timer, Clock::time_point at);
    void disarm(Timer& timer);

    // Fiber side, used through the free functions below.
    Fiber* running() const { return m_running; }
    void make_ready(Fiber* fiber);
    void suspend();
    // See join_send_batch(); false when the running fiber went on at once.
    bool join_send_batch();

  private:
    class Inbox;
    static void fiber_entry(void* fiber);
    void resume(Fiber* fiber);
    void take_inbox();
    void fire_timers();
    void note_fiber_count();
    int epoll_timeout_ms() const;
    // epoll_wait, after looking for events a little while first when the loop just worked.
    int wait_events(::epoll_event* events, int max, bool after_work);
    // Resume the fibers waiting in join_send_batch(), in the order they joined.
    void release_send_batch();

    Options m_options;
    int m_epoll = -1;
    std::unique_ptr<Inbox> m_inbox;
    Timer::Queue m_timers;
    std::deque<Fiber*> m_ready;
    std::vector<Fiber*> m_send_batch;  // fibers waiting in join_send_batch()
    bool m_releasing_batch = false;    // those fibers are being resumed: none waits again
    std::vector<Watcher*> m_watchers;  // by descriptor
    std::vector<bool> m_registered;    // by descriptor: in the epoll set, as far as known
    Fiber* m_running = nullptr;
    std::vector<void*> m_free_stacks;
    std::vector<std::function<void()>> m_at_exit;
    struct SwitchState;
    std::unique_ptr<SwitchState> m_switch;
    size_t m_live = 0;  // fibers of this loop not yet ended (loop thread only)
    size_t m_peak = 0;  // most fibers at once since the last idle hook
    class IdleTimer;
    std::unique_ptr<IdleTimer> m_idle_timer;
};

// True on a fiber.
bool in_fiber();

// Park the running fiber until wake() or `deadline`; true when woken. Fiber only.
bool park_until(Clock::time_point deadline);
// Called on a fiber just before a send that wakes a peer (a client, an upstream). When other
// fibers of the loop are ready to run, this one waits until some of them (up to a batch) have
// reached their own sends too, or the loop's round is over; then the waiting fibers go on one
// after another, so their sends leave back to back: a peer still busy with the first needs no
// wakeup for the next, and a wakeup of an idle CPU costs more than the send itself. The batch
// is small so that what each fiber is about to send is still in the CPU's cache when it goes.
// True when the fiber waited; false (at once) when no other fiber was ready, or off a fiber.
bool join_send_batch();
// Most fibers held back by join_send_batch() at once.
inline constexpr size_t k_send_batch = 16;
// The running fiber (nullptr outside one), to wake it later from the same loop's thread.
Fiber* current_fiber();
// Make a parked fiber run again; no effect on one that is not parked. Same thread only.
void wake(Fiber* fiber);

// poll(2) on one descriptor (POLLIN/POLLOUT): its revents when ready, 0 on timeout, -1 on error.
// On a fiber it yields to the loop; `timeout_ms < 0` waits without limit.
int wait_fd(int fd, short events, int timeout_ms);

// A pointer kept per fiber (per thread outside fibers), for the server's connection state.
void*& fiber_local();

// Run `work` on a thread of its own while the calling fiber waits, so the loop's other fibers
// keep running during long CPU work (parsing or counting the tokens of a body of megabytes).
// Outside a fiber, or when no thread can be started, `work` runs on the caller. An exception
// from `work` is rethrown to the caller.
void run_off_loop(const std::function<void()>& work);

// Request bodies from this size on are parsed and translated off the loop (each takes
// milliseconds per MiB); token counted from a quarter of it (slower per byte).
inline constexpr size_t k_off_loop_bytes = 1u << 20;

// `fn()`, on a thread of its own when `heavy` (see run_off_loop).
template <class Fn>
auto off_loop_if(bool heavy, Fn&& fn) -> decltype(fn()) {
    if (!heavy || !in_fiber()) return fn();
    if constexpr (std::is_void_v<decltype(fn())>) {
        run_off_loop(fn);
    } else {
        std::optional<decltype(fn())> result;
        run_off_loop([&] { result.emplace(fn()); });
        return std::move(*result);
    }
}

}  // namespace otari::loop
