// The SSRF guard of the outbound client: which peer addresses a connection
// may go to under an AddressPolicy.
//
//   absl::Status s = http::CheckPeerAddress(AddressPolicy::kPublicOnly, addr, len);
//   // kPermissionDenied for 127.0.0.1, 10.0.0.0/8, 169.254.169.254, ::1, ...
//
// The check is applied to the address actually connected to (the curl client
// calls it from its open-socket hook, after DNS resolution), so a name that
// resolves to a private address, or re-resolves to one later (DNS rebinding),
// is refused. IPv4-mapped IPv6 addresses are judged by their IPv4 part.
//
// Pure and thread-safe. Unknown address families are refused under
// kPublicOnly.
#ifndef STOREWIRE_HTTP_ADDRESS_POLICY_H_
#define STOREWIRE_HTTP_ADDRESS_POLICY_H_

#include <sys/socket.h>

#include "absl/status/status.h"
#include "storewire/http/client.h"

namespace storewire::http {

// OK when `policy` allows connecting to `address`; kPermissionDenied (with the
// address class in the message) otherwise.
absl::Status CheckPeerAddress(AddressPolicy policy, const sockaddr* address, socklen_t length);

}  // namespace storewire::http

#endif  // STOREWIRE_HTTP_ADDRESS_POLICY_H_
