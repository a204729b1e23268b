#pragma once
#include <cstddef>
#include <string_view>

namespace otari::tokenize {

// Fast path of the o200k pre-tokenizer (o200k_pretokenizer.hpp) for ASCII text: the length of
// the piece that o200k's pattern matches at text[at], decided by a hand-written scanner that
// follows the pattern's alternatives in order. Returns 0 when the answer depends on a byte
// >= 0x80 (a letter, digit, space or punctuation outside ASCII may extend or end the piece);
// the caller then asks PCRE2. `at` must be < text.size().
std::size_t scan_ascii_o200k_piece(std::string_view text, std::size_t at);

}  // namespace otari::tokenize
