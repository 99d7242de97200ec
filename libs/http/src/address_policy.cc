#include "storewire/http/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace storewire::http {
namespace {

// The reason an IPv4 address (host byte order) is not public, or nullptr.
const char* NonPublicV4(uint32_t a) {
  auto in = [a](uint32_t net, int bits) {
    uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return (a & mask) == net;
  };
  if (in(0x00000000, 8)) return "unspecified (0.0.0.0/8)";
  if (in(0x7f000000, 8)) return "loopback";
  if (in(0x0a000000, 8) || in(0xac100000, 12) || in(0xc0a80000, 16)) return "private (RFC 1918)";
  if (in(0x64400000, 10)) return "shared address space (100.64.0.0/10)";
  if (in(0xa9fe0000, 16)) return "link-local (incl. metadata 169.254.169.254)";
  if (in(0xc0000000, 24)) return "IETF protocol assignments (192.0.0.0/24)";
  if (in(0xc6120000, 15)) return "benchmarking (198.18.0.0/15)";
  if (in(0xe0000000, 4)) return "multicast";
  if (in(0xf0000000, 4)) return "reserved (240.0.0.0/4)";
  return nullptr;
}

const char* NonPublicV6(const in6_addr& a) {
  const uint8_t* b = a.s6_addr;
  if (IN6_IS_ADDR_V4MAPPED(&a) || IN6_IS_ADDR_V4COMPAT(&a)) {
    uint32_t v4 =
        (uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) | (uint32_t{b[14]} << 8) | b[15];
    if (IN6_IS_ADDR_V4COMPAT(&a) && v4 <= 1) {
      return v4 == 0 ? "unspecified (::)" : "loopback (::1)";
    }
    return NonPublicV4(v4);
  }
  if (IN6_IS_ADDR_UNSPECIFIED(&a)) return "unspecified (::)";
  if (IN6_IS_ADDR_LOOPBACK(&a)) return "loopback (::1)";
  if ((b[0] & 0xfe) == 0xfc) return "unique local (fc00::/7)";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "link-local (fe80::/10)";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return "site-local (fec0::/10)";
  if (b[0] == 0xff) return "multicast";
  // NAT64 (64:ff9b::/96) embeds an IPv4 address.
  static constexpr uint8_t kNat64[12] = {0x00, 0x64, 0xff, 0x9b};
  if (std::memcmp(b, kNat64, sizeof(kNat64)) == 0) {
    uint32_t v4 =
        (uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) | (uint32_t{b[14]} << 8) | b[15];
    return NonPublicV4(v4);
  }
  return nullptr;
}

}  // namespace

absl::Status CheckPeerAddress(AddressPolicy policy, const sockaddr* address, socklen_t length) {
  if (policy == AddressPolicy::kAny) return absl::OkStatus();
  const char* reason = "unknown address family";
  if (address != nullptr && address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    reason = NonPublicV4(ntohl(v4->sin_addr.s_addr));
  } else if (address != nullptr && address->sa_family == AF_INET6 &&
             length >= sizeof(sockaddr_in6)) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    reason = NonPublicV6(v6->sin6_addr);
  }
  if (reason == nullptr) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("outbound connection refused by the address policy: peer address is ", reason));
}

}  // namespace storewire::http
