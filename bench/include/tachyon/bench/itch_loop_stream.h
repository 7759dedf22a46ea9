// A long in-memory ITCH 5.0 BinaryFILE stream for the feed-handler benchmark, built by
// looping a short real sample (the Nasdaq BX file in ../shared/data/itch) with remapped
// order references. Control path (built before timing); reentrant.
//
// Pass k copies every record of the sample and adds k * ref_stride to every order
// reference of the book messages A F E C X D U (both references of a U), so each pass's
// orders are new orders; stock locates, timestamps and every other byte stay as they
// are. P (non-displayed trades) never reach the book and are copied unchanged.
//
// The sample leaves orders resting at its end (3,204 for the BX file). Two variants:
//   kAccumulating  passes follow each other as they are: the resting orders of every
//                  pass stay, so the working set grows by that many orders per pass
//                  (a growing book, as over a trading day).
//   kSteady        after each pass, one D (Order Delete) per order that pass left
//                  resting, so every pass starts from an empty book (the working set
//                  stays at one pass's orders: cache-resident).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tachyon::bench {

enum class ItchLoopVariant : uint8_t { kAccumulating, kSteady };

const char* to_string(ItchLoopVariant v) noexcept;

struct ItchSample {
  std::vector<uint8_t> bytes;           // the BinaryFILE as read
  std::vector<uint32_t> record_offsets;  // offset of each record's length prefix
  uint64_t max_ref = 0;                 // largest order reference of a book message
  // Order references that one pass leaves resting (in the order they were added), with
  // the stock locate of each: what the steady variant deletes.
  std::vector<uint64_t> resting_refs;
  std::vector<uint16_t> resting_locates;
  uint64_t last_timestamp = 0;          // of the sample's last message
  uint64_t zero_prefixes = 0;           // records whose length came from the type
};

// Reads a BinaryFILE sample (or the ITCH messages of a pcap/pcapng capture of MoldUDP64
// datagrams, such as `tachyon gen --mode feed` writes) and works out which orders a pass leaves resting by
// replaying it once through the library's feed handler (itch::BookBuilder). Throws
// std::runtime_error naming the file when it cannot be read or does not frame cleanly.
ItchSample load_itch_sample(const std::string& path);

struct ItchLoopStream {
  std::vector<uint8_t> bytes;  // BinaryFILE records; prefixes as in the sample
  uint64_t passes = 0;
  uint64_t messages = 0;       // records in bytes
  uint64_t appended_deletes = 0;
  uint64_t ref_stride = 0;     // added to the references per pass
  uint64_t resting_at_end = 0; // orders the whole stream leaves resting
};

// Builds at least min_messages messages (whole passes) of the looped sample. Throws
// std::runtime_error when the references would overflow 64 bits.
ItchLoopStream build_itch_loop_stream(const ItchSample& sample, uint64_t min_messages, ItchLoopVariant variant);

}  // namespace tachyon::bench
