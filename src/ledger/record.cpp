#include "ledger/record.hpp"

#include <limits>

#include "ledger/json_text.hpp"
#include "ledger/money.hpp"
#include "util/json.hpp"

namespace otari::ledger {
namespace {

enum class Field {
    unknown,
    v,
    ts,
    request_id,
    key,
    user,
    endpoint,
    provider,
    model,
    model_sent,
    stream,
    status,
    http_status,
    input_tokens,
    output_tokens,
    cache_read_tokens,
    cache_write_tokens,
    cost_usd,
    latency_ms,
    ttft_ms,
    usage,
    client_disconnected,
    upstream_failed,
    error,
    platform_request_id,
};

Field field_of(std::string_view name) {
    struct Entry {
        std::string_view name;
        Field field;
    };
    static constexpr Entry k_fields[] = {
        {"ts", Field::ts},
        {"request_id", Field::request_id},
        {"key", Field::key},
        {"user", Field::user},
        {"endpoint", Field::endpoint},
        {"provider", Field::provider},
        {"model", Field::model},
        {"model_sent", Field::model_sent},
        {"stream", Field::stream},
        {"status", Field::status},
        {"http_status", Field::http_status},
        {"input_tokens", Field::input_tokens},
        {"output_tokens", Field::output_tokens},
        {"cache_read_tokens", Field::cache_read_tokens},
        {"cache_write_tokens", Field::cache_write_tokens},
        {"cost_usd", Field::cost_usd},
        {"latency_ms", Field::latency_ms},
        {"ttft_ms", Field::ttft_ms},
        {"usage", Field::usage},
        {"client_disconnected", Field::client_disconnected},
        {"upstream_failed", Field::upstream_failed},
        {"error", Field::error},
        {"platform_request_id", Field::platform_request_id},
        {"v", Field::v},
    };
    for (const auto& entry : k_fields) {
        if (entry.name == name) return entry.field;
    }
    return Field::unknown;
}

// SAX handler for one ledger line: fills a LedgerRecord straight from the token stream (no
// DOM), and keeps the text of cost_usd so the amount is exact.
class RecordSax {
  public:
    using string_t = json::string_t;
    using number_integer_t = json::number_integer_t;
    using number_unsigned_t = json::number_unsigned_t;
    using number_float_t = json::number_float_t;
    using binary_t = json::binary_t;

    explicit RecordSax(LedgerRecord& out) : m_out(out) {}

    bool null() {
        if (!at_value()) return true;
        switch (m_field) {
            case Field::cost_usd:
                m_out.cost_micro_usd.reset();
                break;
            case Field::ttft_ms:
                m_out.ttft_ms.reset();
                break;
            case Field::error:
                m_out.error.reset();
                break;
            case Field::platform_request_id:
                m_out.platform_request_id.reset();
                break;
            case Field::unknown:
                break;
            default:
                m_bad_type = true;
        }
        return true;
    }

    bool boolean(bool value) {
        if (!at_value()) return true;
        switch (m_field) {
            case Field::stream:
                m_out.stream = value;
                break;
            case Field::client_disconnected:
                m_out.client_disconnected = value;
                break;
            case Field::upstream_failed:
                m_out.upstream_failed = value;
                break;
            case Field::unknown:
                break;
            default:
                m_bad_type = true;
        }
        return true;
    }

    bool number_integer(number_integer_t value) { return integer(value); }

    bool number_unsigned(number_unsigned_t value) {
        if (value > uint64_t(std::numeric_limits<int64_t>::max())) {
            if (at_value() && m_field != Field::unknown) m_bad_type = true;
            return true;
        }
        return integer(int64_t(value));
    }

    bool number_float(number_float_t value, const string_t& text) {
        if (!at_value()) return true;
        if (m_field == Field::cost_usd) {
            auto micro = parse_usd_micro(text);
            if (!micro) micro = usd_micro_from_double(value);
            if (!micro) m_bad_type = true;
            m_out.cost_micro_usd = micro;
        } else if (m_field != Field::unknown) {
            m_bad_type = true;
        }
        return true;
    }

