#pragma once
// A complete Anthropic `message` as the SSE event sequence a streaming client expects
// (message_start, one start/delta/stop triple per block, message_delta, message_stop). For
// upstreams that answer a streaming request with one JSON body.
#include <string>

#include "util/json.hpp"

namespace otari::translate {

// Appends the events for `message` to `out`. Text, thinking and tool_use blocks get their
// delta types (text_delta, thinking_delta + signature_delta, input_json_delta); other blocks
// are sent whole in content_block_start.
void message_to_events(const json& message, std::string& out);

}  // namespace otari::translate
