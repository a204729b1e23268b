#include "tokenize/o200k_ascii_scanner.hpp"

#include <array>
#include <cstdint>

namespace otari::tokenize {
namespace {

// Unicode classes of the ASCII characters as o200k's pattern sees them. Space is White_Space
// other than CR and LF (tab, VT, FF, space); Other is everything else (punctuation, symbols,
// control characters including 0x1C-0x1F, which are not White_Space).
enum class Class : uint8_t { Upper, Lower, Digit, Space, CrLf, Other, NonAscii, End };

constexpr std::array<Class, 128> k_ascii_classes = [] {
    std::array<Class, 128> classes{};
    for (int c = 0; c < 128; ++c) {
        Class value = Class::Other;
        if (c >= 'A' && c <= 'Z') value = Class::Upper;
        if (c >= 'a' && c <= 'z') value = Class::Lower;
        if (c >= '0' && c <= '9') value = Class::Digit;
        if (c == '\t' || c == '\v' || c == '\f' || c == ' ') value = Class::Space;
        if (c == '\r' || c == '\n') value = Class::CrLf;
        classes[static_cast<std::size_t>(c)] = value;
    }
    return classes;
}();

class Scanner {
  public:
    explicit Scanner(std::string_view text) : text_(text) {}

    Class at(std::size_t i) const {
        if (i >= text_.size()) return Class::End;
        auto byte = static_cast<uint8_t>(text_[i]);
        return byte < 0x80 ? k_ascii_classes[byte] : Class::NonAscii;
    }
    char byte(std::size_t i) const { return i < text_.size() ? text_[i] : '\0'; }

    // Position after the run of `cls` starting at i.
    std::size_t skip(std::size_t i, Class cls) const {
        while (at(i) == cls) ++i;
        return i;
    }

    // (?i:'s|'t|'re|'ve|'m|'ll|'d)? at i: the position after it, or 0 when a non-ASCII byte
    // decides (U+017F folds to 's').
    std::size_t contraction(std::size_t i) const {
        if (byte(i) != '\'') return i;
        if (at(i + 1) == Class::NonAscii) return 0;
        auto lower = [&](std::size_t j) { return static_cast<char>(byte(j) | 0x20); };
        switch (lower(i + 1)) {
            case 's':
            case 't':
            case 'm':
            case 'd':
                return i + 2;
            case 'r':
            case 'v':
                return lower(i + 2) == 'e' ? i + 3 : i;
            case 'l':
                return lower(i + 2) == 'l' ? i + 3 : i;
            default:
                return i;
        }
    }

  private:
    std::string_view text_;
};

}  // namespace

std::size_t scan_ascii_o200k_piece(std::string_view text, std::size_t start) {
    const Scanner s(text);
    const Class first = s.at(start);
    if (first == Class::NonAscii) return 0;

    // Alternatives 1 and 2: [^\r\n\p{L}\p{N}]? then uppercase* lowercase+, or uppercase+
    // lowercase*, then an optional contraction.
    const bool prefixed = first == Class::Space || first == Class::Other;
    if (prefixed || first == Class::Upper || first == Class::Lower) {
        std::size_t letters = prefixed ? start + 1 : start;
        std::size_t upper_end = s.skip(letters, Class::Upper);
        Class next = s.at(upper_end);
        if (next == Class::NonAscii) return 0;
        std::size_t end = 0;
        if (next == Class::Lower) {
            end = s.skip(upper_end, Class::Lower);
            if (s.at(end) == Class::NonAscii) return 0;
        } else if (upper_end > letters) {
            end = upper_end;
        }
        if (end != 0) {
            std::size_t after = s.contraction(end);
            return after == 0 ? 0 : after - start;
        }
    }

    // Alternative 3: \p{N}{1,3}.
    if (first == Class::Digit) {
        std::size_t end = start + 1;
        while (end < start + 3 && s.at(end) == Class::Digit) ++end;
        if (end < start + 3 && s.at(end) == Class::NonAscii) return 0;
        return end - start;
    }

    // Alternative 4: " ?[^\s\p{L}\p{N}]+[\r\n/]*".
    std::size_t symbols = first == Class::Other ? start : start + 1;
    if (first == Class::Other || s.byte(start) == ' ') {
        Class symbol = s.at(symbols);
        if (symbol == Class::NonAscii) return 0;
        if (symbol == Class::Other) {
            std::size_t end = s.skip(symbols, Class::Other);
            if (s.at(end) == Class::NonAscii) return 0;
            while (s.byte(end) == '\r' || s.byte(end) == '\n' || s.byte(end) == '/') ++end;
            return end - start;
        }
    }

    // Alternatives 5-7 on the whitespace run [start, end): \s*[\r\n]+ ends after the run's last
    // CR/LF; else \s+(?!\S) leaves the last space for the next piece unless the text ends;
    // else \s+.
    std::size_t end = start, last_crlf = 0;
    bool has_crlf = false;
    for (Class cls = s.at(end); cls == Class::Space || cls == Class::CrLf; cls = s.at(++end)) {
        if (cls == Class::CrLf) {
            last_crlf = end;
            has_crlf = true;
        }
    }
    if (s.at(end) == Class::NonAscii) return 0;
    if (has_crlf) return last_crlf + 1 - start;
    if (end == text.size() || end - start == 1) return end - start;
    return end - 1 - start;
}

}  // namespace otari::tokenize
