#include "translate/tool_ids.hpp"

#include <algorithm>

#include "util/random.hpp"
#include "util/sha256.hpp"

namespace otari::translate {
namespace {

constexpr std::string_view kEscapePrefix = "otx_";
constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kHexUpper = "0123456789ABCDEF";

bool is_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// `length` base62 characters derived from SHA-256(data); length <= 32.
std::string hash_base62(std::string_view data, size_t length) {
    const std::string hex = util::sha256_hex(data);
    std::string out;
    out.reserve(length);
    for (size_t i = 0; i < length && 2 * i + 1 < hex.size(); ++i) {
        const int byte = hex_value(hex[2 * i]) * 16 + hex_value(hex[2 * i + 1]);
        out.push_back(kBase62[static_cast<size_t>(byte) % kBase62.size()]);
    }
    return out;
}

// Undo client_tool_id's escape; false when `id` is not a well-formed escaped id.
bool unescape_id(std::string_view id, std::string& out) {
    if (id.substr(0, kEscapePrefix.size()) != kEscapePrefix) return false;
    out.clear();
    out.reserve(id.size());
    for (size_t i = kEscapePrefix.size(); i < id.size(); ++i) {
        const char c = id[i];
        if (c != '_') {
            if (!is_alnum(static_cast<unsigned char>(c))) return false;
            out.push_back(c);
            continue;
        }
        if (i + 2 >= id.size()) return false;
        const int hi = hex_value(id[i + 1]);
        const int lo = hex_value(id[i + 2]);
        if (hi < 0 || lo < 0) return false;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return true;
}

bool is_mistral_id(std::string_view id) {
    if (id.size() != 9) return false;
    for (char c : id) {
        if (!is_alnum(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

// Cut `text` to at most `max_bytes` without splitting a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view text, size_t max_bytes) {
    if (text.size() <= max_bytes) return text;
    size_t end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return text.substr(0, end);
}

}  // namespace

bool is_valid_client_tool_id(std::string_view id) {
    if (id.empty()) return false;
    for (char c : id) {
        if (!is_alnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
    }
    return true;
}

std::string client_tool_id(std::string_view upstream_id) {
    if (upstream_id.empty()) return "toolu_" + util::random_id_base62(24);
    if (is_valid_client_tool_id(upstream_id) &&
        upstream_id.substr(0, kEscapePrefix.size()) != kEscapePrefix) {
        return std::string(upstream_id);
    }
    std::string out(kEscapePrefix);
    out.reserve(kEscapePrefix.size() + upstream_id.size() * 2);
    for (char c : upstream_id) {
        const auto byte = static_cast<unsigned char>(c);
        if (is_alnum(byte)) {
            out.push_back(c);
        } else {
            out.push_back('_');
            out.push_back(kHexUpper[byte >> 4]);
            out.push_back(kHexUpper[byte & 0x0F]);
        }
    }
    return out;
}

std::string upstream_tool_id(std::string_view client_id, const Profile& profile) {
    std::string id;
    if (!unescape_id(client_id, id)) id.assign(client_id);
    switch (profile.tool_id_codec) {
        case ToolIdCodec::mistral9:
            if (!is_mistral_id(id)) id = hash_base62(id, 9);
            break;
        case ToolIdCodec::preserve:
            if (profile.max_tool_id_length > 5 && id.size() > profile.max_tool_id_length) {
                const size_t hash_length = std::min<size_t>(profile.max_tool_id_length - 5, 32);
                id = "call_" + hash_base62(id, hash_length);
            }
            break;
    }
    return id;
}

std::string upstream_tool_name(std::string_view client_name, size_t max_length) {
    if (client_name.empty()) return "unnamed_tool";
    if (max_length < 16 || client_name.size() <= max_length) return std::string(client_name);
    std::string out(utf8_prefix(client_name, max_length - 9));
    out.push_back('_');
    out.append(util::sha256_hex(client_name).substr(0, 8));
    return out;
}

ToolNameMap::ToolNameMap(const json& anthropic_request, const Profile& profile) {
    auto add = [&](const json& name) {
        if (!name.is_string()) return;
        const auto& client = name.get_ref<const std::string&>();
        if (client.size() <= profile.max_tool_name_length) return;
        m_upstream_to_client.emplace(upstream_tool_name(client, profile.max_tool_name_length),
                                     client);
    };
    if (auto tools = anthropic_request.find("tools");
        tools != anthropic_request.end() && tools->is_array()) {
        for (const auto& tool : *tools) {
            if (tool.is_object() && tool.contains("name")) add(tool["name"]);
        }
    }
}

std::string ToolNameMap::to_client(std::string_view upstream_name) const {
    if (!m_upstream_to_client.empty()) {
        auto it = m_upstream_to_client.find(std::string(upstream_name));
        if (it != m_upstream_to_client.end()) return it->second;
    }
    return std::string(upstream_name);
}

}  // namespace otari::translate
