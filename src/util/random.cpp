#include "util/random.hpp"

#include <pthread.h>
#include <sys/random.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <stdexcept>

namespace otari::util {
namespace {

constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// Appends base62 characters drawn from `bytes` to `out` until it has `length`; returns how many
// bytes were used. Rejection sampling keeps the distribution uniform: 248 = 4 * 62.
size_t append_base62(std::string& out, size_t length, const unsigned char* bytes, size_t count) {
    size_t used = 0;
    while (used < count && out.size() < length) {
        unsigned char b = bytes[used++];
        if (b < 248) out.push_back(k_alphabet[b % 62]);
    }
    return used;
}

size_t fill_random(unsigned char* buf, size_t size) {
    ssize_t got;
    do {
        got = ::getrandom(buf, size, 0);
    } while (got < 0 && errno == EINTR);
    if (got <= 0) throw std::runtime_error("getrandom failed");
    return size_t(got);
}

// A fork copies every read-ahead block; the child must not hand out its parent's next ids.
std::atomic<unsigned> g_fork_generation{0};

// 4 KB: a request draws about 50 bytes (its request and message ids), so a getrandom call
// serves some 80 requests.
struct ReadAhead {
    unsigned char bytes[4096];
    size_t next = sizeof bytes;
    unsigned generation = 0;
};

}  // namespace

std::string random_base62(size_t length) {
    std::string out;
    out.reserve(length);
    unsigned char buf[64];
    while (out.size() < length) append_base62(out, length, buf, fill_random(buf, sizeof buf));
    return out;
}

std::string random_id_base62(size_t length) {
    // Registered before any block is filled, so every filled block is covered.
    [[maybe_unused]] static const int fork_hook =
        pthread_atfork(nullptr, nullptr, [] { ++g_fork_generation; });
    thread_local ReadAhead pool;
    std::string out;
    out.reserve(length);
    while (out.size() < length) {
        unsigned generation = g_fork_generation.load(std::memory_order_relaxed);
        if (pool.next == sizeof pool.bytes || pool.generation != generation) {
            for (size_t filled = 0; filled < sizeof pool.bytes;)
                filled += fill_random(pool.bytes + filled, sizeof pool.bytes - filled);
            pool.next = 0;
            pool.generation = generation;
        }
        pool.next +=
            append_base62(out, length, pool.bytes + pool.next, sizeof pool.bytes - pool.next);
    }
    return out;
}

std::string new_request_id() { return "req_" + random_id_base62(24); }

}  // namespace otari::util
