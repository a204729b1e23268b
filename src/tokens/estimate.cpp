#include "tokens/estimate.hpp"

namespace otari::tokens {
namespace {

constexpr int64_t k_image_tokens = 1600;  // a ~1.2 megapixel image, Anthropic's rule of thumb

void walk(const json& value, int64_t& bytes, int64_t& fixed) {
    if (value.is_string()) {
        bytes += int64_t(value.get_ref<const std::string&>().size());
    } else if (value.is_object()) {
        auto type = value.find("type");
        if (type != value.end() && type->is_string() && (*type == "base64")) {
            fixed += k_image_tokens;
            return;
        }
        for (const auto& [k, v] : value.items()) {
            bytes += int64_t(k.size());
            walk(v, bytes, fixed);
        }
    } else if (value.is_array()) {
        for (const auto& v : value) walk(v, bytes, fixed);
    } else if (!value.is_null()) {
        bytes += 2;
    }
}

}  // namespace

int64_t estimate_request_tokens(const json& request, const std::string&) {
    int64_t bytes = 0, fixed = 0;
    for (const char* field : {"system", "messages", "tools"}) {
        if (auto it = request.find(field); it != request.end()) walk(*it, bytes, fixed);
    }
    return std::max<int64_t>(1, (bytes + 3) / 4 + fixed);
}

}  // namespace otari::tokens
