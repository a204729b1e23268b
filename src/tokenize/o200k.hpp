#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace otari::tokenize {

// OpenAI's o200k_base encoding (gpt-4o, gpt-4.1, gpt-5, o1/o3/o4), compiled in: no file or
// network access. Results equal tiktoken's `encode_ordinary`: text that looks like a special
// token (e.g. "<|endoftext|>") is encoded as ordinary text. Ill-formed UTF-8 never fails: each
// maximal ill-formed subpart is encoded as U+FFFD first, as Python's
// bytes.decode(errors="replace") would.
//
// Thread-safe. The first call builds the vocabulary (a few ms); later calls do not allocate
// beyond per-thread scratch buffers, except the encode result.

// Number of o200k_base tokens in the text.
std::size_t count_o200k(std::string_view utf8_text);

// The o200k_base token ids of the text.
std::vector<uint32_t> encode_o200k(std::string_view utf8_text);

}  // namespace otari::tokenize
