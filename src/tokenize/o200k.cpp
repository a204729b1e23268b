#include "tokenize/o200k.hpp"

#include <string>

#include "tokenize/byte_pair_merge.hpp"
#include "tokenize/o200k_pretokenizer.hpp"
#include "tokenize/rank_table.hpp"
#include "tokenize/utf8_repair.hpp"

namespace otari::tokenize {
namespace {

// Pre-tokenizes the text (repairing ill-formed UTF-8 first) and, in order, calls
// on_single(rank) for each piece that is one token, or on_merged(table, piece, starts) with the
// merge result (see byte_pair_merge.hpp) for each piece that is several.
template <typename OnSingle, typename OnMerged>
void for_each_piece(std::string_view text, OnSingle on_single, OnMerged on_merged) {
    std::string repaired;
    if (!is_valid_utf8(text)) {
        repaired = repair_utf8(text);
        text = repaired;
    }
    const RankTable& table = o200k_table();
    thread_local std::vector<std::string_view> pieces;
    thread_local std::vector<uint32_t> starts;
    pieces.clear();
    split_o200k(text, pieces);
    for (std::string_view piece : pieces) {
        if (uint32_t rank = table.rank_of(piece); rank != RankTable::k_no_rank) {
            on_single(rank);
            continue;
        }
        merge_piece(table, piece, starts);
        on_merged(table, piece, starts);
    }
}

}  // namespace

std::size_t count_o200k(std::string_view utf8_text) {
    std::size_t count = 0;
    for_each_piece(
        utf8_text, [&](uint32_t) { ++count; },
        [&](const RankTable&, std::string_view, const std::vector<uint32_t>& starts) {
            count += starts.size();
        });
    return count;
}

std::vector<uint32_t> encode_o200k(std::string_view utf8_text) {
    std::vector<uint32_t> ids;
    for_each_piece(
        utf8_text, [&](uint32_t rank) { ids.push_back(rank); },
        [&](const RankTable& table, std::string_view piece, const std::vector<uint32_t>& starts) {
            for (std::size_t i = 0; i < starts.size(); ++i) {
                std::size_t end = i + 1 < starts.size() ? starts[i + 1] : piece.size();
                ids.push_back(table.rank_of(piece.substr(starts[i], end - starts[i])));
            }
        });
    return ids;
}

}  // namespace otari::tokenize
