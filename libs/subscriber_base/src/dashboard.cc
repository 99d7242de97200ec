#include "storewire/subscriber_base/dashboard.h"

#include <utility>

#include "google/protobuf/util/json_util.h"
#include "storewire/core/metrics.h"

namespace storewire::subscriber_base {

std::string DashboardJson(const SubscriberBase& base) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  // Serializing a valid message to JSON cannot fail.
  (void)google::protobuf::util::MessageToJsonString(base.Dashboard(), &out, options);
  return out;
}

http::Response HandleMetricsAdminRequest(const http::Request& request, const SubscriberBase& base,
                                         const http::ReadinessCheck& ready) {
  const bool read = request.method == "GET" || request.method == "HEAD";
  if ((request.path == "/" || request.path == "/api/dashboard") && !read) {
    return {.status = 405,
            .content_type = "text/plain",
            .body = "method not allowed\n",
            .headers = {{"allow", "GET, HEAD"}}};
  }
  http::Response response;
  if (request.path == "/") {
    response.content_type = "text/html; charset=utf-8";
    response.body = kDashboardHtml;
    response.headers = {{"cache-control", "no-cache"},
                        {"content-security-policy",
                         "default-src 'self'; script-src 'unsafe-inline'; style-src "
                         "'unsafe-inline'; connect-src 'self'"}};
  } else if (request.path == "/api/dashboard") {
    response.content_type = "application/json";
    response.body = DashboardJson(base);
    response.headers = {{"cache-control", "no-store"}};
  } else {
    if (request.path == "/metrics") base.PublishGauges(MetricsRegistry::Default());
    return http::HandleAdminRequest(request, ready);
  }
  if (request.method == "HEAD") response.body.clear();
  return response;
}

http::Handler MetricsAdminHandler(const SubscriberBase& base, http::ReadinessCheck ready) {
  return [&base, ready = std::move(ready)](http::Request request, http::Responder respond) {
    respond(HandleMetricsAdminRequest(request, base, ready));
  };
}

}  // namespace storewire::subscriber_base
