// A P-256 public key prepared for many ES256 verifications: the hot path of
// verifying signed data whose key repeats (a cached certificate chain).
//
//   absl::StatusOr<Es256Verifier> v = Es256Verifier::Create(leaf_key);
//   absl::Status s = v->Verify(jws.signing_input, jws.signature);
//
// VerifyEs256() sets up OpenSSL's verification afresh on every call (algorithm
// and key-management fetches, a new EVP_PKEY_CTX), which costs about as much
// as the elliptic-curve arithmetic itself. Es256Verifier keeps a small pool of
// EVP_PKEY_CTX already initialised for verification with this key and the
// SHA-256 digest fetched once, so a call costs one SHA-256 and one
// EVP_PKEY_verify, like `openssl speed ecdsap256`.
//
// Same rules as VerifyEs256: JOSE raw r||s, exactly 64 bytes.
// Errors: Create: kInvalidArgument when the key is not EC P-256. Verify:
// kInvalidArgument for a signature that is not 64 bytes, kUnauthenticated
// when it does not verify, kInternal when OpenSSL fails to set up.
// Lifetime and thread safety: a copyable, shared handle; Verify is const and
// safe from any number of threads (each call takes its own context from the
// pool).
#ifndef STOREWIRE_CRYPTO_ES256_VERIFIER_H_
#define STOREWIRE_CRYPTO_ES256_VERIFIER_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storewire/crypto/signature.h"

namespace storewire::crypto {

class Es256Verifier {
 public:
  static absl::StatusOr<Es256Verifier> Create(const PublicKey& key);

  absl::Status Verify(absl::string_view signing_input, absl::string_view raw_signature) const;
  const PublicKey& key() const;

 private:
  struct State;
  explicit Es256Verifier(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace storewire::crypto

#endif  // STOREWIRE_CRYPTO_ES256_VERIFIER_H_
