#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace otari::tokens {

struct ImageDimensions {
    uint32_t width = 0;
    uint32_t height = 0;
};

// Width and height from the header of a PNG, JPEG, GIF or WebP file (decoded bytes; a JPEG's
// frame header may sit after large metadata, so pass as much of the file as is at hand).
// nullopt for other formats, truncated headers or a zero dimension.
std::optional<ImageDimensions> image_dimensions(std::string_view file);

// The same for a base64 payload (an Anthropic image source's `data`, or a data: URL): decodes
// only the first 256 KiB of image bytes.
std::optional<ImageDimensions> image_dimensions_from_base64(std::string_view base64);

}  // namespace otari::tokens