    bool string(string_t& value) {
        if (!at_value()) return true;
        // Strings are copied, not moved: both the lexer's buffer and the record's keep their
        // capacity from line to line, so a warm read allocates nothing per field.
        switch (m_field) {
            case Field::ts: {
                auto when = util::parse_rfc3339(value);
                if (!when) return m_bad_type = true;
                m_out.ts = *when;
                m_saw_ts = true;
                break;
            }
            case Field::request_id:
                m_out.request_id = value;
                break;
            case Field::key:
                m_out.key = value;
                break;
            case Field::user:
                m_out.user = value;
                break;
            case Field::endpoint:
                m_out.endpoint = value;
                break;
            case Field::provider:
                m_out.provider = value;
                break;
            case Field::model:
                m_out.model_requested = value;
                break;
            case Field::model_sent:
                m_out.model_sent = value;
                break;
            case Field::status:
                m_out.status = value == "ok" ? CallStatus::ok : CallStatus::error;
                break;
            case Field::usage:
                // Unknown sources (from a later writer) keep the record and its cost.
                m_out.usage_source = value == "upstream"    ? UsageSource::upstream
                                     : value == "estimated" ? UsageSource::estimated
                                                            : UsageSource::none;
                break;
            case Field::error:
                m_out.error = value;
                break;
            case Field::platform_request_id:
                m_out.platform_request_id = value;
                break;
            case Field::unknown:
                break;
            default:
                m_bad_type = true;
        }
        return true;
    }

    bool binary(binary_t&) { return true; }

    bool start_object(std::size_t) { return open(); }
    bool start_array(std::size_t) {
        if (m_depth == 0) m_not_object = true;
        return open();
    }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(string_t& name) {
        if (m_depth == 1) m_field = field_of(name);
        return true;
    }

    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
        m_syntax_error = true;
        return false;
    }

    LineKind verdict() const {
        if (m_syntax_error) return LineKind::malformed;
        if (m_not_object || !m_saw_v || m_out.v != k_ledger_version) return LineKind::foreign;
        if (m_bad_type || !m_saw_ts) return LineKind::malformed;
        return LineKind::record;
    }

  private:
    // True when the current token is the value of a top-level field.
    bool at_value() {
        if (m_depth == 0) {
            m_not_object = true;
            return false;
        }
        return m_depth == 1;
    }

    bool open() {
        if (m_depth == 1 && m_field != Field::unknown) m_bad_type = true;  // nested known field
        ++m_depth;
        return true;
    }

    bool close() {
        --m_depth;
        return true;
    }

    bool integer(int64_t value) {
        if (!at_value()) return true;
        switch (m_field) {
            case Field::v:
                m_saw_v = true;
                m_out.v = value > 1000 || value < -1000 ? -1 : int(value);
                break;
            case Field::http_status:
                if (value < 0 || value > 999) return m_bad_type = true;
                m_out.http_status = int(value);
                break;
            case Field::input_tokens:
                m_out.input_tokens = value;
                break;
            case Field::output_tokens:
                m_out.output_tokens = value;
                break;
            case Field::cache_read_tokens:
                m_out.cache_read_tokens = value;
                break;
            case Field::cache_write_tokens:
                m_out.cache_write_tokens = value;
                break;
            case Field::latency_ms:
                m_out.latency_ms = value;
                break;
            case Field::ttft_ms:
                m_out.ttft_ms = value;
                break;
            case Field::cost_usd:
                if (value > std::numeric_limits<int64_t>::max() / k_micro_per_usd ||
                    value < -std::numeric_limits<int64_t>::max() / k_micro_per_usd) {
                    return m_bad_type = true;
                }
                m_out.cost_micro_usd = value * k_micro_per_usd;
                break;
            case Field::unknown:
                break;
            default:
                m_bad_type = true;
        }
        return true;
    }

