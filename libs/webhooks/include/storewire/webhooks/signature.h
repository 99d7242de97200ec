// Standard Webhooks v1 signing (standardwebhooks.com): secrets, signatures
// and the headers of one delivery attempt.
//
//   std::string secret = GenerateSecret();                  // "whsec_<base64>"
//   absl::StatusOr<http::HeaderList> headers =
//       SignedHeaders({secret}, event_id, absl::Now(), body);
//   // webhook-id, webhook-timestamp, webhook-signature ("v1,<b64> v1,<b64>"),
//   // content-type, user-agent
//
// The signed content is "{id}.{timestamp}.{body}"; v1 is HMAC-SHA256 keyed
// with the base64-decoded part of the secret after "whsec_". Several secrets
// (rotation) give several space-separated signatures.
//
// Errors: kInvalidArgument for a secret that is not "whsec_" + strict base64
// of 24..64 bytes. Thread safety: pure functions (GenerateSecret uses the OS
// CSPRNG).
#ifndef STOREWIRE_WEBHOOKS_SIGNATURE_H_
#define STOREWIRE_WEBHOOKS_SIGNATURE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "storewire/http/message.h"

namespace storewire::webhooks {

inline constexpr absl::string_view kSecretPrefix = "whsec_";
inline constexpr absl::string_view kUserAgent =
    "storewire-webhooks/0.1 (+https://github.com/storewire/storewire)";

// "whsec_" + base64 of 32 random bytes.
std::string GenerateSecret();

// The HMAC key of a "whsec_..." secret.
absl::StatusOr<std::string> SecretKey(absl::string_view secret);

// "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>".
absl::StatusOr<std::string> Sign(absl::string_view secret, absl::string_view id, int64_t timestamp,
                                 absl::string_view body);

// The headers of one attempt, signed with every secret in `secrets`.
absl::StatusOr<http::HeaderList> SignedHeaders(const std::vector<std::string>& secrets,
                                               absl::string_view id, absl::Time now,
                                               absl::string_view body);

// Verifies a webhook-signature header against one secret, as a receiver
// would (constant-time; any v1 entry may match). Used by tests and `test`.
bool VerifySignature(absl::string_view secret, absl::string_view id, int64_t timestamp,
                     absl::string_view body, absl::string_view signature_header);

}  // namespace storewire::webhooks

#endif  // STOREWIRE_WEBHOOKS_SIGNATURE_H_
