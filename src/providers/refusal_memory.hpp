#pragma once
// What upstreams refused, per provider and model, for the life of the process, so that later
// requests are sent the way the model takes them. Claude Code sends every model the same
// request shape (max_tokens 32000, reasoning effort); a model that takes less refuses the
// first request, which is then retried corrected (see messages_via_chat), and the correction
// is applied before later requests are sent:
// - an output-token cap ("max_tokens is too large ... at most 16384");
// - parameters the model does not support, dropped ("Unsupported parameter: 'X'"), or renamed
//   where the refusal names the replacement ("Use 'max_completion_tokens' instead").
#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/json.hpp"

namespace otari::providers {

struct Lessons {
    std::optional<int64_t> output_cap;
    // (parameter, replacement): an empty replacement means the parameter is dropped.
    std::vector<std::pair<std::string, std::string>> parameters;

    // `request` (a translated Chat Completions request) as the model takes it.
    void apply(json& request) const;
};

class RefusalMemory {
  public:
    // The process-wide store.
    static RefusalMemory& shared();

    std::optional<Lessons> find(std::string_view provider, std::string_view model) const;
    // Keeps the smallest cap seen for the model.
    void learn_output_cap(std::string_view provider, std::string_view model, int64_t cap);
    void learn_parameter(std::string_view provider, std::string_view model, std::string name,
                         std::string replacement);

  private:
    mutable std::shared_mutex m_mutex;
    std::map<std::string, Lessons, std::less<>> m_lessons;  // "provider\nmodel" -> lessons
};

}  // namespace otari::providers
