#pragma once
#include <string>

namespace otari::util {

// `length` characters of [A-Za-z0-9] from the kernel's CSPRNG (getrandom), read for this call
// alone: for secrets (keys) and names that must not repeat across processes.
std::string random_base62(size_t length);

// As random_base62, but the kernel's bytes are read ahead in blocks per thread, so an id costs
// no system call most times. For identifiers made on every request (request, message and tool
// call ids), not for secrets.
std::string random_id_base62(size_t length);

// A fresh request id in Anthropic's style: "req_" + 24 base62 characters.
std::string new_request_id();

}  // namespace otari::util
