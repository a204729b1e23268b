#pragma once
// The canned answers of the bench fake upstream, built once at start as exact wire bytes
// (status line, headers, body) so serving a request is a copy, never a JSON serialisation.
#include <string>
#include <vector>

namespace otari::bench {

enum class Api { openai_chat, anthropic_messages };

// A streamed answer cut where a model would pause: segments[0] holds the status line, the
// headers, the opening events and the first content event; each following segment one more
// content event; the last one also the closing events and the terminating chunk. Sending them
// back to back gives the whole response.
struct StreamAnswer {
    std::vector<std::string> segments;
    std::string whole;  // all segments concatenated
};

struct Answers {
    std::string openai_json;     // non-streamed chat.completion, full response bytes
    std::string anthropic_json;  // non-streamed message, full response bytes
    StreamAnswer openai_stream;
    StreamAnswer anthropic_stream;
    std::string not_found;  // 404 for any other path
};

// `chunks` content events per stream (at least 1); the non-streamed answers carry the same text.
Answers build_answers(int chunks);

}  // namespace otari::bench
