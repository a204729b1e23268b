#pragma once
#include <string>
#include <string_view>

namespace otari::tokenize {

// True when the bytes are well-formed UTF-8 (no overlongs, surrogates or code points past
// U+10FFFF).
bool is_valid_utf8(std::string_view bytes);

// The bytes with every ill-formed sequence replaced by U+FFFD, one replacement per maximal
// subpart (the Unicode / WHATWG rule, also Python's decode(errors="replace")).
std::string repair_utf8(std::string_view bytes);

}  // namespace otari::tokenize
