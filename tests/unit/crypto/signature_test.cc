#include "storewire/crypto/signature.h"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <memory>

namespace storewire::crypto {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

std::string SignDer(EVP_PKEY* key, absl::string_view input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
  size_t len = 0;
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  EVP_MD_CTX_free(ctx);
  sig.resize(len);
  return sig;
}

std::string DerToRaw(absl::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return raw;
}

TEST(Es256, VerifiesRawSignatureAndRejectsTampering) {
  Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  PublicKey pub = PublicKey::FromEvp(key.get());
  ASSERT_TRUE(pub.IsP256());
  std::string raw = DerToRaw(SignDer(key.get(), "header.payload"));
  EXPECT_TRUE(VerifyEs256(pub, "header.payload", raw).ok());
  EXPECT_EQ(VerifyEs256(pub, "header.payloaD", raw).code(), absl::StatusCode::kUnauthenticated);
  raw[5] ^= 1;
  EXPECT_EQ(VerifyEs256(pub, "header.payload", raw).code(), absl::StatusCode::kUnauthenticated);
}

TEST(Es256, RejectsDerSignatureAndOtherLengths) {
  Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  PublicKey pub = PublicKey::FromEvp(key.get());
  std::string der = SignDer(key.get(), "x");
  absl::Status s = VerifyEs256(pub, "x", der);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("64 bytes"), absl::string_view::npos);
  EXPECT_EQ(VerifyEs256(pub, "x", std::string(63, 'a')).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyEs256(pub, "x", "").code(), absl::StatusCode::kInvalidArgument);
}

TEST(Es256, RejectsNonP256Key) {
  Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  PublicKey pub = PublicKey::FromEvp(key.get());
  EXPECT_FALSE(pub.IsP256());
  EXPECT_EQ(VerifyEs256(pub, "x", std::string(64, 'a')).code(), absl::StatusCode::kInvalidArgument);
}

TEST(Rs256, VerifiesAndRejects) {
  Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
  PublicKey pub = PublicKey::FromEvp(key.get());
  std::string sig = SignDer(key.get(), "a.b");
  EXPECT_TRUE(VerifyRs256(pub, "a.b", sig).ok());
  EXPECT_EQ(VerifyRs256(pub, "a.c", sig).code(), absl::StatusCode::kUnauthenticated);
  Key ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  EXPECT_EQ(VerifyRs256(PublicKey::FromEvp(ec.get()), "a.b", sig).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PublicKey, SpkiRoundTrip) {
  Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  std::string der = PublicKey::FromEvp(key.get()).SpkiDer();
  auto parsed = PublicKey::FromSpkiDer(der);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->SpkiDer(), der);
  EXPECT_FALSE(PublicKey::FromSpkiDer("garbage").ok());
  EXPECT_FALSE(PublicKey::FromSpkiDer(der + "x").ok());
}

}  // namespace
}  // namespace storewire::crypto
