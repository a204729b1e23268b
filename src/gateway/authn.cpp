#include "gateway/authn.hpp"

#include "api/error.hpp"

namespace otari::gateway {

std::optional<std::string> bearer_token(const http::Headers& headers) {
    auto auth = headers.get("authorization");
    if (!auth) return std::nullopt;
    std::string_view value = *auth;
    if (value.size() <= 7 || !http::iequals(value.substr(0, 7), "bearer ")) return std::nullopt;
    value.remove_prefix(7);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    if (value.empty()) return std::nullopt;
    return std::string(value);
}

std::optional<std::string> presented_token(const http::Headers& headers) {
    if (auto token = bearer_token(headers)) return token;
    if (auto key = headers.get("x-api-key")) {
        if (!key->empty()) return std::string(*key);
    }
    return std::nullopt;
}

auth::Key authenticate(const http::Headers& headers, auth::KeyRing& keys) {
    auto token = presented_token(headers);
    if (!token) {
        throw api::ApiError(401, "authentication_error",
                            "missing otari key: send \"Authorization: Bearer tk_...\" or \"x-api-key: "
                            "tk_...\" (create one with `otari keys create NAME`)");
    }
    if (auto key = keys.find_by_token(*token)) return *key;
    // Also try the other header: Claude Code may send both, one of them stale.
    if (auto other = headers.get("x-api-key"); other && *other != *token) {
        if (auto key = keys.find_by_token(std::string(*other))) return *key;
    }
    throw api::ApiError(401, "authentication_error",
                        "invalid otari key: the token in \"Authorization: Bearer\" / \"x-api-key\" is not a "
                        "key of this gateway (list keys with `otari keys list`)");
}

void check_claimed_user(const auth::Key& key, std::string_view claimed, std::string_view field,
                        bool reject_user_mismatch) {
    if (!reject_user_mismatch || key.allow_user_mismatch) return;
    if (claimed.empty() || claimed == key.user) return;
    throw api::ApiError(403, "permission_error",
                        std::string(field) + " does not match the user of this key ('" + key.user +
                            "'). Create the key with --allow-user-mismatch, or set reject_user_mismatch = "
                            "false in the config");
}

void check_user_binding(const auth::Key& key, const json& body, bool reject_user_mismatch) {
    auto metadata = body.find("metadata");
    if (metadata == body.end() || !metadata->is_object()) return;
    auto user_id = metadata->find("user_id");
    if (user_id == metadata->end() || !user_id->is_string()) return;
    check_claimed_user(key, user_id->get_ref<const std::string&>(), "metadata.user_id", reject_user_mismatch);
}

}  // namespace otari::gateway
