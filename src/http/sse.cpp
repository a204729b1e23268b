#include "http/sse.hpp"

namespace otari::http {

bool SseParser::feed(std::string_view bytes) {
    if (m_pos > 0 && m_pos >= m_buffer.size() / 2) {
        m_buffer.erase(0, m_pos);
        m_pos = 0;
    }
    m_buffer.append(bytes);
    // Complete events may exceed the cap in total (the caller drains them with next()); only
    // an unfinished event larger than the cap is fatal.
    if (m_buffer.size() - m_pos > m_max && m_buffer.find("\n\n", m_pos) == std::string::npos &&
        m_buffer.find("\r\n\r\n", m_pos) == std::string::npos) {
        m_overflow = true;
    }
    return !m_overflow;
}

bool SseParser::has_partial() const { return m_pos < m_buffer.size(); }

bool SseParser::next(SseEvent& out) {
    out.event.clear();
    out.data.clear();
    bool have_field = false;
    bool have_data = false;
    size_t pos = m_pos;
    while (pos < m_buffer.size()) {
        size_t eol = m_buffer.find('\n', pos);
        if (eol == std::string::npos) return false;  // incomplete line
        size_t line_end = eol;
        if (line_end > pos && m_buffer[line_end - 1] == '\r') --line_end;
        std::string_view line(m_buffer.data() + pos, line_end - pos);
        pos = eol + 1;
        if (line.empty()) {
            if (have_field) {
                m_pos = pos;
                return true;
            }
            m_pos = pos;  // stray blank line between events
            continue;
        }
        if (line[0] == ':') continue;  // comment
        size_t colon = line.find(':');
        std::string_view field = line.substr(0, colon);
        std::string_view value;
        if (colon != std::string_view::npos) {
            value = line.substr(colon + 1);
            if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
        }
        if (field == "event") {
            out.event.assign(value);
            have_field = true;
        } else if (field == "data") {
            if (have_data) out.data.push_back('\n');
            out.data.append(value);
            have_data = true;
            have_field = true;
        } else {
            have_field = true;  // id:, retry: and unknown fields still delimit an event
        }
    }
    return false;
}

void append_sse(std::string& out, std::string_view event, std::string_view data) {
    out.append("event: ");
    out.append(event);
    out.append("\ndata: ");
    out.append(data);
    out.append("\n\n");
}

}  // namespace otari::http
