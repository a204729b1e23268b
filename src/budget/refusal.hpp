#pragma once
// The message a client gets when a budget refuses its call.
#include <cstdint>
#include <string>

#include "budget/limit.hpp"

namespace otari::budget {

enum class Dimension { cost, tokens, requests };
std::string_view dimension_name(Dimension dimension);

struct RefusalFacts {
    const BudgetLimit* limit;
    Dimension dimension;
    int64_t spent;     // settled in the current period
    int64_t reserved;  // held by calls in flight
    int64_t estimate;  // this call's estimate
    int64_t max;
    TimePoint now;
};

// "budget exceeded for key 'ci' (month): spent $4.98 of $5.00; resets 2027-01-01T00:00:00Z"
// (amounts as ledger::format_usd: never rounded),
// with ", $0.30 held by calls in flight" (when not zero) and ", this call needs up to $0.05"
// (when the budget is not used up without it) inserted before "; resets", tokens as "spent 9,500 of
// 10,000 tokens", requests as "made 100 of 100 requests", and "resets never" for a total budget.
std::string refusal_message(const RefusalFacts& facts);

}  // namespace otari::budget
