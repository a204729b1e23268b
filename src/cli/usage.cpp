// otari usage                              totals for everything in the ledger
// otari usage --by day --since 7d          one line per day of the last week
// otari usage --by model,key --since 2026-11-01 --until 2026-11-30 --csv
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "config/config.hpp"
#include "ledger/reader.hpp"
#include "ledger/usage_render.hpp"
#include "ledger/usage_report.hpp"

namespace otari::cli {
namespace {

struct UsageOptions {
    std::string by;
    std::string since;
    std::string until;
    bool json = false;
    bool csv = false;
};

std::string describe_range(const ledger::UsageQuery& query) {
    if (!query.since && !query.until) return "";
    std::string text = " between ";
    text += query.since ? util::format_rfc3339_s(*query.since) : "the start";
    text += " and ";
    text += query.until ? util::format_rfc3339_s(*query.until) : "now";
    return text;
}

// Reading a ledger this large takes long enough to show progress (on a terminal only).
constexpr uint64_t k_progress_from_bytes = 64ull << 20;

// Aggregate every record, showing "reading ...: N MB of M MB (P%)" on stderr while it runs
// when stderr is a terminal and the file is large.
ledger::ReadStats read_with_progress(const std::filesystem::path& path, ledger::UsageAggregator& aggregator) {
    std::error_code ec;
    uint64_t size = std::filesystem::file_size(path, ec);
    bool show = !ec && size >= k_progress_from_bytes && ::isatty(STDERR_FILENO) == 1;
    ledger::LedgerReader reader(path);
    ledger::LedgerRecord record;
    auto next_update = std::chrono::steady_clock::now();
    size_t n = 0;
    while (reader.next(record)) {
        aggregator.add(record);
        if (show && ++n % 4096 == 0 && std::chrono::steady_clock::now() >= next_update) {
            uint64_t done = reader.stats().bytes;
            std::fprintf(stderr, "\rreading %s: %llu MB of %llu MB (%d%%)", path.filename().c_str(),
                         (unsigned long long)(done >> 20), (unsigned long long)(size >> 20),
                         int(done * 100 / std::max<uint64_t>(size, 1)));
            next_update = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
        }
    }
    if (show) std::fprintf(stderr, "\r\033[K");
    return reader.stats();
}

int run_usage(const GlobalOptions& global, const UsageOptions& opts) {
    ledger::UsageQuery query;
    try {
        query.group_by = ledger::parse_group_by(opts.by);
        auto now = util::Clock::now();
        if (!opts.since.empty()) {
            query.since = ledger::parse_time_bound(opts.since, now, ledger::Bound::since);
        }
        if (!opts.until.empty()) {
            query.until = ledger::parse_time_bound(opts.until, now, ledger::Bound::until);
        }
    } catch (const std::invalid_argument& e) {
        print_error(e.what());
        return k_exit_usage;
    }

    auto loaded = load_config(global);
    if (!loaded) return k_exit_config;
    config::Config config = std::move(*loaded);
    auto path = ledger::ledger_path(config.data_dir);

    ledger::UsageAggregator aggregator(query);
    ledger::ReadStats stats;
    try {
        stats = read_with_progress(path, aggregator);
    } catch (const std::exception& e) {
        print_error(e.what());
        return k_exit_failure;
    }
    if (stats.skipped() > 0) {
        std::cerr << "otari: warning: skipped " << stats.skipped() << " unreadable line(s) in "
                  << path.string() << (stats.torn_tail ? " (including a torn last line)" : "")
                  << "\n";
    }
    ledger::UsageReport report = std::move(aggregator).finish();

    if (opts.json) {
        std::cout << ledger::render_json(report);
    } else if (opts.csv) {
        std::cout << ledger::render_csv(report);
    } else if (!stats.file_found || stats.records == 0) {
        std::cout << "No usage recorded yet: " << path.string()
                  << (stats.file_found ? " has no records" : " does not exist")
                  << ". Calls through `otari up` are recorded there.\n";
    } else if (report.totals.requests == 0) {
        std::cout << "No calls" << describe_range(report.query) << " (the ledger has "
                  << stats.records << " record(s) in all).\n";
    } else {
        std::cout << ledger::render_table(report);
    }
    std::cout.flush();
    return k_exit_ok;
}

}  // namespace

Runner add_usage(CLI::App& app, GlobalOptions& global) {
    auto* cmd = app.add_subcommand("usage", "Show requests, tokens and cost from the usage ledger");
    auto opts = std::make_shared<UsageOptions>();
    cmd->add_option("--by", opts->by,
                    "Group by any of day,model,key,user,provider (comma-separated)")
        ->type_name("GROUPS");
    cmd->add_option("--since", opts->since,
                    "From this time: 2026-11-01, an RFC 3339 time, or 7d/24h/90m ago")
        ->type_name("WHEN");
    cmd->add_option("--until", opts->until, "Up to this time (a date includes that whole day)")
        ->type_name("WHEN");
    auto* json_flag = cmd->add_flag("--json", opts->json, "Print JSON (exact costs)");
    cmd->add_flag("--csv", opts->csv, "Print CSV (exact costs)")->excludes(json_flag);
    return [&global, opts]() { return run_usage(global, *opts); };
}

}  // namespace otari::cli
