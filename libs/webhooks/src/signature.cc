#include "storewire/webhooks/signature.h"

#include <openssl/rand.h>

#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "storewire/crypto/base64.h"
#include "storewire/crypto/digest.h"

namespace storewire::webhooks {

std::string GenerateSecret() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    // No randomness means no safe secret: an impossible state on a working OS.
    std::abort();
  }
  return absl::StrCat(kSecretPrefix, crypto::Base64Encode(absl::string_view(
                                         reinterpret_cast<const char*>(bytes), sizeof(bytes))));
}

absl::StatusOr<std::string> SecretKey(absl::string_view secret) {
  if (!absl::StartsWith(secret, kSecretPrefix)) {
    return absl::InvalidArgumentError("a webhook secret starts with whsec_");
  }
  absl::StatusOr<std::string> key = crypto::Base64Decode(secret.substr(kSecretPrefix.size()));
  if (!key.ok()) {
    return absl::InvalidArgumentError("a webhook secret is whsec_ + base64 of its key bytes");
  }
  if (key->size() < 24 || key->size() > 64) {
    return absl::InvalidArgumentError("a webhook secret's key has 24 to 64 bytes");
  }
  return key;
}

absl::StatusOr<std::string> Sign(absl::string_view secret, absl::string_view id, int64_t timestamp,
                                 absl::string_view body) {
  absl::StatusOr<std::string> key = SecretKey(secret);
  if (!key.ok()) return key.status();
  const std::string content = absl::StrCat(id, ".", timestamp, ".", body);
  return absl::StrCat("v1,", crypto::Base64Encode(crypto::HmacSha256(*key, content)));
}

absl::StatusOr<http::HeaderList> SignedHeaders(const std::vector<std::string>& secrets,
                                               absl::string_view id, absl::Time now,
                                               absl::string_view body) {
  if (secrets.empty()) return absl::InvalidArgumentError("no secret to sign with");
  const int64_t timestamp = absl::ToUnixSeconds(now);
  std::vector<std::string> signatures;
  for (const std::string& secret : secrets) {
    absl::StatusOr<std::string> signature = Sign(secret, id, timestamp, body);
    if (!signature.ok()) return signature.status();
    signatures.push_back(*std::move(signature));
  }
  return http::HeaderList{{"webhook-id", std::string(id)},
                          {"webhook-timestamp", absl::StrCat(timestamp)},
                          {"webhook-signature", absl::StrJoin(signatures, " ")},
                          {"content-type", "application/json"},
                          {"user-agent", std::string(kUserAgent)}};
}

bool VerifySignature(absl::string_view secret, absl::string_view id, int64_t timestamp,
                     absl::string_view body, absl::string_view signature_header) {
  absl::StatusOr<std::string> expected = Sign(secret, id, timestamp, body);
  if (!expected.ok()) return false;
  bool match = false;
  for (absl::string_view entry : absl::StrSplit(signature_header, ' ', absl::SkipEmpty())) {
    match |= crypto::ConstantTimeEquals(entry, *expected);
  }
  return match;
}

}  // namespace storewire::webhooks
