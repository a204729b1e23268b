#include "ledger/usage_render.hpp"

#include <algorithm>
#include <cctype>

#include "ledger/json_text.hpp"
#include "ledger/money.hpp"
#include "util/json.hpp"

namespace otari::ledger {
namespace {

const char* const k_metric_headings[] = {"REQUESTS",   "ERRORS",      "INPUT", "OUTPUT",
                                         "CACHE READ", "CACHE WRITE", "COST"};
const char* const k_metric_fields[] = {
    "requests",           "errors",   "input_tokens",     "output_tokens", "cache_read_tokens",
    "cache_write_tokens", "cost_usd", "unpriced_requests"};

std::vector<int64_t> counts(const UsageTotals& t) {
    return {t.requests,          t.errors, t.input_tokens, t.output_tokens, t.cache_read_tokens,
            t.cache_write_tokens};
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = char(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

// Cells of one table line: the group values (left-aligned), then the metrics.
std::vector<std::string> table_cells(std::vector<std::string> cells, const UsageTotals& t) {
    for (int64_t n : counts(t)) cells.push_back(format_thousands(n));
    cells.push_back(format_usd_cents(t.cost_micro_usd) + (t.unpriced > 0 ? "*" : ""));
    return cells;
}

std::string csv_field(const std::string& value) {
    if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
    std::string out = "\"";
    for (char c : value) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    return out + "\"";
}

std::string json_totals(const std::vector<GroupBy>& groups, const std::vector<std::string>& values,
                        const UsageTotals& t) {
    JsonObjectText obj;
    for (size_t i = 0; i < groups.size() && i < values.size(); ++i) {
        obj.add(group_by_name(groups[i]), values[i]);
    }
    auto numbers = counts(t);
    for (size_t i = 0; i < numbers.size(); ++i) obj.add(k_metric_fields[i], numbers[i]);
    obj.add_raw("cost_usd", format_usd_exact(t.cost_micro_usd));
    obj.add("unpriced_requests", t.unpriced);
    return obj.finish();
}

}  // namespace

std::string render_table(const UsageReport& report) {
    const auto& groups = report.query.group_by;
    std::vector<std::vector<std::string>> lines;
    std::vector<std::string> heading;
    for (GroupBy g : groups) heading.push_back(upper(group_by_name(g)));
    heading.insert(heading.end(), std::begin(k_metric_headings), std::end(k_metric_headings));
    lines.push_back(heading);
    for (const auto& row : report.rows) lines.push_back(table_cells(row.group, row.totals));
    std::vector<std::string> total_label(groups.size(), "");
    if (!total_label.empty()) total_label[0] = "TOTAL";
    lines.push_back(table_cells(total_label, report.totals));

    std::vector<size_t> width(heading.size(), 0);
    for (const auto& line : lines) {
        for (size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
    }
    std::string out;
    for (const auto& line : lines) {
        std::string text;
        for (size_t i = 0; i < line.size(); ++i) {
            if (i > 0) text += "  ";
            std::string pad(width[i] - line[i].size(), ' ');
            text += i < groups.size() ? line[i] + pad : pad + line[i];
        }
        while (!text.empty() && text.back() == ' ') text.pop_back();
        out += text + "\n";
    }
    if (report.totals.unpriced > 0) {
        out += "* includes " + format_thousands(report.totals.unpriced) +
               (report.totals.unpriced == 1 ? " request" : " requests") +
               " with no known price, counted as $0\n";
    }
    return out;
}

std::string render_json(const UsageReport& report) {
    const auto& groups = report.query.group_by;
    JsonObjectText obj;
    auto bound = [&](const char* name, const std::optional<util::TimePoint>& when) {
        if (when) {
            obj.add(name, util::format_rfc3339_ms(*when));
        } else {
            obj.add_null(name);
        }
    };
    bound("since", report.query.since);
    bound("until", report.query.until);
    std::string group_names = "[";
    for (size_t i = 0; i < groups.size(); ++i) {
        if (i > 0) group_names += ",";
        group_names += json_quote(group_by_name(groups[i]));
    }
    obj.add_raw("group_by", group_names + "]");
    std::string rows = "[";
    for (size_t i = 0; i < report.rows.size(); ++i) {
        if (i > 0) rows += ",";
        rows += json_totals(groups, report.rows[i].group, report.rows[i].totals);
    }
    obj.add_raw("rows", rows + "]");
    obj.add_raw("totals", json_totals({}, {}, report.totals));
    return obj.finish() + "\n";
}

std::string render_csv(const UsageReport& report) {
    const auto& groups = report.query.group_by;
    std::string out;
    std::vector<std::string> header;
    for (GroupBy g : groups) header.emplace_back(group_by_name(g));
    header.insert(header.end(), std::begin(k_metric_fields), std::end(k_metric_fields));
    auto write_line = [&](const std::vector<std::string>& cells) {
        for (size_t i = 0; i < cells.size(); ++i) {
            if (i > 0) out += ",";
            out += csv_field(cells[i]);
        }
        out += "\r\n";
    };
    auto data_cells = [](std::vector<std::string> cells, const UsageTotals& t) {
        for (int64_t n : counts(t)) cells.push_back(std::to_string(n));
        cells.push_back(format_usd_exact(t.cost_micro_usd));
        cells.push_back(std::to_string(t.unpriced));
        return cells;
    };
    write_line(header);
    if (groups.empty()) {
        write_line(data_cells({}, report.totals));
    } else {
        for (const auto& row : report.rows) write_line(data_cells(row.group, row.totals));
    }
    return out;
}

}  // namespace otari::ledger
