#pragma once
#include <string_view>
#include <vector>

namespace otari::tokenize {

// Splits well-formed UTF-8 text into o200k_base pre-tokens ("pieces"), the way tiktoken applies
// o200k's pat_str with find_iter:
//
//   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//   |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//   |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// compiled with PCRE2 (UTF, UCP, JIT). Two details keep it identical to tiktoken's Rust regex:
// \s is exactly Unicode White_Space (PCRE2's own \s also takes U+180E); and the
// case-insensitive contraction also matches U+017F (long s), which case-folds to 's'.
//
// Appends the pieces (views into `text`) to `pieces`. ASCII stretches go through the scanner in
// o200k_ascii_scanner.hpp; the rest through PCRE2. The precondition is well-formed UTF-8 (see
// utf8_repair.hpp); thread-safe.
void split_o200k(std::string_view text, std::vector<std::string_view>& pieces);

// The length of the piece the PCRE2 pattern matches at text[at] (at < text.size()), the
// reference for the ASCII scanner. Returns the rest of the text if PCRE2 hits a resource limit
// (every character matches some alternative, so nothing else fails).
std::size_t match_o200k_piece(std::string_view text, std::size_t at);

}  // namespace otari::tokenize
