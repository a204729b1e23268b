#pragma once
// Transport-neutral request and response types. Handlers see these, never the HTTP library:
// the server layer (src/server/) converts from and to cpp-httplib.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace otari::http {

// Header names compare case-insensitively; order is kept.
class Headers {
public:
    void add(std::string name, std::string value) { m_items.emplace_back(std::move(name), std::move(value)); }
    void set(std::string name, std::string value);
    // First value of `name`, or nullopt.
    std::optional<std::string_view> get(std::string_view name) const;
    // Every value of `name` in order.
    std::vector<std::string_view> get_all(std::string_view name) const;
    bool has(std::string_view name) const { return get(name).has_value(); }
    void remove(std::string_view name);
    const std::vector<std::pair<std::string, std::string>>& items() const { return m_items; }

private:
    std::vector<std::pair<std::string, std::string>> m_items;
};

bool iequals(std::string_view a, std::string_view b);

struct Request {
    std::string method;
    std::string path;   // without the query
    std::string query;  // raw, without '?'
    Headers headers;
    std::string body;
    std::string remote_addr;
    std::string request_id;  // ours, also sent back as the `request-id` header
};

// Whether the client is still connected. Cheap enough to call between waits.
using ClientProbe = std::function<bool()>;

// A response body produced piece by piece (SSE). The server calls next() until it returns
// false, writing each non-empty `out` to the client as soon as it returns; then close()
// exactly once, also when the client went away or the server stops.
class BodyStream {
public:
    virtual ~BodyStream() = default;
    // Append the next bytes to `out` (may block until they exist). Return false when the body
    // is complete (anything left in `out` is still written).
    virtual bool next(std::string& out, const ClientProbe& client_alive) = 0;
    // `client_gone`: the client disconnected or a write failed before the body ended.
    virtual void close(bool client_gone) = 0;
    // next() would return without waiting (its bytes are buffered, or the body has ended).
    virtual bool ready() const { return false; }
};

struct Response {
    int status = 200;
    Headers headers;
    std::string content_type = "application/json";
    std::string body;
    std::unique_ptr<BodyStream> stream;  // when set, `body` is ignored and the body is chunked
};

}  // namespace otari::http
