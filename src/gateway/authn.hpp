#pragma once
#include <optional>
#include <string>

#include "auth/keystore.hpp"
#include "http/message.hpp"
#include "util/json.hpp"

namespace otari::gateway {

// The token of `Authorization: Bearer TOKEN`, trimmed; nullopt when absent or empty.
std::optional<std::string> bearer_token(const http::Headers& headers);

// The token a request presents: `Authorization: Bearer tk_…`, else `x-api-key: tk_…`.
std::optional<std::string> presented_token(const http::Headers& headers);

// The key behind the request. Throws api::ApiError 401 authentication_error that says which
// header to send when the token is missing or unknown.
auth::Key authenticate(const http::Headers& headers, auth::KeyRing& keys);

// Standalone mode binds spend to the key's user: a `metadata.user_id` naming someone else is a
// 403 permission_error unless mismatches are allowed (config or key).
// The same rule for a user named in another field (`user` of a Chat Completions request).
void check_claimed_user(const auth::Key& key, std::string_view claimed, std::string_view field,
                        bool reject_user_mismatch);
void check_user_binding(const auth::Key& key, const json& body, bool reject_user_mismatch);

}  // namespace otari::gateway
