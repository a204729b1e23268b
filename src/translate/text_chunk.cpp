#include "translate/text_chunk.hpp"

#include "translate/openai_errors.hpp"
#include "util/json_cursor.hpp"

namespace otari::translate {

// Where each text field's string token is in the chunk's text (empty when null or absent).
struct TextTokens {
    std::string_view content;
    std::string_view reasoning_content;
    std::string_view reasoning;
};

namespace {

using Step = JsonCursor::Step;

// One bit per member a reader takes, so a repeated key (whose last value nlohmann keeps)
// sends the chunk to the full parse instead of being read twice.
bool first_time(unsigned& seen, unsigned bit) {
    if (seen & bit) return false;
    seen |= bit;
    return true;
}

// A string or null (read as ""); `token` is the string's text, quotes included.
bool text_or_null(JsonCursor& cursor, std::string& out, std::string_view& token) {
    if (cursor.null()) {
        out.clear();
        return true;
    }
    cursor.peek();
    const char* begin = cursor.position();
    if (!cursor.string(out)) return false;
    token = std::string_view(begin, size_t(cursor.position() - begin));
    return true;
}

// Calls `read_member(key)` for each member of the object at the cursor, which must read the
// member's value; false when there is no object there, invalid syntax, or a false from it.
template <typename ReadMember>
bool read_object(JsonCursor& cursor, ReadMember&& read_member) {
    if (!cursor.enter_object()) return false;
    std::string_view key;
    for (Step step; (step = cursor.next_member(key)) != Step::end;) {
        if (step == Step::invalid || !read_member(key)) return false;
    }
    return true;
}

bool read_delta(JsonCursor& cursor, TextChunk& chunk, TextTokens& tokens) {
    if (cursor.null()) return true;
    unsigned seen = 0;
    return read_object(cursor, [&](std::string_view key) {
        if (key == "content")
            return first_time(seen, 1) && text_or_null(cursor, chunk.content, tokens.content);
        if (key == "reasoning_content")
            return first_time(seen, 2) &&
                   text_or_null(cursor, chunk.reasoning_content, tokens.reasoning_content);
        if (key == "reasoning")
            return first_time(seen, 4) && text_or_null(cursor, chunk.reasoning, tokens.reasoning);
        if (key == "role") return cursor.skip();  // on_chunk ignores it
        // Only the absence of these is plain text.
        if (key == "tool_calls" || key == "function_call" || key == "refusal") return cursor.null();
        // OpenRouter sends an empty list with every chunk; reasoning_text() finds nothing in it.
        if (key == "reasoning_details")
            return cursor.null() || (cursor.enter_array() && cursor.next_element() == Step::end);
        return false;  // thinking, audio, ...: the full path reads them
    });
}

bool read_choice(JsonCursor& cursor, TextChunk& chunk, TextTokens& tokens) {
    unsigned seen = 0;
    const bool read = read_object(cursor, [&](std::string_view key) {
        if (key == "index") {
            int index = -1;
            return first_time(seen, 1) &&
                   (cursor.null() || (cursor.small_integer(index) && index == 0));
        }
        if (key == "delta") return first_time(seen, 2) && read_delta(cursor, chunk, tokens);
        if (key == "finish_reason") {
            if (!first_time(seen, 4)) return false;
            if (cursor.null()) return true;
            // "" is not null to on_chunk; an error's reason makes a chunk error.
            return cursor.string(chunk.finish_reason) && !chunk.finish_reason.empty() &&
                   !finish_reason_error(chunk.finish_reason, json()).has_value();
        }
        // A matched stop string or an error is for the full path.
        if (key == "stop_reason" || key == "matched_stop" || key == "error") return cursor.null();
        return cursor.skip();  // logprobs and the like, which on_chunk ignores
    });
    chunk.has_choice = read;
    return read;
}

bool read_text_chunk(std::string_view data, TextChunk& chunk, TextTokens& tokens) {
    chunk.has_choice = false;
    chunk.content.clear();
    chunk.reasoning_content.clear();
    chunk.reasoning.clear();
    chunk.finish_reason.clear();

    JsonCursor cursor(data);
    unsigned seen = 0;
    const bool read = read_object(cursor, [&](std::string_view key) {
        if (key == "choices") {
            if (!first_time(seen, 1) || !cursor.enter_array()) return false;
            const Step element = cursor.next_element();
            if (element != Step::item) return element == Step::end;
            // One choice; n > 1 answers go the full way.
            return read_choice(cursor, chunk, tokens) && cursor.next_element() == Step::end;
        }
        if (key == "usage" || key == "error") return cursor.null();
        return cursor.skip();  // id, object, created, model, ...
    });
    return read && cursor.at_end();
}

// The one JSON string `token` is (whitespace around it allowed), decoded into `out`.
bool read_whole_string(std::string_view token, std::string& out) {
    JsonCursor cursor(token);
    return cursor.string(out) && cursor.at_end();
}

}  // namespace

bool read_text_chunk(std::string_view data, TextChunk& chunk) {
    TextTokens tokens;
    return read_text_chunk(data, chunk, tokens);
}

bool TextChunkReader::read(std::string_view data, TextChunk& chunk) {
    if (m_varying != nullptr && data.size() > m_prefix.size() + m_suffix.size() &&
        data.starts_with(m_prefix) && data.ends_with(m_suffix)) {
        // The frame was read whole and is byte for byte the same, and the string token between
        // prefix and suffix stands where the frame's varying string stood: the chunk is valid
        // JSON that reads as the frame, with that one field's text in place of the frame's.
        const std::string_view token =
            data.substr(m_prefix.size(), data.size() - m_prefix.size() - m_suffix.size());
        std::string& varying = chunk.*m_varying;
        if (read_whole_string(token, varying)) {
            chunk.has_choice = true;
            for (std::string TextChunk::*field :
                 {&TextChunk::content, &TextChunk::reasoning_content, &TextChunk::reasoning}) {
                if (field != m_varying) (chunk.*field).clear();
            }
            chunk.finish_reason.clear();
            ++m_frame_reads;
            return true;
        }
    }
    m_varying = nullptr;
    TextTokens tokens;
    if (!read_text_chunk(data, chunk, tokens)) return false;
    learn_frame(data, chunk, tokens);
    return true;
}

void TextChunkReader::learn_frame(std::string_view data, const TextChunk& chunk,
                                  const TextTokens& tokens) {
    // Only a chunk with one text field whose value changes makes a frame: a chunk that ends
    // the choice, or one with text in two fields, stays on the full read.
    if (!chunk.has_choice || !chunk.finish_reason.empty()) return;
    const std::pair<std::string TextChunk::*, std::string_view> fields[] = {
        {&TextChunk::content, tokens.content},
        {&TextChunk::reasoning_content, tokens.reasoning_content},
        {&TextChunk::reasoning, tokens.reasoning},
    };
    std::string TextChunk::*varying = nullptr;
    std::string_view token;
    for (const auto& [field, field_token] : fields) {
        if ((chunk.*field).empty()) continue;
        if (varying != nullptr) return;
        varying = field;
        token = field_token;
    }
    if (varying == nullptr) {  // all empty: an empty content string (a role chunk) still frames
        if (tokens.content.empty()) return;
        varying = &TextChunk::content;
        token = tokens.content;
    }
    const size_t at = size_t(token.data() - data.data());
    m_prefix.assign(data.substr(0, at));
    m_suffix.assign(data.substr(at + token.size()));
    m_varying = varying;
}

}  // namespace otari::translate
