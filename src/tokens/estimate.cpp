#include "tokens/estimate.hpp"

#include "tokens/request_tokens.hpp"

namespace otari::tokens {

int64_t estimate_request_tokens(const json& request, const std::string& model) {
    return count_request_tokens(request, model);
}

}  // namespace otari::tokens
