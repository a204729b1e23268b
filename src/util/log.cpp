#include "util/log.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#include "util/json.hpp"
#include "util/utc_time.hpp"

namespace otari::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::info)};
std::atomic<bool> g_json{false};

const char* level_name(Level level) {
    switch (level) {
        case Level::error: return "error";
        case Level::warn: return "warn";
        case Level::info: return "info";
        case Level::debug: return "debug";
    }
    return "info";
}

std::string timestamp() { return util::format_rfc3339_ms(util::Clock::now()); }

}  // namespace

bool colour() {
    static const bool on = [] {
        const char* no_colour = std::getenv("NO_COLOR");
        if (no_colour && *no_colour) return false;
        const char* term = std::getenv("TERM");
        if (term && std::string_view(term) == "dumb") return false;
        return ::isatty(STDERR_FILENO) == 1;
    }();
    return on && !g_json;
}

std::string paint(std::string_view text, Paint paint) {
    if (!colour()) return std::string(text);
    const char* code = "";
    switch (paint) {
        case Paint::red: code = "\033[31m"; break;
        case Paint::yellow: code = "\033[33m"; break;
        case Paint::green: code = "\033[32m"; break;
        case Paint::dim: code = "\033[2m"; break;
    }
    return std::string(code) + std::string(text) + "\033[0m";
}

void set_level(Level level) { g_level = static_cast<int>(level); }
Level level() { return static_cast<Level>(g_level.load()); }
void set_json(bool on) { g_json = on; }
bool enabled(Level level) { return static_cast<int>(level) <= g_level.load(std::memory_order_relaxed); }

bool parse_level(std::string_view text, Level& out) {
    for (Level l : {Level::error, Level::warn, Level::info, Level::debug}) {
        if (text == level_name(l)) {
            out = l;
            return true;
        }
    }
    if (text == "warning") {
        out = Level::warn;
        return true;
    }
    return false;
}

std::string format(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    char small[512];
    va_list copy;
    va_copy(copy, args);
    int n = std::vsnprintf(small, sizeof small, fmt, copy);
    va_end(copy);
    std::string out;
    if (n < 0) {
        out = fmt;
    } else if (size_t(n) < sizeof small) {
        out.assign(small, size_t(n));
    } else {
        out.resize(size_t(n));
        std::vsnprintf(out.data(), out.size() + 1, fmt, args);
    }
    va_end(args);
    return out;
}

void write(Level level, std::string_view message) {
    std::string line;
    if (g_json) {
        json j = {{"ts", timestamp()}, {"level", level_name(level)}, {"msg", message}};
        line = dump_json(j);
    } else {
        std::string name = level_name(level);
        if (level == Level::error) name = paint(name, Paint::red);
        if (level == Level::warn) name = paint(name, Paint::yellow);
        line = paint(timestamp(), Paint::dim) + " " + name + ": ";
        line.append(message);
    }
    line.push_back('\n');
    // One write(2) per line: whole lines even with many threads, and nothing sits in a
    // stdio buffer when the output is a pipe or a file.
    size_t off = 0;
    while (off < line.size()) {
        ssize_t n = ::write(STDERR_FILENO, line.data() + off, line.size() - off);
        if (n <= 0) break;
        off += size_t(n);
    }
}

}  // namespace otari::log
