// Outbound HTTP for storewire (store APIs, JWKS and certificate fetches,
// webhook deliveries), behind an interface so that logic is tested with fakes.
//
//   std::unique_ptr<http::Client> client = http::MakeCurlClient({});
//   client->Send({.method = "POST", .url = url, .body = json},
//                [](absl::StatusOr<http::ClientResponse> r) { ... });   // async
//   absl::StatusOr<http::ClientResponse> r = http::SendAndWait(*client, request);
//
// A response with any HTTP status is OK at this level (the caller decides what
// a 429 or a 503 means); a non-OK status means no complete response:
//   kUnavailable       connection refused / reset / DNS failure (retry)
//   kDeadlineExceeded  connect or total timeout (retry)
//   kPermissionDenied  the resolved address is refused by the address policy
//                      (SSRF guard: loopback, private, link-local, metadata)
//   kInvalidArgument   malformed URL or unsupported scheme
// Redirects are never followed unless the request asks; response bodies are
// read up to max_response_bytes (then `truncated` is set).
//
// Thread safety: Send may be called from any thread; `done` runs on the
// client's own I/O thread and must not block.
#ifndef STOREWIRE_HTTP_CLIENT_H_
#define STOREWIRE_HTTP_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storewire/http/message.h"

namespace storewire::http {

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  HeaderList headers;
  std::string body;
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration timeout = absl::Seconds(15);
  int64_t max_response_bytes = 1 << 20;
  bool follow_redirects = false;
};

struct ClientResponse {
  int status = 0;
  HeaderList headers;  // names lower-cased
  std::string body;
  bool truncated = false;
  // The first header with this name (give it lower-case), or "".
  std::string Header(absl::string_view lower_name) const;
};

// Which resolved peer addresses a client may connect to.
enum class AddressPolicy {
  kAny,
  // Refuse loopback, private (RFC 1918, fc00::/7), link-local (incl.
  // 169.254.169.254 metadata), unspecified and multicast addresses.
  kPublicOnly,
};

struct ClientOptions {
  AddressPolicy address_policy = AddressPolicy::kAny;
  // Bounds on concurrent connections (keep-alive connections are reused).
  int max_connections_per_host = 8;
  int max_total_connections = 256;
  std::string user_agent = "storewire/0.1";
};

class Client {
 public:
  using Callback = std::function<void(absl::StatusOr<ClientResponse>)>;
  virtual ~Client() = default;
  // Starts the request; `done` is called exactly once.
  virtual void Send(ClientRequest request, Callback done) = 0;
};

// libcurl (multi interface) on one background thread: many requests in
// flight, connection reuse, the address policy enforced on every connect.
std::unique_ptr<Client> MakeCurlClient(const ClientOptions& options);

// Blocking convenience over Send (never call it from a client callback).
absl::StatusOr<ClientResponse> SendAndWait(Client& client, ClientRequest request);

}  // namespace storewire::http

#endif  // STOREWIRE_HTTP_CLIENT_H_
