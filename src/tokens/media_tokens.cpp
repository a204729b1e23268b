#include "tokens/media_tokens.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "tokens/base64_decode.hpp"
#include "tokens/image_dimensions.hpp"

namespace otari::tokens {
namespace {

const std::string& string_field(const json& object, const char* key) {
    static const std::string empty;
    if (!object.is_object()) return empty;
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get_ref<const std::string&>() : empty;
}

const json& source_of(const json& block) {
    static const json none = json::object();
    auto it = block.find("source");
    return it != block.end() && it->is_object() ? *it : none;
}

// Occurrences of "/Type /Page" (any whitespace before /Page) not followed by 's' (/Pages).
int64_t page_objects(std::string_view pdf) {
    int64_t pages = 0;
    for (std::size_t at = pdf.find("/Type"); at != std::string_view::npos;
         at = pdf.find("/Type", at + 5)) {
        std::size_t name = at + 5;
        while (name < pdf.size() && (pdf[name] == ' ' || pdf[name] == '\r' || pdf[name] == '\n')) {
            ++name;
        }
        if (pdf.substr(name, 5) == "/Page" && (name + 5 >= pdf.size() || pdf[name + 5] != 's')) {
            ++pages;
        }
    }
    return pages;
}

// The largest "/Count N": the page tree root's count is the document's page count.
int64_t largest_count(std::string_view pdf) {
    int64_t largest = 0;
    for (std::size_t at = pdf.find("/Count"); at != std::string_view::npos;
         at = pdf.find("/Count", at + 6)) {
        std::size_t digit = at + 6;
        while (digit < pdf.size() && pdf[digit] == ' ') ++digit;
        int64_t value = 0;
        while (digit < pdf.size() && pdf[digit] >= '0' && pdf[digit] <= '9' && value < 1000000) {
            value = value * 10 + (pdf[digit++] - '0');
        }
        largest = std::max(largest, value);
    }
    return largest;
}

}  // namespace

int64_t anthropic_image_tokens(uint64_t width, uint64_t height) {
    double w = static_cast<double>(width), h = static_cast<double>(height);
    const double long_edge = std::max(w, h);
    if (long_edge > 1568) {
        w *= 1568 / long_edge;
        h *= 1568 / long_edge;
    }
    if (w * h / 750 > 1600) {
        const double scale = std::sqrt(1600 * 750 / (w * h));
        w *= scale;
        h *= scale;
    }
    return std::max<int64_t>(1,
                             static_cast<int64_t>(std::ceil(std::floor(w) * std::floor(h) / 750)));
}

int64_t openai_image_tokens(uint64_t width, uint64_t height) {
    double w = static_cast<double>(width), h = static_cast<double>(height);
    if (std::max(w, h) > 2048) {
        const double scale = 2048 / std::max(w, h);
        w *= scale;
        h *= scale;
    }
    if (std::min(w, h) > 768) {
        const double scale = 768 / std::min(w, h);
        w *= scale;
        h *= scale;
    }
    const auto tiles = static_cast<int64_t>(std::ceil(w / 512) * std::ceil(h / 512));
    return 85 + 170 * tiles;
}

int64_t image_block_tokens(const json& block, TokenizerFamily family) {
    const bool openai = family == TokenizerFamily::openai;
    const json& source = source_of(block);
    if (string_field(source, "type") == "base64") {
        if (auto size = image_dimensions_from_base64(string_field(source, "data"))) {
            return openai ? openai_image_tokens(size->width, size->height)
                          : anthropic_image_tokens(size->width, size->height);
        }
    }
    return openai ? k_unknown_image_tokens_openai : k_unknown_image_tokens_anthropic;
}

int64_t pdf_page_count(std::string_view pdf) {
    if (int64_t pages = page_objects(pdf); pages > 0) return pages;
    if (int64_t pages = largest_count(pdf); pages > 0) return pages;
    return std::max<int64_t>(1, static_cast<int64_t>((pdf.size() + 59999) / 60000));
}

int64_t document_media_tokens(const json& block) {
    const json& source = source_of(block);
    const std::string& type = string_field(source, "type");
    if (type == "text" || type == "content") return 0;
    if (type == "base64") {
        return k_tokens_per_pdf_page * pdf_page_count(decode_base64(string_field(source, "data")));
    }
    return k_tokens_per_pdf_page * k_unknown_document_pages;
}

}  // namespace otari::tokens
