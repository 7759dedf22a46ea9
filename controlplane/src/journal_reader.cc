// scan_journal: header check and record validation up to the first bad record.
#include "tachyon/controlplane/journal_reader.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace tachyon::controlplane {

namespace journal = dataplane::journal;

JournalScan scan_journal(const std::string& path,
                         const std::function<void(const journal::RecordHeader&, std::span<const uint8_t>)>& on_record) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
  const std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  JournalScan s;
  s.file_bytes = data.size();
  if (data.size() < sizeof(journal::FileHeader))
    throw std::runtime_error(path + ": offset 0: file shorter than the 64-byte journal header");
  std::memcpy(&s.header, data.data(), sizeof s.header);
  if (std::memcmp(s.header.magic, journal::kMagic, sizeof s.header.magic) != 0)
    throw std::runtime_error(path + ": offset 0: not a tachyon journal (bad magic)");
  if (s.header.version != journal::kVersion)
    throw std::runtime_error(path + ": offset 8: journal version " + std::to_string(s.header.version) +
                             " (this build reads " + std::to_string(journal::kVersion) + ")");
  if (s.header.header_size != sizeof(journal::FileHeader))
    throw std::runtime_error(path + ": offset 10: header size " + std::to_string(s.header.header_size));
  std::size_t off = sizeof(journal::FileHeader);
  uint64_t expect = s.header.first_seq;
  while (off < data.size()) {
    journal::RecordHeader h;
    std::span<const uint8_t> payload;
    const journal::RecordStatus st =
        journal::decode_record(std::span<const uint8_t>(data).subspan(off), expect, h, payload);
    if (st != journal::RecordStatus::kOk) {
      s.clean = false;
      s.tail_status = st;
      s.tail_offset = off;
      s.problem = path + ": offset " + std::to_string(off) + ": " + journal::to_string(st) + " (record " +
                  std::to_string(expect) + "; " + std::to_string(data.size() - off) +
                  " bytes after the last valid record)";
      break;
    }
    if (on_record) on_record(h, payload);
    if (s.records++ == 0) s.first_seq = h.seq;
    s.last_seq = h.seq;
    if (h.type < 6) ++s.by_type[h.type];
    off += journal::record_size(h.length);
    ++expect;
  }
  s.valid_bytes = s.clean ? data.size() : s.tail_offset;
  return s;
}

}  // namespace tachyon::controlplane
