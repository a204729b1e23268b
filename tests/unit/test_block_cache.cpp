#include <doctest/doctest.h>
#include <malloc.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "server/elastic_pool.hpp"
#include "util/block_cache.hpp"
#include "util/sanitizers.hpp"

using namespace otari;
namespace cache = util::block_cache;

TEST_CASE("a released small block is handed out again for the next request of its size") {
    cache::flush_this_thread();
    void* block = cache::allocate(100);
    std::memset(block, 0xab, 100);
    cache::release(block);
    CHECK(cache::cached_bytes_this_thread() > 0);
    CHECK(cache::allocate(100) == block);
    CHECK(cache::cached_bytes_this_thread() == 0);
    cache::release(block);
    cache::flush_this_thread();
}

TEST_CASE("a cached block never serves a request larger than it holds") {
    cache::flush_this_thread();
    void* small = cache::allocate(24);
    cache::release(small);
    void* larger = cache::allocate(40);
    CHECK(larger != small);
    CHECK(malloc_usable_size(larger) >= 40);
    CHECK(cache::allocate(24) == small);
    cache::release(small);
    cache::release(larger);
    cache::flush_this_thread();
}

TEST_CASE("blocks larger than the cached sizes go straight back to malloc") {
    cache::flush_this_thread();
    void* big = cache::allocate(cache::k_max_block_bytes + 1);
    CHECK(malloc_usable_size(big) >= cache::k_max_block_bytes + 1);
    cache::release(big);
    CHECK(cache::cached_bytes_this_thread() == 0);
}

// Live blocks from both allocate() and malloc(), released in random order and reused: each
// keeps its own fill pattern over its whole asked size, so no block is ever handed out twice
// or smaller than asked.
TEST_CASE("mixed allocate, malloc and release never hand out overlapping or short blocks") {
    cache::flush_this_thread();
    struct Live {
        unsigned char* p;
        size_t size;
        unsigned char fill;
    };
    std::mt19937 rng(12345);
    std::vector<Live> live;
    bool intact = true;
    bool large_enough = true;
    for (int step = 0; step < 20000; ++step) {
        if (live.empty() || rng() % 3 != 0) {
            size_t size = rng() % 1100;  // across the cached sizes and just beyond
            bool from_malloc = rng() % 4 == 0;
            auto* p = static_cast<unsigned char*>(from_malloc ? std::malloc(size ? size : 1)
                                                              : cache::allocate(size));
            large_enough = large_enough && malloc_usable_size(p) >= size;
            auto fill = static_cast<unsigned char>(step);
            std::memset(p, fill, size);
            live.push_back({p, size, fill});
        } else {
            size_t i = rng() % live.size();
            for (size_t b = 0; b < live[i].size; ++b)
                intact = intact && live[i].p[b] == live[i].fill;
            cache::release(live[i].p);
            live[i] = live.back();
            live.pop_back();
        }
    }
    CHECK(large_enough);
    CHECK(intact);
    for (auto& l : live) cache::release(l.p);
    cache::flush_this_thread();
    CHECK(cache::cached_bytes_this_thread() == 0);
}

TEST_CASE("a thread caches no more than its limit") {
    cache::flush_this_thread();
    std::vector<void*> blocks;
    for (size_t total = 0; total < 2 * cache::k_max_cached_bytes; total += 512)
        blocks.push_back(cache::allocate(500));
    for (void* block : blocks) cache::release(block);
    CHECK(cache::cached_bytes_this_thread() <= cache::k_max_cached_bytes);
    CHECK(cache::cached_bytes_this_thread() > cache::k_max_cached_bytes / 2);
    cache::flush_this_thread();
    CHECK(cache::cached_bytes_this_thread() == 0);
}

TEST_CASE("an idle burst's release of free memory empties the calling thread's cache") {
    cache::release(cache::allocate(64));
    REQUIRE(cache::cached_bytes_this_thread() > 0);
    server::ElasticPool::release_free_memory();
    CHECK(cache::cached_bytes_this_thread() == 0);
}

// In the sanitizer build, LeakSanitizer reports the blocks if the exit does not free them.
TEST_CASE("a thread's cached blocks are freed when the thread exits") {
#if !defined(OTARI_ASAN)
    const size_t in_use_before = mallinfo2().uordblks;
#endif
    size_t cached_in_thread = 0;
    std::thread([&] {
        std::vector<void*> blocks;
        for (int i = 0; i < 2000; ++i) blocks.push_back(cache::allocate(256));
        for (void* block : blocks) cache::release(block);
        cached_in_thread = cache::cached_bytes_this_thread();
    }).join();
    CHECK(cached_in_thread >= 2000 * 256);
#if !defined(OTARI_ASAN)
    // Everything the thread cached (over 500 KB) is back with malloc.
    const size_t in_use_after = mallinfo2().uordblks;
    CHECK(in_use_after < in_use_before + 64 * 1024);
#endif
}
