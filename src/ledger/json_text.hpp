#pragma once
// Build the text of one JSON object field by field (nested objects via add_raw). It exists for
// what nlohmann::json cannot do: write a number whose exact decimal text we choose (cost_usd with
// six decimals), and for per-call lines, which it writes without building a tree.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace otari::ledger {

class JsonObjectText {
  public:
    JsonObjectText();

    JsonObjectText& add(std::string_view name, std::string_view value);  // JSON string, escaped
    JsonObjectText& add(std::string_view name, const char* value) {
        return add(name, std::string_view(value));
    }
    JsonObjectText& add(std::string_view name, const std::string& value) {
        return add(name, std::string_view(value));
    }
    JsonObjectText& add(std::string_view name, int64_t value);
    JsonObjectText& add(std::string_view name, int value) { return add(name, int64_t(value)); }
    // Shortest round-trip decimal, as nlohmann writes a double (null when not finite).
    JsonObjectText& add(std::string_view name, double value);
    JsonObjectText& add(std::string_view name, bool value);
    JsonObjectText& add(std::string_view name, const std::optional<std::string>& value);
    JsonObjectText& add(std::string_view name, const std::optional<int64_t>& value);
    JsonObjectText& add_null(std::string_view name);
    // `json_text` must already be valid JSON (a number, an object...); it is copied verbatim.
    JsonObjectText& add_raw(std::string_view name, std::string_view json_text);

    // The object text, "{...}"; the builder is spent afterwards.
    std::string finish();

  private:
    void key(std::string_view name);
    std::string m_text;
    bool m_first = true;
};

}  // namespace otari::ledger
