#include <doctest/doctest.h>

#include "ledger/usage_render.hpp"
#include "ledger/usage_report.hpp"
#include "ledger_fixtures.hpp"
#include "util/json.hpp"

using namespace otari;
using namespace otari::ledger;
using otari::test::at;
using otari::util::TimePoint;

namespace {

LedgerRecord call(const char* ts, const char* model, const char* key, int64_t input, int64_t output,
                  std::optional<int64_t> cost) {
    auto r = test::sample_record(ts);
    r.model_sent = model;
    r.key = key;
    r.input_tokens = input;
    r.output_tokens = output;
    r.cache_read_tokens = input / 10;
    r.cost_micro_usd = cost;
    return r;
}

std::vector<LedgerRecord> sample_ledger() {
    auto failed = call("2026-11-02T08:00:00.000Z", "claude-sonnet-4-6", "ci", 0, 0, std::nullopt);
    failed.status = CallStatus::error;
    failed.http_status = 529;
    auto local = call("2026-11-02T09:00:00.000Z", "qwen3", "laptop", 5000, 2000, std::nullopt);
    local.provider = "ollama";
    local.user = "";
    return {
        call("2026-11-01T23:59:59.999Z", "claude-sonnet-4-6", "ci", 1000, 200, 6'000),
        call("2026-11-02T00:00:00.000Z", "claude-sonnet-4-6", "ci", 2'000'000, 100'000,
             1'234'567'890),
        call("2026-11-02T01:00:00.000Z", "claude-haiku-4-5", "laptop", 300, 50, 1'000),
        failed,
        local,
    };
}

UsageReport report(std::vector<GroupBy> by, std::optional<TimePoint> since = {},
                   std::optional<TimePoint> until = {}) {
    return build_usage_report(sample_ledger(), {std::move(by), since, until});
}

}  // namespace

TEST_SUITE("accounting::usage_report") {
    TEST_CASE("--by lists") {
        CHECK(parse_group_by("day,model") == std::vector{GroupBy::day, GroupBy::model});
        CHECK(parse_group_by(" user , provider ") == std::vector{GroupBy::user, GroupBy::provider});
        CHECK(parse_group_by("").empty());
        CHECK_THROWS_WITH_AS(parse_group_by("day,team"),
                             "cannot group by 'team': use day, model, key, user or provider",
                             std::invalid_argument);
        CHECK_THROWS_AS(parse_group_by("day,day"), std::invalid_argument);
        CHECK_THROWS_AS(parse_group_by("day,"), std::invalid_argument);
    }

    TEST_CASE("--since and --until: dates, RFC 3339 and spans before now") {
        auto now = at("2026-11-10T12:00:00Z");
        CHECK(parse_time_bound("2026-11-01", now, Bound::since) == at("2026-11-01T00:00:00Z"));
        CHECK(parse_time_bound("2026-11-30", now, Bound::until) == at("2026-12-01T00:00:00Z"));
        CHECK(parse_time_bound("2026-11-01T10:00:00+02:00", now, Bound::until) ==
              at("2026-11-01T08:00:00Z"));
        CHECK(parse_time_bound("7d", now, Bound::since) == at("2026-11-03T12:00:00Z"));
        CHECK(parse_time_bound("24h", now, Bound::since) == at("2026-11-09T12:00:00Z"));
        CHECK(parse_time_bound("90m", now, Bound::since) == at("2026-11-10T10:30:00Z"));
        CHECK(parse_time_bound("2w", now, Bound::since) == at("2026-10-27T12:00:00Z"));
        for (const char* bad : {"", "7", "d", "-7d", "7y", "2026-13-01", "yesterday", "7dd"}) {
            CAPTURE(bad);
            CHECK_THROWS_AS(parse_time_bound(bad, now, Bound::since), std::invalid_argument);
        }
    }

    TEST_CASE("totals count requests, errors, tokens, exact cost and unpriced calls") {
        auto r = report({});
        CHECK(r.rows.empty());
        CHECK(r.totals.requests == 5);
        CHECK(r.totals.errors == 1);
        CHECK(r.totals.input_tokens == 2'006'300);
        CHECK(r.totals.output_tokens == 102'250);
        CHECK(r.totals.cache_read_tokens == 200'630);
        CHECK(r.totals.cost_micro_usd == 1'234'574'890);
        CHECK(r.totals.unpriced == 2);
    }

    TEST_CASE("grouping by day and model: UTC days, chronological") {
        auto r = report({GroupBy::day, GroupBy::model});
        REQUIRE(r.rows.size() == 4);
        CHECK(r.rows[0].group == std::vector<std::string>{"2026-11-01", "claude-sonnet-4-6"});
        CHECK(r.rows[1].group == std::vector<std::string>{"2026-11-02", "claude-haiku-4-5"});
        CHECK(r.rows[2].group == std::vector<std::string>{"2026-11-02", "claude-sonnet-4-6"});
        CHECK(r.rows[2].totals.requests == 2);
        CHECK(r.rows[2].totals.errors == 1);
        CHECK(r.rows[3].group == std::vector<std::string>{"2026-11-02", "qwen3"});
    }

    TEST_CASE("grouping without day: costliest first; empty names show as (none)") {
        auto r = report({GroupBy::user, GroupBy::provider});
        REQUIRE(r.rows.size() == 2);
        CHECK(r.rows[0].group == std::vector<std::string>{"alice", "anthropic"});
        CHECK(r.rows[0].totals.requests == 4);
        CHECK(r.rows[1].group == std::vector<std::string>{"(none)", "ollama"});
        auto by_key = report({GroupBy::key});
        REQUIRE(by_key.rows.size() == 2);
        CHECK(by_key.rows[0].group[0] == "ci");
        CHECK(by_key.rows[1].totals.cost_micro_usd == 1'000);
    }

    TEST_CASE("the model falls back to the requested one") {
        auto r = test::sample_record();
        r.model_sent.clear();
        CHECK(group_value(r, GroupBy::model) == "sonnet");
    }

    TEST_CASE("since is inclusive, until exclusive") {
        auto r = report({}, at("2026-11-02T00:00:00Z"), at("2026-11-02T08:00:00Z"));
        CHECK(r.totals.requests == 2);  // 00:00 and 01:00; not 23:59:59.999 nor 08:00
        CHECK(report({}, at("2026-11-03T00:00:00Z")).totals.requests == 0);
    }

    TEST_CASE("table: aligned, thousands separators, costs to the cent, unpriced marked") {
        CHECK(render_table(report({GroupBy::key})) ==
              "KEY     REQUESTS  ERRORS      INPUT   OUTPUT  CACHE READ  CACHE WRITE        COST\n"
              "ci             3       1  2,001,000  100,200     200,100            0  $1,234.57*\n"
              "laptop         2       0      5,300    2,050         530            0      $0.00*\n"
              "TOTAL          5       1  2,006,300  102,250     200,630            0  $1,234.57*\n"
              "* includes 2 requests with no known price, counted as $0\n");
    }

    TEST_CASE("table without grouping is the total line") {
        std::vector<LedgerRecord> one{call("2026-11-01T00:00:00.000Z", "m", "k", 1, 2, 5'000)};
        CHECK(render_table(build_usage_report(one, {})) ==
              "REQUESTS  ERRORS  INPUT  OUTPUT  CACHE READ  CACHE WRITE   COST\n"
              "       1       0      1       2           0            0  $0.01\n");
    }

    TEST_CASE("CSV: exact costs, quoting, no total line when grouped") {
        auto records = sample_ledger();
        records[0].model_sent = "odd,\"name\"";
        auto r = build_usage_report(records, {{GroupBy::model}, std::nullopt, std::nullopt});
        std::string csv = render_csv(r);
        CHECK(csv.substr(0, csv.find("\r\n")) ==
              "model,requests,errors,input_tokens,output_tokens,cache_read_tokens,"
              "cache_write_tokens,cost_usd,unpriced_requests");
        CHECK(csv.find("claude-sonnet-4-6,2,1,2000000,100000,200000,0,1234.567890,1\r\n") !=
              std::string::npos);
        CHECK(csv.find("\"odd,\"\"name\"\"\",1,0,1000,200,100,0,0.006000,0\r\n") !=
              std::string::npos);
        CHECK(csv.find("TOTAL") == std::string::npos);
        CHECK(render_csv(report({})) ==
              "requests,errors,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,"
              "cost_usd,unpriced_requests\r\n5,1,2006300,102250,200630,0,1234.574890,2\r\n");
    }

    TEST_CASE("JSON: the query, rows with group values, exact totals") {
        auto r = report({GroupBy::day}, at("2026-11-02T00:00:00Z"));
        CHECK(render_json(r) ==
              R"({"since":"2026-11-02T00:00:00.000Z","until":null,"group_by":["day"],"rows":[)"
              R"({"day":"2026-11-02","requests":4,"errors":1,"input_tokens":2005300,)"
              R"("output_tokens":102050,"cache_read_tokens":200530,"cache_write_tokens":0,)"
              R"("cost_usd":1234.568890,"unpriced_requests":2}],"totals":{"requests":4,"errors":1,)"
              R"("input_tokens":2005300,"output_tokens":102050,"cache_read_tokens":200530,)"
              R"("cache_write_tokens":0,"cost_usd":1234.568890,"unpriced_requests":2}})"
              "\n");
        CHECK(json::parse(render_json(r))["totals"]["requests"] == 4);
    }

    TEST_CASE("streaming aggregation equals the batch report") {
        UsageAggregator aggregator({{GroupBy::key}, std::nullopt, std::nullopt});
        for (const auto& rec : sample_ledger()) aggregator.add(rec);
        auto streamed = std::move(aggregator).finish();
        CHECK(streamed.totals == report({GroupBy::key}).totals);
        CHECK(streamed.rows.size() == 2);
    }
}
