// Raw forwarding: each `forward:` of the config (apps[].<store>.forward)
// becomes an endpoint of the webhooks machinery, so forwarded notifications
// get the same per-endpoint limits, circuit breaker, retry topics and dead
// letters as events. Such an endpoint has id "fwd_<app>_<store>", carries
// `forward` (app, store, extra headers) and lives only in memory: the config
// is its source, never the registry topic.
//
//   registry.SetForwards(ForwardEndpoints(config));
//   std::vector<std::string> topics = ForwardedRawTopics(config);  // to consume
//   EndpointPtr e = registry.ForwardFor("demo", v1::STORE_APP_STORE);
//   http::HeaderList h = ForwardHeaders(e->forward(), raw);
//
// Thread safety: pure functions over values.
#ifndef STOREWIRE_WEBHOOKS_FORWARD_H_
#define STOREWIRE_WEBHOOKS_FORWARD_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "storewire/core/config.h"
#include "storewire/http/message.h"
#include "storewire/v1/raw.pb.h"
#include "storewire/v1/webhooks.pb.h"

namespace storewire::webhooks {

// "fwd_demo_apple".
std::string ForwardEndpointId(absl::string_view app_id, v1::Store store);

// One endpoint per configured forward, in config order.
std::vector<v1::WebhookEndpoint> ForwardEndpoints(const Config& config);

// The raw topics at least one forward reads (sorted, no duplicates).
std::vector<std::string> ForwardedRawTopics(const Config& config);

// The request headers of a forwarded notification: the headers the ingress
// recorded from the store (content-type, user-agent, authorization of
// Google's push, x-amz-sns-*), then the forward's configured headers (which
// win on a clash), then storewire-request-id and storewire-app-id.
http::HeaderList ForwardHeaders(const v1::RawForward& forward, const v1::RawNotification& raw);

}  // namespace storewire::webhooks

#endif  // STOREWIRE_WEBHOOKS_FORWARD_H_
