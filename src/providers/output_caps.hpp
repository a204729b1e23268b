#pragma once
// Output-token caps learned from upstream refusals ("max_tokens is too large ... at most
// 16384"), per provider and model, for the life of the process. Claude Code asks every model
// for 32000 output tokens; a model that takes fewer refuses the request. The first refusal
// is retried with the model's cap (see messages_via_chat), and later requests are capped
// before they are sent.
#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

namespace otari::providers {

class OutputCaps {
  public:
    // The process-wide store.
    static OutputCaps& shared();

    std::optional<int64_t> find(std::string_view provider, std::string_view model) const;
    // Keeps the smallest cap seen for the model.
    void learn(std::string_view provider, std::string_view model, int64_t cap);

  private:
    mutable std::shared_mutex m_mutex;
    std::map<std::string, int64_t, std::less<>> m_caps;  // "provider\nmodel" -> cap
};

}  // namespace otari::providers
