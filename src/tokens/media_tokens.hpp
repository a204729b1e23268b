#pragma once
#include <cstdint>
#include <string_view>

#include "tokens/model_family.hpp"
#include "util/json.hpp"

namespace otari::tokens {

// Input tokens of an image or document content block. Media is never counted as text.
//
// Images (a `source` of type base64 or url; dimensions read from the PNG/JPEG/GIF/WebP header):
//   * Claude and other models, Anthropic's published rule: an image whose long edge exceeds
//     1568 px, or whose cost exceeds ~1600 tokens, is first scaled down keeping its aspect
//     ratio; it then costs ceil(width * height / 750) tokens. Unknown size (URL, file id,
//     unreadable header): 1600, the cost of a full-size image.
//   * OpenAI models, OpenAI's "high detail" rule: fit within 2048x2048, scale the short side
//     down to 768, then 85 + 170 per 512 px tile. Unknown size: 765 (a 1024x1024 image).
// Documents (`document` blocks):
//   * a base64 PDF costs k_tokens_per_pdf_page per page, Anthropic's guide giving 1,500-3,000
//     tokens a page (extracted text plus the page rendered as an image). Pages are counted from
//     the PDF's "/Type /Page" objects, else its largest "/Count" entry, else estimated as one
//     page per 60 KB of file;
//   * text and content sources count as text, plus title and context, through `count_text`;
//   * URL and file-id sources, whose size is unknown, cost k_unknown_document_pages pages.
inline constexpr int64_t k_unknown_image_tokens_anthropic = 1600;
inline constexpr int64_t k_unknown_image_tokens_openai = 765;
inline constexpr int64_t k_tokens_per_pdf_page = 2500;
inline constexpr int64_t k_unknown_document_pages = 4;

int64_t image_block_tokens(const json& block, TokenizerFamily family);

// Image tokens for known pixel dimensions, by the rules above.
int64_t anthropic_image_tokens(uint64_t width, uint64_t height);
int64_t openai_image_tokens(uint64_t width, uint64_t height);

// Pages of a PDF file (decoded bytes), by the rule above; at least 1.
int64_t pdf_page_count(std::string_view pdf);

// Media tokens of a document block whose source is base64, url or file: the page rule above.
// Text and content sources are the caller's to count as text; this returns 0 for them.
int64_t document_media_tokens(const json& block);

}  // namespace otari::tokens
