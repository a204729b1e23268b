#include <doctest/doctest.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <latch>
#include <limits>
#include <set>
#include <thread>

#include "ledger/json_text.hpp"
#include "ledger/money.hpp"
#include "ledger/reader.hpp"
#include "ledger/writer.hpp"
#include "ledger_fixtures.hpp"
#include "support/scratch.hpp"
#include "util/fileio.hpp"
#include "util/json.hpp"

using namespace otari;
using namespace otari::ledger;
using otari::test::at;
using otari::test::sample_record;
using otari::util::format_rfc3339_ms;
using otari::util::format_rfc3339_s;
using otari::util::format_utc_date;
using otari::util::parse_rfc3339;
using otari::util::parse_utc_date;
using otari::util::TimePoint;

namespace {

std::atomic<int> g_write_calls{0};
ssize_t counting_write(int fd, const void* data, size_t size) {
    ++g_write_calls;
    return ::write(fd, data, size);
}
// Writes at most 7 bytes per call and fails every other call with EINTR.
ssize_t stuttering_write(int fd, const void* data, size_t size) {
    if (g_write_calls++ % 2 == 0) {
        errno = EINTR;
        return -1;
    }
    return ::write(fd, data, std::min<size_t>(size, 7));
}
ssize_t failing_write(int, const void*, size_t) {
    errno = ENOSPC;
    return -1;
}

std::string file_text(const std::filesystem::path& path) {
    return util::read_file(path).value_or("");
}

}  // namespace

