#include "storewire/http/admin.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "storewire/core/log.h"
#include "storewire/core/metrics.h"

namespace storewire::http {

Response HandleAdminRequest(const Request& request, const ReadinessCheck& ready) {
  const bool known =
      request.path == "/healthz" || request.path == "/readyz" || request.path == "/metrics";
  if (!known) {
    return {.status = 404, .content_type = "text/plain", .body = "not found\n"};
  }
  if (request.method != "GET" && request.method != "HEAD") {
    return {.status = 405,
            .content_type = "text/plain",
            .body = "method not allowed\n",
            .headers = {{"allow", "GET, HEAD"}}};
  }
  Response response;
  response.content_type = "text/plain";
  if (request.path == "/healthz") {
    response.body = "ok\n";
  } else if (request.path == "/readyz") {
    absl::Status status = ready ? ready() : absl::OkStatus();
    if (status.ok()) {
      response.body = "ready\n";
    } else {
      response.status = 503;
      response.body = absl::StrCat("not ready: ", status.ToString(), "\n");
    }
  } else {
    response.content_type = kPrometheusContentType;
    response.body = MetricsRegistry::Default().Render();
  }
  if (request.method == "HEAD") response.body.clear();
  return response;
}

Handler AdminHandler(ReadinessCheck ready) {
  return [ready = std::move(ready)](Request request, Responder respond) {
    respond(HandleAdminRequest(request, ready));
  };
}

absl::StatusOr<std::unique_ptr<Server>> StartAdminServer(ServerOptions options,
                                                         ReadinessCheck ready) {
  if (options.name == "http") options.name = "admin";
  return Server::Start(options, AdminHandler(std::move(ready)));
}

}  // namespace storewire::http
