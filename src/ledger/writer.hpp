#pragma once
// Appends records to the ledger file. Never rewrites, truncates or reorders it.
//
// Durability contract:
// - Each record is one line written by one write(2) on a descriptor opened with O_APPEND, so
//   lines from threads of this process (serialized by a mutex) and from other processes never
//   interleave on a local file system, and a reader sees whole lines or a torn last line.
// - When append() returns true the line is in the kernel's page cache: it survives a crash or
//   SIGKILL of this process. It does not survive a power loss or kernel crash unless
//   `Options::fsync_each` is set (one fdatasync(2) per record: slower, durable on disk).
// - A short write (disk full) is retried for the remainder; if it still fails the line may be
//   left torn. The next writer to open the file ends a torn last line with "\n" first, so a
//   later record is never glued onto it (readers skip the torn line as malformed).
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <string>

#include "ledger/record.hpp"

namespace otari::ledger {

class LedgerWriter {
  public:
    using WriteFn = ssize_t (*)(int fd, const void* data, size_t size);
    struct Options {
        bool fsync_each = false;     // fdatasync(2) after every record
        WriteFn write_fn = ::write;  // test seam: count calls, simulate short writes and EINTR
    };

    // Open (create with mode 0600, and the directory with 0700) `path` for appending.
    // Throws std::system_error when it cannot be opened.
    explicit LedgerWriter(std::filesystem::path path);
    LedgerWriter(std::filesystem::path path, Options options);
    ~LedgerWriter();
    LedgerWriter(const LedgerWriter&) = delete;
    LedgerWriter& operator=(const LedgerWriter&) = delete;

    // Write `record` as one line. Thread-safe. Never throws: a failure is logged (LOG_ERROR)
    // and reported as false, and the request that produced the record goes on.
    bool append(const LedgerRecord& record) noexcept;

    // Append one line of another JSON-lines file kept with the same contract (the traces).
    // `line` must end with "\n". Thread-safe; never throws.
    bool append_line(const std::string& line) noexcept;

    const std::filesystem::path& path() const { return m_path; }

  private:
    bool write_line(const std::string& line);
    std::filesystem::path m_path;
    Options m_options;
    int m_fd = -1;
    std::mutex m_mutex;
};

}  // namespace otari::ledger
