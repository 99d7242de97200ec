// The metrics admin port: the usual admin endpoints plus the dashboard.
//
//   GET /               the dashboard page (HTML, JS and CSS inline; no CDN)
//   GET /api/dashboard  v1::DashboardData in the proto3 JSON mapping (what
//                       the page polls every few seconds)
//   GET /metrics        Prometheus, with the subscriber gauges refreshed
//   /healthz, /readyz   as http::HandleAdminRequest
//
//   auto admin = http::Server::Start({.name = "admin", .port = 9104},
//                                    MetricsAdminHandler(base, ready));
//
// Thread safety: the handler may run on any server thread; the base must
// outlive the server.
#ifndef STOREWIRE_SUBSCRIBER_BASE_DASHBOARD_H_
#define STOREWIRE_SUBSCRIBER_BASE_DASHBOARD_H_

#include <string>

#include "storewire/http/admin.h"
#include "storewire/http/message.h"
#include "storewire/http/server.h"
#include "storewire/subscriber_base/subscriber_base.h"

namespace storewire::subscriber_base {

// The page served at "/".
extern const char kDashboardHtml[];

std::string DashboardJson(const SubscriberBase& base);

http::Response HandleMetricsAdminRequest(const http::Request& request, const SubscriberBase& base,
                                         const http::ReadinessCheck& ready);

http::Handler MetricsAdminHandler(const SubscriberBase& base, http::ReadinessCheck ready);

}  // namespace storewire::subscriber_base

#endif  // STOREWIRE_SUBSCRIBER_BASE_DASHBOARD_H_
