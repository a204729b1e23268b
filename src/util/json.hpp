#pragma once
// The one JSON type of the code base: key order is kept, so what we write
// (translated bodies, settings.json, the ledger) keeps the order it was given.
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

namespace otari {
using json = nlohmann::ordered_json;

// Serialize without throwing on invalid UTF-8 from upstreams: bad bytes
// become U+FFFD instead of an exception. The same text as
// value.dump(-1, ' ', false, json::error_handler_t::replace). `size_hint`, when the caller
// knows about how long the text will be (a translated body: its source's length), is reserved
// up front so a large document is not copied each time the text outgrows its buffer.
std::string dump_json(const json& value, size_t size_hint = 0);

// The same value as json::parse(text), or the same json::parse_error thrown.
json parse_json(std::string_view text);

// The same value as json::parse(text, nullptr, false): discarded when `text` is not JSON.
json parse_json_or_discarded(std::string_view text);

// As parse_json_or_discarded, but when the document is an object only its members named in
// `keep` are kept (nested values whole); the others are still validated, not stored. For hot
// paths that read a few fields of a larger document (stream chunks).
json parse_json_members_or_discarded(std::string_view text, std::span<const std::string_view> keep);

// Appends `text` as a JSON string literal, exactly as dump_json(json(text)) writes it.
void append_json_string(std::string& out, std::string_view text);

// `text` as a JSON string literal, quotes included (invalid UTF-8 becomes U+FFFD).
std::string json_quote(std::string_view text);

// True when `text` goes between a string literal's quotes as it is: no quote, backslash,
// control or non-ASCII byte.
bool is_plain_json_text(std::string_view text);
}  // namespace otari
