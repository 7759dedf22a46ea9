// Looped ITCH BinaryFILE streams for the feed-handler benchmark. Control path.
#include "tachyon/bench/itch_loop_stream.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <type_traits>

#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/big_endian.h"
#include "tachyon/dataplane/itch_binary_file.h"
#include "tachyon/dataplane/itch_book_builder.h"
#include "tachyon/dataplane/itch_encoder.h"
#include "tachyon/dataplane/packet_decoder.h"
#include "tachyon/nic/capture_sniff.h"
#include "tachyon/nic/pcap_reader.h"

namespace tachyon::bench {

namespace itch = dataplane::itch;

const char* to_string(ItchLoopVariant v) noexcept {
  switch (v) {
    case ItchLoopVariant::kAccumulating: return "accumulating";
    case ItchLoopVariant::kSteady: return "steady";
  }
  return "unknown";
}

namespace {

// Every book message carries its (first) order reference right after the 11 bytes of
// type and header; U carries the new reference after it.
constexpr std::size_t kRefOffset = 11;
constexpr std::size_t kNewRefOffset = 19;

bool has_ref(uint8_t type) noexcept {
  switch (type) {
    case itch::AddOrder::kType:
    case itch::AddOrderMpid::kType:
    case itch::OrderExecuted::kType:
    case itch::OrderExecutedWithPrice::kType:
    case itch::OrderCancel::kType:
    case itch::OrderDelete::kType:
    case itch::OrderReplace::kType: return true;
    default: return false;
  }
}

// Collects the references a pass adds (A, F, and the new reference of U).
struct AddedRefs {
  std::vector<uint64_t> refs;
  std::vector<uint16_t> locates;
  uint64_t last_timestamp = 0;
  template <class M>
  void on(const M& m) noexcept {
    last_timestamp = m.header.timestamp;
    if constexpr (std::is_same_v<M, itch::AddOrder> || std::is_same_v<M, itch::AddOrderMpid>) {
      refs.push_back(m.order_ref);
      locates.push_back(m.header.stock_locate);
    } else if constexpr (std::is_same_v<M, itch::OrderReplace>) {
      refs.push_back(m.new_order_ref);
      locates.push_back(m.header.stock_locate);
    }
  }
};

// Applies each message to the feed handler as well as recording what it adds.
struct SampleReplay {
  itch::BookBuilder<book::NullSink>& builder;
  AddedRefs& added;
  template <class M>
  void on(const M& m) noexcept {
    builder.on(m);
    added.on(m);
  }
};

// The ITCH messages of a capture, as the feed handler's PacketDecoder hands them on (in
// sequence order, duplicates skipped), as BinaryFILE records. Every frame must be a
// MoldUDP64 datagram over IPv4/UDP, as in a feed capture that `tachyon gen --mode feed`
// writes. Throws naming the packet otherwise.
std::vector<uint8_t> binary_file_of_capture(const std::string& path) {
  std::vector<uint8_t> out;
  nic::PcapReader r(path);
  nic::CapturedPacket p;
  dataplane::PacketDecoder decoder;
  uint64_t packet = 0;
  while (r.next(p) == nic::ReadStatus::kPacket) {
    ++packet;
    nic::RxPacket rx;
    rx.data = p.data.data();
    rx.length = p.captured_length();
    decoder.decode(rx, [&](std::span<const uint8_t> msg, uint64_t, uint8_t) {
      uint8_t prefix[2];
      dataplane::store_be16(prefix, static_cast<uint16_t>(msg.size()));
      out.insert(out.end(), prefix, prefix + 2);
      out.insert(out.end(), msg.begin(), msg.end());
    });
    const dataplane::DecoderCounts& c = decoder.counts();
    if (c.bad_frames + c.bad_datagrams + c.too_many_sessions != 0)
      throw std::runtime_error(path + ": packet " + std::to_string(packet) + ": " +
                               (c.bad_frames != 0 ? "not an IPv4/UDP frame" : c.bad_datagrams != 0
                                                                                ? "not a MoldUDP64 datagram"
                                                                                : "too many MoldUDP64 sessions"));
  }
  if (r.failed()) throw std::runtime_error(path + ": capture unreadable after packet " + std::to_string(packet));
  return out;
}

}  // namespace

ItchSample load_itch_sample(const std::string& path) {
  ItchSample s;
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open");
    s.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::size_t head = std::min(s.bytes.size(), nic::kCaptureSniffBytes);
  if (nic::sniff_capture(std::span<const uint8_t>(s.bytes.data(), head)).ok()) s.bytes = binary_file_of_capture(path);
  // Frame the records (the scan below checks the same framing).
  for (std::size_t off = 0; off + 3 <= s.bytes.size();) {
    const uint8_t* rec = &s.bytes[off];
    std::size_t len = dataplane::load_be16(rec);
    if (len == 0) {
      len = itch::message_length(rec[2]);
      ++s.zero_prefixes;
    }
    if (len == 0 || off + 2 + len > s.bytes.size())
      throw std::runtime_error(path + ": offset " + std::to_string(off) + ": record does not frame");
    s.record_offsets.push_back(static_cast<uint32_t>(off));
    const uint8_t* msg = rec + 2;
    if (has_ref(msg[0])) {
      s.max_ref = std::max(s.max_ref, dataplane::load_be64(msg + kRefOffset));
      if (msg[0] == itch::OrderReplace::kType)
        s.max_ref = std::max(s.max_ref, dataplane::load_be64(msg + kNewRefOffset));
    }
    off += 2 + len;
  }

  // One pass through the library's feed handler tells which added orders still rest.
  book::BookConfig cfg;
  cfg.max_orders = static_cast<uint32_t>(std::bit_ceil(s.record_offsets.size() + 16));
  cfg.max_levels = cfg.max_orders;
  cfg.max_symbols = 64;
  book::BookShard shard(cfg);
  book::NullSink sink;
  itch::BookBuilder<book::NullSink> builder(shard, sink);
  AddedRefs added;
  SampleReplay replay{builder, added};
  const itch::BinaryFileReport r = itch::scan_binary_file(s.bytes, replay);
  if (!r.clean() || r.messages != s.record_offsets.size())
    throw std::runtime_error(path + ": does not scan cleanly: " + itch::describe(r));
  for (std::size_t i = 0; i < added.refs.size(); ++i) {
    if (shard.find(book::OrderId{added.refs[i]}) == book::kNil) continue;
    s.resting_refs.push_back(added.refs[i]);
    s.resting_locates.push_back(added.locates[i]);
  }
  if (s.resting_refs.size() != shard.live_orders())
    throw std::runtime_error(path + ": resting orders (" + std::to_string(shard.live_orders()) +
                             ") are not all orders the sample added");
  s.last_timestamp = added.last_timestamp;
  return s;
}

ItchLoopStream build_itch_loop_stream(const ItchSample& sample, uint64_t min_messages, ItchLoopVariant variant) {
  const bool steady = variant == ItchLoopVariant::kSteady;
  const uint64_t per_pass = sample.record_offsets.size() + (steady ? sample.resting_refs.size() : 0);
  if (per_pass == 0) throw std::runtime_error("the ITCH sample holds no messages");
  ItchLoopStream out;
  out.passes = std::max<uint64_t>(1, (min_messages + per_pass - 1) / per_pass);
  out.ref_stride = std::bit_ceil(sample.max_ref + 1);
  if (out.ref_stride > UINT64_MAX / (out.passes + 1))
    throw std::runtime_error("order references overflow 64 bits after " + std::to_string(out.passes) + " passes");

  constexpr std::size_t kDeleteRecord = 2 + itch::OrderDelete::kLength;
  const std::size_t pass_bytes = sample.bytes.size() + (steady ? sample.resting_refs.size() * kDeleteRecord : 0);
  out.bytes.resize(pass_bytes * out.passes);
  uint8_t* w = out.bytes.data();
  for (uint64_t k = 0; k < out.passes; ++k) {
    const uint64_t add = k * out.ref_stride;
    std::memcpy(w, sample.bytes.data(), sample.bytes.size());
    for (const uint32_t off : sample.record_offsets) {
      uint8_t* msg = w + off + 2;
      if (!has_ref(msg[0])) continue;
      dataplane::store_be64(msg + kRefOffset, dataplane::load_be64(msg + kRefOffset) + add);
      if (msg[0] == itch::OrderReplace::kType)
        dataplane::store_be64(msg + kNewRefOffset, dataplane::load_be64(msg + kNewRefOffset) + add);
    }
    w += sample.bytes.size();
    out.messages += sample.record_offsets.size();
    if (!steady) continue;
    for (std::size_t i = 0; i < sample.resting_refs.size(); ++i) {
      itch::OrderDelete d;
      d.header.stock_locate = sample.resting_locates[i];
      d.header.timestamp = sample.last_timestamp;
      d.order_ref = sample.resting_refs[i] + add;
      itch::write_binary_file_prefix(w, static_cast<uint16_t>(itch::OrderDelete::kLength));
      if (itch::encode(d, std::span<uint8_t>(w + 2, itch::OrderDelete::kLength)) != itch::OrderDelete::kLength)
        throw std::runtime_error("cannot encode an Order Delete");
      w += kDeleteRecord;
    }
    out.messages += sample.resting_refs.size();
    out.appended_deletes += sample.resting_refs.size();
  }
  out.resting_at_end = steady ? 0 : out.passes * sample.resting_refs.size();
  return out;
}

}  // namespace tachyon::bench
