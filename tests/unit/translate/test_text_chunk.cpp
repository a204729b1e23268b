#include <doctest/doctest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "translate/profile.hpp"
#include "translate/stream_from_openai.hpp"
#include "translate/text_chunk.hpp"
#include "util/json.hpp"

using otari::json;
using namespace otari::translate;

namespace {

std::string chunk_with(const std::string& choice_body) {
    return R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,)"
           R"("model":"m","system_fingerprint":null,"choices":[)" +
           choice_body + "]}";
}

// Chunk texts as providers send them: first the ones read without a tree...
const std::vector<std::string> k_text_chunks = {
    chunk_with(R"({"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null})"),
    chunk_with(R"({"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null})"),
    chunk_with(R"({"index":0,"delta":{"content":" \"quoted\" \u00e9\ud83d\ude00 \n"}})"),
    chunk_with(R"({"index":0,"delta":{"content":"caf\u00e9 ☕"},"finish_reason":null})"),
    chunk_with(R"({"index":0,"delta":{"reasoning_content":"think","content":null}})"),
    chunk_with(R"({"index":0,"delta":{"reasoning":"hmm","content":"a"}})"),
    chunk_with(R"({"index":0,"delta":{"reasoning_content":"","reasoning":"r2"}})"),
    chunk_with(R"({"index":0,"delta":{"reasoning":"r3","reasoning_content":"rc3"}})"),
    chunk_with(R"({"index":0,"delta":{"content":"x","tool_calls":null,"refusal":null}})"),
    chunk_with(R"({"index":0,"delta":{},"finish_reason":"stop","stop_reason":null})"),
    chunk_with(R"({"index":0,"delta":{},"finish_reason":"length"})"),
    chunk_with(R"({"delta":null,"finish_reason":"content_filter"})"),
    chunk_with(R"({ "index" : 0 , "delta" : { "content" : "spaced" } })"),
    chunk_with(""),
    R"({"choices":[{"index":0,"delta":{"content":"t"}}],"usage":null,"error":null})",
    chunk_with(R"({"index":0,"delta":{"role":"assistant","content":"or","reasoning":null,)"
               R"("reasoning_details":[]},"finish_reason":null,"native_finish_reason":null})"),
    chunk_with(R"({"index":0,"delta":{"reasoning":"r4","reasoning_details":null}})"),
};

// ...then the ones the full parse reads.
const std::vector<std::string> k_other_chunks = {
    chunk_with(R"({"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function",)"
               R"("function":{"name":"f","arguments":"{\"a\":"}}]}})"),
    chunk_with(R"({"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]}})"),
    chunk_with(R"({"index":0,"delta":{"refusal":"no"}})"),
    chunk_with(R"({"index":0,"delta":{"content":[{"type":"text","text":"parts"}]}})"),
    chunk_with(R"({"index":0,"delta":{"reasoning_details":[{"text":"rd"}]}})"),
    chunk_with(R"({"index":0,"delta":{"reasoning_details":[{"summary":"sm"}],"content":"c"}})"),
    chunk_with(R"({"index":0,"delta":{},"finish_reason":"stop","stop_reason":"END"})"),
    chunk_with(R"({"index":0,"delta":{},"finish_reason":""})"),
    chunk_with(R"({"index":1,"delta":{"content":"second choice"}})"),
    chunk_with(R"({"index":0,"delta":{"content":"a"}},{"index":1,"delta":{"content":"b"}})"),
    chunk_with(R"({"index":0,"delta":{"content":"a","content":"b"}})"),
    R"({"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}})",
    R"({"choices":[{"index":0,"delta":{"content":"a"}}],"choices":[]})",
};

// Feeds `chunks` as the gateway does (text chunks without a tree) or always parsed whole.
std::string stream_output(const std::vector<std::string>& chunks, const Profile& profile,
                          bool read_text_chunks) {
    StreamFromOpenAI stream("alias", "msg_1", profile, 9);
    std::string out;
    TextChunk text;
    for (const auto& data : chunks) {
        if (read_text_chunks && read_text_chunk(data, text)) {
            stream.on_text_chunk(text, out);
        } else {
            json chunk = otari::parse_json_or_discarded(data);
            if (chunk.is_discarded()) {
                stream.on_upstream_error("api_error", "not JSON", out);
            } else {
                stream.on_chunk(chunk, out);
            }
        }
    }
    stream.on_done(out);
    return out + "|" + stream.stop_reason() + "|" + std::to_string(stream.usage().output_tokens);
}

}  // namespace

