#include "loop/loop.hpp"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "loop/context.hpp"
#include "util/log.hpp"
#include "util/sanitizers.hpp"

#if defined(OTARI_ASAN)
#include <sanitizer/common_interface_defs.h>
#endif

// The C++ runtime's per-thread exception state (the exceptions being handled, the count being
// thrown). Fibers of one thread share it, so each fiber keeps its own copy while switched out:
// a fiber that waits inside a catch block must find its exception there when it resumes.
extern "C" void* __cxa_get_globals() noexcept;

namespace otari::loop {
namespace {

// As a thread's default stack: deep recursion behaves as it would on a thread. Reserved, not
// committed; only the pages a fiber touches take memory.
constexpr size_t k_stack_size = 8u << 20;
constexpr size_t k_guard_size = 64u << 10;
constexpr size_t k_kept_stacks = 16;
constexpr size_t k_exception_state_size = 2 * sizeof(void*);
// After a round that did work, the loop looks for new events this long before it sleeps. An
// answer that comes back within it (an upstream on this machine, a client's next request) is
// taken without waking a sleeping CPU, which costs 20-30 µs on a VM whose idle vCPUs halt and
// as much from a laptop's deeper idle states. It costs at most this much CPU per burst of work
// (about 0.25 % of a core for a stream relaying 50 events a second), and nothing when idle.
constexpr auto k_spin = std::chrono::microseconds(50);

thread_local Loop* t_loop = nullptr;
thread_local void* t_thread_local_slot = nullptr;

void* map_stack() {
    void* base = ::mmap(nullptr, k_stack_size + k_guard_size, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (base == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "fiber stack");
    // The lowest pages catch an overflow as a fault instead of corrupting the next mapping.
    ::mprotect(base, k_guard_size, PROT_NONE);
    return base;
}

void unmap_stack(void* base) { ::munmap(base, k_stack_size + k_guard_size); }

char* stack_bottom(void* base) { return static_cast<char*>(base) + k_guard_size; }

}  // namespace

struct Fiber final : Timer {
    detail::MachineContext context;
    void* stack = nullptr;
    std::function<void()> fn;
    Loop* loop = nullptr;
    enum class State { ready, running, parked, done } state = State::ready;
    bool woken = false;
    void* local = nullptr;
    alignas(void*) unsigned char exception_state[k_exception_state_size] = {};
#if defined(OTARI_ASAN)
    void* fake_stack = nullptr;
#endif

    // The park deadline passed.
    void on_timer() override {
        if (state != State::parked) return;
        woken = false;
        loop->make_ready(this);
    }
};

struct Loop::SwitchState {
    detail::MachineContext context;  // the loop's own, while a fiber runs
    alignas(void*) unsigned char exception_state[k_exception_state_size] = {};
#if defined(OTARI_ASAN)
    void* fake_stack = nullptr;
    const void* stack_bottom = nullptr;
    size_t stack_size = 0;
#endif
};

// Fibers handed over by other threads, and the eventfd that wakes the loop for them.
class Loop::Inbox final : public Watcher {
  public:
    Inbox() {
        m_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (m_fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    }
    ~Inbox() { ::close(m_fd); }
    int fd() const { return m_fd; }

    void push(std::function<void()> fn) {
        {
            std::lock_guard lock(m_mutex);
            m_jobs.push_back(std::move(fn));
            ++m_pending;
        }
        notify();
    }
    void notify() {
        // One write per sleep of the loop, not one per job.
        if (!m_notified.exchange(true, std::memory_order_acq_rel)) {
            uint64_t one = 1;
            [[maybe_unused]] ssize_t n = ::write(m_fd, &one, sizeof one);
        }
    }
    void on_ready(int, uint32_t) override {
        uint64_t count = 0;
        [[maybe_unused]] ssize_t n = ::read(m_fd, &count, sizeof count);
        m_notified.store(false, std::memory_order_release);
    }
    void post(std::function<void()> fn) {
        {
            std::lock_guard lock(m_mutex);
            m_posts.push_back(std::move(fn));
        }
        notify();
    }
    std::deque<std::function<void()>> take() {
        std::lock_guard lock(m_mutex);
        std::deque<std::function<void()>> jobs;
        jobs.swap(m_jobs);
        return jobs;
    }
    std::deque<std::function<void()>> take_posts() {
        std::lock_guard lock(m_mutex);
        std::deque<std::function<void()>> posts;
        posts.swap(m_posts);
        return posts;
    }
    bool stop_when_done() {
        std::lock_guard lock(m_mutex);
        return m_stopping && m_jobs.empty();
    }
    void set_stopping() {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        notify();
    }
    // Spawned and not ended, counted across threads.
    std::atomic<size_t> m_pending{0};

  private:
    int m_fd = -1;
    std::mutex m_mutex;
    std::deque<std::function<void()>> m_jobs;
    std::deque<std::function<void()>> m_posts;
    bool m_stopping = false;
    std::atomic<bool> m_notified{false};
};

class Loop::IdleTimer final : public Timer {
  public:
    explicit IdleTimer(Loop& loop) : m_loop(loop) {}
    void on_timer() override {
        if (m_loop.m_live != 0) return;
        m_loop.m_peak = 0;
        if (m_loop.m_options.on_idle) m_loop.m_options.on_idle();
    }

