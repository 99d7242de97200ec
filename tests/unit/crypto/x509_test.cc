#include "storewire/crypto/x509.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "storewire/crypto/base64.h"
#include "storewire/crypto/digest.h"

namespace storewire::crypto {
namespace {

const std::string kData = std::string(STOREWIRE_SOURCE_DIR) + "/tests/data/apple/";

std::string Read(const std::string& rel) {
  std::ifstream in(kData + rel, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Certificate Der(const std::string& rel) { return *Certificate::FromDer(Read(rel)); }

constexpr char kLeafOid[] = "1.2.840.113635.100.6.11.1";
constexpr char kIntermediateOid[] = "1.2.840.113635.100.6.2.1";

TEST(Certificate, ParsesTestChainAndChecksSignatures) {
  Certificate root = Der("chain_constants/test_root_ROOT_CA.der");
  Certificate inter = Der("chain_constants/test_intermediate_INTERMEDIATE_CA.der");
  Certificate leaf = Der("chain_constants/test_leaf_LEAF_CERT.der");
  EXPECT_TRUE(inter.IsSignedBy(root));
  EXPECT_TRUE(leaf.IsSignedBy(inter));
  EXPECT_FALSE(leaf.IsSignedBy(root));
  EXPECT_FALSE(inter.IsSignedBy(leaf));
  EXPECT_TRUE(root.IsCa());
  EXPECT_TRUE(inter.IsCa());
  EXPECT_FALSE(leaf.IsCa());
  EXPECT_TRUE(leaf.HasExtension(kLeafOid));
  EXPECT_FALSE(leaf.HasExtension(kIntermediateOid));
  EXPECT_TRUE(inter.HasExtension(kIntermediateOid));
  EXPECT_EQ(
      Base64Encode(leaf.GetPublicKey()->SpkiDer()),
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE4rWBxGmFbnPIPQI0zsBKzLxsj8pD2vqbr0yPISUx2WQyxmrNql9f"
      "hK8YEEyYFV7++p5i4YUSR/o9uQIgCPIhrA==");
}

TEST(Certificate, ValidityWindow) {
  Certificate leaf = Der("chain_constants/test_leaf_LEAF_CERT.der");
  EXPECT_TRUE(leaf.ValidAt(absl::FromUnixSeconds(1761962975)));
  EXPECT_FALSE(leaf.ValidAt(absl::FromUnixSeconds(2280946846)));
  EXPECT_FALSE(leaf.ValidAt(absl::FromUnixSeconds(1600000000)));
  EXPECT_LT(leaf.NotBefore(), leaf.NotAfter());
}

TEST(Certificate, RealAppleRootHasExpectedFingerprint) {
  Certificate root = Der("chain_constants/real_AppleRootCA-G3.der");
  EXPECT_EQ(HexEncode(root.Fingerprint()),
            "63343abfb89a6a03ebb57e9b3f5fa7be7c4f5c756f3017b3a8c488c3653e9179");
  EXPECT_NE(root.Subject().find("Apple Root CA - G3"), std::string::npos);
  EXPECT_TRUE(Der("chain_constants/real_AppleWWDRCA-G6.der").IsSignedBy(root));
}

TEST(Certificate, PemAndFileLoading) {
  auto pem = Certificate::FromPem(Read("certs/testCA.pem"));
  ASSERT_TRUE(pem.ok());
  ASSERT_EQ(pem->size(), 1u);
  EXPECT_EQ((*pem)[0].Der(), Read("certs/testCA.der"));
  auto from_der_file = Certificate::LoadFile(kData + "certs/testCA.der");
  ASSERT_TRUE(from_der_file.ok());
  EXPECT_EQ((*from_der_file)[0].Der(), Read("certs/testCA.der"));
  auto missing = Certificate::LoadFile(kData + "nope.pem");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nope.pem"), absl::string_view::npos);
}

TEST(Certificate, RejectsGarbageAndTrailingBytes) {
  EXPECT_FALSE(Certificate::FromDer("abc").ok());
  EXPECT_FALSE(Certificate::FromDer(Read("certs/testCA.der") + "x").ok());
  EXPECT_FALSE(Certificate::FromPem("-----BEGIN CERTIFICATE-----\nAAAA\n").ok());
}

}  // namespace
}  // namespace storewire::crypto
