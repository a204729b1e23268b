#include "providers/openai.hpp"

namespace otari::providers {

http::Response openai_messages(Exchange ex, json body, const gateway::Route& route, bool stream) {
    (void)body;
    (void)stream;
    (void)ex;
    throw api::ApiError(501, "api_error",
                        "provider '" + route.provider->name + "' is OpenAI-compatible; translation is not built yet");
}

}  // namespace otari::providers
