#include "ledger/writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "util/log.hpp"
#include "util/paths.hpp"

namespace otari::ledger {
namespace {

// True when the file is empty or its last byte is "\n".
bool ends_with_newline(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_size == 0) return true;
    char last = 0;
    return ::pread(fd, &last, 1, st.st_size - 1) != 1 || last == '\n';
}

}  // namespace

LedgerWriter::LedgerWriter(std::filesystem::path path) : LedgerWriter(std::move(path), Options{}) {}

LedgerWriter::LedgerWriter(std::filesystem::path path, Options options)
    : m_path(std::move(path)), m_options(options) {
    if (m_path.has_parent_path()) util::ensure_private_dir(m_path.parent_path());
    m_fd = ::open(m_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (m_fd < 0) {
        throw std::system_error(errno, std::generic_category(),
                                "cannot open the ledger " + m_path.string());
    }
    // O_WRONLY cannot pread; check the tail through a read-only descriptor.
    int probe = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (probe >= 0) {
        bool torn = !ends_with_newline(probe);
        ::close(probe);
        if (torn) {
            LOG_WARN("ledger %s ends with a torn line; it is skipped when read", m_path.c_str());
            write_line("\n");
        }
    }
}

LedgerWriter::~LedgerWriter() {
    if (m_fd >= 0) ::close(m_fd);
}

bool LedgerWriter::append(const LedgerRecord& record) noexcept {
    try {
        std::string line = to_json_line(record);
        std::lock_guard lock(m_mutex);
        return write_line(line);
    } catch (const std::exception& e) {
        LOG_ERROR("ledger %s: record %s not written: %s", m_path.c_str(), record.request_id.c_str(),
                  e.what());
        return false;
    }
}

bool LedgerWriter::append_line(const std::string& line) noexcept {
    try {
        std::lock_guard lock(m_mutex);
        return write_line(line);
    } catch (const std::exception& e) {
        LOG_ERROR("%s: line not written: %s", m_path.c_str(), e.what());
        return false;
    }
}

bool LedgerWriter::write_line(const std::string& line) {
    size_t done = 0;
    while (done < line.size()) {
        ssize_t n = m_options.write_fn(m_fd, line.data() + done, line.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            LOG_ERROR("ledger %s: write failed after %zu of %zu bytes: %s", m_path.c_str(), done,
                      line.size(), std::strerror(errno));
            return false;
        }
        if (n == 0) {
            LOG_ERROR("ledger %s: write wrote nothing after %zu of %zu bytes", m_path.c_str(), done,
                      line.size());
            return false;
        }
        done += size_t(n);
    }
    if (m_options.fsync_each && ::fdatasync(m_fd) != 0) {
        LOG_ERROR("ledger %s: fdatasync failed: %s", m_path.c_str(), std::strerror(errno));
        return false;
    }
    return true;
}

}  // namespace otari::ledger
