#pragma once
// The one JSON type of the code base: key order is kept, so what we write
// (translated bodies, settings.json, the ledger) keeps the order it was given.
#include <nlohmann/json.hpp>

namespace otari {
using json = nlohmann::ordered_json;

// Serialize without throwing on invalid UTF-8 from upstreams: bad bytes
// become U+FFFD instead of an exception.
inline std::string dump_json(const json& value) {
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}
}  // namespace otari
