#include "util/random.hpp"

#include <sys/random.h>

#include <stdexcept>

namespace otari::util {

std::string random_base62(size_t length) {
    static constexpr char k_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    out.reserve(length);
    unsigned char buf[64];
    while (out.size() < length) {
        ssize_t got = ::getrandom(buf, sizeof buf, 0);
        if (got <= 0) throw std::runtime_error("getrandom failed");
        for (ssize_t i = 0; i < got && out.size() < length; ++i) {
            // Rejection sampling keeps the distribution uniform: 248 = 4 * 62.
            if (buf[i] < 248) out.push_back(k_alphabet[buf[i] % 62]);
        }
    }
    return out;
}

std::string new_request_id() { return "req_" + random_base62(24); }

}  // namespace otari::util
