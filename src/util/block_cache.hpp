#pragma once
// A per-thread cache of freed small heap blocks, in front of malloc, for operator new/delete.
//
// glibc keeps at most 7 freed blocks of each size per thread. Freeing a parsed request (a
// 33 KB Claude Code turn is thousands of nodes and strings) overflows that at once; every
// further free, and the next request's allocations, then take the arena's slower paths (bins,
// consolidation). This cache keeps up to k_max_cached_bytes of blocks per thread, so a tree
// freed by one request is rebuilt by the next from the same blocks.
//
// Blocks are plain malloc blocks: whatever is in the cache can go back to free() at any time,
// and a block from malloc() may be released here.
#include <cstddef>

namespace otari::util::block_cache {

// Blocks of up to this many bytes are cached; larger ones go straight to malloc and free.
inline constexpr size_t k_max_block_bytes = 1016;
// Per thread; a release beyond it frees the block.
inline constexpr size_t k_max_cached_bytes = size_t(2) << 20;

// operator new's contract: a block of at least `size` bytes, or std::bad_alloc once the
// new-handler gives up.
void* allocate(size_t size);
// `block` is null, or came from allocate() or malloc(). Its size is read from malloc
// (malloc_usable_size), never taken from the caller: a sized delete that names the wrong size
// must not put a block among larger ones.
void release(void* block) noexcept;

// Hand this thread's cached blocks back to malloc (before malloc_trim, when a loop goes idle).
// A thread's cache is also emptied when the thread exits.
void flush_this_thread() noexcept;
size_t cached_bytes_this_thread() noexcept;

}  // namespace otari::util::block_cache
