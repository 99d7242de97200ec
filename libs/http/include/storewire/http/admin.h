// The admin endpoints every storewire service exposes on its admin port:
//
//   GET /healthz  200 "ok" while the process serves HTTP at all
//   GET /readyz   200 "ready", or 503 with the reason from the readiness check
//   GET /metrics  MetricsRegistry::Default().Render(), text/plain; version=0.0.4
//
//   auto admin = http::StartAdminServer(
//       {.name = "admin", .port = 9101},
//       [&] { return producer->CheckReachable(absl::Seconds(1)); });
//
// The readiness check runs on an I/O thread of the admin server: keep it
// bounded (a second or so). Other paths are 404, other methods than GET/HEAD
// 405. Thread safety: the check may be called concurrently from the admin
// server's threads.
#ifndef STOREWIRE_HTTP_ADMIN_H_
#define STOREWIRE_HTTP_ADMIN_H_

#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storewire/http/message.h"
#include "storewire/http/server.h"

namespace storewire::http {

// OK = ready. A non-OK status is shown in the 503 body.
using ReadinessCheck = std::function<absl::Status()>;

inline constexpr char kPrometheusContentType[] = "text/plain; version=0.0.4";

// The answer to one admin request (pure; used by the handler and by tests).
Response HandleAdminRequest(const Request& request, const ReadinessCheck& ready);

Handler AdminHandler(ReadinessCheck ready);

// Starts a server with AdminHandler (2 threads unless options say otherwise).
absl::StatusOr<std::unique_ptr<Server>> StartAdminServer(ServerOptions options,
                                                         ReadinessCheck ready);

}  // namespace storewire::http

#endif  // STOREWIRE_HTTP_ADMIN_H_
