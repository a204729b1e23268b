#include "tokenize/rank_table.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

#include "tokenize/o200k_ranks.hpp"

namespace otari::tokenize {

RankTable::RankTable(std::span<const std::string_view> chunks, std::size_t token_count) {
    offsets_.reserve(token_count + 1);
    offsets_.push_back(0);
    for (std::string_view chunk : chunks) {
        bytes_.reserve(bytes_.size() + chunk.size());
        std::size_t at = 0;
        while (at < chunk.size()) {
            std::size_t length = static_cast<unsigned char>(chunk[at]);
            if (length == 0 || at + 1 + length > chunk.size()) {
                throw std::runtime_error("malformed BPE rank data");
            }
            bytes_.append(chunk.substr(at + 1, length));
            offsets_.push_back(static_cast<uint32_t>(bytes_.size()));
            at += 1 + length;
        }
    }
    if (size() != token_count) throw std::runtime_error("BPE rank data has the wrong token count");

    slots_.assign(std::bit_ceil(token_count * 2 + 1), Slot{});
    slot_shift_ = 64 - std::countr_zero(slots_.size());
    const std::size_t mask = slots_.size() - 1;
    std::fill(std::begin(single_byte_), std::end(single_byte_), k_no_rank);
    for (uint32_t rank = 0; rank < size(); ++rank) {
        std::string_view token = bytes_of(rank);
        if (token.size() == 1) single_byte_[static_cast<unsigned char>(token[0])] = rank;
        uint64_t head = head_of(token);
        std::size_t slot = hash(head, token) >> slot_shift_;
        while (slots_[slot].rank != k_no_rank) slot = (slot + 1) & mask;
        slots_[slot] = Slot{head, rank, static_cast<uint32_t>(token.size())};
    }
}

uint32_t RankTable::rank_of(std::string_view bytes) const {
    if (bytes.size() == 1) return single_byte_[static_cast<unsigned char>(bytes[0])];
    const uint64_t head = head_of(bytes);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t slot = hash(head, bytes) >> slot_shift_;; slot = (slot + 1) & mask) {
        const Slot& candidate = slots_[slot];
        if (candidate.rank == k_no_rank) return k_no_rank;
        if (candidate.head != head || candidate.size != bytes.size()) continue;
        if (bytes.size() <= 8 || std::memcmp(bytes_.data() + offsets_[candidate.rank] + 8,
                                             bytes.data() + 8, bytes.size() - 8) == 0) {
            return candidate.rank;
        }
    }
}

std::string_view RankTable::bytes_of(uint32_t rank) const {
    return std::string_view(bytes_).substr(offsets_[rank], offsets_[rank + 1] - offsets_[rank]);
}

uint64_t RankTable::head_of(std::string_view bytes) {
    const char* p = bytes.data();
    const std::size_t n = bytes.size();
    uint64_t head = 0;
    if (n >= 8) {
        std::memcpy(&head, p, 8);
    } else if (std::endian::native == std::endian::little && n >= 4) {
        // Two overlapping 4-byte loads place every byte at its own position.
        uint32_t low = 0, high = 0;
        std::memcpy(&low, p, 4);
        std::memcpy(&high, p + n - 4, 4);
        head = low | (uint64_t{high} << ((n - 4) * 8));
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            head |= uint64_t{static_cast<unsigned char>(p[i])} << (i * 8);
        }
    }
    return head;
}

// Multiplicative hashing: fold the 8-byte words in with multiply-xorshift steps, then let the
// final multiply spread them into the high bits, which index_of() uses.
uint64_t RankTable::hash(uint64_t head, std::string_view bytes) {
    constexpr uint64_t k_mul = 0x9E3779B97F4A7C15ull;
    uint64_t h = head + bytes.size() * 0xBF58476D1CE4E5B9ull;
    for (std::size_t at = 8; at < bytes.size(); at += 8) {
        uint64_t word = 0;
        std::memcpy(&word, bytes.data() + at, bytes.size() - at < 8 ? bytes.size() - at : 8);
        h = (h ^ (h >> 29)) * k_mul + word;
    }
    return h * k_mul;
}

const RankTable& o200k_table() {
    static const RankTable table(o200k_rank_chunks(), o200k_rank_count());
    return table;
}

}  // namespace otari::tokenize
