#include "storewire/stores/huawei/signature.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "storewire/crypto/base64.h"

namespace storewire::stores::huawei {
namespace {

constexpr int kMinRsaBits = 2048;

// Strict standard base64 first; then the lenient forms Huawei's samples use.
absl::StatusOr<std::string> DecodeSignature(absl::string_view text) {
  absl::StatusOr<std::string> strict = crypto::Base64Decode(text);
  if (strict.ok()) return strict;
  std::string out;
  if (absl::Base64Unescape(text, &out) || absl::WebSafeBase64Unescape(text, &out)) return out;
  return absl::InvalidArgumentError("signature is not base64");
}

}  // namespace

absl::StatusOr<crypto::PublicKey> ParseIapPublicKey(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (text.empty()) return absl::InvalidArgumentError("the IAP public key is empty");
  absl::StatusOr<crypto::PublicKey> key = absl::StartsWith(text, "-----BEGIN")
                                              ? crypto::PublicKey::FromPem(text)
                                              : absl::InvalidArgumentError("");
  if (!key.ok()) {
    std::string der;
    if (!absl::Base64Unescape(text, &der)) {
      return absl::InvalidArgumentError(
          "the IAP public key is neither base64 SubjectPublicKeyInfo nor PEM. Hint: copy the "
          "public key from AppGallery Connect > In-App Purchases settings");
    }
    key = crypto::PublicKey::FromSpkiDer(der);
    if (!key.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the IAP public key is not a SubjectPublicKeyInfo: ", key.status().message()));
    }
  }
  if (!key->IsRsa()) return absl::InvalidArgumentError("the IAP public key is not an RSA key");
  if (EVP_PKEY_get_bits(key->evp()) < kMinRsaBits) {
    return absl::InvalidArgumentError(
        absl::StrCat("the IAP public key has ", EVP_PKEY_get_bits(key->evp()), " bits; at least ",
                     kMinRsaBits, " are required"));
  }
  return key;
}

absl::Status VerifyNotificationSignature(const crypto::PublicKey& key, absl::string_view data,
                                         absl::string_view signature_base64,
                                         absl::string_view algorithm) {
  bool pss = false;
  if (algorithm.empty() || absl::EqualsIgnoreCase(algorithm, "SHA256WithRSA")) {
    pss = false;
  } else if (absl::EqualsIgnoreCase(algorithm, "SHA256WithRSA/PSS")) {
    pss = true;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("signatureAlgorithm '", algorithm.substr(0, 64),
                                                   "' is not SHA256WithRSA or SHA256WithRSA/PSS"));
  }
  if (!key.IsRsa()) return absl::InvalidArgumentError("the key is not an RSA key");
  if (signature_base64.empty()) return absl::InvalidArgumentError("the signature is empty");
  absl::StatusOr<std::string> signature = DecodeSignature(signature_base64);
  if (!signature.ok()) return signature.status();

  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.evp()) != 1) {
    return absl::InternalError("EVP_DigestVerifyInit failed");
  }
  if (pss) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1) {
      return absl::InternalError("cannot configure RSA-PSS");
    }
  } else if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
    return absl::InternalError("cannot configure RSA PKCS#1 v1.5");
  }
  const int ok = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()), signature->size(),
      reinterpret_cast<const unsigned char*>(data.data()), data.size());
  if (ok != 1) {
    ERR_clear_error();
    return absl::UnauthenticatedError(absl::StrCat(
        pss ? "SHA256WithRSA/PSS" : "SHA256WithRSA",
        " signature does not verify with the app's IAP public key over statusUpdateNotification"));
  }
  return absl::OkStatus();
}

}  // namespace storewire::stores::huawei
