// Local endpoints: count_tokens, models, health. None of them calls a provider.
#include <unistd.h>

#include <cmath>
#include <ctime>

#include "api/context.hpp"
#include "api/error.hpp"
#include "api/messages_request.hpp"
#include "api/platform_call.hpp"
#include "api/record.hpp"
#include "gateway/authn.hpp"
#include "loop/loop.hpp"
#include "otari_version.h"
#include "platform/client.hpp"
#include "tokens/estimate.hpp"
#include "util/json.hpp"
#include "util/utc_time.hpp"

namespace otari::api {
namespace {

http::Response json_response(const json& body) {
    http::Response res;
    res.body = dump_json(body);
    return res;
}

std::string display_name(const std::string& id) {
    size_t colon = id.find(':');
    return colon == std::string::npos ? id : id.substr(colon + 1) + " (" + id.substr(0, colon) + ")";
}

}  // namespace

http::Response post_count_tokens(Context& ctx, http::Request& req, const http::ClientProbe& client_alive) {
    auto finisher = start_record(ctx, req, "/v1/messages/count_tokens");
    return with_recording(*finisher, [&]() -> http::Response {
        Caller caller = identify_caller(ctx, req, *finisher);
        json body = parse_json_body(req.body);
        validate_count_tokens_request(body);
        auto& record = finisher->record();
        record.model_requested = body["model"].get<std::string>();
        if (ctx.platform) {
            // Counting stays local, but only for a caller the platform accepts for this model.
            auto plan = ctx.platform->resolve(caller.platform_token, platform_selector(ctx, record), client_alive);
            record.platform_request_id = plan.request_id;
            if (!plan.user_id.empty()) record.user = plan.user_id;
        }
        int64_t tokens = loop::off_loop_if(req.body.size() >= loop::k_off_loop_bytes / 4, [&] {
            return tokens::estimate_request_tokens(body, record.model_requested);
        });
        record.ok = true;
        record.http_status = 200;
        finisher->finish();
        return json_response({{"input_tokens", tokens}});
    });
}

http::Response get_models(Context& ctx, http::Request& req, const http::ClientProbe& client_alive) {
    json data = json::array();
    auto add = [&](const std::string& id, const std::string& owner, int64_t created) {
        data.push_back(
            {{"id", id},
             {"object", "model"},
             {"type", "model"},
             {"display_name", display_name(id)},
             {"created_at", util::format_rfc3339_s(util::TimePoint(std::chrono::seconds(created)))},
             {"created", created},
             {"owned_by", owner}});
    };
    if (ctx.platform) {
        // Hybrid mode: the platform lists what this caller's token may use.
        providers::CallFinisher unrecorded({}, nullptr);
        std::string token = platform_user_token(req.headers, unrecorded);
        for (const auto& m : ctx.platform->list_models(token, client_alive)) {
            add(m["id"].get<std::string>(), m["owned_by"].get<std::string>(), m["created"].get<int64_t>());
        }
    } else {
        gateway::authenticate(req.headers, ctx.keys);
        constexpr int64_t k_listed_since = 1735689600;  // 2025-01-01: a stable value for local entries
        for (const auto& [alias, target] : ctx.config.aliases) add(alias, "otari", k_listed_since);
        for (const auto& [name, provider] : ctx.config.providers) {
            for (const auto& model : provider.models) add(name + ":" + model, name, k_listed_since);
        }
    }
    json body = {{"object", "list"}, {"data", data}, {"has_more", false}};
    body["first_id"] = data.empty() ? json(nullptr) : data.front()["id"];
    body["last_id"] = data.empty() ? json(nullptr) : data.back()["id"];
    return json_response(body);
}

http::Response get_health(Context& ctx, http::Request&, const http::ClientProbe&) {
    json body = {{"service", "otari"},
                 {"status", "ok"},
                 {"version", OTARI_VERSION},
                 {"pid", ::getpid()},
                 {"mode", ctx.platform ? "hybrid" : "standalone"}};
    if (ctx.platform) {
        body["platform"] = ctx.platform->settings().base_url;
        body["platform_reachable"] = ctx.platform->reachable();
        auto stats = ctx.platform->reporter().stats();
        body["usage_reports_pending"] = stats.pending;
    }
    return json_response(body);
}

}  // namespace otari::api
