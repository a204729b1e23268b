#include "tokens/base64_decode.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace otari::tokens {
namespace {

constexpr int8_t k_skip = -2, k_stop = -1;

constexpr std::array<int8_t, 256> k_values = [] {
    std::array<int8_t, 256> values{};
    values.fill(k_stop);
    for (int i = 0; i < 26; ++i) {
        values[static_cast<std::size_t>('A' + i)] = static_cast<int8_t>(i);
        values[static_cast<std::size_t>('a' + i)] = static_cast<int8_t>(26 + i);
    }
    for (int i = 0; i < 10; ++i)
        values[static_cast<std::size_t>('0' + i)] = static_cast<int8_t>(52 + i);
    values['+'] = values['-'] = 62;
    values['/'] = values['_'] = 63;
    values[' '] = values['\n'] = values['\r'] = values['\t'] = k_skip;
    return values;
}();

}  // namespace

std::string decode_base64(std::string_view text, std::size_t max_bytes) {
    std::string out;
    out.reserve(std::min(max_bytes, text.size() / 4 * 3 + 3));
    uint32_t bits = 0;
    int bit_count = 0;
    for (char c : text) {
        int8_t value = k_values[static_cast<unsigned char>(c)];
        if (value == k_skip) continue;
        if (value == k_stop || out.size() >= max_bytes) break;
        bits = (bits << 6) | static_cast<uint32_t>(value);
        bit_count += 6;
        if (bit_count >= 8) {
            bit_count -= 8;
            out.push_back(static_cast<char>((bits >> bit_count) & 0xFF));
        }
    }
    return out;
}

}  // namespace otari::tokens
