#include "budget/limit.hpp"

#include <stdexcept>

#include "ledger/money.hpp"

namespace otari::budget {
namespace {

[[noreturn]] void invalid(const std::string& scope, const std::string& what) {
    throw std::invalid_argument("budget for " + describe_scope(scope) + ": " + what);
}

std::optional<int64_t> non_negative(const std::string& scope, const char* field,
                                    std::optional<int64_t> value) {
    if (value && *value < 0) invalid(scope, std::string(field) + " must not be negative");
    return value;
}

int64_t usd_from_json(const std::string& scope, const json& value) {
    std::optional<int64_t> micro;
    if (value.is_number_integer()) {
        micro = ledger::parse_usd_micro(std::to_string(value.get<int64_t>()));
    } else if (value.is_number_float()) {
        micro = ledger::usd_micro_from_double(value.get<double>());
    } else if (value.is_string()) {
        micro = ledger::parse_usd_micro(value.get<std::string>());
    }
    if (!micro) invalid(scope, "\"usd\" must be a dollar amount such as 5 or \"4.50\"");
    return *micro;
}

int64_t count_from_json(const std::string& scope, const char* field, const json& value) {
    if (!value.is_number_integer())
        invalid(scope, std::string("\"") + field + "\" must be an integer");
    return value.get<int64_t>();
}

}  // namespace

std::string key_scope(std::string_view key_name) { return "key:" + std::string(key_name); }
std::string user_scope(std::string_view user_name) { return "user:" + std::string(user_name); }

std::string describe_scope(std::string_view scope) {
    for (std::string_view kind : {"key", "user"}) {
        if (scope.size() > kind.size() && scope.substr(0, kind.size()) == kind &&
            scope[kind.size()] == ':') {
            return std::string(kind) + " '" + std::string(scope.substr(kind.size() + 1)) + "'";
        }
    }
    return std::string("'").append(scope).append("'");
}

std::optional<BudgetLimit> make_limit(const std::string& scope, const BudgetSettings& settings) {
    BudgetLimit limit;
    limit.scope = scope;
    if (settings.period) {
        auto period = parse_period(*settings.period);
        if (!period) {
            invalid(scope,
                    "period must be day, week, month or total, not '" + *settings.period + "'");
        }
        limit.period = *period;
    }
    limit.max_cost_micro_usd = non_negative(scope, "the dollar cap", settings.usd_micro);
    limit.max_tokens = non_negative(scope, "max_tokens", settings.max_tokens);
    limit.max_requests = non_negative(scope, "max_requests", settings.max_requests);
    if (!limit.max_cost_micro_usd && !limit.max_tokens && !limit.max_requests) return std::nullopt;
    return limit;
}

std::optional<BudgetLimit> limit_from_key_extra(const std::string& key_name, const json& extra) {
    std::string scope = key_scope(key_name);
    if (!extra.is_object()) return std::nullopt;
    auto it = extra.find("budget");
    if (it == extra.end() || it->is_null()) return std::nullopt;
    if (!it->is_object()) invalid(scope, "\"budget\" must be an object");
    BudgetSettings settings;
    for (const auto& [field, value] : it->items()) {
        if (field == "usd") {
            settings.usd_micro = usd_from_json(scope, value);
        } else if (field == "period") {
            if (!value.is_string()) invalid(scope, "\"period\" must be a string");
            settings.period = value.get<std::string>();
        } else if (field == "max_tokens") {
            settings.max_tokens = count_from_json(scope, "max_tokens", value);
        } else if (field == "max_requests") {
            settings.max_requests = count_from_json(scope, "max_requests", value);
        } else {
            invalid(scope, "unknown field \"" + field +
                               "\" (expected usd, period, max_tokens, max_requests)");
        }
    }
    return make_limit(scope, settings);
}

}  // namespace otari::budget
