#include "budget/book.hpp"

#include <limits>

#include "budget/refusal.hpp"

namespace otari::budget {
namespace {

int64_t saturating_add(int64_t a, int64_t b) {
    int64_t sum;
    if (__builtin_add_overflow(a, b, &sum)) {
        return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
    }
    return sum;
}

Amount add(const Amount& a, const Amount& b) {
    return {saturating_add(a.cost_micro_usd, b.cost_micro_usd), saturating_add(a.tokens, b.tokens),
            saturating_add(a.requests, b.requests)};
}

Amount subtract(const Amount& a, const Amount& b) {
    return {a.cost_micro_usd - b.cost_micro_usd, a.tokens - b.tokens, a.requests - b.requests};
}

// True when a call estimated at `estimate` fits under `max` with `committed` already used.
bool fits(std::optional<int64_t> max, int64_t committed, int64_t estimate) {
    return !max || (committed < *max && saturating_add(committed, estimate) <= *max);
}

std::vector<std::string> scopes_to_charge(const Charge& to,
                                          const std::vector<const BudgetLimit*>& limits) {
    std::vector<std::string> scopes;
    auto add_scope = [&](std::string scope) {
        for (const auto& s : scopes) {
            if (s == scope) return;
        }
        scopes.push_back(std::move(scope));
    };
    for (const auto* limit : limits) add_scope(limit->scope);
    if (!to.key.empty()) add_scope(key_scope(to.key));
    if (!to.user.empty()) add_scope(user_scope(to.user));
    return scopes;
}

}  // namespace

Actual actual_from_record(const ledger::LedgerRecord& r) {
    Actual actual;
    actual.cost_micro_usd = r.cost_micro_usd.value_or(0);
    actual.tokens = r.input_tokens + r.output_tokens;
    bool reached_provider = r.status == ledger::CallStatus::ok || r.upstream_failed ||
                            actual.tokens > 0 || actual.cost_micro_usd > 0;
    actual.requests = reached_provider ? 1 : 0;
    return actual;
}

// --- Reservation ---

Reservation::Reservation(Reservation&& other) noexcept
    : m_book(other.m_book), m_holds(std::move(other.m_holds)), m_estimate(other.m_estimate) {
    other.m_book = nullptr;
}

Reservation& Reservation::operator=(Reservation&& other) noexcept {
    if (this != &other) {
        if (m_book) m_book->release(*this);
        m_book = other.m_book;
        m_holds = std::move(other.m_holds);
        m_estimate = other.m_estimate;
        other.m_book = nullptr;
    }
    return *this;
}

Reservation::~Reservation() {
    if (m_book) m_book->release(*this);
}

// --- BudgetBook ---

BudgetBook::ScopeBuckets& BudgetBook::scope_locked(const std::string& scope) {
    return m_scopes[scope];
}

BudgetBook::Bucket& BudgetBook::current_locked(ScopeBuckets& scope, Period period, TimePoint now) {
    Bucket& bucket = scope.by_period[static_cast<int>(period)];
    TimePoint start = period_start(period, now);
    if (start > bucket.start) bucket = Bucket{start, {}, {}};  // a new period: start afresh
    return bucket;
}

Reservation BudgetBook::reserve(const std::vector<const BudgetLimit*>& limits,
                                const Estimate& estimate, TimePoint now) {
    return reserve(Charge{}, limits, estimate, now);
}

Reservation BudgetBook::reserve(const Charge& to, const std::vector<const BudgetLimit*>& limits,
                                const Estimate& estimate, TimePoint now) {
    std::vector<std::string> scopes = scopes_to_charge(to, limits);
    Reservation reservation;
    reservation.m_estimate = estimate;
    reservation.m_holds.reserve(scopes.size() * 4);

    std::lock_guard lock(m_mutex);
    for (const auto* limit : limits) {
        const Bucket& b = current_locked(scope_locked(limit->scope), limit->period, now);
        struct Check {
            Dimension dimension;
            std::optional<int64_t> max;
            int64_t spent, reserved, estimate;
        };
        const Check checks[] = {
            {Dimension::cost, limit->max_cost_micro_usd, b.spent.cost_micro_usd,
             b.reserved.cost_micro_usd, estimate.cost_micro_usd},
            {Dimension::tokens, limit->max_tokens, b.spent.tokens, b.reserved.tokens,
             estimate.tokens},
            {Dimension::requests, limit->max_requests, b.spent.requests, b.reserved.requests,
             estimate.requests},
        };
        for (const auto& c : checks) {
            if (fits(c.max, saturating_add(c.spent, c.reserved), c.estimate)) continue;
            std::string message =
                refusal_message({limit, c.dimension, c.spent, c.reserved, c.estimate, *c.max, now});
            throw BudgetExceeded(message, limit->scope, limit->period,
                                 std::string(dimension_name(c.dimension)),
                                 next_period_start(limit->period, now));
        }
    }
    for (const auto& scope : scopes) {
        ScopeBuckets& buckets = scope_locked(scope);
        for (Period period : k_all_periods) {
            Bucket& b = current_locked(buckets, period, now);
            b.reserved = add(b.reserved, estimate);
            reservation.m_holds.push_back({&buckets, period, b.start});
        }
    }
    reservation.m_book = this;
    return reservation;
}

void BudgetBook::finish_locked(Reservation& reservation, const Amount& actual) {
    for (const auto& hold : reservation.m_holds) {
        Bucket& b = hold.scope->by_period[static_cast<int>(hold.period)];
        if (b.start != hold.start) continue;  // reserved in a period that is over
        b.reserved = subtract(b.reserved, reservation.m_estimate);
        b.spent = add(b.spent, actual);
    }
    reservation.m_holds.clear();
    reservation.m_book = nullptr;
}

void BudgetBook::settle(Reservation& reservation, const Actual& actual) {
    if (reservation.m_book != this) return;
    std::lock_guard lock(m_mutex);
    finish_locked(reservation, actual);
}

void BudgetBook::release(Reservation& reservation) {
    if (reservation.m_book != this) return;
    std::lock_guard lock(m_mutex);
    finish_locked(reservation, Amount{});
}

void BudgetBook::record(const Charge& to, const Actual& actual, TimePoint when) {
    std::vector<std::string> scopes = scopes_to_charge(to, {});
    std::lock_guard lock(m_mutex);
    for (const auto& scope : scopes) {
        ScopeBuckets& buckets = scope_locked(scope);
        for (Period period : k_all_periods) {
            Bucket& b = buckets.by_period[static_cast<int>(period)];
            TimePoint start = period_start(period, when);
            if (start < b.start) continue;  // that period is over
            if (start > b.start) b = Bucket{start, {}, {}};
            b.spent = add(b.spent, actual);
        }
    }
}

ledger::ReadStats BudgetBook::load_from_ledger(const std::filesystem::path& path, TimePoint now) {
    TimePoint current[4];
    for (Period period : k_all_periods)
        current[static_cast<int>(period)] = period_start(period, now);
    std::string scope;
    return ledger::for_each_record(path, [&](const ledger::LedgerRecord& r) {
        Actual actual = actual_from_record(r);
        if (actual == Actual{}) return;
        // Only the current periods: a record stamped after `now` (clock skew) must not move
        // the buckets into a future period.
        bool in_current[4];
        for (Period period : k_all_periods) {
            int i = static_cast<int>(period);
            in_current[i] = period_start(period, r.ts) == current[i];
        }
        std::lock_guard lock(m_mutex);
        for (int who = 0; who < 2; ++who) {
            const std::string& name = who == 0 ? r.key : r.user;
            if (name.empty()) continue;
            scope.assign(who == 0 ? "key:" : "user:").append(name);
            ScopeBuckets& buckets = scope_locked(scope);
            for (Period period : k_all_periods) {
                if (!in_current[static_cast<int>(period)]) continue;
                Bucket& b = current_locked(buckets, period, now);
                b.spent = add(b.spent, actual);
            }
        }
    });
}

BudgetBook::Usage BudgetBook::usage(const std::string& scope, Period period, TimePoint now) const {
    TimePoint start = period_start(period, now);
    std::lock_guard lock(m_mutex);
    auto it = m_scopes.find(scope);
    if (it == m_scopes.end()) return {start, {}, {}};
    const Bucket& b = it->second.by_period[static_cast<int>(period)];
    if (b.start != start) return {start, {}, {}};
    return {start, b.spent, b.reserved};
}

}  // namespace otari::budget
