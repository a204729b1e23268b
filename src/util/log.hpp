#pragma once
#include <string>
#include <string_view>

namespace otari::log {

enum class Level { error = 0, warn = 1, info = 2, debug = 3 };

// Process-wide settings; call before threads start.
void set_level(Level level);
Level level();
// Machine-readable lines ({"ts","level","msg"}) instead of text.
void set_json(bool on);
// Parse "error", "warn", "info", "debug"; false when unknown.
bool parse_level(std::string_view text, Level& out);

// Write one line to stderr, flushed, whole (concurrent lines never interleave).
void write(Level level, std::string_view message);

bool enabled(Level level);

// Whether text lines are coloured: only when stderr is a terminal, NO_COLOR is unset and TERM
// is not "dumb"; never for --json-logs.
bool colour();
enum class Paint { red, yellow, green, dim };
// `text` wrapped in the colour's escape codes when colour() is on, else unchanged.
std::string paint(std::string_view text, Paint paint);

}  // namespace otari::log

// printf-style, format-checked by the compiler; costs one branch when the level is off.
#define OTARI_LOG(level_, ...)                                                   \
    do {                                                                         \
        if (::otari::log::enabled(level_))                                       \
            ::otari::log::write(level_, ::otari::log::format(__VA_ARGS__));      \
    } while (0)
#define LOG_ERROR(...) OTARI_LOG(::otari::log::Level::error, __VA_ARGS__)
#define LOG_WARN(...) OTARI_LOG(::otari::log::Level::warn, __VA_ARGS__)
#define LOG_INFO(...) OTARI_LOG(::otari::log::Level::info, __VA_ARGS__)
#define LOG_DEBUG(...) OTARI_LOG(::otari::log::Level::debug, __VA_ARGS__)

namespace otari::log {
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
}
