#pragma once
// `otari usage`: totals over the ledger, grouped and filtered. Pure: records in, report out
// (rendering is in usage_render.hpp).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/record.hpp"

namespace otari::ledger {

enum class GroupBy { day, model, key, user, provider };
std::string_view group_by_name(GroupBy group);
// "day,model" -> {day, model}. Throws std::invalid_argument naming an unknown or repeated
// group. An empty string gives no grouping (one total).
std::vector<GroupBy> parse_group_by(std::string_view comma_list);

enum class Bound { since, until };
// A --since/--until value: "2026-11-01" (UTC midnight; for `until` the end of that day, so
// "--until 2026-11-30" includes the 30th), RFC 3339 ("2026-11-01T09:00:00Z",
// "2026-11-01T10:00:00+01:00"), or a span before `now`: "90m", "24h", "7d", "2w".
// Throws std::invalid_argument with a message that shows the accepted forms.
util::TimePoint parse_time_bound(std::string_view text, util::TimePoint now, Bound bound);

struct UsageQuery {
    std::vector<GroupBy> group_by;
    std::optional<util::TimePoint> since;  // inclusive
    std::optional<util::TimePoint> until;  // exclusive
};

struct UsageTotals {
    int64_t requests = 0;
    int64_t errors = 0;  // status "error"
    int64_t input_tokens = 0;
    int64_t output_tokens = 0;
    int64_t cache_read_tokens = 0;
    int64_t cache_write_tokens = 0;
    int64_t cost_micro_usd = 0;  // priced requests only
    int64_t unpriced = 0;        // requests with cost_usd null (counted as $0 above)

    void add(const LedgerRecord& record);
    bool operator==(const UsageTotals&) const = default;
};

struct UsageRow {
    std::vector<std::string> group;  // one value per query.group_by entry
    UsageTotals totals;
};

struct UsageReport {
    UsageQuery query;
    std::vector<UsageRow> rows;  // empty when query.group_by is empty
    UsageTotals totals;
};

// The value a record has for `group`: the UTC date for day, model_sent (else the requested
// model) for model, "(none)" for an empty key, user or provider.
std::string group_value(const LedgerRecord& record, GroupBy group);

// Feed records one at a time (streaming over a large ledger), then take the report.
class UsageAggregator {
  public:
    explicit UsageAggregator(UsageQuery query);
    // Count `record` if it falls in [since, until).
    void add(const LedgerRecord& record);
    // Rows ordered by their group values (in --by order) when grouped by day, so days run
    // chronologically; otherwise by cost, highest first (then requests, then values).
    UsageReport finish() &&;

  private:
    UsageQuery m_query;
    std::map<std::vector<std::string>, UsageTotals> m_rows;
    UsageTotals m_totals;
};

UsageReport build_usage_report(const std::vector<LedgerRecord>& records, const UsageQuery& query);

}  // namespace otari::ledger
