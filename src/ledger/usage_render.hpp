#pragma once
// A UsageReport as text: an aligned table for people, JSON and CSV for programs.
#include <string>

#include "ledger/usage_report.hpp"

namespace otari::ledger {

// Columns: the groups, REQUESTS, ERRORS, INPUT, OUTPUT, CACHE READ, CACHE WRITE, COST; numbers
// right-aligned with thousands separators, costs to the cent ("$1,234.57"), a TOTAL line
// last. A cost that includes unpriced requests is marked "*" and explained under the table.
std::string render_table(const UsageReport& report);

// {"since":..,"until":..,"group_by":[..],"rows":[{<group values>,"requests":..,"errors":..,
//  "input_tokens":..,"output_tokens":..,"cache_read_tokens":..,"cache_write_tokens":..,
//  "cost_usd":1.234567,"unpriced_requests":0}],"totals":{...}} and a newline. Costs exact.
std::string render_json(const UsageReport& report);

// RFC 4180: a header line, one line per row (the single total when not grouped); costs exact.
std::string render_csv(const UsageReport& report);

}  // namespace otari::ledger
