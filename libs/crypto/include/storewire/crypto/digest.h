// Hashes, MACs and comparisons that do not leak timing.
//
//   std::string mac = HmacSha256(secret, payload);       // 32 raw bytes
//   if (!ConstantTimeEquals(mac, expected)) { ... }
//
// Thread safety: pure functions.
#ifndef STOREWIRE_CRYPTO_DIGEST_H_
#define STOREWIRE_CRYPTO_DIGEST_H_

#include <string>

#include "absl/strings/string_view.h"

namespace storewire::crypto {

// 32 raw bytes.
std::string Sha256(absl::string_view data);
// 32 raw bytes.
std::string HmacSha256(absl::string_view key, absl::string_view data);
// Lower-case hex of raw bytes.
std::string HexEncode(absl::string_view bytes);
// Compares in time that depends only on the lengths (a length mismatch
// returns false; lengths of secrets are not considered secret).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace storewire::crypto

#endif  // STOREWIRE_CRYPTO_DIGEST_H_
