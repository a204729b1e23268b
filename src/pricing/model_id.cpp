#include "pricing/model_id.hpp"

#include <cctype>

namespace otari::pricing {
namespace {

bool all_digits(std::string_view s) {
    for (char c : s) {
        if (c < '0' || c > '9') return false;
    }
    return !s.empty();
}

int number(std::string_view digits) {
    int n = 0;
    for (char c : digits) n = n * 10 + (c - '0');
    return n;
}

bool plausible_date(std::string_view year, std::string_view month, std::string_view day) {
    if (year.size() != 4 || month.size() != 2 || day.size() != 2) return false;
    if (!all_digits(year) || !all_digits(month) || !all_digits(day)) return false;
    if (year.substr(0, 2) != "20") return false;
    const int m = number(month), d = number(day);
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

}  // namespace

std::string normalized_model_id(std::string_view id) {
    while (!id.empty() && std::isspace(static_cast<unsigned char>(id.front()))) id.remove_prefix(1);
    while (!id.empty() && std::isspace(static_cast<unsigned char>(id.back()))) id.remove_suffix(1);
    std::string out(id);
    for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::optional<std::string> without_date_suffix(std::string_view id) {
    // "-YYYYMMDD" or "@YYYYMMDD"
    if (id.size() > 9) {
        std::string_view tail = id.substr(id.size() - 9);
        if ((tail[0] == '-' || tail[0] == '@') &&
            plausible_date(tail.substr(1, 4), tail.substr(5, 2), tail.substr(7, 2))) {
            return std::string(id.substr(0, id.size() - 9));
        }
    }
    // "-YYYY-MM-DD"
    if (id.size() > 11) {
        std::string_view tail = id.substr(id.size() - 11);
        if (tail[0] == '-' && tail[5] == '-' && tail[8] == '-' &&
            plausible_date(tail.substr(1, 4), tail.substr(6, 2), tail.substr(9, 2))) {
            return std::string(id.substr(0, id.size() - 11));
        }
    }
    return std::nullopt;
}

std::optional<std::string> with_dashed_dates(std::string_view id) {
    std::string out;
    bool changed = false;
    size_t i = 0;
    while (i < id.size()) {
        const bool ends_date =
            i + 9 == id.size() || (i + 9 < id.size() && (id[i + 9] == '-' || id[i + 9] == ':'));
        if (id[i] == '-' && i + 9 <= id.size() && ends_date &&
            plausible_date(id.substr(i + 1, 4), id.substr(i + 5, 2), id.substr(i + 7, 2))) {
            out += '-';
            out.append(id.substr(i + 1, 4)) += '-';
            out.append(id.substr(i + 5, 2)) += '-';
            out.append(id.substr(i + 7, 2));
            i += 9;
            changed = true;
        } else {
            out += id[i++];
        }
    }
    if (!changed) return std::nullopt;
    return out;
}

}  // namespace otari::pricing
