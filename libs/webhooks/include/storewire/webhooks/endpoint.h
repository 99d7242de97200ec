// What an endpoint receives and signs with: filter matching, the secrets
// that sign at a given time, and URL validation.
//
//   if (Matches(endpoint.filter(), event)) { ... }
//   std::vector<std::string> secrets = ActiveSecrets(endpoint, now);
//
// Thread safety: pure functions over values.
#ifndef STOREWIRE_WEBHOOKS_ENDPOINT_H_
#define STOREWIRE_WEBHOOKS_ENDPOINT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "storewire/v1/event.pb.h"
#include "storewire/v1/webhooks.pb.h"

namespace storewire::webhooks {

// Every non-empty list of the filter must contain the event's value. Event
// types compare without the EVENT_TYPE_ prefix.
bool Matches(const v1::EndpointFilter& filter, const v1::SubscriptionEvent& event);

// Normalizes and checks a filter: event types to their short names
// ("RENEWED"), each one known. kInvalidArgument naming a bad entry.
absl::Status NormalizeFilter(v1::EndpointFilter& filter);

// The current secret, plus the previous one while its overlap lasts.
std::vector<std::string> ActiveSecrets(const v1::WebhookEndpoint& endpoint, absl::Time now);

// http:// or https:// with a host; kInvalidArgument otherwise. (Where the host
// resolves to is checked on every connect by the client's address policy.)
absl::Status ValidateUrl(const std::string& url);

// The endpoint without secrets (for listings and logs).
v1::WebhookEndpoint Redacted(const v1::WebhookEndpoint& endpoint);

// What identifies a delivery in logs, dead-letter keys and redrives: the
// event id (the webhook-id), or for a raw forward the ingress's request id.
const std::string& DeliveryId(const v1::WebhookDelivery& delivery);

// The ingress's request id of the notification behind the delivery (logs:
// it follows a notification from the ingress to its webhooks).
const std::string& RequestId(const v1::WebhookDelivery& delivery);

// When the store's notification reached the ingress (delivery latency).
const google::protobuf::Timestamp& ReceivedAt(const v1::WebhookDelivery& delivery);

}  // namespace storewire::webhooks

#endif  // STOREWIRE_WEBHOOKS_ENDPOINT_H_
