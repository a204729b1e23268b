// POST /v1/messages: authenticate, validate, route, then hand the call to the provider adapter
// (native passthrough for type "anthropic", translation for type "openai"). In hybrid mode the
// platform authorizes the call and names the providers to try.
#include "api/context.hpp"
#include "api/error.hpp"
#include "api/messages_request.hpp"
#include "api/platform_call.hpp"
#include "api/record.hpp"
#include "gateway/authn.hpp"
#include "providers/anthropic.hpp"
#include "providers/openai.hpp"
#include "util/json_scan.hpp"

namespace otari::api {

http::Response post_messages(Context& ctx, http::Request& req,
                             const http::ClientProbe& client_alive) {
    auto finisher = start_record(ctx, req, "/v1/messages");
    return with_recording(*finisher, [&]() -> http::Response {
        const bool hybrid = ctx.platform != nullptr;
        Caller caller = identify_caller(ctx, req, *finisher);
        json body = parse_json_body(req.body);
        validate_messages_request(body);
        // A copy: a standalone call frees `body` once the upstream request is built.
        const std::string model = body["model"].get_ref<const std::string&>();
        bool stream = body.value("stream", false);
        auto& record = finisher->record();
        record.model_requested = model;
        record.stream = stream;

        // Sends the call to one provider. The request body is kept for a later attempt.
        auto dispatch = [&](providers::Exchange ex, const gateway::Route& route) -> http::Response {
            if (route.provider->type == config::ProviderType::anthropic) {
                std::string upstream_body;
                if (route.upstream_model == model) {
                    upstream_body = hybrid ? req.body : std::move(req.body);
                } else {
                    auto patched =
                        util::replace_top_level_string(req.body, "model", route.upstream_model);
                    upstream_body = patched ? std::move(*patched) : dump_json(body);
                }
                if (!hybrid) {
                    // Nothing reads the client's request again while the upstream answers:
                    // an open stream should not hold it.
                    body = json();
                    std::string().swap(req.body);
                }
                return providers::anthropic_messages(std::move(ex), std::move(upstream_body),
                                                     stream);
            }
            // A hybrid call may try another provider with the same body; a standalone one
            // has no later use for it.
            if (hybrid) return providers::openai_messages(std::move(ex), body, route, stream);
            std::string().swap(req.body);  // parsed into `body`; an open stream need not hold it
            return providers::openai_messages(std::move(ex), std::move(body), route, stream);
        };

        if (hybrid) {
            return run_platform_call(ctx, req, *finisher, caller.platform_token,
                                     platform_selector(ctx, record), Flavor::anthropic,
                                     client_alive, dispatch);
        }
        const auth::Key& key = *caller.key;
        gateway::check_user_binding(key, body, ctx.config.reject_user_mismatch);
        auto route = route_and_admit(ctx, record, key, body);
        return dispatch(
            providers::Exchange{&req, route.provider, finisher, client_alive, Flavor::anthropic},
            route);
    });
}

}  // namespace otari::api
