// Online checks (apps[].apple.online_checks: true) against real `openssl ocsp`
// responders started by the test: a test PKI with Apple's OIDs and AIA OCSP
// URLs pointing at two local responders (the intermediate CA answers for the
// leaf, the root for the intermediate), generated at test time. Good on both
// links -> accepted; revoked or unknown on either -> BAD_CERTIFICATE_CHAIN;
// responders down -> kUnavailable (retry, never a rejection). With online
// checks the chain must be valid now, not at signedDate.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "storewire/stores/apple/apple_adapter.h"
#include "storewire/testing/apple_test_signer.h"
#include "storewire/testing/process.h"
#include "test_util.h"

namespace storewire::apple_test {
namespace {

using testing::AppleTestSigner;
using testing::ChildProcess;

enum class Status { kGood, kRevoked, kUnknown };

// Whether something accepts TCP connections on 127.0.0.1:port. Only used to
// see a stopped responder gone: a probe connection would wedge the
// single-threaded `openssl ocsp` loop.
bool Listening(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// The openssl command-line tool from PATH (deploy/install-deps installs it).
std::string OpenSslBinary() {
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path != nullptr ? path : "/usr/bin", ':')) {
    std::string candidate = absl::StrCat(dir, "/openssl");
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "/usr/bin/openssl";
}

// One line of an `openssl ca` index (tab-separated), or nothing for kUnknown.
std::string IndexLine(Status status, const char* serial, const char* subject) {
  switch (status) {
    case Status::kGood:
      return absl::StrCat("V\t360101000000Z\t\t", serial, "\tunknown\t", subject, "\n");
    case Status::kRevoked:
      return absl::StrCat("R\t360101000000Z\t251001000000Z,keyCompromise\t", serial, "\tunknown\t",
                          subject, "\n");
    case Status::kUnknown:
      return "";
  }
  return "";
}

class OcspResponderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("apple_ocsp");
    leaf_port_ = testing::FreePort();
    intermediate_port_ = testing::FreePort();
    testing::TestChainOptions o;
    o.leaf_ocsp_url = absl::StrCat("http://127.0.0.1:", leaf_port_);
    o.intermediate_ocsp_url = absl::StrCat("http://127.0.0.1:", intermediate_port_);
    signer_ = AppleTestSigner::Create(o);
    signer_->WriteCaFiles(dir_);
  }

  // Starts both responders: the intermediate answers for the leaf (serial
  // 03), the root for the intermediate (serial 02).
  void StartResponders(Status leaf, Status intermediate) {
    responders_.push_back(
        Start("leaf", leaf_port_, "intermediate",
              IndexLine(leaf, "03", "/O=storewire test/CN=storewire Test Signing Leaf")));
    responders_.push_back(
        Start("intermediate", intermediate_port_, "root",
              IndexLine(intermediate, "02", "/O=storewire test/CN=storewire Test WWDR")));
  }

  ChildProcess Start(const std::string& name, int port, const std::string& ca,
                     const std::string& index) {
    const std::string index_path = absl::StrCat(dir_, "/", name, "_index.txt");
    std::ofstream(index_path) << index;
    auto p = ChildProcess::Spawn(
        {OpenSslBinary(), "ocsp", "-index", index_path, "-port", absl::StrCat(port), "-CA",
         absl::StrCat(dir_, "/", ca, ".pem"), "-rsigner", absl::StrCat(dir_, "/", ca, ".pem"),
         "-rkey", absl::StrCat(dir_, "/", ca, ".key"), "-nmin", "10"},
        {}, absl::StrCat(dir_, "/", name, "_responder.log"));
    EXPECT_TRUE(p.ok()) << p.status();
    const std::string log = absl::StrCat(dir_, "/", name, "_responder.log");
    EXPECT_TRUE(testing::WaitUntil(
        [&log] {
          return testing::ReadFile(log).find("waiting for OCSP client connections") !=
                 std::string::npos;
        },
        absl::Seconds(20)))
        << "openssl ocsp on port " << port << " did not start: " << testing::ReadFile(log);
    return p.ok() ? *std::move(p) : ChildProcess();
  }

  Config OnlineConfig() {
    Config config = MakeConfig({signer_->WriteRootPem(dir_)});
    config.apps[0].apple->online_checks = true;
    return config;
  }

  absl::StatusOr<stores::NormalizeResult> Normalize(const stores::StoreAdapter& adapter,
                                                    const Config& config) {
    return adapter.Normalize(Raw(signer_->NotificationBody({})), config.apps[0], absl::Now());
  }

  std::string dir_;
  int leaf_port_ = 0;
  int intermediate_port_ = 0;
  std::unique_ptr<AppleTestSigner> signer_;
  std::vector<ChildProcess> responders_;
};

