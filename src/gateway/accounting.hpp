#pragma once
// Money and limits around each call: prices it from the catalog (with the config's
// overrides), refuses a call before it runs when a key or user budget would be passed
// (reserving an estimate: input tokens counted, plus the most output it may generate), and
// appends exactly one ledger record per finished call, settling the reservation to the real
// cost. Thread-safe.
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "auth/keystore.hpp"
#include "budget/book.hpp"
#include "config/config.hpp"
#include "gateway/call.hpp"
#include "gateway/otlp_export.hpp"
#include "ledger/writer.hpp"
#include "pricing/catalog.hpp"
#include "util/json.hpp"

namespace otari::gateway {

class Accounting {
public:
    // Opens data_dir/ledger.jsonl for appending and rebuilds the budgets' current periods
    // from it.
    explicit Accounting(const config::Config& config);

    // Before the upstream call: throws api::ApiError 403 permission_error naming the budget,
    // the spend, the limit and when it resets; 400 when require_pricing is set and the model
    // has no price. On success the reservation (if any budget applies) is kept in `record`.
    void admit(CallRecord& record, const auth::Key& key, const json& request_body, const std::string& model_sent);

    // After the call (the recorder): cost, ledger line, settlement.
    // Returns the call's cost (nullopt: unpriced or never routed).
    std::optional<int64_t> finish(const CallRecord& record);

    std::optional<int64_t> cost_micro_usd(const std::string& provider, const std::string& model,
                                          const Usage& usage);
    const std::filesystem::path& ledger_file() const { return m_ledger.path(); }

private:
    std::vector<budget::BudgetLimit> limits_for(const auth::Key& key) const;
    std::optional<pricing::PriceMatch> price(const std::string& provider, const std::string& model);

    const config::Config& m_config;
    pricing::Catalog m_catalog;
    ledger::LedgerWriter m_ledger;
    ledger::LedgerWriter m_traces;  // data_dir/traces.jsonl: one span per call, no prompt text
    budget::BudgetBook m_book;
    std::map<std::string, budget::BudgetLimit> m_user_limits;  // by user name
    std::unique_ptr<OtlpExporter> m_otlp;  // when [otlp] endpoint is set
    std::mutex m_warn_mutex;
    std::set<std::string> m_warned_unpriced;
};

}  // namespace otari::gateway
