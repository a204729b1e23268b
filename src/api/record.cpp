#include "api/record.hpp"

namespace otari::api {

std::shared_ptr<providers::CallFinisher> start_record(Context& ctx, const http::Request& req,
                                                      const std::string& endpoint) {
    gateway::CallRecord record;
    record.request_id = req.request_id;
    record.endpoint = endpoint;
    record.received = std::chrono::steady_clock::now();
    record.received_wall = std::chrono::system_clock::now();
    record.request_bytes = int64_t(req.body.size());
    if (ctx.config.trace_bodies) record.request_body = req.body;
    return std::make_shared<providers::CallFinisher>(std::move(record), ctx.recorder);
}

void note_caller(providers::CallFinisher& finisher, const auth::Key& key) {
    finisher.record().key = key.name;
    finisher.record().user = key.user;
}

}  // namespace otari::api
