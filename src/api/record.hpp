#pragma once
// Every request that reaches a handler is recorded exactly once, also when it is refused
// before it reaches a provider (401, 400, 403, 404...).
#include <memory>

#include "api/context.hpp"
#include "api/error.hpp"
#include "providers/exchange.hpp"

namespace otari::api {

std::shared_ptr<providers::CallFinisher> start_record(Context& ctx, const http::Request& req,
                                                      const std::string& endpoint);
void note_caller(providers::CallFinisher& finisher, const auth::Key& key);

// Run `handler`; an ApiError it throws is recorded as the call's failure, then rethrown.
template <class F>
http::Response with_recording(providers::CallFinisher& finisher, F&& handler) {
    try {
        return handler();
    } catch (const ApiError& e) {
        finisher.fail(e.status, e.what());
        throw;
    } catch (const std::exception& e) {
        finisher.fail(500, e.what());
        throw;
    }
}

}  // namespace otari::api
