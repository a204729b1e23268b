#pragma once
// Streams the ledger file record by record, in large blocks, without holding the file in
// memory. Tolerant: a missing file reads as empty; blank lines, lines that are not version-1
// records and a torn last line (no "\n": a crash mid-write, or a writer appending right now)
// are skipped and counted, never fatal.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/record.hpp"

namespace otari::ledger {

struct ReadStats {
    bool file_found = false;
    uint64_t bytes = 0;      // bytes read, torn tail included
    size_t records = 0;      // records returned
    size_t blank = 0;        // empty lines
    size_t malformed = 0;    // complete lines that are not JSON or have wrongly typed fields
    size_t foreign = 0;      // JSON lines that are not version-1 records
    bool torn_tail = false;  // the last line had no "\n" and was skipped

    size_t skipped() const { return malformed + foreign + (torn_tail ? 1 : 0); }
};

class LedgerReader {
  public:
    // Open `path`. A missing file is not an error (stats().file_found is false). Throws
    // std::system_error when it exists but cannot be opened or read.
    explicit LedgerReader(const std::filesystem::path& path);
    ~LedgerReader();
    LedgerReader(const LedgerReader&) = delete;
    LedgerReader& operator=(const LedgerReader&) = delete;

    // The next record into `out`; false at the end of the file.
    bool next(LedgerRecord& out);
    const ReadStats& stats() const { return m_stats; }

  private:
    // The next complete line (without "\n"); false at the end. Fills the torn-tail stat.
    bool next_line(std::string_view& line);
    bool fill();

    std::filesystem::path m_path;
    int m_fd = -1;
    std::string m_buf;
    size_t m_begin = 0;  // unread bytes are m_buf[m_begin, m_end)
    size_t m_end = 0;
    bool m_eof = false;
    ReadStats m_stats;
};

// Call `visit` for each record in order; returns the read statistics. Throws as LedgerReader.
ReadStats for_each_record(const std::filesystem::path& path,
                          const std::function<void(const LedgerRecord&)>& visit);

// All records, in file order.
std::vector<LedgerRecord> read_ledger(const std::filesystem::path& path, ReadStats& stats);

}  // namespace otari::ledger
