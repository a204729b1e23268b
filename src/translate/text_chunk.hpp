#pragma once
// The chat.completion.chunk nearly every event of a streamed answer is: one choice (index 0)
// whose delta carries only text (content, reasoning), no tool calls, usage or error. Read
// straight from the chunk's text, without a json tree; StreamFromOpenAI::on_text_chunk()
// then does exactly what on_chunk() does with the parsed chunk.
#include <string>
#include <string_view>

namespace otari::translate {

struct TextChunk {
    bool has_choice = false;
    std::string content;            // delta.content ("" when null or absent)
    std::string reasoning_content;  // delta.reasoning_content
    std::string reasoning;          // delta.reasoning
    std::string finish_reason;      // "" when null or absent
};

// True when `data` is such a chunk, with its fields in `chunk`. False for every other text,
// JSON or not (a usage or error chunk, tool calls, several choices, a repeated key, ...): the
// caller then parses it whole. A true result implies `data` is valid JSON.
bool read_text_chunk(std::string_view data, TextChunk& chunk);

}  // namespace otari::translate
