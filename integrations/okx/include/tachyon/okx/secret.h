// A credential (API key, secret key, passphrase) that never prints itself: there is no
// stream operator, and the only text form for logs is redacted(). Plain value;
// thread-safe to read.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace tachyon::okx {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string v) : v_(std::move(v)) {}
  ~Secret();  // wipes the bytes
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  Secret(Secret&& o) noexcept : v_(std::move(o.v_)) {}
  Secret& operator=(Secret&& o) noexcept {
    v_ = std::move(o.v_);
    return *this;
  }

  bool empty() const noexcept { return v_.empty(); }
  std::size_t size() const noexcept { return v_.size(); }
  // Returns the value, for the signer and the request headers only.
  std::string_view reveal() const noexcept { return v_; }
  // Returns "(unset)" or "****" plus the length, never any character of the value.
  std::string redacted() const;

  friend bool operator==(const Secret& a, const Secret& b) noexcept { return a.v_ == b.v_; }

 private:
  std::string v_;
};

}  // namespace tachyon::okx
