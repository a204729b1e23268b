#include "util/block_cache.hpp"

#include <malloc.h>
#include <pthread.h>

#include <cstdlib>
#include <new>

namespace otari::util::block_cache {
namespace {

// glibc's chunks: a multiple of 16 bytes, 32 at least, 8 of which are its header. A request
// for chunk - 8 bytes takes a chunk of exactly `chunk` bytes (or, rarely, a larger one).
constexpr size_t k_granule = 16;
constexpr size_t k_header = sizeof(size_t);
constexpr size_t k_classes = (k_max_block_bytes + k_header) / k_granule + 1;  // index = chunk/16

constexpr size_t class_of_request(size_t size) {
    size_t chunk = (size + k_header + k_granule - 1) & ~(k_granule - 1);
    return (chunk < 2 * k_granule ? 2 * k_granule : chunk) / k_granule;
}
constexpr size_t chunk_bytes(size_t cls) { return cls * k_granule; }

struct FreeBlock {
    FreeBlock* next;
};

// Zero-initialised and trivially destructible: no guard on access, and usable from any
// destructor that runs at thread exit (after `closed` is set, blocks go straight to free).
struct ThreadCache {
    FreeBlock* heads[k_classes];
    size_t bytes;
    bool registered;
    bool closed;
};
constinit thread_local ThreadCache t_cache{};

pthread_key_t g_exit_key;
pthread_once_t g_exit_key_once = PTHREAD_ONCE_INIT;

void empty(ThreadCache& cache) noexcept {
    for (auto& head : cache.heads) {
        while (head) {
            FreeBlock* block = head;
            head = block->next;
            std::free(block);
        }
    }
    cache.bytes = 0;
}

void on_thread_exit(void* cache) {
    auto& c = *static_cast<ThreadCache*>(cache);
    c.closed = true;
    empty(c);
}

// The first block a thread caches arranges for the cache to be emptied when it exits.
bool register_thread(ThreadCache& cache) noexcept {
    pthread_once(&g_exit_key_once, [] {
        if (pthread_key_create(&g_exit_key, on_thread_exit) != 0) g_exit_key = pthread_key_t(-1);
    });
    if (g_exit_key == pthread_key_t(-1) || pthread_setspecific(g_exit_key, &cache) != 0) {
        cache.closed = true;  // nothing would empty it: never cache on this thread
        return false;
    }
    cache.registered = true;
    return true;
}

void keep_or_free(void* block, size_t cls) noexcept {
    ThreadCache& cache = t_cache;
    const size_t bytes = chunk_bytes(cls);
    if (cache.closed || cache.bytes + bytes > k_max_cached_bytes ||
        (!cache.registered && !register_thread(cache))) {
        std::free(block);
        return;
    }
    auto* free_block = static_cast<FreeBlock*>(block);
    free_block->next = cache.heads[cls];
    cache.heads[cls] = free_block;
    cache.bytes += bytes;
}

}  // namespace

void* allocate(size_t size) {
    size_t request = size;
    if (size <= k_max_block_bytes) {
        const size_t cls = class_of_request(size);
        ThreadCache& cache = t_cache;
        if (FreeBlock* block = cache.heads[cls]) {
            cache.heads[cls] = block->next;
            cache.bytes -= chunk_bytes(cls);
            return block;
        }
        request = chunk_bytes(cls) - k_header;
    }
    for (;;) {
        if (void* block = std::malloc(request)) return block;
        std::new_handler handler = std::get_new_handler();
        if (!handler) throw std::bad_alloc();
        handler();
    }
}

void release(void* block) noexcept {
    if (!block) return;
    const size_t usable = malloc_usable_size(block);
    // The class whose blocks this one can stand in for: its chunk, rounded down. (Below the
    // smallest class only with an allocator other than glibc's, such as a sanitizer's.)
    const size_t cls = (usable + k_header) / k_granule;
    if (usable > k_max_block_bytes || cls < class_of_request(0)) {
        std::free(block);
        return;
    }
    keep_or_free(block, cls);
}

void flush_this_thread() noexcept { empty(t_cache); }

size_t cached_bytes_this_thread() noexcept { return t_cache.bytes; }

}  // namespace otari::util::block_cache
