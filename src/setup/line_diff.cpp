#include "setup/line_diff.hpp"

#include <algorithm>
#include <vector>

namespace otari::setup {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

struct Op {
    char tag;                   // ' ', '-', '+'
    size_t old_line, new_line;  // 0-based positions before this op
    std::string text;
};

// Longest-common-subsequence edit script; settings files are small.
std::vector<Op> edit_script(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
    for (size_t i = a.size(); i-- > 0;) {
        for (size_t j = b.size(); j-- > 0;) {
            lcs[i][j] =
                a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
        }
    }
    std::vector<Op> ops;
    size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        if (i < a.size() && j < b.size() && a[i] == b[j]) {
            ops.push_back({' ', i, j, a[i]});
            ++i, ++j;
        } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] > lcs[i + 1][j])) {
            ops.push_back({'+', i, j, b[j]});
            ++j;
        } else {
            ops.push_back({'-', i, j, a[i]});
            ++i;
        }
    }
    return ops;
}

}  // namespace

std::string unified_diff(const std::string& old_text, const std::string& new_text,
                         const std::string& old_label, const std::string& new_label, int context) {
    if (old_text == new_text) return "";
    auto ops = edit_script(split_lines(old_text), split_lines(new_text));
    std::string out = "--- " + old_label + "\n+++ " + new_label + "\n";
    const size_t ctx = size_t(std::max(context, 0));
    size_t k = 0;
    while (k < ops.size()) {
        if (ops[k].tag == ' ') {
            ++k;
            continue;
        }
        // A hunk: from `ctx` lines before this change to `ctx` lines after the last change
        // that is at most 2*ctx unchanged lines further on.
        size_t begin = k >= ctx ? k - ctx : 0;
        size_t end = k;
        size_t quiet = 0;
        for (size_t m = k; m < ops.size(); ++m) {
            if (ops[m].tag == ' ') {
                if (++quiet > 2 * ctx) break;
            } else {
                quiet = 0;
                end = m;
            }
        }
        end = std::min(ops.size(), end + 1 + ctx);
        size_t old_count = 0, new_count = 0;
        for (size_t m = begin; m < end; ++m) {
            if (ops[m].tag != '+') ++old_count;
            if (ops[m].tag != '-') ++new_count;
        }
        size_t old_start = ops[begin].old_line + (old_count ? 1 : 0);
        size_t new_start = ops[begin].new_line + (new_count ? 1 : 0);
        out += "@@ -" + std::to_string(old_start) + "," + std::to_string(old_count) + " +" +
               std::to_string(new_start) + "," + std::to_string(new_count) + " @@\n";
        for (size_t m = begin; m < end; ++m) out += std::string(1, ops[m].tag) + ops[m].text + "\n";
        k = end;
    }
    return out;
}

}  // namespace otari::setup
