#include "storewire/crypto/signature.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace storewire::crypto {
namespace {

struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

absl::Status DigestVerify(EVP_PKEY* key, absl::string_view input, const unsigned char* sig,
                          size_t sig_len, const char* what) {
  std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1) {
    return absl::InternalError(absl::StrCat(what, ": cannot initialise verification"));
  }
  int rc = EVP_DigestVerify(ctx.get(), sig, sig_len,
                            reinterpret_cast<const unsigned char*>(input.data()), input.size());
  if (rc != 1) return absl::UnauthenticatedError(absl::StrCat(what, ": signature does not verify"));
  return absl::OkStatus();
}

}  // namespace

PublicKey PublicKey::FromEvp(EVP_PKEY* key) {
  EVP_PKEY_up_ref(key);
  return PublicKey(std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free));
}

absl::StatusOr<PublicKey> PublicKey::FromSpkiDer(absl::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (key == nullptr) return absl::InvalidArgumentError("not a DER SubjectPublicKeyInfo");
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    EVP_PKEY_free(key);
    return absl::InvalidArgumentError("trailing bytes after SubjectPublicKeyInfo");
  }
  return PublicKey(std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free));
}

absl::StatusOr<PublicKey> PublicKey::FromPem(absl::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return absl::InternalError("BIO_new_mem_buf failed");
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return absl::InvalidArgumentError("not a PEM PUBLIC KEY");
  return PublicKey(std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free));
}

std::string PublicKey::SpkiDer() const {
  unsigned char* buf = nullptr;
  int len = i2d_PUBKEY(key_.get(), &buf);
  if (len <= 0) return {};
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return out;
}

bool PublicKey::IsP256() const {
  if (!key_ || !EVP_PKEY_is_a(key_.get(), "EC")) return false;
  char group[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(key_.get(), group, sizeof(group), &len) != 1) return false;
  return std::strcmp(group, "prime256v1") == 0 || std::strcmp(group, "P-256") == 0;
}

bool PublicKey::IsRsa() const { return key_ && EVP_PKEY_is_a(key_.get(), "RSA"); }

absl::Status VerifyEs256(const PublicKey& key, absl::string_view signing_input,
                         absl::string_view raw_signature) {
  if (!key.IsP256()) return absl::InvalidArgumentError("ES256: key is not an EC P-256 key");
  if (raw_signature.size() != 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("ES256: signature must be 64 bytes r||s, got ", raw_signature.size(),
                     raw_signature.size() > 64 ? " (a DER-encoded signature?)" : ""));
  }
  const auto* sig = reinterpret_cast<const unsigned char*>(raw_signature.data());
  BIGNUM* r = BN_bin2bn(sig, 32, nullptr);
  BIGNUM* s = BN_bin2bn(sig + 32, 32, nullptr);
  ECDSA_SIG* ecdsa = ECDSA_SIG_new();
  if (r == nullptr || s == nullptr || ecdsa == nullptr) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(ecdsa);
    return absl::InternalError("ES256: out of memory");
  }
  ECDSA_SIG_set0(ecdsa, r, s);  // takes ownership of r and s
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(ecdsa, &der);
  ECDSA_SIG_free(ecdsa);
  if (der_len <= 0) return absl::InternalError("ES256: cannot encode signature");
  absl::Status status =
      DigestVerify(key.evp(), signing_input, der, static_cast<size_t>(der_len), "ES256");
  OPENSSL_free(der);
  return status;
}

absl::Status VerifyRs256(const PublicKey& key, absl::string_view signing_input,
                         absl::string_view signature) {
  if (!key.IsRsa()) return absl::InvalidArgumentError("RS256: key is not an RSA key");
  if (EVP_PKEY_get_bits(key.evp()) < 2048) {
    return absl::InvalidArgumentError("RS256: RSA key shorter than 2048 bits");
  }
  return DigestVerify(key.evp(), signing_input,
                      reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                      "RS256");
}

}  // namespace storewire::crypto
