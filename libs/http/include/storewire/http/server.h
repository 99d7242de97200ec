// An asynchronous HTTP/1.1 server (Boost.Beast over Asio) for the store-facing
// and admin endpoints of every storewire service.
//
//   http::ServerOptions options{.port = 8080, .threads = 2};
//   absl::StatusOr<std::unique_ptr<http::Server>> server =
//       http::Server::Start(options, [](http::Request req, http::Responder respond) {
//         respond({.status = 200, .body = "{}"});
//       });
//   (*server)->port();           // the bound port (useful with port 0)
//   (*server)->Stop(absl::Seconds(10));
//
// Guarantees (see README.md):
//   - keep-alive, `threads` I/O threads, each connection on its own strand;
//   - a body larger than `max_body_bytes` is answered 413 and the connection
//     closed; no more than the limit (plus one read buffer) is ever held;
//   - a request (headers and body) must arrive within `request_timeout` from
//     its first byte (from the accept for a connection's first request), else
//     the connection is closed; an idle keep-alive connection is closed after
//     `idle_timeout`;
//   - at most `max_connections` connections: excess ones get a canned 503 and
//     are closed at once;
//   - a handler that does not respond within `handler_timeout` gets its
//     request answered 503 (Retry-After) and a late response is dropped;
//   - Stop() stops accepting, closes idle connections, lets requests that
//     reached the handler finish (up to the grace period), then joins.
//
// Errors: Start returns kInvalidArgument for a bad address, kUnavailable when
// the port cannot be bound. Thread safety: port() and Stop() may be called from
// any thread except an I/O thread of the same server; the handler runs on I/O
// threads and must not block.
#ifndef STOREWIRE_HTTP_SERVER_H_
#define STOREWIRE_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storewire/http/message.h"

namespace storewire::http {

using Handler = std::function<void(Request, Responder)>;

struct ServerOptions {
  // For logs ("ingress-http", "admin").
  std::string name = "http";
  std::string bind_address = "0.0.0.0";
  int port = 0;  // 0 = any free port
  int threads = 2;
  int64_t max_body_bytes = 256 * 1024;
  int64_t max_header_bytes = 16 * 1024;
  absl::Duration request_timeout = absl::Seconds(10);
  absl::Duration idle_timeout = absl::Seconds(60);
  absl::Duration handler_timeout = absl::Seconds(30);
  int max_connections = 10000;
};

class Server {
 public:
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options,
                                                       Handler handler);
  virtual ~Server() = default;

  virtual int port() const = 0;
  // Open connections (for tests and metrics).
  virtual int connections() const = 0;
  // Idempotent. Returns once every connection is closed or `grace` passed.
  virtual void Stop(absl::Duration grace) = 0;
};

}  // namespace storewire::http

#endif  // STOREWIRE_HTTP_SERVER_H_
