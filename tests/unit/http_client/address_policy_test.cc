#include "storewire/http/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

#include "gtest/gtest.h"

namespace storewire::http {
namespace {

absl::Status Check(AddressPolicy policy, const std::string& ip) {
  if (ip.find(':') != std::string::npos) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    EXPECT_EQ(inet_pton(AF_INET6, ip.c_str(), &a.sin6_addr), 1) << ip;
    return CheckPeerAddress(policy, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  }
  sockaddr_in a{};
  a.sin_family = AF_INET;
  EXPECT_EQ(inet_pton(AF_INET, ip.c_str(), &a.sin_addr), 1) << ip;
  return CheckPeerAddress(policy, reinterpret_cast<sockaddr*>(&a), sizeof(a));
}

TEST(AddressPolicyTest, PublicOnlyRefusesNonPublicAddresses) {
  for (const char* ip : {"127.0.0.1",
                         "127.255.0.9",
                         "10.1.2.3",
                         "172.16.0.1",
                         "172.31.255.255",
                         "192.168.1.1",
                         "169.254.169.254",
                         "0.0.0.0",
                         "100.64.0.1",
                         "224.0.0.1",
                         "255.255.255.255",
                         "::1",
                         "::",
                         "fc00::1",
                         "fd12:3456::1",
                         "fe80::1",
                         "ff02::1",
                         "::ffff:127.0.0.1",
                         "::ffff:169.254.169.254",
                         "64:ff9b::a00:1"}) {
    absl::Status s = Check(AddressPolicy::kPublicOnly, ip);
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << ip;
  }
}

TEST(AddressPolicyTest, PublicOnlyAllowsPublicAddresses) {
  for (const char* ip :
       {"8.8.8.8", "142.250.1.1", "172.32.0.1", "11.0.0.1", "2001:4860::8888", "::ffff:8.8.4.4"}) {
    EXPECT_TRUE(Check(AddressPolicy::kPublicOnly, ip).ok()) << ip;
  }
}

TEST(AddressPolicyTest, AnyAllowsEverything) {
  EXPECT_TRUE(Check(AddressPolicy::kAny, "127.0.0.1").ok());
  EXPECT_TRUE(Check(AddressPolicy::kAny, "169.254.169.254").ok());
}

TEST(AddressPolicyTest, UnknownFamilyIsRefusedUnderPublicOnly) {
  sockaddr a{};
  a.sa_family = AF_UNIX;
  EXPECT_EQ(CheckPeerAddress(AddressPolicy::kPublicOnly, &a, sizeof(a)).code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace storewire::http
