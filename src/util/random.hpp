#pragma once
#include <string>

namespace otari::util {

// `length` characters of [A-Za-z0-9] from the kernel's CSPRNG (getrandom).
std::string random_base62(size_t length);

// A fresh request id in Anthropic's style: "req_" + 24 base62 characters.
std::string new_request_id();

}  // namespace otari::util
