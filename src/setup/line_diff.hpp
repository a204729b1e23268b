#pragma once
// A unified-style line diff, for `otari claude-setup --dry-run`.
#include <string>

namespace otari::setup {

// "--- OLD_LABEL\n+++ NEW_LABEL\n@@ -a,b +c,d @@\n lines..." with `context` unchanged lines
// around each change; "" when the texts are equal.
std::string unified_diff(const std::string& old_text, const std::string& new_text,
                         const std::string& old_label, const std::string& new_label,
                         int context = 3);

}  // namespace otari::setup
