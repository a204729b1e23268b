#include "translate/text_chunk.hpp"

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

bool read_delta(JsonCursor& cursor, TextChunk& chunk) {
    if (cursor.null()) return true;
    if (!cursor.enter_object()) return false;
    unsigned seen = 0;
    std::string_view key;
    for (Step step; (step = cursor.next_member(key)) != Step::end;) {
        if (step == Step::invalid) return false;
        if (key == "content") {
            if (!first_time(seen, 1) || !text_or_null(cursor, chunk.content)) return false;
        } else if (key == "reasoning_content") {
            if (!first_time(seen, 2) || !text_or_null(cursor, chunk.reasoning_content))
                return false;
        } else if (key == "reasoning") {
            if (!first_time(seen, 4) || !text_or_null(cursor, chunk.reasoning)) return false;
        } else if (key == "role") {
            if (!cursor.skip()) return false;  // on_chunk ignores it
        } else if (key == "tool_calls" || key == "function_call" || key == "refusal") {
            if (!cursor.null()) return false;  // only their absence is plain text
        } else {
            return false;  // reasoning_details, thinking, audio, ...: the full path reads them
        }
    }
    return true;
}

bool read_choice(JsonCursor& cursor, TextChunk& chunk) {
    if (!cursor.enter_object()) return false;
    unsigned seen = 0;
    std::string_view key;
    for (Step step; (step = cursor.next_member(key)) != Step::end;) {
        if (step == Step::invalid) return false;
        if (key == "index") {
            int index = -1;
            if (!first_time(seen, 1)) return false;
            if (!cursor.null() && !(cursor.small_integer(index) && index == 0)) return false;
        } else if (key == "delta") {
            if (!first_time(seen, 2) || !read_delta(cursor, chunk)) return false;
        } else if (key == "finish_reason") {
            if (!first_time(seen, 4)) return false;
            if (!cursor.null()) {
                // "" is not null to on_chunk; "error" and friends are chunk errors.
                if (!cursor.string(chunk.finish_reason) || chunk.finish_reason.empty() ||
                    chunk.finish_reason == "error" ||
                    chunk.finish_reason == "insufficient_system_resource")
                    return false;
            }
        } else if (key == "stop_reason" || key == "matched_stop" || key == "error") {
            if (!cursor.null()) return false;  // a matched stop string or an error
        } else if (!cursor.skip()) {           // logprobs and the like, which on_chunk ignores
            return false;
        }
    }
    chunk.has_choice = true;
    return true;
}

}  // namespace

bool read_text_chunk(std::string_view data, TextChunk& chunk) {
    chunk.has_choice = false;
    chunk.content.clear();
    chunk.reasoning_content.clear();
    chunk.reasoning.clear();
    chunk.finish_reason.clear();

    JsonCursor cursor(data);
    if (!cursor.enter_object()) return false;
    unsigned seen = 0;
    std::string_view key;
    for (Step step; (step = cursor.next_member(key)) != Step::end;) {
        if (step == Step::invalid) return false;
        if (key == "choices") {
            if (!first_time(seen, 1) || !cursor.enter_array()) return false;
            Step element = cursor.next_element();
            if (element == Step::item) {
                // One choice; n > 1 answers go the full way.
                if (!read_choice(cursor, chunk) || cursor.next_element() != Step::end) return false;
            } else if (element != Step::end) {
                return false;
            }
        } else if (key == "usage" || key == "error") {
            if (!cursor.null()) return false;
        } else if (!cursor.skip()) {  // id, object, created, model, ...
            return false;
        }
    }
    return cursor.at_end();
}

}  // namespace otari::translate