TEST_SUITE("accounting::ledger") {
    TEST_CASE("a record is one line with the documented fields in order") {
        auto r = sample_record();
        r.error = "line one\nline two";
        CHECK(
            to_json_line(r) ==
            R"({"ts":"2026-11-01T09:30:00.123Z","request_id":"req_1","key":"ci","user":"alice",)"
            R"("endpoint":"/v1/messages","provider":"anthropic","model":"sonnet",)"
            R"("model_sent":"claude-sonnet-4-6","stream":true,"status":"ok","http_status":200,)"
            R"("input_tokens":12,"output_tokens":34,"cache_read_tokens":0,"cache_write_tokens":0,)"
            R"("cost_usd":0.000546,"latency_ms":812,"ttft_ms":301,"usage":"upstream",)"
            R"("client_disconnected":false,"upstream_failed":false,"error":"line one\nline two",)"
            R"("v":1})"
            "\n");
    }

    TEST_CASE("unpriced, no ttft and a platform id") {
        auto r = sample_record();
        r.cost_micro_usd.reset();
        r.ttft_ms.reset();
        r.platform_request_id = "plat_9";
        std::string line = to_json_line(r);
        CHECK(line.find(R"("cost_usd":null)") != std::string::npos);
        CHECK(line.find(R"("ttft_ms":null)") != std::string::npos);
        CHECK(line.find(R"("platform_request_id":"plat_9","v":1})") != std::string::npos);
    }

    TEST_CASE("cost_usd is written with exactly six decimals") {
        CHECK(format_usd_exact(0) == "0.000000");
        CHECK(format_usd_exact(546) == "0.000546");
        CHECK(format_usd_exact(1'234'567) == "1.234567");
        CHECK(format_usd_exact(-1) == "-0.000001");
        CHECK(format_usd_exact(9'007'199'254'740'993) == "9007199254.740993");
    }

    TEST_CASE("cost_usd reads back exactly, beyond what a double holds") {
        for (int64_t micro : {int64_t(0), int64_t(1), int64_t(100'000), int64_t(299'999),
                              int64_t(9'007'199'254'740'993), int64_t(-42)}) {
            auto r = sample_record();
            r.cost_micro_usd = micro;
            std::string line = to_json_line(r);
            line.pop_back();
            LedgerRecord back;
            REQUIRE(parse_ledger_line(line, back) == LineKind::record);
            CHECK(back.cost_micro_usd == micro);
            CHECK(back == r);
        }
    }

    TEST_CASE("cost_usd written by other tools: integers, exponents, more decimals") {
        LedgerRecord r;
        auto cost_of = [&](const std::string& text) {
            std::string line = R"({"v":1,"ts":"2026-11-01T00:00:00Z","cost_usd":)" + text + "}";
            REQUIRE(parse_ledger_line(line, r) == LineKind::record);
            return r.cost_micro_usd;
        };
        CHECK(cost_of("2") == 2'000'000);
        CHECK(cost_of("0.1") == 100'000);
        CHECK(cost_of("1e-6") == 1);
        CHECK(cost_of("0.0000015") == 2);
        CHECK(cost_of("null") == std::nullopt);
    }

    TEST_CASE("money text parsing is exact and strict") {
        CHECK(parse_usd_micro("4.98") == 4'980'000);
        CHECK(parse_usd_micro("5") == 5'000'000);
        CHECK(parse_usd_micro(".5") == 500'000);
        CHECK(parse_usd_micro("-0.000001") == -1);
        CHECK_FALSE(parse_usd_micro(""));
        CHECK_FALSE(parse_usd_micro("."));
        CHECK_FALSE(parse_usd_micro("1e3"));
        CHECK_FALSE(parse_usd_micro("$5"));
        CHECK_FALSE(parse_usd_micro("99999999999999999999"));
        CHECK(format_usd_cents(1'234'567'890) == "$1,234.57");
        CHECK(format_usd_cents(4'994'999) == "$4.99");
        CHECK(format_usd_cents(4'995'000) == "$5.00");
        CHECK(format_usd_cents(-100'000) == "-$0.10");
        CHECK(format_usd_cents(-1) == "$0.00");
        CHECK(format_usd(4'980'000) == "$4.98");
        CHECK(format_usd(1'234'500'000) == "$1,234.50");
        CHECK(format_usd(11'500) == "$0.0115");
        CHECK(format_usd(4'995'000) == "$4.995");
        CHECK(format_usd(0) == "$0.00");
        CHECK(format_usd(-1) == "-$0.000001");
        CHECK(format_thousands(1'234'567) == "1,234,567");
        CHECK(format_thousands(999) == "999");
        CHECK(format_thousands(10'000) == "10,000");
        CHECK(format_thousands(99'999'999) == "99,999,999");
        CHECK(format_usd_cents(12'345'678'000) == "$12,345.68");
        CHECK(format_thousands(-1000) == "-1,000");
    }

    TEST_CASE("lines that are not version-1 records are told apart") {
        LedgerRecord r;
        CHECK(parse_ledger_line("", r) == LineKind::blank);
        CHECK(parse_ledger_line("  \r", r) == LineKind::blank);
        CHECK(parse_ledger_line("{\"v\":1,\"ts\":\"2026-11-01T00:00:00Z\"", r) ==
              LineKind::malformed);
        CHECK(parse_ledger_line("not json", r) == LineKind::malformed);
        CHECK(parse_ledger_line(R"({"v":1})", r) == LineKind::malformed);  // no ts
        CHECK(parse_ledger_line(R"({"v":1,"ts":"yesterday"})", r) == LineKind::malformed);
        CHECK(parse_ledger_line(R"({"v":1,"ts":"2026-11-01T00:00:00Z","input_tokens":"7"})", r) ==
              LineKind::malformed);
        CHECK(parse_ledger_line(R"({"v":1,"ts":"2026-11-01T00:00:00Z","key":{"a":1}})", r) ==
              LineKind::malformed);
        CHECK(parse_ledger_line(R"({"v":2,"ts":"2026-11-01T00:00:00Z"})", r) == LineKind::foreign);
        CHECK(parse_ledger_line(R"({"ts":"2026-11-01T00:00:00Z","msg":"log line"})", r) ==
              LineKind::foreign);
        CHECK(parse_ledger_line(R"([1,2])", r) == LineKind::foreign);
        CHECK(parse_ledger_line(R"("v")", r) == LineKind::foreign);
    }

    TEST_CASE("unknown fields, nested or not, are ignored") {
        LedgerRecord r;
        REQUIRE(parse_ledger_line(R"({"later":{"v":2,"key":"x","a":[1,{"b":2}]},"key":"ci",)"
                                  R"("ts":"2026-11-01T10:00:00+01:00","v":1,"extra":[3]})",
                                  r) == LineKind::record);
        CHECK(r.key == "ci");
        CHECK(r.ts == at("2026-11-01T09:00:00Z"));
    }

    TEST_CASE("each append is one write(2) of one whole line") {
        auto dir = test::scratch_dir("ledger-write");
        g_write_calls = 0;
        LedgerWriter writer(dir / "ledger.jsonl",
                            {.fsync_each = false, .write_fn = counting_write});
        auto r = sample_record();
        CHECK(writer.append(r));
        CHECK(writer.append(r));
        CHECK(g_write_calls == 2);
        CHECK(file_text(dir / "ledger.jsonl") == to_json_line(r) + to_json_line(r));
    }

    TEST_CASE("short writes and EINTR are retried until the line is whole") {
        auto dir = test::scratch_dir("ledger-short");
        g_write_calls = 0;
        LedgerWriter writer(dir / "ledger.jsonl",
                            {.fsync_each = true, .write_fn = stuttering_write});
        auto r = sample_record();
        CHECK(writer.append(r));
        CHECK(file_text(dir / "ledger.jsonl") == to_json_line(r));
        CHECK(g_write_calls > 2 * int(to_json_line(r).size() / 7));
    }

    TEST_CASE("a failing write is reported, not thrown") {
        auto dir = test::scratch_dir("ledger-fail");
        LedgerWriter writer(dir / "ledger.jsonl", {.fsync_each = false, .write_fn = failing_write});
        bool ok = true;
        CHECK_NOTHROW(ok = writer.append(sample_record()));
        CHECK_FALSE(ok);
    }

    TEST_CASE("the file is created 0600 in a new private directory, and appended to") {
        auto dir = test::scratch_dir("ledger-mode") / "data";
        auto path = dir / "ledger.jsonl";
        { LedgerWriter(path).append(sample_record()); }
        { LedgerWriter(path).append(sample_record("2026-11-02T00:00:00.000Z")); }
        struct stat st {};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
        REQUIRE(::stat(dir.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0700);
        ReadStats stats;
        auto records = read_ledger(path, stats);
        REQUIRE(records.size() == 2);
        CHECK(records[1].ts == at("2026-11-02T00:00:00Z"));
    }

    TEST_CASE("a missing ledger reads as empty") {
        ReadStats stats;
        auto records = read_ledger(test::scratch_dir("ledger-missing") / "ledger.jsonl", stats);
        CHECK(records.empty());
        CHECK_FALSE(stats.file_found);
        CHECK(stats.skipped() == 0);
    }

    TEST_CASE("a torn last line and foreign lines are skipped and counted") {
        auto path = test::scratch_dir("ledger-torn") / "ledger.jsonl";
        std::string good = to_json_line(sample_record());
        test::write_text(path, good + "\n" + R"({"v":7,"ts":"2026-11-01T00:00:00Z"})" + "\n" +
                                   "garbage\n" + good + good.substr(0, good.size() / 2));
        ReadStats stats;
        auto records = read_ledger(path, stats);
        CHECK(records.size() == 2);
        CHECK(stats.records == 2);
        CHECK(stats.blank == 1);
        CHECK(stats.foreign == 1);
        CHECK(stats.malformed == 1);
        CHECK(stats.torn_tail);
        CHECK(stats.skipped() == 3);
    }

    TEST_CASE("a whole record without its newline is still a torn tail") {
        auto path = test::scratch_dir("ledger-nonl") / "ledger.jsonl";
        std::string good = to_json_line(sample_record());
        test::write_text(path, good + good.substr(0, good.size() - 1));
        ReadStats stats;
        CHECK(read_ledger(path, stats).size() == 1);
        CHECK(stats.torn_tail);
    }

    TEST_CASE("a writer opening a torn ledger ends the torn line before appending") {
        auto path = test::scratch_dir("ledger-reopen") / "ledger.jsonl";
        std::string good = to_json_line(sample_record());
        test::write_text(path, good + good.substr(0, 20));
        { LedgerWriter(path).append(sample_record("2026-11-03T00:00:00.000Z")); }
        ReadStats stats;
        auto records = read_ledger(path, stats);
        REQUIRE(records.size() == 2);
        CHECK(records[1].ts == at("2026-11-03T00:00:00Z"));
        CHECK(stats.malformed == 1);
        CHECK_FALSE(stats.torn_tail);
    }

    TEST_CASE("lines across block boundaries and longer than a block are read whole") {
        auto path = test::scratch_dir("ledger-blocks") / "ledger.jsonl";
        {
            LedgerWriter writer(path);
            for (int i = 0; i < 5000; ++i) {  // ~2.5 MB: several 1 MiB blocks
                auto r = sample_record();
                r.request_id = "req_" + std::to_string(i);
                if (i == 2500) r.error = std::string(3 << 20, 'x');  // a 3 MiB line
                writer.append(r);
            }
        }
        int expected = 0;
        auto stats = for_each_record(path, [&](const LedgerRecord& r) {
            CHECK(r.request_id == "req_" + std::to_string(expected));
            if (expected == 2500) CHECK(r.error->size() == size_t(3 << 20));
            ++expected;
        });
        CHECK(expected == 5000);
        CHECK(stats.skipped() == 0);
    }

    TEST_CASE("a ledger that grows after it was opened small is read whole, long lines too") {
        auto path = test::scratch_dir("ledger-grows") / "ledger.jsonl";
        LedgerWriter writer(path);
        auto first = sample_record();
        first.request_id = "req_first";
        writer.append(first);
        LedgerReader reader(path);  // sized for the one short line written so far
        for (int i = 0; i < 300; ++i) {
            auto r = sample_record();
            r.request_id = "req_" + std::to_string(i);
            if (i == 150) r.error = std::string(200 << 10, 'y');  // longer than the buffer
            writer.append(r);
        }
        LedgerRecord r;
        REQUIRE(reader.next(r));
        CHECK(r.request_id == "req_first");
        int expected = 0;
        while (reader.next(r)) {
            CHECK(r.request_id == "req_" + std::to_string(expected));
            if (expected == 150) CHECK(r.error->size() == size_t(200 << 10));
            ++expected;
        }
        CHECK(expected == 300);
        CHECK(reader.stats().skipped() == 0);
    }

    TEST_CASE("concurrent appends from threads produce whole lines") {
        auto path = test::scratch_dir("ledger-threads") / "ledger.jsonl";
        constexpr int k_threads = 8, k_each = 400;
        {
            LedgerWriter writer(path);
            std::latch start(k_threads);
            std::vector<std::thread> threads;
            for (int t = 0; t < k_threads; ++t) {
                threads.emplace_back([&, t] {
                    start.arrive_and_wait();
                    for (int i = 0; i < k_each; ++i) {
                        auto r = sample_record();
                        r.request_id = std::to_string(t) + ":" + std::to_string(i);
                        r.error = std::string(size_t(100 + (i * 37) % 9000), char('a' + t));
                        writer.append(r);
                    }
                });
            }
            for (auto& th : threads) th.join();
        }
        ReadStats stats;
        auto records = read_ledger(path, stats);
        CHECK(stats.skipped() == 0);
        REQUIRE(records.size() == size_t(k_threads * k_each));
        std::set<std::string> ids;
        for (const auto& r : records) {
            ids.insert(r.request_id);
            char owner = char('a' + std::stoi(r.request_id));
            CHECK(r.error->find_first_not_of(owner) == std::string::npos);
        }
        CHECK(ids.size() == size_t(k_threads * k_each));
    }

    TEST_CASE("RFC 3339 timestamps: formats and offsets") {
        CHECK(format_rfc3339_ms(at("2026-12-31T23:59:59.9999Z")) == "2026-12-31T23:59:59.999Z");
        CHECK(format_rfc3339_ms(TimePoint{}) == "1970-01-01T00:00:00.000Z");
        CHECK(format_rfc3339_ms(at("2028-02-29T07:08:09.010Z")) == "2028-02-29T07:08:09.010Z");
        CHECK(format_rfc3339_ms(at("1700-01-02T03:04:05.006Z")) == "1700-01-02T03:04:05.006Z");
        CHECK(format_rfc3339_ms(at("2262-04-11T23:47:16.854Z")) == "2262-04-11T23:47:16.854Z");
        CHECK(format_rfc3339_s(at("2026-12-31T23:59:59.9999Z")) == "2026-12-31T23:59:59Z");
        CHECK(format_rfc3339_s(TimePoint{}) == "1970-01-01T00:00:00Z");
        CHECK(format_utc_date(at("2028-02-29T07:08:09.010Z")) == "2028-02-29");
        CHECK(at("2026-11-01T01:00:00+02:00") == at("2026-10-31T23:00:00Z"));
        CHECK(at("2026-11-01T00:00:00.5-00:30") == at("2026-11-01T00:30:00.500Z"));
        CHECK_FALSE(parse_rfc3339("2026-02-30T00:00:00Z"));
        CHECK_FALSE(parse_rfc3339("2026-11-01T24:00:00Z"));
        CHECK_FALSE(parse_rfc3339("2026-11-01T00:00:00"));
        CHECK_FALSE(parse_rfc3339("2026-11-01T00:00:00Zjunk"));
        CHECK(parse_utc_date("2028-02-29") == at("2028-02-29T00:00:00Z"));
        CHECK_FALSE(parse_utc_date("2027-02-29"));
    }
}

TEST_SUITE("accounting::bench") {
    // Not run by default: ./build-d/tests/otari-unit -ts='accounting::bench' --no-skip
    TEST_CASE("read a 100 MB ledger" * doctest::skip()) {
        auto path = test::scratch_dir("bench-read") / "ledger.jsonl";
        size_t written = 0;
        {
            LedgerWriter writer(path);
            auto r = sample_record();
            for (int i = 0; written < (100u << 20); ++i) {
                r.request_id = "req_" + std::to_string(i);
                r.ts = at("2026-11-01T00:00:00Z") + std::chrono::seconds(i);
                r.input_tokens = i % 5000;
                r.cost_micro_usd = i;
                written += to_json_line(r).size();
                writer.append(r);
            }
        }
        auto start = std::chrono::steady_clock::now();
        int64_t sum = 0;
        auto stats =
            for_each_record(path, [&](const LedgerRecord& r) { sum += *r.cost_micro_usd; });
        double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        MESSAGE("read " << stats.bytes / 1e6 << " MB, " << stats.records << " records in " << secs
                        << " s (" << stats.bytes / 1e6 / secs << " MB/s)");
        CHECK(stats.skipped() == 0);
        CHECK(sum > 0);
    }
}

TEST_CASE("JsonObjectText writes strings and doubles exactly as nlohmann dumps them") {
    const std::vector<double> values = {
        0.566288,   100.0,  0.0,          -0.0,
        1e-7,       1e21,   1.5e300,      0.1 + 0.2,
        123456.789, 5e-324, std::nan(""), std::numeric_limits<double>::infinity()};
    for (double v : values) {
        CAPTURE(v);
        otari::json expected = {{"k", v}};
        CHECK(otari::ledger::JsonObjectText().add("k", v).finish() ==
              expected.dump(-1, ' ', false, otari::json::error_handler_t::replace));
    }
    const std::string odd = std::string("q\"\\\n\x01 é \xff end");
    otari::json expected = {{odd, odd}};
    CHECK(otari::ledger::JsonObjectText().add(odd, odd).finish() ==
          expected.dump(-1, ' ', false, otari::json::error_handler_t::replace));
    // Plain names (copied as they are) and names that need escaping, side by side.
    otari::json members = otari::json::object();
    members["plain_name"] = 1;
    members["tab\there"] = "x";
    members["caf\u00e9"] = true;
    members["del\x7f"] = nullptr;
    members["quote\""] = "q";
    CHECK(otari::ledger::JsonObjectText()
              .add("plain_name", 1)
              .add("tab\there", "x")
              .add("caf\u00e9", true)
              .add_null("del\x7f")
              .add("quote\"", "q")
              .finish() == members.dump(-1, ' ', false, otari::json::error_handler_t::replace));
}
