#pragma once
// Types shared by the pure translation functions (Anthropic Messages <-> OpenAI Chat
// Completions). Nothing here does I/O.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "util/json.hpp"

namespace otari::translate {

// An empty object with room for `members`. Growing an ordered_json object copies every member
// already in it (the keys are const, so its vector cannot move them): objects that take large
// members (messages, tools, content) and then more fields are made with room for all.
inline json object_with_room(size_t members) {
    json out = json::object();
    out.get_ref<json::object_t&>().reserve(members);
    return out;
}

// object[key], or null when `object` is not an object or has no such member. Never a copy:
// `o.contains(k) ? o[k] : json()` is a prvalue, so it deep-copies the member it picks.
inline const json& member(const json& object, std::string_view key) {
    static const json k_null;
    if (!object.is_object()) return k_null;
    auto it = object.find(key);
    return it == object.end() ? k_null : *it;
}

// {k1: v1, k2: v2} with both values moved in: a braced initializer list copies its values,
// which for message content or a tool schema means a deep copy.
inline json object_of(const char* k1, json v1, const char* k2, json v2) {
    json out = object_with_room(2);
    out[k1] = std::move(v1);
    out[k2] = std::move(v2);
    return out;
}

// The client's request cannot be expressed for the upstream (or is malformed in a way the
// validator did not catch). The gateway answers 400 invalid_request_error with what().
struct TranslateError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The upstream answered 2xx with something that cannot be translated (for example tool-call
// arguments that are not JSON). The gateway answers 502 api_error with what().
struct UpstreamFormatError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Tokens estimated from bytes of text, for what an upstream did not count: about four bytes a
// token (o200k on English prose and code).
constexpr int64_t tokens_from_bytes(size_t bytes) { return static_cast<int64_t>((bytes + 3) / 4); }

// Token usage in Anthropic's convention: input_tokens excludes cache reads and writes.
struct TokenUsage {
    int64_t input_tokens = 0;
    int64_t output_tokens = 0;
    int64_t cache_read_tokens = 0;
    int64_t cache_write_tokens = 0;
    bool reported = false;  // the upstream sent usage (false: estimated or unknown)
};

// An upstream error mapped to the client's error vocabulary.
struct MappedError {
    int status = 500;
    std::string type;     // the client's error type, e.g. "rate_limit_error"
    std::string message;  // human-readable, from the upstream where it said something
    std::optional<std::string> retry_after;  // whole seconds, when the upstream sent one
};

}  // namespace otari::translate
