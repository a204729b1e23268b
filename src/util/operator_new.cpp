// The program's operator new and delete (the replaceable global forms), served through
// util::block_cache. Linked into the executable only; test programs keep the C++ runtime's.
//
// Sanitizer builds keep the runtime's own too: ASan's operator new is what reports a
// use-after-free or a new/delete mismatch, and a cache would hide reuse from it.

#include "util/sanitizers.hpp"

#if !defined(OTARI_ASAN) && !defined(OTARI_MSAN)

#include <cstddef>
#include <new>

#include "util/block_cache.hpp"

namespace cache = otari::util::block_cache;

void* operator new(std::size_t size) { return cache::allocate(size); }
void* operator new[](std::size_t size) { return cache::allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    try {
        return cache::allocate(size);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    try {
        return cache::allocate(size);
    } catch (...) {
        return nullptr;
    }
}

void operator delete(void* block) noexcept { cache::release(block); }
void operator delete[](void* block) noexcept { cache::release(block); }
void operator delete(void* block, std::size_t) noexcept { cache::release(block); }
void operator delete[](void* block, std::size_t) noexcept { cache::release(block); }
void operator delete(void* block, const std::nothrow_t&) noexcept { cache::release(block); }
void operator delete[](void* block, const std::nothrow_t&) noexcept { cache::release(block); }

#endif
