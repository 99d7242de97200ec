// RSA helpers on OpenSSL 3 EVP (internal to storewire::google).
#ifndef STOREWIRE_STORES_GOOGLE_SRC_RSA_H_
#define STOREWIRE_STORES_GOOGLE_SRC_RSA_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storewire/crypto/signature.h"

namespace storewire::stores::google {

// RSASSA-PKCS1-v1_5 SHA-256 signature with a PEM ("PRIVATE KEY" or "RSA
// PRIVATE KEY") key. kInvalidArgument for an unusable key.
absl::StatusOr<std::string> SignRs256(absl::string_view private_key_pem, absl::string_view input);

// The RSA public key of a JWK's base64url "n" and "e".
absl::StatusOr<crypto::PublicKey> RsaPublicKeyFromJwk(absl::string_view n_b64url,
                                                      absl::string_view e_b64url);

}  // namespace storewire::stores::google

#endif  // STOREWIRE_STORES_GOOGLE_SRC_RSA_H_
