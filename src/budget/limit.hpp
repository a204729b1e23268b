#pragma once
// What a budget caps, and for whom. Budgets come from the config (`[users.NAME]`) and from
// the key file (a key's `extra["budget"]`); both end up as a BudgetLimit.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "budget/period.hpp"
#include "util/json.hpp"

namespace otari::budget {

struct BudgetLimit {
    std::string scope;  // "key:NAME" or "user:NAME"
    Period period = Period::month;
    std::optional<int64_t> max_cost_micro_usd;
    std::optional<int64_t> max_tokens;  // input + output tokens
    std::optional<int64_t> max_requests;
};

std::string key_scope(std::string_view key_name);    // "key:NAME"
std::string user_scope(std::string_view user_name);  // "user:NAME"
// "key 'ci'", "user 'alice'" (for messages); any other scope is quoted whole.
std::string describe_scope(std::string_view scope);

// Budget settings as written by a person, before validation. `usd_micro` is the dollar cap
// already in micro-dollars (see ledger/money.hpp to convert text or a TOML double).
struct BudgetSettings {
    std::optional<int64_t> usd_micro;
    std::optional<std::string> period;  // default "month"
    std::optional<int64_t> max_tokens;
    std::optional<int64_t> max_requests;
};

// Validate `settings` into a limit for `scope`. nullopt when no cap at all is set. Throws
// std::invalid_argument naming `scope` and the field (negative cap, unknown period).
std::optional<BudgetLimit> make_limit(const std::string& scope, const BudgetSettings& settings);

// A key's budget from its key-file `extra`: extra["budget"] =
//   {"usd": 5.0 | "5.00", "period": "day|week|month|total", "max_tokens": N, "max_requests": N}
// (all optional; period defaults to "month"). nullopt when there is no "budget" (or it is
// null). Throws std::invalid_argument for a malformed budget, an unknown field included, so a
// typo never silently lifts a cap.
std::optional<BudgetLimit> limit_from_key_extra(const std::string& key_name, const json& extra);

}  // namespace otari::budget
