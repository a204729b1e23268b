#pragma once
// The platform service behind hybrid mode: resolve (authorize a call and get its attempts),
// the reachability probe for /health, and the usage reporter. Thread-safe.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "http/message.hpp"
#include "platform/plan.hpp"
#include "platform/usage_reporter.hpp"

namespace otari::platform {

class Platform {
  public:
    // `spool_dir` keeps usage reports that could not be delivered before shutdown.
    Platform(const config::PlatformSettings& settings, const std::filesystem::path& spool_dir);

    // POST {base}/gateway/provider-keys/resolve with the caller's token. Throws api::ApiError:
    // the platform's refusal with its status, or 502 "authorization service unavailable" when
    // the platform is down, slow past its timeout, answers 5xx or nonsense, or lists no attempt.
    Plan resolve(const std::string& user_token, std::string_view model_selector,
                 const http::ClientProbe& client_alive);

    // POST {base}/gateway/models/resolve: the models the caller's token may use, as
    // {"id","created","owned_by"} objects sorted by id. Throws api::ApiError like resolve().
    std::vector<json> list_models(const std::string& user_token, const http::ClientProbe& client_alive);

    // Whether the platform answers its health URL (any answer below 500) within 2 s.
    bool reachable();

    UsageReporter& reporter() { return *m_reporter; }
    const config::PlatformSettings& settings() const { return m_settings; }

  private:
    json post_for_caller(const std::string& path, const json& body, const std::string& user_token,
                         const http::ClientProbe& client_alive);

    config::PlatformSettings m_settings;
    std::unique_ptr<UsageReporter> m_reporter;
};

}  // namespace otari::platform
