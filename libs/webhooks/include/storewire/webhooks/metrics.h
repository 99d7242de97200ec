// The webhook dispatcher's Prometheus metrics (served on the admin port's
// /metrics):
//   storewire_webhooks_deliveries_total{endpoint,outcome}   attempts by result
//     (2xx, 4xx, 5xx, 410, timeout, connect, refused)
//   storewire_webhooks_delivery_latency_seconds{endpoint}   event receivedAt -> 2xx
//   storewire_webhooks_retries_total{endpoint}              handed to a retry topic
//   storewire_webhooks_deferred_total{endpoint}             overflow / open circuit
//   storewire_webhooks_dead_letters_total{endpoint}         written to the DLQ
//   storewire_webhooks_retry_waiting                        retry partitions paused until due
//   storewire_webhooks_dlq_depth                            dead letters not redriven
//   storewire_webhooks_in_flight                            deliveries in memory
//   storewire_webhooks_endpoints{state}                     enabled / disabled
// Endpoint ids come from the registry (a bounded set). Thread safety: any thread.
#ifndef STOREWIRE_WEBHOOKS_METRICS_H_
#define STOREWIRE_WEBHOOKS_METRICS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "storewire/core/metrics.h"

namespace storewire::webhooks {

struct EndpointMetricSet {
  std::string endpoint;
  Histogram& latency;
  Counter& retries;
  Counter& deferred;
  Counter& dead_letters;
  Counter& Outcome(absl::string_view outcome) const;
};

// Looked up once per endpoint and kept.
EndpointMetricSet& EndpointMetrics(const std::string& endpoint_id);
Gauge& DlqDepth();
Gauge& RetryWaiting();
Gauge& InFlight();
Gauge& EndpointCount(absl::string_view state);

// Key of a DLQ record: "<endpoint id>/<event id>".
std::string DeadLetterKey(absl::string_view endpoint_id, absl::string_view event_id);

}  // namespace storewire::webhooks

#endif  // STOREWIRE_WEBHOOKS_METRICS_H_