TEST_F(OcspResponderTest, GoodOnBothLinksIsAcceptedAndCachedUntilNextUpdate) {
  StartResponders(Status::kGood, Status::kGood);
  const Config config = OnlineConfig();
  auto adapter = stores::apple::MakeAppleAdapter(config);
  ASSERT_TRUE(adapter.ok()) << adapter.status();
  auto r = Normalize(**adapter, config);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_FALSE(r->rejected) << r->rejected->detail;
  ASSERT_EQ(r->events.size(), 1u);
  EXPECT_EQ(r->events[0].type(), v1::EVENT_TYPE_SUBSCRIPTION_STARTED);
  // The OCSP answers are cached with the chain (nextUpdate in 10 minutes):
  // with the responders gone the next notification is still accepted.
  responders_.clear();
  ASSERT_TRUE(testing::WaitUntil([this] { return !Listening(leaf_port_); }, absl::Seconds(10)));
  r = Normalize(**adapter, config);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->rejected) << r->rejected->detail;
}

TEST_F(OcspResponderTest, RevokedLeafIsRejected) {
  StartResponders(Status::kRevoked, Status::kGood);
  const Config config = OnlineConfig();
  auto adapter = stores::apple::MakeAppleAdapter(config);
  ASSERT_TRUE(adapter.ok());
  auto r = Normalize(**adapter, config);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->rejected.has_value());
  EXPECT_EQ(r->rejected->reason, v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
  EXPECT_NE(r->rejected->detail.find(
                "'CN=storewire Test Signing Leaf,O=storewire test' serial 03 is revoked (OCSP)"),
            std::string::npos)
      << r->rejected->detail;
}

TEST_F(OcspResponderTest, RevokedIntermediateIsRejected) {
  StartResponders(Status::kGood, Status::kRevoked);
  const Config config = OnlineConfig();
  auto adapter = stores::apple::MakeAppleAdapter(config);
  ASSERT_TRUE(adapter.ok());
  auto r = Normalize(**adapter, config);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->rejected.has_value());
  EXPECT_EQ(r->rejected->reason, v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
  EXPECT_NE(r->rejected->detail.find(
                "'CN=storewire Test WWDR,O=storewire test' serial 02 is revoked (OCSP)"),
            std::string::npos)
      << r->rejected->detail;
}

TEST_F(OcspResponderTest, UnknownStatusIsRejected) {
  StartResponders(Status::kUnknown, Status::kGood);
  const Config config = OnlineConfig();
  auto adapter = stores::apple::MakeAppleAdapter(config);
  ASSERT_TRUE(adapter.ok());
  auto r = Normalize(**adapter, config);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->rejected.has_value());
  EXPECT_EQ(r->rejected->reason, v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
  EXPECT_NE(r->rejected->detail.find(
                "OCSP status of 'CN=storewire Test Signing Leaf,O=storewire test' is unknown"),
            std::string::npos)
      << r->rejected->detail;
}

TEST_F(OcspResponderTest, RespondersDownIsUnavailableNotARejection) {
  // Nothing listens on the AIA ports.
  const Config config = OnlineConfig();
  auto adapter = stores::apple::MakeAppleAdapter(config);
  ASSERT_TRUE(adapter.ok());
  auto r = Normalize(**adapter, config);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_NE(r.status().message().find("retry later"), std::string::npos) << r.status();
}

TEST(OcspValidityDate, OnlineChecksRequireTheChainValidNowNotAtSignedDate) {
  // Valid 2023-01-01 .. 2026-01-01; signedDate 2025-11-01; now is later.
  testing::TestChainOptions o;
  o.not_after = absl::FromUnixSeconds(1767225600);
  auto signer = AppleTestSigner::Create(o);
  Config config = MakeConfig({signer->WriteRootPem(::testing::TempDir())});
  const absl::Time now = absl::FromUnixSeconds(1767225600) + absl::Hours(24 * 30);
  const std::string body = signer->NotificationBody({});
  {
    auto adapter = stores::apple::MakeAppleAdapter(config);
    ASSERT_TRUE(adapter.ok());
    auto r = (*adapter)->Normalize(Raw(body), config.apps[0], now);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_FALSE(r->rejected) << r->rejected->detail;  // offline: valid at signedDate
  }
  config.apps[0].apple->online_checks = true;
  auto adapter = stores::apple::MakeAppleAdapter(config);
  ASSERT_TRUE(adapter.ok());
  auto r = (*adapter)->Normalize(Raw(body), config.apps[0], now);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->rejected.has_value());
  EXPECT_EQ(r->rejected->reason, v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
  EXPECT_NE(r->rejected->detail.find("checked at now (online checks on)"), std::string::npos)
      << r->rejected->detail;
}

}  // namespace
}  // namespace storewire::apple_test
