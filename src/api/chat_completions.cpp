// POST /v1/chat/completions: OpenAI clients. Authenticate, validate, route, then forward to an
// OpenAI-compatible provider or translate for an Anthropic one. Errors use OpenAI's envelope.
// In hybrid mode the platform authorizes the call and names the providers to try.
#include "api/context.hpp"
#include "api/error.hpp"
#include "api/messages_request.hpp"
#include "api/platform_call.hpp"
#include "api/record.hpp"
#include "gateway/authn.hpp"
#include "providers/chat.hpp"

namespace otari::api {

http::Response post_chat_completions(Context& ctx, http::Request& req,
                                     const http::ClientProbe& client_alive) {
    auto finisher = start_record(ctx, req, "/v1/chat/completions");
    return with_recording(*finisher, [&]() -> http::Response {
        const bool hybrid = ctx.platform != nullptr;
        Caller caller = identify_caller(ctx, req, *finisher);
        json body = parse_json_body(req.body);
        validate_chat_request(body);
        std::string model = body["model"].get<std::string>();
        auto stream_field = body.find("stream");
        bool stream =
            stream_field != body.end() && stream_field->is_boolean() && stream_field->get<bool>();
        auto& record = finisher->record();
        record.model_requested = model;
        record.stream = stream;

        auto dispatch = [&](providers::Exchange ex, const gateway::Route& route) -> http::Response {
            if (route.provider->type == config::ProviderType::anthropic) {
                return providers::chat_to_anthropic(std::move(ex), body, route, stream);
            }
            // Standalone mode sends the call once: the body can move.
            return providers::chat_to_openai(std::move(ex), hybrid ? json(body) : std::move(body),
                                             route, stream);
        };

        if (hybrid) {
            return run_platform_call(ctx, req, *finisher, caller.platform_token,
                                     platform_selector(ctx, record), Flavor::openai, client_alive,
                                     dispatch);
        }
        const auth::Key& key = *caller.key;
        if (auto user = body.find("user"); user != body.end() && user->is_string()) {
            gateway::check_claimed_user(key, user->get_ref<const std::string&>(), "user",
                                        ctx.config.reject_user_mismatch);
        }
        auto route = route_and_admit(ctx, record, key, body);
        return dispatch(
            providers::Exchange{&req, route.provider, finisher, client_alive, Flavor::openai},
            route);
    });
}

}  // namespace otari::api
