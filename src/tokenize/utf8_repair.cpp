#include "tokenize/utf8_repair.hpp"

#include <cstdint>

namespace otari::tokenize {
namespace {

// Length of the well-formed sequence at bytes[at], or 0 when it is ill-formed; `consumed` gets
// the length of the maximal subpart to replace (at least 1) when it is ill-formed.
std::size_t sequence_length(std::string_view bytes, std::size_t at, std::size_t& consumed) {
    auto byte = [&](std::size_t i) { return static_cast<uint8_t>(bytes[i]); };
    uint8_t lead = byte(at);
    consumed = 1;
    if (lead < 0x80) return 1;
    std::size_t length;
    uint8_t low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;   // no overlongs
        if (lead == 0xED) high = 0x9F;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;   // no overlongs
        if (lead == 0xF4) high = 0x8F;  // nothing past U+10FFFF
    } else {
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        if (at + i >= bytes.size()) return 0;
        uint8_t next = byte(at + i);
        bool ok = i == 1 ? (next >= low && next <= high) : (next >= 0x80 && next <= 0xBF);
        if (!ok) return 0;
        consumed = i + 1;
    }
    return length;
}

}  // namespace

bool is_valid_utf8(std::string_view bytes) {
    std::size_t at = 0, consumed = 0;
    while (at < bytes.size()) {
        if (static_cast<uint8_t>(bytes[at]) < 0x80) {
            ++at;
            continue;
        }
        std::size_t length = sequence_length(bytes, at, consumed);
        if (length == 0) return false;
        at += length;
    }
    return true;
}

std::string repair_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() + 8);
    std::size_t at = 0, consumed = 0;
    while (at < bytes.size()) {
        std::size_t length = sequence_length(bytes, at, consumed);
        if (length == 0) {
            out += "\xEF\xBF\xBD";
            at += consumed;
        } else {
            out.append(bytes.substr(at, length));
            at += length;
        }
    }
    return out;
}

}  // namespace otari::tokenize
