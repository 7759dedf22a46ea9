// Secret: redacted text form and wiping on destruction. Control path.
#include "tachyon/okx/secret.h"

#include <openssl/crypto.h>

namespace tachyon::okx {

Secret::~Secret() {
  if (!v_.empty()) OPENSSL_cleanse(v_.data(), v_.size());
}

std::string Secret::redacted() const {
  if (v_.empty()) return "(unset)";
  return "**** (" + std::to_string(v_.size()) + " chars)";
}

}  // namespace tachyon::okx
