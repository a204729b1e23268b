#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenize/rank_table.hpp"

namespace otari::tokenize {

// Splits one pre-tokenized piece into tokens exactly as tiktoken's _byte_pair_merge does:
// start from single bytes and repeatedly merge the adjacent pair whose concatenation has the
// lowest rank (the leftmost pair on a tie) until no adjacent pair is a token. Appends the start
// offset of every resulting token to `starts` (cleared first); the token i spans
// [starts[i], starts[i + 1]) with piece.size() closing the last one.
//
// Pieces up to k_quadratic_limit bytes use tiktoken's O(n^2) scan, which is fastest on short
// input; longer pieces use a heap, O(n log n), so a huge run of letters cannot stall a request.
// Both give identical results.
inline constexpr std::size_t k_quadratic_limit = 128;

void merge_piece(const RankTable& table, std::string_view piece, std::vector<uint32_t>& starts);

// The two strategies, exposed so tests can check that they agree.
void merge_piece_quadratic(const RankTable& table, std::string_view piece,
                           std::vector<uint32_t>& starts);
void merge_piece_heap(const RankTable& table, std::string_view piece,
                      std::vector<uint32_t>& starts);

}  // namespace otari::tokenize
