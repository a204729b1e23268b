#include "tokenize/byte_pair_merge.hpp"

#include <functional>
#include <queue>
#include <utility>

namespace otari::tokenize {
namespace {

constexpr uint32_t k_none = RankTable::k_no_rank;

struct Part {
    uint32_t start;
    uint32_t rank;  // rank of this part merged with the next one, k_none if not a token
};

}  // namespace

void merge_piece(const RankTable& table, std::string_view piece, std::vector<uint32_t>& starts) {
    if (piece.size() <= k_quadratic_limit) {
        merge_piece_quadratic(table, piece, starts);
    } else {
        merge_piece_heap(table, piece, starts);
    }
}

void merge_piece_quadratic(const RankTable& table, std::string_view piece,
                           std::vector<uint32_t>& starts) {
    // parts[i] starts a token; the last two entries are sentinels (the final start and the end).
    thread_local std::vector<Part> parts;
    parts.clear();
    starts.clear();
    if (piece.empty()) return;
    const auto n = static_cast<uint32_t>(piece.size());
    for (uint32_t i = 0; i + 1 < n; ++i) parts.push_back({i, table.rank_of(piece.substr(i, 2))});
    parts.push_back({n - 1, k_none});
    parts.push_back({n, k_none});

    // Rank of parts[i] merged with parts[i + 1] once parts[i + 1] has absorbed parts[i + 2].
    auto rank_after_merge = [&](std::size_t i) {
        if (i + 3 >= parts.size()) return k_none;
        return table.rank_of(piece.substr(parts[i].start, parts[i + 3].start - parts[i].start));
    };

    while (parts.size() > 2) {
        std::size_t best = 0;
        uint32_t best_rank = k_none;
        for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
            if (parts[i].rank < best_rank) {
                best_rank = parts[i].rank;
                best = i;
            }
        }
        if (best_rank == k_none) break;
        if (best > 0) parts[best - 1].rank = rank_after_merge(best - 1);
        parts[best].rank = rank_after_merge(best);
        parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(best) + 1);
    }

    for (std::size_t i = 0; i + 1 < parts.size(); ++i) starts.push_back(parts[i].start);
}

void merge_piece_heap(const RankTable& table, std::string_view piece,
                      std::vector<uint32_t>& starts) {
    // Node i is the token starting at byte i while alive; next[i] is where it ends.
    const auto n = static_cast<uint32_t>(piece.size());
    std::vector<uint32_t> next(n), prev(n), pair_rank(n, k_none);
    std::vector<bool> alive(n, true);
    for (uint32_t i = 0; i < n; ++i) {
        next[i] = i + 1;
        prev[i] = i == 0 ? k_none : i - 1;
    }
    auto rank_with_next = [&](uint32_t i) {
        uint32_t j = next[i];
        if (j >= n) return k_none;
        return table.rank_of(piece.substr(i, next[j] - i));
    };

    using Entry = std::pair<uint32_t, uint32_t>;  // (rank, node): lowest rank, then leftmost
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
    for (uint32_t i = 0; i < n; ++i) {
        pair_rank[i] = rank_with_next(i);
        if (pair_rank[i] != k_none) heap.push({pair_rank[i], i});
    }
    while (!heap.empty()) {
        auto [rank, i] = heap.top();
        heap.pop();
        // A stale entry: the node died or its span changed. A live node whose pair still has
        // this rank spans the same bytes, because a rank names exactly one byte string.
        if (!alive[i] || pair_rank[i] != rank) continue;
        uint32_t j = next[i];
        alive[j] = false;
        next[i] = next[j];
        if (next[j] < n) prev[next[j]] = i;
        pair_rank[i] = rank_with_next(i);
        if (pair_rank[i] != k_none) heap.push({pair_rank[i], i});
        if (uint32_t p = prev[i]; p != k_none) {
            pair_rank[p] = rank_with_next(p);
            if (pair_rank[p] != k_none) heap.push({pair_rank[p], p});
        }
    }

    starts.clear();
    for (uint32_t i = 0; i < n; i = next[i]) starts.push_back(i);
}

}  // namespace otari::tokenize
