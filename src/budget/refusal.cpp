#include "budget/refusal.hpp"

#include "ledger/money.hpp"

namespace otari::budget {
namespace {

std::string amount(Dimension dimension, int64_t value) {
    switch (dimension) {
        case Dimension::cost:
            return ledger::format_usd(value);
        case Dimension::tokens:
            return ledger::format_thousands(value) + " tokens";
        case Dimension::requests:
            return ledger::format_thousands(value) + " requests";
    }
    return std::to_string(value);
}

}  // namespace

std::string_view dimension_name(Dimension dimension) {
    switch (dimension) {
        case Dimension::cost:
            return "cost";
        case Dimension::tokens:
            return "tokens";
        case Dimension::requests:
            return "requests";
    }
    return "cost";
}

std::string refusal_message(const RefusalFacts& f) {
    std::string msg = "budget exceeded for " + describe_scope(f.limit->scope) + " (" +
                      std::string(period_name(f.limit->period)) + "): ";
    if (f.dimension == Dimension::cost) {
        msg += "spent " + amount(f.dimension, f.spent) + " of " + amount(f.dimension, f.max);
    } else {
        // "spent 9,500 of 10,000 tokens", not "9,500 tokens of 10,000 tokens"
        std::string verb = f.dimension == Dimension::tokens ? "spent " : "made ";
        msg += verb + ledger::format_thousands(f.spent) + " of " + amount(f.dimension, f.max);
    }
    if (f.reserved != 0) msg += ", " + amount(f.dimension, f.reserved) + " held by calls in flight";
    // The estimate matters only when the budget is not used up already.
    if (f.estimate != 0 && f.spent + f.reserved < f.max && f.dimension != Dimension::requests) {
        msg += ", this call needs up to " + amount(f.dimension, f.estimate);
    }
    auto resets = next_period_start(f.limit->period, f.now);
    msg += "; resets " + (resets ? util::format_rfc3339_s(*resets) : std::string("never"));
    return msg;
}

}  // namespace otari::budget
