#include "translate/text_chunk.hpp"

#include "translate/openai_errors.hpp"
#include "util/json_cursor.hpp"

namespace otari::translate {
namespace {

using Step = JsonCursor::Step;

// One bit per member a reader takes, so a repeated key (whose last value nlohmann keeps)
// sends the chunk to the full parse instead of being read twice.
bool first_time(unsigned& seen, unsigned bit) {
    if (seen & bit) return false;
    seen |= bit;
    return true;
}

// A string or null (read as "").
bool text_or_null(JsonCursor& cursor, std::string& out) {
    if (cursor.null()) {
        out.clear();
        return true;
    }
    return cursor.string(out);
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

bool read_delta(JsonCursor& cursor, TextChunk& chunk) {
    if (cursor.null()) return true;
    unsigned seen = 0;
    return read_object(cursor, [&](std::string_view key) {
        if (key == "content") return first_time(seen, 1) && text_or_null(cursor, chunk.content);
        if (key == "reasoning_content")
            return first_time(seen, 2) && text_or_null(cursor, chunk.reasoning_content);
        if (key == "reasoning") return first_time(seen, 4) && text_or_null(cursor, chunk.reasoning);
        if (key == "role") return cursor.skip();  // on_chunk ignores it
        // Only the absence of these is plain text.
        if (key == "tool_calls" || key == "function_call" || key == "refusal") return cursor.null();
        // OpenRouter sends an empty list with every chunk; reasoning_text() finds nothing in it.
        if (key == "reasoning_details")
            return cursor.null() || (cursor.enter_array() && cursor.next_element() == Step::end);
        return false;  // thinking, audio, ...: the full path reads them
    });
}

bool read_choice(JsonCursor& cursor, TextChunk& chunk) {
    unsigned seen = 0;
    const bool read = read_object(cursor, [&](std::string_view key) {
        if (key == "index") {
            int index = -1;
            return first_time(seen, 1) &&
                   (cursor.null() || (cursor.small_integer(index) && index == 0));
        }
        if (key == "delta") return first_time(seen, 2) && read_delta(cursor, chunk);
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

}  // namespace

bool read_text_chunk(std::string_view data, TextChunk& chunk) {
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
            return read_choice(cursor, chunk) && cursor.next_element() == Step::end;
        }
        if (key == "usage" || key == "error") return cursor.null();
        return cursor.skip();  // id, object, created, model, ...
    });
    return read && cursor.at_end();
}

}  // namespace otari::translate
