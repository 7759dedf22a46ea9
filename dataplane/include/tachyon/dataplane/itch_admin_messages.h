// NASDAQ TotalView-ITCH 5.0 system, stock-related and auction messages (S R H Y L V W K J
// h I N O) as typed structs with their wire layouts (see wire_layout.h). Price(4) fields
// are book::Price in 1/10000 units; alpha fields keep their raw bytes so decode then
// encode reproduces the input. Plain data; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tachyon/book/types.h"
#include "tachyon/dataplane/alpha_field.h"
#include "tachyon/dataplane/itch_header.h"
#include "tachyon/dataplane/wire_layout.h"

namespace tachyon::dataplane::itch {

// 'S' System Event (12).
struct SystemEvent {
  static constexpr char kType = 'S';
  static constexpr std::size_t kLength = 12;
  Header header;
  char event_code = 0;  // O S Q M E C
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.event_code);
  }
  friend constexpr bool operator==(const SystemEvent&, const SystemEvent&) = default;
};

// 'R' Stock Directory (39).
struct StockDirectory {
  static constexpr char kType = 'R';
  static constexpr std::size_t kLength = 39;
  Header header;
  Stock stock;
  char market_category = 0;
  char financial_status = 0;
  uint32_t round_lot_size = 0;
  char round_lots_only = 0;
  char issue_classification = 0;
  Alpha<2> issue_subtype;
  char authenticity = 0;
  char short_sale_threshold = 0;
  char ipo_flag = 0;
  char luld_reference_price_tier = 0;
  char etp_flag = 0;
  uint32_t etp_leverage_factor = 0;
  char inverse_indicator = 0;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.stock);
    f(m.market_category);
    f(m.financial_status);
    f(m.round_lot_size);
    f(m.round_lots_only);
    f(m.issue_classification);
    f(m.issue_subtype);
    f(m.authenticity);
    f(m.short_sale_threshold);
    f(m.ipo_flag);
    f(m.luld_reference_price_tier);
    f(m.etp_flag);
    f(m.etp_leverage_factor);
    f(m.inverse_indicator);
  }
  friend constexpr bool operator==(const StockDirectory&, const StockDirectory&) = default;
};

// 'H' Stock Trading Action (25).
struct StockTradingAction {
  static constexpr char kType = 'H';
  static constexpr std::size_t kLength = 25;
  Header header;
  Stock stock;
  char trading_state = 0;  // H P Q T
  char reserved = 0;
  Alpha<4> reason;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.stock);
    f(m.trading_state);
    f(m.reserved);
    f(m.reason);
  }
  friend constexpr bool operator==(const StockTradingAction&, const StockTradingAction&) = default;
};

// 'Y' Reg SHO Short Sale Price Test Restricted Indicator (20).
struct RegShoRestriction {
  static constexpr char kType = 'Y';
  static constexpr std::size_t kLength = 20;
  Header header;
  Stock stock;
  char reg_sho_action = 0;  // 0 1 2
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.stock);
    f(m.reg_sho_action);
  }
  friend constexpr bool operator==(const RegShoRestriction&, const RegShoRestriction&) = default;
};

// 'L' Market Participant Position (26).
struct MarketParticipantPosition {
  static constexpr char kType = 'L';
  static constexpr std::size_t kLength = 26;
  Header header;
  Mpid mpid;
  Stock stock;
  char primary_market_maker = 0;
  char market_maker_mode = 0;
  char market_participant_state = 0;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.mpid);
    f(m.stock);
    f(m.primary_market_maker);
    f(m.market_maker_mode);
    f(m.market_participant_state);
  }
  friend constexpr bool operator==(const MarketParticipantPosition&, const MarketParticipantPosition&) = default;
};

// 'V' MWCB Decline Level (35). Levels are Price(8): 8 implied decimals.
struct MwcbDeclineLevel {
  static constexpr char kType = 'V';
  static constexpr std::size_t kLength = 35;
  Header header;
  uint64_t level1 = 0;
  uint64_t level2 = 0;
  uint64_t level3 = 0;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.level1);
    f(m.level2);
    f(m.level3);
  }
  friend constexpr bool operator==(const MwcbDeclineLevel&, const MwcbDeclineLevel&) = default;
};

