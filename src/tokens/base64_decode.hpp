#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace otari::tokens {

// Decodes standard or URL-safe base64, skipping whitespace, up to `max_bytes` output bytes.
// Decoding stops quietly at padding or at the first character outside the alphabet, so a
// malformed payload yields what precedes the damage (callers only sniff headers and sizes).
std::string decode_base64(std::string_view text, std::size_t max_bytes = std::string::npos);

}  // namespace otari::tokens
