#include "ledger/usage_report.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace otari::ledger {
namespace {

constexpr GroupBy k_groups[] = {GroupBy::day, GroupBy::model, GroupBy::key, GroupBy::user,
                                GroupBy::provider};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::optional<util::Clock::duration> parse_span(std::string_view text) {
    if (text.size() < 2) return std::nullopt;
    int64_t count = 0;
    auto digits = text.substr(0, text.size() - 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
    if (ec != std::errc{} || end != digits.data() + digits.size() || count < 0 || count > 100'000) {
        return std::nullopt;
    }
    using namespace std::chrono;
    switch (text.back()) {
        case 'm':
            return minutes{count};
        case 'h':
            return hours{count};
        case 'd':
            return days{count};
        case 'w':
            return weeks{count};
    }
    return std::nullopt;
}

}  // namespace

std::string_view group_by_name(GroupBy group) {
    switch (group) {
        case GroupBy::day:
            return "day";
        case GroupBy::model:
            return "model";
        case GroupBy::key:
            return "key";
        case GroupBy::user:
            return "user";
        case GroupBy::provider:
            return "provider";
    }
    return "day";
}

std::vector<GroupBy> parse_group_by(std::string_view comma_list) {
    std::vector<GroupBy> groups;
    if (trim(comma_list).empty()) return groups;
    size_t pos = 0;
    for (;;) {
        size_t comma = comma_list.find(',', pos);
        std::string_view name = trim(comma_list.substr(pos, comma - pos));
        auto it = std::find_if(std::begin(k_groups), std::end(k_groups),
                               [&](GroupBy g) { return group_by_name(g) == name; });
        if (it == std::end(k_groups)) {
            throw std::invalid_argument("cannot group by '" + std::string(name) +
                                        "': use day, model, key, user or provider");
        }
        if (std::find(groups.begin(), groups.end(), *it) != groups.end()) {
            throw std::invalid_argument("'" + std::string(name) + "' is listed twice in --by");
        }
        groups.push_back(*it);
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    return groups;
}

util::TimePoint parse_time_bound(std::string_view text, util::TimePoint now, Bound bound) {
    text = trim(text);
    if (auto day = util::parse_utc_date(text)) {
        return bound == Bound::until ? *day + std::chrono::days{1} : *day;
    }
    if (auto when = util::parse_rfc3339(text)) return *when;
    if (auto span = parse_span(text)) return now - *span;
    throw std::invalid_argument("cannot read the time '" + std::string(text) +
                                "': use a date (2026-11-01), an RFC 3339 time "
                                "(2026-11-01T09:00:00Z) or a span before now (90m, 24h, 7d, 2w)");
}

void UsageTotals::add(const LedgerRecord& r) {
    ++requests;
    if (r.status == CallStatus::error) ++errors;
    input_tokens += r.input_tokens;
    output_tokens += r.output_tokens;
    cache_read_tokens += r.cache_read_tokens;
    cache_write_tokens += r.cache_write_tokens;
    if (r.cost_micro_usd) {
        cost_micro_usd += *r.cost_micro_usd;
    } else {
        ++unpriced;
    }
}

std::string group_value(const LedgerRecord& r, GroupBy group) {
    auto or_none = [](const std::string& s) { return s.empty() ? std::string("(none)") : s; };
    switch (group) {
        case GroupBy::day:
            return util::format_utc_date(r.ts);
        case GroupBy::model:
            return or_none(r.model_sent.empty() ? r.model_requested : r.model_sent);
        case GroupBy::key:
            return or_none(r.key);
        case GroupBy::user:
            return or_none(r.user);
        case GroupBy::provider:
            return or_none(r.provider);
    }
    return {};
}

UsageAggregator::UsageAggregator(UsageQuery query) : m_query(std::move(query)) {}

void UsageAggregator::add(const LedgerRecord& r) {
    if (m_query.since && r.ts < *m_query.since) return;
    if (m_query.until && r.ts >= *m_query.until) return;
    m_totals.add(r);
    if (m_query.group_by.empty()) return;
    std::vector<std::string> group;
    group.reserve(m_query.group_by.size());
    for (GroupBy g : m_query.group_by) group.push_back(group_value(r, g));
    m_rows[std::move(group)].add(r);
}

UsageReport UsageAggregator::finish() && {
    UsageReport report;
    report.query = std::move(m_query);
    report.totals = m_totals;
    report.rows.reserve(m_rows.size());
    for (auto& [group, totals] : m_rows) report.rows.push_back({group, totals});
    const auto& by = report.query.group_by;
    if (std::find(by.begin(), by.end(), GroupBy::day) == by.end()) {
        std::stable_sort(report.rows.begin(), report.rows.end(), [](const auto& a, const auto& b) {
            if (a.totals.cost_micro_usd != b.totals.cost_micro_usd) {
                return a.totals.cost_micro_usd > b.totals.cost_micro_usd;
            }
            return a.totals.requests > b.totals.requests;
        });
    }
    return report;
}

UsageReport build_usage_report(const std::vector<LedgerRecord>& records, const UsageQuery& query) {
    UsageAggregator aggregator(query);
    for (const auto& r : records) aggregator.add(r);
    return std::move(aggregator).finish();
}

}  // namespace otari::ledger
