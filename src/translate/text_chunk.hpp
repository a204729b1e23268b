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

struct TextTokens;

// read_text_chunk() for the chunks of one stream. A provider repeats the same chunk around the
// text (id, model, created, index, the other fields): after a chunk read whole, the next one
// whose bytes before and after its one text string are the same is read by comparing them,
// and only that string is decoded. Results are always read_text_chunk()'s.
class TextChunkReader {
  public:
    bool read(std::string_view data, TextChunk& chunk);
    // How many chunks were read through a frame; for tests.
    size_t frame_reads() const { return m_frame_reads; }

  private:
    void learn_frame(std::string_view data, const TextChunk& chunk, const TextTokens& tokens);

    std::string m_prefix;  // the frame's text before its varying string token
    std::string m_suffix;  // and after it
    std::string TextChunk::*m_varying = nullptr;  // the field that token is; null: no frame
    size_t m_frame_reads = 0;
};

}  // namespace otari::translate