// 'W' MWCB Status (12).
struct MwcbStatus {
  static constexpr char kType = 'W';
  static constexpr std::size_t kLength = 12;
  Header header;
  char breached_level = 0;  // 1 2 3
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.breached_level);
  }
  friend constexpr bool operator==(const MwcbStatus&, const MwcbStatus&) = default;
};

// 'K' IPO Quoting Period Update (28).
struct IpoQuotingPeriodUpdate {
  static constexpr char kType = 'K';
  static constexpr std::size_t kLength = 28;
  Header header;
  Stock stock;
  uint32_t release_time = 0;  // seconds since midnight
  char release_qualifier = 0;
  book::Price ipo_price;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.stock);
    f(m.release_time);
    f(m.release_qualifier);
    f(m.ipo_price);
  }
  friend constexpr bool operator==(const IpoQuotingPeriodUpdate&, const IpoQuotingPeriodUpdate&) = default;
};

// 'J' LULD Auction Collar (35).
struct LuldAuctionCollar {
  static constexpr char kType = 'J';
  static constexpr std::size_t kLength = 35;
  Header header;
  Stock stock;
  book::Price reference_price;
  book::Price upper_collar;
  book::Price lower_collar;
  uint32_t extension = 0;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.stock);
    f(m.reference_price);
    f(m.upper_collar);
    f(m.lower_collar);
    f(m.extension);
  }
  friend constexpr bool operator==(const LuldAuctionCollar&, const LuldAuctionCollar&) = default;
};

// 'h' Operational Halt (21).
struct OperationalHalt {
  static constexpr char kType = 'h';
  static constexpr std::size_t kLength = 21;
  Header header;
  Stock stock;
  char market_code = 0;  // Q B X
  char action = 0;       // H T
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.stock);
    f(m.market_code);
    f(m.action);
  }
  friend constexpr bool operator==(const OperationalHalt&, const OperationalHalt&) = default;
};

// 'I' Net Order Imbalance Indicator (50).
struct Noii {
  static constexpr char kType = 'I';
  static constexpr std::size_t kLength = 50;
  Header header;
  uint64_t paired_shares = 0;
  uint64_t imbalance_shares = 0;
  char imbalance_direction = 0;  // B S N O P
  Stock stock;
  book::Price far_price;
  book::Price near_price;
  book::Price current_reference_price;
  char cross_type = 0;
  char price_variation_indicator = 0;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.paired_shares);
    f(m.imbalance_shares);
    f(m.imbalance_direction);
    f(m.stock);
    f(m.far_price);
    f(m.near_price);
    f(m.current_reference_price);
    f(m.cross_type);
    f(m.price_variation_indicator);
  }
  friend constexpr bool operator==(const Noii&, const Noii&) = default;
};

// 'N' Retail Price Improvement Indicator (20).
struct RetailPriceImprovement {
  static constexpr char kType = 'N';
  static constexpr std::size_t kLength = 20;
  Header header;
  Stock stock;
  char interest_flag = 0;  // B S A N
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.stock);
    f(m.interest_flag);
  }
  friend constexpr bool operator==(const RetailPriceImprovement&, const RetailPriceImprovement&) = default;
};

// 'O' Direct Listing with Capital Raise Price Discovery (48).
struct DirectListingCapitalRaise {
  static constexpr char kType = 'O';
  static constexpr std::size_t kLength = 48;
  Header header;
  Stock stock;
  char open_eligibility_status = 0;  // Y N
  book::Price minimum_allowable_price;
  book::Price maximum_allowable_price;
  book::Price near_execution_price;
  uint64_t near_execution_time = 0;
  book::Price lower_price_range_collar;
  book::Price upper_price_range_collar;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.stock);
    f(m.open_eligibility_status);
    f(m.minimum_allowable_price);
    f(m.maximum_allowable_price);
    f(m.near_execution_price);
    f(m.near_execution_time);
    f(m.lower_price_range_collar);
    f(m.upper_price_range_collar);
  }
  friend constexpr bool operator==(const DirectListingCapitalRaise&, const DirectListingCapitalRaise&) = default;
};

}  // namespace tachyon::dataplane::itch
