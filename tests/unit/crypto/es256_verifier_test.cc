#include "storewire/crypto/es256_verifier.h"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <string>
#include <thread>
#include <vector>

namespace storewire::crypto {
namespace {

// Signs `input` with `key` (ES256) and returns the JOSE raw r||s form.
std::string SignRaw(EVP_PKEY* key, const std::string& input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
  unsigned char der[80];
  size_t len = sizeof(der);
  EVP_DigestSign(ctx, der, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  EVP_MD_CTX_free(ctx);
  const unsigned char* p = der;
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len));
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return raw;
}

class Es256VerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    other_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    ASSERT_NE(key_, nullptr);
    ASSERT_NE(other_, nullptr);
  }
  void TearDown() override {
    EVP_PKEY_free(key_);
    EVP_PKEY_free(other_);
  }
  EVP_PKEY* key_ = nullptr;
  EVP_PKEY* other_ = nullptr;
};

TEST_F(Es256VerifierTest, AcceptsManySignaturesIncludingShortAndHighBitIntegers) {
  auto v = Es256Verifier::Create(PublicKey::FromEvp(key_));
  ASSERT_TRUE(v.ok()) << v.status();
  // 200 signatures cover r/s with the high bit set (DER pad byte) and, with
  // probability ~1-2^-6, a leading zero byte (shorter DER integer).
  for (int i = 0; i < 200; ++i) {
    const std::string input = "header.payload" + std::to_string(i);
    EXPECT_TRUE(v->Verify(input, SignRaw(key_, input)).ok()) << i;
  }
}

TEST_F(Es256VerifierTest, RejectsOtherMessageOtherKeyAndBadShapes) {
  auto v = Es256Verifier::Create(PublicKey::FromEvp(key_));
  ASSERT_TRUE(v.ok());
  const std::string sig = SignRaw(key_, "a.b");
  EXPECT_EQ(v->Verify("a.c", sig).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(v->Verify("a.b", SignRaw(other_, "a.b")).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(v->Verify("a.b", sig.substr(0, 63)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(v->Verify("a.b", std::string(64, '\0')).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(v->Verify("a.b", std::string(64, '\xff')).code(), absl::StatusCode::kUnauthenticated);
  // The pooled context stays usable after failures.
  EXPECT_TRUE(v->Verify("a.b", sig).ok());
}

TEST_F(Es256VerifierTest, RefusesNonP256Keys) {
  EVP_PKEY* p384 = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
  auto v = Es256Verifier::Create(PublicKey::FromEvp(p384));
  EVP_PKEY_free(p384);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(Es256VerifierTest, ConcurrentVerificationsShareOneVerifier) {
  auto v = Es256Verifier::Create(PublicKey::FromEvp(key_));
  ASSERT_TRUE(v.ok());
  const std::string good = SignRaw(key_, "x.y");
  const std::string bad = SignRaw(other_, "x.y");
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if (!v->Verify("x.y", good).ok()) ++failures[t];
        if (v->Verify("x.y", bad).ok()) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

}  // namespace
}  // namespace storewire::crypto
