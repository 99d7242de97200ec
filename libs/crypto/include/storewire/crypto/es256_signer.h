// ES256 (ECDSA P-256 with SHA-256) signing with a PKCS#8 private key, e.g. an
// App Store Connect In-App Purchase key (.p8), and compact JWTs signed by it.
//
//   absl::StatusOr<Es256Signer> signer = Es256Signer::FromPem(p8_text);
//   absl::StatusOr<std::string> jwt =
//       signer->SignJwt(R"({"alg":"ES256","kid":"ABC","typ":"JWT"})", R"({"iss":"..."})");
//
// Signatures are in the JWS form (R || S, 32 bytes each), not DER.
// Errors: kInvalidArgument for a key that is not a P-256 private key in PEM;
// kInternal if OpenSSL fails to sign. The key never appears in a message.
// Thread safety: Sign may be called concurrently (a fresh context per call).
#ifndef STOREWIRE_CRYPTO_ES256_SIGNER_H_
#define STOREWIRE_CRYPTO_ES256_SIGNER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace storewire::crypto {

class Es256Signer {
 public:
  // "-----BEGIN PRIVATE KEY-----" (PKCS#8) or "-----BEGIN EC PRIVATE KEY-----".
  static absl::StatusOr<Es256Signer> FromPem(absl::string_view pem);

  // The 64-byte R || S signature of SHA-256(data).
  absl::StatusOr<std::string> Sign(absl::string_view data) const;

  // base64url(header) "." base64url(payload) "." base64url(signature).
  absl::StatusOr<std::string> SignJwt(absl::string_view header_json,
                                      absl::string_view payload_json) const;

 private:
  struct Key;
  explicit Es256Signer(std::shared_ptr<const Key> key) : key_(std::move(key)) {}
  std::shared_ptr<const Key> key_;
};

}  // namespace storewire::crypto

#endif  // STOREWIRE_CRYPTO_ES256_SIGNER_H_
