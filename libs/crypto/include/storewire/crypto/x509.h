// X.509 certificates: parsing, validity, extensions, issuer signatures.
//
//   absl::StatusOr<Certificate> leaf = Certificate::FromDer(der);
//   if (leaf->IsSignedBy(intermediate) && leaf->ValidAt(when) &&
//       leaf->HasExtension("1.2.840.113635.100.6.11.1")) { ... }
//
// These are building blocks: they check exactly what their name says (no
// chain building, no policy, no X509_STRICT). Callers compose the rules.
// Errors: kInvalidArgument for bytes that are not a certificate; kNotFound /
// kInvalidArgument from LoadFile naming the file.
// Thread safety: a Certificate is an immutable, cheaply copyable handle.
#ifndef STOREWIRE_CRYPTO_X509_H_
#define STOREWIRE_CRYPTO_X509_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "storewire/crypto/signature.h"

typedef struct x509_st X509;  // NOLINT: OpenSSL's own typedef

namespace storewire::crypto {

class Certificate {
 public:
  // Exactly one DER certificate; trailing bytes are an error.
  static absl::StatusOr<Certificate> FromDer(absl::string_view der);
  // Every "CERTIFICATE" block of a PEM text (at least one).
  static absl::StatusOr<std::vector<Certificate>> FromPem(absl::string_view pem);
  // A PEM file (one or more certificates) or a DER file (one).
  static absl::StatusOr<std::vector<Certificate>> LoadFile(const std::string& path);
  // Takes a reference on `cert`.
  static Certificate FromX509(X509* cert);

  std::string Der() const;
  std::string Pem() const;
  // RFC 2253 form, e.g. "CN=Apple Root CA - G3,OU=...".
  std::string Subject() const;
  std::string Issuer() const;
  std::string SerialHex() const;
  absl::Time NotBefore() const;
  absl::Time NotAfter() const;
  // NotBefore() <= when <= NotAfter().
  bool ValidAt(absl::Time when) const;
  // Presence of an extension, by dotted OID ("1.2.840.113635.100.6.2.1").
  bool HasExtension(absl::string_view oid) const;
  // basicConstraints CA:TRUE (critical or not).
  bool IsCa() const;
  // The issuer name equals issuer.Subject() and the signature verifies with
  // issuer's public key.
  bool IsSignedBy(const Certificate& issuer) const;
  // kInvalidArgument when the key algorithm is not supported by OpenSSL.
  absl::StatusOr<PublicKey> GetPublicKey() const;
  // SHA-256 of the DER encoding, raw bytes.
  std::string Fingerprint() const;
  X509* x509() const { return cert_.get(); }

 private:
  explicit Certificate(std::shared_ptr<X509> cert) : cert_(std::move(cert)) {}
  std::shared_ptr<X509> cert_;
};

}  // namespace storewire::crypto

#endif  // STOREWIRE_CRYPTO_X509_H_
