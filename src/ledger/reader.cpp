#include "ledger/reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace otari::ledger {
namespace {

constexpr size_t k_block_size = 1 << 20;
// A ledger smaller than a block is read through a buffer of its size (at least this much): a
// new or short ledger is not read through a zero-filled megabyte. Lines longer than the buffer
// grow it (fill()).
constexpr size_t k_min_block_size = 16 << 10;

}  // namespace

LedgerReader::LedgerReader(const std::filesystem::path& path) : m_path(path) {
    m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0) {
        if (errno == ENOENT) {
            m_eof = true;
            return;
        }
        throw std::system_error(errno, std::generic_category(),
                                "cannot open the ledger " + path.string());
    }
    m_stats.file_found = true;
    struct stat st {};
    size_t size = ::fstat(m_fd, &st) == 0 && st.st_size > 0 ? size_t(st.st_size) : 0;
    m_buf.resize(std::clamp(size + 1, k_min_block_size, k_block_size));
}

LedgerReader::~LedgerReader() {
    if (m_fd >= 0) ::close(m_fd);
}

bool LedgerReader::fill() {
    if (m_begin > 0) {  // keep the partial line, at the front
        std::memmove(m_buf.data(), m_buf.data() + m_begin, m_end - m_begin);
        m_end -= m_begin;
        m_begin = 0;
    }
    if (m_end == m_buf.size()) m_buf.resize(m_buf.size() * 2);  // a line longer than a block
    for (;;) {
        ssize_t n = ::read(m_fd, m_buf.data() + m_end, m_buf.size() - m_end);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(),
                                    "cannot read the ledger " + m_path.string());
        }
        if (n == 0) {
            m_eof = true;
            return false;
        }
        m_end += size_t(n);
        m_stats.bytes += uint64_t(n);
        return true;
    }
}

bool LedgerReader::next_line(std::string_view& line) {
    size_t scanned = 0;  // bytes after m_begin known to hold no "\n"
    for (;;) {
        const char* start = m_buf.data() + m_begin;
        size_t available = m_end - m_begin;
        const void* nl = std::memchr(start + scanned, '\n', available - scanned);
        if (nl != nullptr) {
            size_t len = size_t(static_cast<const char*>(nl) - start);
            line = std::string_view(start, len);
            m_begin += len + 1;
            return true;
        }
        scanned = available;
        if (m_eof || !fill()) {
            if (m_end > m_begin) m_stats.torn_tail = true;
            m_begin = m_end;
            return false;
        }
    }
}

bool LedgerReader::next(LedgerRecord& out) {
    std::string_view line;
    while (next_line(line)) {
        switch (parse_ledger_line(line, out)) {
            case LineKind::record:
                ++m_stats.records;
                return true;
            case LineKind::blank:
                ++m_stats.blank;
                break;
            case LineKind::malformed:
                ++m_stats.malformed;
                break;
            case LineKind::foreign:
                ++m_stats.foreign;
                break;
        }
    }
    return false;
}

ReadStats for_each_record(const std::filesystem::path& path,
                          const std::function<void(const LedgerRecord&)>& visit) {
    LedgerReader reader(path);
    LedgerRecord record;
    while (reader.next(record)) visit(record);
    return reader.stats();
}

std::vector<LedgerRecord> read_ledger(const std::filesystem::path& path, ReadStats& stats) {
    std::vector<LedgerRecord> records;
    LedgerReader reader(path);
    LedgerRecord record;
    while (reader.next(record)) records.push_back(std::move(record));
    stats = reader.stats();
    return records;
}

}  // namespace otari::ledger
