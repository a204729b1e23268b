#pragma once
// Tool-call ids and tool names that one side would reject, mapped both ways without state.
//
// Ids. Anthropic requires tool_use ids matching ^[a-zA-Z0-9_-]+$; upstreams have their own
// rules (Mistral: exactly 9 of [A-Za-z0-9]; OpenAI: at most 40 characters; Kimi: its own
// `functions.Name:3` ids must come back unchanged). The contract:
//   * client_tool_id(upstream_id) is what the client sees. A valid id that does not start with
//     the escape prefix "otx_" is kept as is; any other id becomes "otx_" + an escaped form
//     (every byte outside [A-Za-z0-9] as "_" + two uppercase hex digits), which is reversible.
//     An empty id becomes a fresh "toolu_" + 24 base62 id (the only non-deterministic case;
//     the client echoes it, and upstreams accept any id on replay).
//   * upstream_tool_id(client_id, profile) is what the upstream sees for an id of the
//     client's history (tool_use.id and tool_result.tool_use_id go through the same function,
//     so both halves of a pair always agree). It first undoes the "otx_" escape, so an id the
//     upstream issued goes back byte for byte. Then the profile's codec applies: mistral9 keeps
//     an id that already is 9 alphanumerics (ids Mistral issued) and hashes any other to 9
//     base62 characters (SHA-256, deterministic); a max_tool_id_length replaces a longer id by
//     "call_" + a hash of it.
//   Result: in a multi-turn conversation every turn maps the same client id to the same
//   upstream id, with no server-side table.
//
// Names. Upstreams limit names to max_tool_name_length (OpenAI: 64); Anthropic allows more.
// upstream_tool_name() keeps short names and shortens a long one to its first
// (limit - 9) bytes + "_" + 8 hex digits of SHA-256(name). The reverse needs the request's
// tool list, which the client re-sends on every turn: ToolNameMap is built from it.
#include <string>
#include <string_view>
#include <unordered_map>

#include "translate/profile.hpp"
#include "util/json.hpp"

namespace otari::translate {

// True when `id` matches Anthropic's ^[a-zA-Z0-9_-]+$.
bool is_valid_client_tool_id(std::string_view id);

std::string client_tool_id(std::string_view upstream_id);
std::string upstream_tool_id(std::string_view client_id, const Profile& profile);

// The name sent upstream for a client tool name; empty names become "unnamed_tool".
std::string upstream_tool_name(std::string_view client_name, size_t max_length);

// Upstream name -> client name, for every tool of one request whose name was shortened.
class ToolNameMap {
  public:
    ToolNameMap() = default;
    // Built from the Anthropic request's `tools`.
    ToolNameMap(const json& anthropic_request, const Profile& profile);

    // The client's name for a name the upstream used; unknown names are returned unchanged.
    std::string to_client(std::string_view upstream_name) const;
    bool empty() const { return m_upstream_to_client.empty(); }

  private:
    std::unordered_map<std::string, std::string> m_upstream_to_client;
};

}  // namespace otari::translate