    LedgerRecord& m_out;
    int m_depth = 0;
    Field m_field = Field::unknown;
    bool m_saw_v = false;
    bool m_saw_ts = false;
    bool m_bad_type = false;
    bool m_not_object = false;
    bool m_syntax_error = false;
};

// `out = LedgerRecord{}` without freeing the strings: reading reuses one record per line.
void clear_keeping_capacity(LedgerRecord& out) {
    for (std::string* s : {&out.request_id, &out.key, &out.user, &out.endpoint, &out.provider,
                           &out.model_requested, &out.model_sent}) {
        s->clear();
    }
    LedgerRecord fresh;
    out.ts = fresh.ts;
    out.stream = fresh.stream;
    out.status = fresh.status;
    out.http_status = fresh.http_status;
    out.input_tokens = fresh.input_tokens;
    out.output_tokens = fresh.output_tokens;
    out.cache_read_tokens = fresh.cache_read_tokens;
    out.cache_write_tokens = fresh.cache_write_tokens;
    out.cost_micro_usd = fresh.cost_micro_usd;
    out.latency_ms = fresh.latency_ms;
    out.ttft_ms = fresh.ttft_ms;
    out.usage_source = fresh.usage_source;
    out.client_disconnected = fresh.client_disconnected;
    out.upstream_failed = fresh.upstream_failed;
    out.error.reset();
    out.platform_request_id.reset();
}

bool is_blank(std::string_view line) {
    for (char c : line) {
        if (c != ' ' && c != '\t' && c != '\r') return false;
    }
    return true;
}

}  // namespace

std::filesystem::path ledger_path(const std::filesystem::path& data_dir) {
    return data_dir / "ledger.jsonl";
}

std::string_view usage_source_name(UsageSource source) {
    switch (source) {
        case UsageSource::upstream:
            return "upstream";
        case UsageSource::estimated:
            return "estimated";
        case UsageSource::none:
            return "none";
    }
    return "none";
}

std::string to_json_line(const LedgerRecord& r) {
    JsonObjectText obj;
    obj.add("ts", util::format_rfc3339_ms(r.ts))
        .add("request_id", r.request_id)
        .add("key", r.key)
        .add("user", r.user)
        .add("endpoint", r.endpoint)
        .add("provider", r.provider)
        .add("model", r.model_requested)
        .add("model_sent", r.model_sent)
        .add("stream", r.stream)
        .add("status", r.status == CallStatus::ok ? "ok" : "error")
        .add("http_status", int64_t(r.http_status))
        .add("input_tokens", r.input_tokens)
        .add("output_tokens", r.output_tokens)
        .add("cache_read_tokens", r.cache_read_tokens)
        .add("cache_write_tokens", r.cache_write_tokens);
    if (r.cost_micro_usd) {
        obj.add_raw("cost_usd", format_usd_exact(*r.cost_micro_usd));
    } else {
        obj.add_null("cost_usd");
    }
    obj.add("latency_ms", r.latency_ms)
        .add("ttft_ms", r.ttft_ms)
        .add("usage", usage_source_name(r.usage_source))
        .add("client_disconnected", r.client_disconnected)
        .add("upstream_failed", r.upstream_failed)
        .add("error", r.error);
    if (r.platform_request_id) obj.add("platform_request_id", *r.platform_request_id);
    obj.add("v", int64_t(r.v));
    std::string line = obj.finish();
    line.push_back('\n');
    return line;
}

LineKind parse_ledger_line(std::string_view line, LedgerRecord& out) {
    if (is_blank(line)) return LineKind::blank;
    clear_keeping_capacity(out);
    out.v = 0;  // "v" is required: a line without one is foreign
    RecordSax sax(out);
    json::sax_parse(line.begin(), line.end(), &sax, nlohmann::detail::input_format_t::json, true);
    return sax.verdict();
}

}  // namespace otari::ledger
