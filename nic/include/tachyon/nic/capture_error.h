// The exception thrown when a capture file cannot be opened, read or written. Its
// message names the file, the failing call and the system's or libpcap's own message.
// Thrown only on the control path (open, close); thread-safe value.
#pragma once

#include <stdexcept>
#include <string>

namespace tachyon::nic {

class CaptureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tachyon::nic
