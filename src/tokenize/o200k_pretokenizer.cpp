#include "tokenize/o200k_pretokenizer.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "tokenize/o200k_ascii_scanner.hpp"

namespace otari::tokenize {
namespace {

// o200k's pat_str, spelled so PCRE2 means what tiktoken's Rust regex means:
//   * \s is Unicode White_Space, listed explicitly: PCRE2's \s with UCP also matches U+180E,
//     which has not been White_Space since Unicode 6.3;
//   * (?i:'s|...) is spelled out, with U+017F (long s), which case-folds to 's'.
std::string o200k_pattern() {
    const std::string space =
        R"(\t-\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000})";
    const std::string contraction =
        R"((?:'(?:[sS\x{17F}]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD]))?)";
    const std::string upper = R"([\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}])";
    const std::string lower = R"([\p{Ll}\p{Lm}\p{Lo}\p{M}])";
    const std::string prefix = R"([^\r\n\p{L}\p{N}]?)";
    return prefix + upper + "*" + lower + "+" + contraction +        //
           "|" + prefix + upper + "+" + lower + "*" + contraction +  //
           R"(|\p{N}{1,3})" +                                        //
           "| ?[^" + space + R"(\p{L}\p{N}]+[\r\n/]*)" +             //
           "|[" + space + R"(]*[\r\n]+)" +                           //
           "|[" + space + "]+(?![^" + space + "])" +                 //
           "|[" + space + "]+";
}

struct CodeDeleter {
    void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
struct MatchDataDeleter {
    void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};
struct JitStackDeleter {
    void operator()(pcre2_jit_stack* stack) const { pcre2_jit_stack_free(stack); }
};
struct MatchContextDeleter {
    void operator()(pcre2_match_context* context) const { pcre2_match_context_free(context); }
};

struct CompiledPattern {
    std::unique_ptr<pcre2_code, CodeDeleter> code;
    bool jit = false;
};

const CompiledPattern& compiled_pattern() {
    static const CompiledPattern pattern = [] {
        int error = 0;
        PCRE2_SIZE offset = 0;
        CompiledPattern result;
        const std::string pattern = o200k_pattern();
        result.code.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.c_str()),
                                        pattern.size(), PCRE2_UTF | PCRE2_UCP, &error, &offset,
                                        nullptr));
        if (!result.code) throw std::runtime_error("o200k pre-tokenizer pattern does not compile");
        result.jit = pcre2_jit_compile(result.code.get(), PCRE2_JIT_COMPLETE) == 0;
        return result;
    }();
    return pattern;
}

// Per-thread match state: match data plus a JIT stack big enough for long whitespace runs.
struct ThreadMatchState {
    std::unique_ptr<pcre2_match_data, MatchDataDeleter> data;
    std::unique_ptr<pcre2_match_context, MatchContextDeleter> context;
    std::unique_ptr<pcre2_jit_stack, JitStackDeleter> stack;

    explicit ThreadMatchState(const pcre2_code* code)
        : data(pcre2_match_data_create_from_pattern(code, nullptr)),
          context(pcre2_match_context_create(nullptr)),
          stack(pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr)) {
        if (!data || !context || !stack) throw std::bad_alloc();
        pcre2_jit_stack_assign(context.get(), nullptr, stack.get());
    }
};

}  // namespace

std::size_t match_o200k_piece(std::string_view text, std::size_t at) {
    const CompiledPattern& pattern = compiled_pattern();
    thread_local ThreadMatchState state(pattern.code.get());
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    int matched = pattern.jit
                      ? pcre2_jit_match(pattern.code.get(), subject, text.size(), at,
                                        PCRE2_NO_UTF_CHECK, state.data.get(), state.context.get())
                      : pcre2_match(pattern.code.get(), subject, text.size(), at,
                                    PCRE2_NO_UTF_CHECK, state.data.get(), state.context.get());
    const PCRE2_SIZE* span = pcre2_get_ovector_pointer(state.data.get());
    if (matched < 0 || span[0] != at || span[1] <= at) return text.size() - at;
    return span[1] - at;
}

void split_o200k(std::string_view text, std::vector<std::string_view>& pieces) {
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t length = scan_ascii_o200k_piece(text, at);
        if (length == 0) length = match_o200k_piece(text, at);
        pieces.push_back(text.substr(at, length));
        at += length;
    }
}

}  // namespace otari::tokenize