TEST_SUITE("translate::text_chunk") {
    TEST_CASE("a plain text chunk is read without a tree, fields as on_chunk reads them") {
        TextChunk chunk;
        for (const auto& text : k_text_chunks) {
            CAPTURE(text);
            CHECK(read_text_chunk(text, chunk));
        }
        REQUIRE(read_text_chunk(k_text_chunks[2], chunk));
        CHECK(chunk.has_choice);
        CHECK(chunk.content == " \"quoted\" \xc3\xa9\xf0\x9f\x98\x80 \n");
        CHECK(chunk.finish_reason.empty());

        REQUIRE(read_text_chunk(k_text_chunks[4], chunk));
        CHECK(chunk.reasoning_content == "think");
        CHECK(chunk.content.empty());

        REQUIRE(read_text_chunk(k_text_chunks[9], chunk));
        CHECK(chunk.finish_reason == "stop");
        CHECK(chunk.content.empty());  // nothing left from the earlier read

        REQUIRE(read_text_chunk(k_text_chunks[13], chunk));
        CHECK_FALSE(chunk.has_choice);  // "choices":[]
    }

    TEST_CASE(
        "tool calls, usage, errors, refusals, several choices and repeated keys are declined") {
        TextChunk chunk;
        for (const auto& text : k_other_chunks) {
            CAPTURE(text);
            CHECK_FALSE(read_text_chunk(text, chunk));
        }
        for (
            const char* other :
            {R"({"choices":[{"index":0,"delta":{},"finish_reason":"error","error":{"message":"x"}}]})",
             R"({"choices":[{"index":0,"delta":{},"finish_reason":"insufficient_system_resource"}]})",
             R"({"error":{"message":"rate limited","type":"rate_limit"}})", R"([1])", R"("text")",
             R"({"choices":{"index":0}})", R"({"choices":[{"index":0,"delta":{"content":"a"}}]} x)",
             R"({"choices":[{"index":0,"delta":{"content":"a"}}])", "[DONE]", ""}) {
            CAPTURE(other);
            CHECK_FALSE(read_text_chunk(other, chunk));
        }
    }

    TEST_CASE("streams give the same events byte for byte whether text chunks are read or parsed") {
        const auto& t = k_text_chunks;
        const auto& o = k_other_chunks;
        const std::vector<std::vector<std::string>> streams = {
            {t[0], t[1], t[2], t[3], t[9], o[11]},
            {t[4], t[6], t[7], t[5], t[1], t[10]},
            {t[0], o[0], o[1], t[8], t[11]},
            {t[1], o[2], o[3], o[4], o[5], o[6], t[14]},
            {t[12], o[8], o[9], o[10], o[12], o[7]},
            {t[13], t[14], R"({"choices":[{"index":0,"delta":{},"finish_reason":"error"}]})"},
            {t[1], "not json", t[2]},
            {t[3], t[4], t[2], t[7], t[6]},  // no finish: ends as on_done() decides
            {t[15], t[16], o[5], t[15], t[9]},
        };
        for (const char* provider :
             {"openai", "vllm", "deepseek", "mistral", "gemini", "generic"}) {
            const Profile& profile = profile_for(provider);
            for (const auto& chunks : streams) {
                CAPTURE(provider);
                CAPTURE(chunks.front());
                CHECK(stream_output(chunks, profile, true) ==
                      stream_output(chunks, profile, false));
            }
        }
    }

    TEST_CASE("mutated chunks: read only when valid JSON, and then with on_chunk's result") {
        std::mt19937 rng(4242);
        const std::string alphabet = "{}[]\",:\\ 0123456789-.etrufalsn\xc3\xa9\xff";
        const Profile& profile = profile_for("vllm");
        TextChunk chunk;
        int read = 0;
        std::vector<std::string> bases = k_text_chunks;
        bases.insert(bases.end(), k_other_chunks.begin(), k_other_chunks.end());
        for (const auto& base : bases) {
            for (int round = 0; round < 300; ++round) {
                std::string text = base;
                for (int e = 0; e < 1 + int(rng() % 2); ++e) {
                    const size_t at = rng() % text.size();
                    const char c = alphabet[rng() % alphabet.size()];
                    if (rng() % 2) {
                        text[at] = c;
                    } else {
                        text.erase(at, 1);
                    }
                }
                if (!read_text_chunk(text, chunk)) continue;
                ++read;
                CAPTURE(text);
                REQUIRE_FALSE(otari::parse_json_or_discarded(text).is_discarded());
                CHECK(stream_output({text}, profile, true) ==
                      stream_output({text}, profile, false));
            }
        }
        CHECK(read > 500);  // the mutations must leave many chunks readable for this to show much
    }
}

