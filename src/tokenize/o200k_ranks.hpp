#pragma once
#include <cstddef>
#include <span>
#include <string_view>

namespace otari::tokenize {

// The o200k_base rank table, generated into o200k_ranks.cpp by generate_o200k.mjs.
// The chunks, read in order, hold every token in rank order (rank 0 first) as one length byte
// (1..255) followed by the token's bytes; no token spans two chunks. The data is constant and
// lives in the binary's read-only section.
std::span<const std::string_view> o200k_rank_chunks();

// Number of tokens in the chunks (199,998 for o200k_base; special tokens are not included).
std::size_t o200k_rank_count();

}  // namespace otari::tokenize
