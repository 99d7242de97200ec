#include "storewire/webhooks/metrics.h"

#include <map>
#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace storewire::webhooks {

Counter& EndpointMetricSet::Outcome(absl::string_view outcome) const {
  return MetricsRegistry::Default().GetCounter(
      "storewire_webhooks_deliveries_total", "Delivery attempts by endpoint and outcome",
      {{"endpoint", endpoint}, {"outcome", std::string(outcome)}});
}

EndpointMetricSet& EndpointMetrics(const std::string& endpoint_id) {
  static std::mutex mu;
  static auto* sets = new std::map<std::string, std::unique_ptr<EndpointMetricSet>>();
  std::lock_guard<std::mutex> lock(mu);
  std::unique_ptr<EndpointMetricSet>& slot = (*sets)[endpoint_id];
  if (slot == nullptr) {
    MetricsRegistry& m = MetricsRegistry::Default();
    const Labels labels = {{"endpoint", endpoint_id}};
    slot.reset(new EndpointMetricSet{
        endpoint_id,
        m.GetHistogram("storewire_webhooks_delivery_latency_seconds",
                       "Seconds from the event's receivedAt to the endpoint's 2xx", labels,
                       {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600,
                        36000, 100000}),
        m.GetCounter("storewire_webhooks_retries_total", "Deliveries handed to a retry topic",
                     labels),
        m.GetCounter("storewire_webhooks_deferred_total",
                     "Deliveries deferred without an attempt (endpoint busy or circuit open)",
                     labels),
        m.GetCounter("storewire_webhooks_dead_letters_total", "Deliveries written to the DLQ",
                     labels)});
  }
  return *slot;
}

Gauge& DlqDepth() {
  static Gauge& g = MetricsRegistry::Default().GetGauge(
      "storewire_webhooks_dlq_depth", "Dead letters not redriven (as known to this replica)");
  return g;
}

Gauge& RetryWaiting() {
  static Gauge& g = MetricsRegistry::Default().GetGauge(
      "storewire_webhooks_retry_waiting",
      "Retry-topic partitions paused until their next record is due");
  return g;
}

Gauge& InFlight() {
  static Gauge& g = MetricsRegistry::Default().GetGauge("storewire_webhooks_in_flight",
                                                        "Deliveries in flight or queued in memory");
  return g;
}

Gauge& EndpointCount(absl::string_view state) {
  return MetricsRegistry::Default().GetGauge("storewire_webhooks_endpoints",
                                             "Registered endpoints by state",
                                             {{"state", std::string(state)}});
}

std::string DeadLetterKey(absl::string_view endpoint_id, absl::string_view event_id) {
  return absl::StrCat(endpoint_id, "/", event_id);
}

}  // namespace storewire::webhooks