  private:
    Loop& m_loop;
};

Loop::Loop() : Loop(Options{}) {}

Loop::Loop(Options options)
    : m_options(std::move(options)),
      m_switch(std::make_unique<SwitchState>()),
      m_idle_timer(std::make_unique<IdleTimer>(*this)) {
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    if (m_epoll < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
    m_inbox = std::make_unique<Inbox>();
    watch(m_inbox->fd(), EPOLLIN, m_inbox.get());
}

Loop::~Loop() {
    for (void* stack : m_free_stacks) unmap_stack(stack);
    ::close(m_epoll);
}

Loop* Loop::current() { return t_loop; }

void Loop::spawn(std::function<void()> fn) { m_inbox->push(std::move(fn)); }

void Loop::stop() { m_inbox->set_stopping(); }

void Loop::post(std::function<void()> fn) { m_inbox->post(std::move(fn)); }

size_t Loop::fibers() const { return m_inbox->m_pending.load(std::memory_order_relaxed); }

void Loop::watch(int fd, uint32_t events, Watcher* watcher) {
    if (fd < 0) throw std::system_error(EBADF, std::generic_category(), "epoll_ctl");
    if (size_t(fd) >= m_watchers.size()) {
        m_watchers.resize(size_t(fd) + 64, nullptr);
        m_registered.resize(size_t(fd) + 64, false);
    }
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    // The first guess saves a failed call: a descriptor closed since it was registered has left
    // the epoll set by itself (then MOD fails), and one unwatched is known to be out of it.
    int first = m_registered[size_t(fd)] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (::epoll_ctl(m_epoll, first, fd, &ev) != 0) {
        int second = first == EPOLL_CTL_MOD ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        if ((errno != ENOENT && errno != EEXIST) || ::epoll_ctl(m_epoll, second, fd, &ev) != 0)
            throw std::system_error(errno, std::generic_category(), "epoll_ctl");
    }
    m_registered[size_t(fd)] = true;
    m_watchers[size_t(fd)] = watcher;
}

void Loop::unwatch(int fd) {
    ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
    if (fd >= 0 && size_t(fd) < m_registered.size()) m_registered[size_t(fd)] = false;
    forget(fd);
}

void Loop::forget(int fd) {
    if (fd >= 0 && size_t(fd) < m_watchers.size()) m_watchers[size_t(fd)] = nullptr;
}

void Loop::arm(Timer& timer, Clock::time_point at) {
    if (timer.m_armed) timer.m_spare_node = m_timers.extract(timer.m_at);
    if (timer.m_spare_node.empty()) {
        timer.m_at = m_timers.emplace(at, &timer);
    } else {
        timer.m_spare_node.key() = at;
        timer.m_at = m_timers.insert(std::move(timer.m_spare_node));
    }
    timer.m_armed = true;
}

void Loop::disarm(Timer& timer) {
    if (!timer.m_armed) return;
    timer.m_spare_node = m_timers.extract(timer.m_at);
    timer.m_armed = false;
}

void Loop::make_ready(Fiber* fiber) {
    if (fiber->state != Fiber::State::parked) return;
    disarm(*fiber);
    fiber->state = Fiber::State::ready;
    m_ready.push_back(fiber);
}

bool Loop::join_send_batch() {
    if (m_releasing_batch || m_ready.empty()) return false;
    Fiber* fiber = m_running;
    fiber->state = Fiber::State::ready;  // wake() leaves it alone until it is released
    m_send_batch.push_back(fiber);
    suspend();
    return true;
}

void Loop::release_send_batch() {
    if (m_send_batch.empty()) return;
    // No fiber joins while the batch is released (join_send_batch declines), so the vector
    // stays as it is while it is walked.
    m_releasing_batch = true;
    for (Fiber* fiber : m_send_batch) resume(fiber);
    m_send_batch.clear();
    m_releasing_batch = false;
}

void Loop::fiber_entry(void* fiber_pointer) {
    auto* fiber = static_cast<Fiber*>(fiber_pointer);
#if defined(OTARI_ASAN)
    // Learn the loop's stack, to announce the switches back to it.
    SwitchState& sw = *fiber->loop->m_switch;
    __sanitizer_finish_switch_fiber(nullptr, &sw.stack_bottom, &sw.stack_size);
#endif
    try {
        fiber->fn();
    } catch (const std::exception& e) {
        LOG_ERROR("fiber ended by an exception: %s", e.what());
    } catch (...) {
        LOG_ERROR("fiber ended by an exception");
    }
    fiber->fn = nullptr;  // its captures are released here, on the fiber's own stack
    fiber->state = Fiber::State::done;
    fiber->loop->suspend();
}

void Loop::resume(Fiber* fiber) {
    fiber->state = Fiber::State::running;
    m_running = fiber;
    void* globals = __cxa_get_globals();
    std::memcpy(m_switch->exception_state, globals, k_exception_state_size);
    std::memcpy(globals, fiber->exception_state, k_exception_state_size);
#if defined(OTARI_ASAN)
    __sanitizer_start_switch_fiber(&m_switch->fake_stack, stack_bottom(fiber->stack), k_stack_size);
#endif
    detail::switch_to(m_switch->context, fiber->context);
#if defined(OTARI_ASAN)
    __sanitizer_finish_switch_fiber(m_switch->fake_stack, nullptr, nullptr);
#endif
    std::memcpy(fiber->exception_state, globals, k_exception_state_size);
    std::memcpy(globals, m_switch->exception_state, k_exception_state_size);
    m_running = nullptr;
    if (fiber->state == Fiber::State::done) {
        disarm(*fiber);
        if (m_free_stacks.size() < k_kept_stacks) {
            m_free_stacks.push_back(fiber->stack);
        } else {
            unmap_stack(fiber->stack);
        }
        delete fiber;
        --m_live;
        m_inbox->m_pending.fetch_sub(1, std::memory_order_relaxed);
        note_fiber_count();
    }
}

void Loop::suspend() {
    Fiber* fiber = m_running;
#if defined(OTARI_ASAN)
    // A fiber that ended never comes back: its fake stack goes with it.
    __sanitizer_start_switch_fiber(
        fiber->state == Fiber::State::done ? nullptr : &fiber->fake_stack, m_switch->stack_bottom,
        m_switch->stack_size);
#endif
    detail::switch_to(fiber->context, m_switch->context);
#if defined(OTARI_ASAN)
    __sanitizer_finish_switch_fiber(fiber->fake_stack, &m_switch->stack_bottom,
                                    &m_switch->stack_size);
#endif
}

void Loop::take_inbox() {
    for (auto& fn : m_inbox->take_posts()) fn();
    for (auto& fn : m_inbox->take()) {
        Fiber* fiber = nullptr;
        try {
            auto made = std::make_unique<Fiber>();
            if (!m_free_stacks.empty()) {
                made->stack = m_free_stacks.back();
                m_free_stacks.pop_back();
            } else {
                made->stack = map_stack();
            }
            fiber = made.release();
        } catch (const std::exception& e) {
            // No memory for a fiber: serve this one on the loop itself (its waits then block
            // the loop's thread) rather than drop its connection or stop the loop.
            LOG_ERROR("no memory for a fiber (%s): serving a connection without one", e.what());
            try {
                fn();
            } catch (...) {
            }
            m_inbox->m_pending.fetch_sub(1, std::memory_order_relaxed);
            continue;
        }
        fiber->fn = std::move(fn);
        fiber->loop = this;
        detail::prepare(fiber->context, stack_bottom(fiber->stack), k_stack_size, &fiber_entry,
                        fiber);
        ++m_live;
        m_ready.push_back(fiber);
    }
    note_fiber_count();
}

void Loop::note_fiber_count() {
    if (m_live > m_peak) m_peak = m_live;
    if (m_live == 0 && m_peak >= m_options.burst && m_options.on_idle) {
        arm(*m_idle_timer, Clock::now() + m_options.idle_delay);
    } else if (m_live > 0) {
        disarm(*m_idle_timer);
    }
}

void Loop::fire_timers() {
    auto now = Clock::now();
    while (!m_timers.empty() && m_timers.begin()->first <= now) {
        Timer* timer = m_timers.begin()->second;
        timer->m_spare_node = m_timers.extract(m_timers.begin());
        timer->m_armed = false;
        timer->on_timer();
    }
}

int Loop::wait_events(epoll_event* events, int max, bool after_work) {
    int timeout = epoll_timeout_ms();
    if (timeout != 0 && after_work) {
        auto until = Clock::now() + k_spin;
        if (!m_timers.empty()) until = std::min(until, m_timers.begin()->first);
        do {
            int n = ::epoll_wait(m_epoll, events, max, 0);
            if (n != 0) return n;
        } while (Clock::now() < until);
        timeout = epoll_timeout_ms();
    }
    return ::epoll_wait(m_epoll, events, max, timeout);
}

int Loop::epoll_timeout_ms() const {
    if (!m_ready.empty()) return 0;
    if (m_timers.empty()) return -1;
    auto left = m_timers.begin()->first - Clock::now();
    if (left <= Clock::duration::zero()) return 0;
    // Rounded up: waking before the deadline would only spin.
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    return int(std::min<long long>(ms, 24 * 3600 * 1000));
}

void Loop::run() {
    Loop* outer = t_loop;
    t_loop = this;
    constexpr int k_batch = 256;
    // Fibers run between two looks at the descriptors and timers. Under load hundreds are
    // ready at once and a round of all of them takes ~10 ms; events that pile up meanwhile
    // beyond one epoll batch would wait a whole further round (the latency tail at 256
    // connections). Fibers still run in the order they became ready.
    constexpr size_t k_round = 32;
    epoll_event events[k_batch];
    bool had_events = false;
    for (;;) {
        // Ready fibers run in the order they became ready, at most k_round per round.
        const bool worked = had_events || !m_ready.empty();
        for (size_t n = std::min(m_ready.size(), k_round); n > 0 && !m_ready.empty(); --n) {
            Fiber* fiber = m_ready.front();
            m_ready.pop_front();
            resume(fiber);
            if (m_send_batch.size() >= k_send_batch) release_send_batch();
        }
        release_send_batch();
        if (m_live == 0 && m_ready.empty() && m_inbox->stop_when_done()) break;
        int n = wait_events(events, k_batch, worked);
        had_events = n > 0;
        if (n < 0 && errno != EINTR) {
            LOG_ERROR("epoll_wait failed: %s", std::strerror(errno));
            break;
        }
        for (int i = 0; i < n; ++i) {
            // Looked up per event: a watcher removed by an earlier event of the batch is skipped.
            int fd = events[i].data.fd;
            if (size_t(fd) >= m_watchers.size()) continue;
            if (m_watchers[size_t(fd)]) {
                m_watchers[size_t(fd)]->on_ready(fd, events[i].events);
            } else if (m_registered[size_t(fd)]) {
                unwatch(fd);  // forgotten, still registered, and reporting: nobody wants it
            }
        }
        fire_timers();
        take_inbox();
    }
    disarm(*m_idle_timer);
    for (auto& fn : m_at_exit) fn();
    m_at_exit.clear();
    t_loop = outer;
}

bool in_fiber() { return t_loop && t_loop->running(); }

Fiber* current_fiber() { return t_loop ? t_loop->running() : nullptr; }

bool join_send_batch() {
    Loop* loop = t_loop;
    return loop && loop->running() && loop->join_send_batch();
}

bool park_until(Clock::time_point deadline) {
    Loop* loop = t_loop;
    Fiber* fiber = loop ? loop->running() : nullptr;
    if (!fiber) throw std::logic_error("park_until outside a fiber");
    fiber->state = Fiber::State::parked;
    fiber->woken = false;
    if (deadline != Clock::time_point::max()) loop->arm(*fiber, deadline);
    loop->suspend();
    return fiber->woken;
}

void wake(Fiber* fiber) {
    if (!fiber || fiber->state != Fiber::State::parked) return;
    fiber->woken = true;
    fiber->loop->make_ready(fiber);
}

namespace {

// A fiber waiting for one descriptor: armed one-shot, so the registration never outlives it.
struct FdWait final : Watcher {
    Fiber* fiber;
    uint32_t events = 0;
    explicit FdWait(Fiber* f) : fiber(f) {}
    void on_ready(int, uint32_t epoll_events) override {
        events = epoll_events;
        wake(fiber);
    }
};

int revents_of(uint32_t e) {
    int r = 0;
    if (e & EPOLLIN) r |= POLLIN;
    if (e & EPOLLOUT) r |= POLLOUT;
    if (e & EPOLLERR) r |= POLLERR;
    if (e & EPOLLHUP) r |= POLLHUP;
    return r;
}

}  // namespace

int wait_fd(int fd, short events, int timeout_ms) {
    if (!in_fiber()) {
        pollfd pfd{fd, events, 0};
        int n;
        do {
            n = ::poll(&pfd, 1, timeout_ms);
        } while (n < 0 && errno == EINTR);
        return n > 0 ? pfd.revents : n;
    }
    Loop* loop = t_loop;
    FdWait wait(loop->running());
    uint32_t interest = EPOLLONESHOT;
    if (events & POLLIN) interest |= EPOLLIN;
    if (events & POLLOUT) interest |= EPOLLOUT;
    try {
        loop->watch(fd, interest, &wait);
    } catch (const std::system_error&) {
        return -1;
    }
    auto deadline = timeout_ms < 0 ? Clock::time_point::max()
                                   : Clock::now() + std::chrono::milliseconds(timeout_ms);
    // A fiber can be woken for something else (an upstream transfer it also runs): only the
    // descriptor or the deadline ends this wait.
    while (wait.events == 0 && Clock::now() < deadline) park_until(deadline);
    if (wait.events == 0) {
        // Timed out: the one-shot registration is still armed.
        loop->unwatch(fd);
        return 0;
    }
    loop->forget(fd);
    return revents_of(wait.events);
}

void run_off_loop(const std::function<void()>& work) {
    Loop* loop = Loop::current();
    Fiber* fiber = current_fiber();
    if (!fiber) {
        work();
        return;
    }
    // Shared with the helper thread, which may outlive this frame by a few instructions.
    struct State {
        std::exception_ptr error;
        bool done = false;  // set on the loop's thread, by the posted completion
    };
    auto state = std::make_shared<State>();
    try {
        std::thread([&work, state, loop, fiber] {
            try {
                work();
            } catch (...) {
                state->error = std::current_exception();
            }
            loop->post([state, fiber] {
                state->done = true;
                wake(fiber);
            });
        }).detach();
    } catch (const std::system_error&) {
        work();  // no thread to be had: run here, as before
        return;
    }
    while (!state->done) park_until(Clock::time_point::max());
    if (state->error) std::rethrow_exception(state->error);
}

void*& fiber_local() {
    Fiber* fiber = current_fiber();
    return fiber ? fiber->local : t_thread_local_slot;
}

}  // namespace otari::loop
