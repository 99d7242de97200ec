// Strict base64 (RFC 4648 section 4) and base64url (section 5) codecs.
//
//   absl::StatusOr<std::string> bytes = Base64UrlDecode("eyJhbGciOiJFUzI1NiJ9");
//
// Strict means: only the alphabet of the variant; base64 requires canonical
// '=' padding, base64url forbids it; no whitespace; the unused low bits of the
// last character must be zero (so every input has exactly one decoding).
// Errors: kInvalidArgument naming the offending offset.
// Thread safety: pure functions.
#ifndef STOREWIRE_CRYPTO_BASE64_H_
#define STOREWIRE_CRYPTO_BASE64_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace storewire::crypto {

absl::StatusOr<std::string> Base64Decode(absl::string_view text);
absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text);
std::string Base64Encode(absl::string_view bytes);     // padded
std::string Base64UrlEncode(absl::string_view bytes);  // unpadded

}  // namespace storewire::crypto

#endif  // STOREWIRE_CRYPTO_BASE64_H_
