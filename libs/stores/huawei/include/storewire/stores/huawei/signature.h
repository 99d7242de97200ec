// Verification of Huawei's notification signatures: RSA over the exact bytes
// of the statusUpdateNotification string, with the app's IAP public key.
//
//   absl::StatusOr<crypto::PublicKey> key = ParseIapPublicKey(app.huawei->public_key);
//   absl::Status s = VerifyNotificationSignature(*key, json, signature_b64, "SHA256WithRSA/PSS");
//
// Algorithms (the subNotification's signatureAlgorithm; empty = SHA256WithRSA):
//   SHA256WithRSA      RSASSA-PKCS1-v1_5 with SHA-256
//   SHA256WithRSA/PSS  RSASSA-PSS, SHA-256, MGF1 with SHA-256. Huawei's docs do
//                      not state the salt length (Java's provider defaults to
//                      32 = the digest length): any salt length is accepted
//                      (OpenSSL's "auto" recovery), see README.md.
// The signature is standard base64; URL-safe base64 and missing padding are
// tolerated (Huawei's docs show both). Keys under 2048 bits are refused.
// Errors: kInvalidArgument (key or signature not decodable, unknown
// algorithm), kUnauthenticated (does not verify).
// Thread safety: pure functions.
#ifndef STOREWIRE_STORES_HUAWEI_SIGNATURE_H_
#define STOREWIRE_STORES_HUAWEI_SIGNATURE_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storewire/crypto/signature.h"

namespace storewire::stores::huawei {

// Base64 SubjectPublicKeyInfo (what AppGallery Connect shows), or PEM.
absl::StatusOr<crypto::PublicKey> ParseIapPublicKey(absl::string_view text);

absl::Status VerifyNotificationSignature(const crypto::PublicKey& key, absl::string_view data,
                                         absl::string_view signature_base64,
                                         absl::string_view algorithm);

}  // namespace storewire::stores::huawei

#endif  // STOREWIRE_STORES_HUAWEI_SIGNATURE_H_
