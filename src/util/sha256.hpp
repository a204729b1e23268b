#pragma once
#include <string>
#include <string_view>

namespace otari::util {

// Lowercase hex SHA-256 of `data` (FIPS 180-4). Used to store key hashes, never keys.
std::string sha256_hex(std::string_view data);

}  // namespace otari::util
