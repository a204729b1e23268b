#pragma once
// Running spend per (scope, period) with reservations for calls in flight, so concurrent
// calls cannot together overspend what each one alone would fit in.
//
// Admission rule. For every limit passed to reserve() and each capped dimension (cost,
// tokens, requests), let C = spent + reserved in that scope's current period and e = the
// call's estimate. The call is admitted only if C < max and C + e <= max for all of them; the
// check and the hold happen under one lock, so they are atomic with respect to other calls.
//
// Guarantee (per scope, period and dimension), given that admission rule:
//  1. If every settled actual is <= its estimate, spent never exceeds max, under any
//     interleaving of reserve/settle/release.
//  2. In general, at the end of a period (nothing in flight),
//        spent <= max + sum over the calls in flight at the last admission of max(0, actual - e)
//     because C <= max right after that admission and afterwards C changes only by settles
//     (+ actual - e) and releases (- e) of those calls. So with at most N calls in flight,
//     each exceeding its estimate by at most X, spent <= max + N * X.
//     The requests dimension (estimate 1, actual 0 or 1) is therefore never exceeded.
//  Spend added with record() (no reservation) is on top of this.
//
// Periods: spend is attributed to the period current when the call was reserved. When a
// period ends, its spend and holds stop counting; settling a call reserved in an earlier
// period changes nothing in the current one.
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "budget/limit.hpp"
#include "ledger/reader.hpp"
#include "ledger/record.hpp"

namespace otari::budget {

struct Amount {
    int64_t cost_micro_usd = 0;
    int64_t tokens = 0;  // input + output
    int64_t requests = 0;
    bool operator==(const Amount&) const = default;
};
// What a call may cost and what it did cost.
using Estimate = Amount;
using Actual = Amount;
// One call of `cost_micro_usd` and `tokens` (requests = 1): the usual estimate.
inline Amount one_call(int64_t cost_micro_usd, int64_t tokens) {
    return {cost_micro_usd, tokens, 1};
}

// What a finished call charges, derived from its ledger record, so that the live path and
// the rebuild from the ledger agree: cost_usd (0 when unpriced), input + output tokens, and
// one request when the call reached the provider (status ok, upstream failed, or any tokens
// or cost), none when the gateway refused it before dispatch.
Actual actual_from_record(const ledger::LedgerRecord& record);

// Who a call's spend is charged to: "key:KEY" and "user:USER" (an empty name is skipped).
struct Charge {
    std::string key;
    std::string user;
};

// reserve() refused the call. what() is the message for the client, e.g.
// "budget exceeded for key 'ci' (month): spent $4.98 of $5.00; resets 2027-01-01T00:00:00Z".
struct BudgetExceeded : std::runtime_error {
    BudgetExceeded(const std::string& message, std::string scope, Period period,
                   std::string dimension, std::optional<TimePoint> resets_at)
        : std::runtime_error(message),
          scope(std::move(scope)),
          period(period),
          dimension(std::move(dimension)),
          resets_at(resets_at) {}
    std::string scope;
    Period period;
    std::string dimension;               // "cost", "tokens" or "requests"
    std::optional<TimePoint> resets_at;  // nullopt: a total budget, never resets
};

class BudgetBook;

// A hold on budget for one call in flight. Movable, not copyable. Released on destruction
// unless settled; the BudgetBook must outlive it.
class Reservation {
  public:
    Reservation() = default;
    Reservation(Reservation&& other) noexcept;
    Reservation& operator=(Reservation&& other) noexcept;
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    ~Reservation();

    bool active() const { return m_book != nullptr; }
    const Amount& estimate() const { return m_estimate; }

  private:
    friend class BudgetBook;
    struct Hold;
    BudgetBook* m_book = nullptr;
    std::vector<Hold> m_holds;
    Amount m_estimate;
};

class BudgetBook {
  public:
    BudgetBook() = default;
    BudgetBook(const BudgetBook&) = delete;
    BudgetBook& operator=(const BudgetBook&) = delete;

    // Admit a call or throw BudgetExceeded naming the first limit (in `limits` order) it would
    // exceed. The hold is charged to every limit's scope, in all periods.
    Reservation reserve(const std::vector<const BudgetLimit*>& limits, const Estimate& estimate,
                        TimePoint now);
    // Same, and the spend is also tracked for `to` (pass the call's key and user always, so a
    // budget added later, or `otari usage`-style queries, see spend made while uncapped).
    Reservation reserve(const Charge& to, const std::vector<const BudgetLimit*>& limits,
                        const Estimate& estimate, TimePoint now);

    // Replace the reservation's estimate by `actual` in the periods it was reserved in.
    // No-op on an inactive (settled, released or moved-from) reservation.
    void settle(Reservation& reservation, const Actual& actual);
    // Drop the hold without spending (the call never reached the provider).
    void release(Reservation& reservation);

    // Add spend without a reservation, in the periods that contain `when` (ignored for
    // periods already over).
    void record(const Charge& to, const Actual& actual, TimePoint when);

    // Add the records of the ledger at `path` that fall in the periods current at `now`
    // (charged to each record's key and user, as actual_from_record says). Call once, on a
    // fresh book, before serving. Throws as ledger::LedgerReader.
    ledger::ReadStats load_from_ledger(const std::filesystem::path& path, TimePoint now);

    struct Usage {
        TimePoint period_start;
        Amount spent;
        Amount reserved;
    };
    // Spend and holds of `scope` in the period of `period` that contains `now`.
    Usage usage(const std::string& scope, Period period, TimePoint now) const;

  private:
    struct Bucket {
        TimePoint start = TimePoint::min();
        Amount spent;
        Amount reserved;
    };
    struct ScopeBuckets {
        Bucket by_period[4];
    };
    friend class Reservation;

    ScopeBuckets& scope_locked(const std::string& scope);
    Bucket& current_locked(ScopeBuckets& scope, Period period, TimePoint now);
    void finish_locked(Reservation& reservation, const Amount& actual);

    mutable std::mutex m_mutex;
    // Node-based: references to the values stay valid as scopes are added.
    std::unordered_map<std::string, ScopeBuckets> m_scopes;
};

struct Reservation::Hold {
    BudgetBook::ScopeBuckets* scope;
    Period period;
    TimePoint start;  // the period the hold was taken in
};

}  // namespace otari::budget
