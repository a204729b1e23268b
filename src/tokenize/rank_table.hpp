#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace otari::tokenize {

// A BPE vocabulary: token bytes <-> rank. Immutable after construction, so one instance may be
// read from any number of threads.
class RankTable {
  public:
    static constexpr uint32_t k_no_rank = UINT32_MAX;

    // Builds the table from chunks in the o200k_ranks.hpp format (length byte + bytes, rank
    // order). Throws std::runtime_error when the chunks are malformed.
    RankTable(std::span<const std::string_view> chunks, std::size_t token_count);

    // Rank of exactly these bytes, or k_no_rank when they are not a token.
    uint32_t rank_of(std::string_view bytes) const;

    // Bytes of the token with this rank; rank must be < size().
    std::string_view bytes_of(uint32_t rank) const;

    std::size_t size() const { return offsets_.size() - 1; }

  private:
    // A hash slot keeps the key's first eight bytes and length inline, so most probes (and
    // every lookup of a key up to eight bytes) need no access to bytes_.
    struct Slot {
        uint64_t head = 0;  // first min(8, size) bytes, zero-padded
        uint32_t rank = k_no_rank;
        uint32_t size = 0;
    };

    static uint64_t head_of(std::string_view bytes);
    static uint64_t hash(uint64_t head, std::string_view bytes);

    std::string bytes_;              // every token's bytes, concatenated in rank order
    std::vector<uint32_t> offsets_;  // token r is bytes_[offsets_[r], offsets_[r + 1])
    std::vector<Slot> slots_;        // open addressing with linear probing
    int slot_shift_ = 0;             // slot of a key = hash >> slot_shift_ (top bits)
    uint32_t single_byte_[256];      // rank of each one-byte token (o200k has all 256)
};

// The o200k_base table, built from the compiled-in data on first use (thread-safe).
const RankTable& o200k_table();

}  // namespace otari::tokenize
