// Public keys and JOSE signature verification (ES256, RS256).
//
//   absl::StatusOr<PublicKey> key = PublicKey::FromSpkiDer(der);
//   absl::Status s = VerifyEs256(*key, jws.signing_input, jws.signature);
//
// ES256 takes the JOSE form only: exactly 64 bytes r||s (RFC 7518 3.4). A DER
// ECDSA signature, or any other length, is rejected. The key must be P-256.
// Errors: kInvalidArgument for a wrong key type or signature shape,
// kUnauthenticated when the signature does not verify.
// Thread safety: PublicKey is an immutable, shareable handle; verification is
// safe from any thread.
#ifndef STOREWIRE_CRYPTO_SIGNATURE_H_
#define STOREWIRE_CRYPTO_SIGNATURE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

typedef struct evp_pkey_st EVP_PKEY;  // NOLINT: OpenSSL's own typedef

namespace storewire::crypto {

class PublicKey {
 public:
  // DER SubjectPublicKeyInfo.
  static absl::StatusOr<PublicKey> FromSpkiDer(absl::string_view der);
  // PEM "PUBLIC KEY".
  static absl::StatusOr<PublicKey> FromPem(absl::string_view pem);
  // Takes a reference on `key` (the caller keeps its own).
  static PublicKey FromEvp(EVP_PKEY* key);

  // DER SubjectPublicKeyInfo.
  std::string SpkiDer() const;
  // True for an EC key on P-256.
  bool IsP256() const;
  bool IsRsa() const;
  EVP_PKEY* evp() const { return key_.get(); }

 private:
  explicit PublicKey(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {}
  std::shared_ptr<EVP_PKEY> key_;
};

absl::Status VerifyEs256(const PublicKey& key, absl::string_view signing_input,
                         absl::string_view raw_signature);
// RSASSA-PKCS1-v1_5 with SHA-256; keys under 2048 bits are refused.
absl::Status VerifyRs256(const PublicKey& key, absl::string_view signing_input,
                         absl::string_view signature);

}  // namespace storewire::crypto

#endif  // STOREWIRE_CRYPTO_SIGNATURE_H_
