#include "tokens/image_dimensions.hpp"

#include "tokens/base64_decode.hpp"

namespace otari::tokens {
namespace {

constexpr std::size_t k_sniff_bytes = 256 * 1024;

uint32_t byte_at(std::string_view b, std::size_t i) { return static_cast<unsigned char>(b[i]); }
uint32_t big_endian16(std::string_view b, std::size_t i) {
    return byte_at(b, i) << 8 | byte_at(b, i + 1);
}
uint32_t little_endian16(std::string_view b, std::size_t i) {
    return byte_at(b, i + 1) << 8 | byte_at(b, i);
}
uint32_t little_endian24(std::string_view b, std::size_t i) {
    return byte_at(b, i + 2) << 16 | little_endian16(b, i);
}
uint32_t big_endian32(std::string_view b, std::size_t i) {
    return big_endian16(b, i) << 16 | big_endian16(b, i + 2);
}

std::optional<ImageDimensions> nonzero(uint32_t width, uint32_t height) {
    if (width == 0 || height == 0) return std::nullopt;
    return ImageDimensions{width, height};
}

// PNG: signature, then the IHDR chunk with big-endian width and height at 16 and 20.
std::optional<ImageDimensions> png(std::string_view b) {
    if (b.size() < 24 || b.substr(12, 4) != "IHDR") return std::nullopt;
    return nonzero(big_endian32(b, 16), big_endian32(b, 20));
}

// GIF87a/GIF89a: logical screen width and height, little-endian, at 6 and 8.
std::optional<ImageDimensions> gif(std::string_view b) {
    if (b.size() < 10) return std::nullopt;
    return nonzero(little_endian16(b, 6), little_endian16(b, 8));
}

// WebP: RIFF container; the first chunk is VP8 (lossy), VP8L (lossless) or VP8X (extended).
std::optional<ImageDimensions> webp(std::string_view b) {
    if (b.size() < 30) return std::nullopt;
    std::string_view chunk = b.substr(12, 4);
    if (chunk == "VP8 ") {
        return nonzero(little_endian16(b, 26) & 0x3FFF, little_endian16(b, 28) & 0x3FFF);
    }
    if (chunk == "VP8L") {
        uint32_t bits =
            byte_at(b, 21) | byte_at(b, 22) << 8 | byte_at(b, 23) << 16 | byte_at(b, 24) << 24;
        return nonzero((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
    }
    if (chunk == "VP8X") return nonzero(little_endian24(b, 24) + 1, little_endian24(b, 27) + 1);
    return std::nullopt;
}

// JPEG: walk the marker segments to the first start-of-frame (SOF0-SOF15 except DHT C4, JPG
// C8 and DAC CC), whose payload holds precision, height, width.
std::optional<ImageDimensions> jpeg(std::string_view b) {
    std::size_t at = 2;
    while (at + 4 <= b.size()) {
        if (byte_at(b, at) != 0xFF) return std::nullopt;
        uint32_t marker = byte_at(b, at + 1);
        if (marker == 0xFF) {  // fill byte
            ++at;
            continue;
        }
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            at += 2;  // markers without a length
            continue;
        }
        uint32_t length = big_endian16(b, at + 2);
        bool frame =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (frame) {
            if (at + 9 > b.size()) return std::nullopt;
            return nonzero(big_endian16(b, at + 7), big_endian16(b, at + 5));
        }
        if (marker == 0xDA || length < 2) return std::nullopt;  // scan data before any frame
        at += 2 + length;
    }
    return std::nullopt;
}

}  // namespace

std::optional<ImageDimensions> image_dimensions(std::string_view file) {
    if (file.starts_with("\x89PNG\r\n\x1a\n")) return png(file);
    if (file.starts_with("\xFF\xD8")) return jpeg(file);
    if (file.starts_with("GIF87a") || file.starts_with("GIF89a")) return gif(file);
    if (file.size() >= 12 && file.starts_with("RIFF") && file.substr(8, 4) == "WEBP") {
        return webp(file);
    }
    return std::nullopt;
}

std::optional<ImageDimensions> image_dimensions_from_base64(std::string_view base64) {
    if (base64.starts_with("data:")) {
        auto comma = base64.find(',');
        if (comma == std::string_view::npos) return std::nullopt;
        base64.remove_prefix(comma + 1);
    }
    return image_dimensions(decode_base64(base64, k_sniff_bytes));
}

}  // namespace otari::tokens