namespace {

bool same_fields(const TextChunk& a, const TextChunk& b) {
    return a.has_choice == b.has_choice && a.content == b.content &&
           a.reasoning_content == b.reasoning_content && a.reasoning == b.reasoning &&
           a.finish_reason == b.finish_reason;
}

std::string content_chunk(const std::string& content_token) {
    return chunk_with(R"({"index":0,"delta":{"content":)" + content_token +
                      R"(},"logprobs":null,"finish_reason":null})");
}

std::string reasoning_chunk(const std::string& token) {
    return chunk_with(R"({"index":0,"delta":{"content":null,"reasoning_content":)" + token + "}}");
}

}  // namespace

TEST_SUITE("translate::text_chunk") {
    TEST_CASE("chunks that repeat the last chunk around their text are read through its frame") {
        std::vector<std::string> chunks = {k_text_chunks[0]};  // role chunk: its own frame
        for (const char* token :
             {R"("Hello")", R"(" wor\"ld\n")", R"("")", R"("caf\u00e9")", R"(" ☕ ")", R"("a")",
              R"("\ud83d\ude00")", R"("b")", R"("c")", R"("d")"}) {
            chunks.push_back(content_chunk(token));
        }
        for (const char* token : {R"("think")", R"(" more")", R"("\t")", R"("end")"})
            chunks.push_back(reasoning_chunk(token));
        chunks.push_back(k_text_chunks[9]);  // finish_reason: makes no frame
        chunks.push_back(content_chunk(R"("after")"));
        chunks.push_back(content_chunk(R"("again")"));
        chunks.push_back(chunk_with(R"({"index":0,"delta":{"content":"x","reasoning":"y"}})"));
        chunks.push_back(chunk_with(R"({"index":0,"delta":{"content":"x","reasoning":"z"}})"));

        TextChunkReader reader;
        for (const auto& text : chunks) {
            CAPTURE(text);
            TextChunk framed, whole;
            REQUIRE(read_text_chunk(text, whole));
            CHECK(reader.read(text, framed));
            CHECK(same_fields(framed, whole));
        }
        // Content chunks 2-10, reasoning 2-4, and "again"; text in two fields makes no frame.
        CHECK(reader.frame_reads() == 9 + 3 + 1);
        CHECK_FALSE(reader.read(k_other_chunks[11], *std::make_unique<TextChunk>()));  // usage
    }

    TEST_CASE("mutated chunks after a frame: read exactly as read_text_chunk reads them") {
        std::mt19937 rng(777);
        const std::string alphabet = "{}[]\",:\\ 0123456789-.etrufalsnu\xc3\xa9\xff";
        // A frame's first chunk, and a second one with its varying token.
        struct Frame {
            std::string first, second, token;
        };
        const std::vector<Frame> frames = {
            {content_chunk(R"("first")"), content_chunk(R"("second \"one\"")"),
             R"("second \"one\"")"},
            {reasoning_chunk(R"("r1")"), reasoning_chunk(R"("r2\u00e9")"), R"("r2\u00e9")"},
            {k_text_chunks[12], chunk_with(R"({ "index" : 0 , "delta" : { "content" : "s2" } })"),
             R"("s2")"},
        };
        int through_frame = 0, declined = 0;
        for (const auto& [first, second, token] : frames) {
            const size_t token_at = second.find(token);
            REQUIRE(token_at != std::string::npos);
            for (int round = 0; round < 600; ++round) {
                std::string text = second;
                for (int e = 0; e < 1 + int(rng() % 2); ++e) {
                    // Half the edits in the token (and its neighbours), half anywhere.
                    const size_t at =
                        rng() % 2 ? token_at - 1 + rng() % (token.size() + 2) : rng() % text.size();
                    const char c = alphabet[rng() % alphabet.size()];
                    if (rng() % 3 == 0) {
                        text.erase(at, 1);
                    } else if (rng() % 2) {
                        text[at] = c;
                    } else {
                        text.insert(at, 1, c);
                    }
                }
                CAPTURE(text);
                TextChunkReader reader;
                TextChunk framed, whole;
                REQUIRE(reader.read(first, framed));
                const size_t before = reader.frame_reads();
                const bool read = reader.read(text, framed);
                REQUIRE(read == read_text_chunk(text, whole));
                if (!read) {
                    ++declined;
                    continue;
                }
                through_frame += int(reader.frame_reads() - before);
                CHECK(same_fields(framed, whole));
            }
        }
        // Enough of both for the comparison to mean something.
        CHECK(through_frame > 150);
        CHECK(declined > 300);
    }
}
