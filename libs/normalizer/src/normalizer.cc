#include "storewire/normalizer/normalizer.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "storewire/core/log.h"
#include "storewire/core/metrics.h"

namespace storewire::normalizer {
namespace {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

void CountEvent(const v1::SubscriptionEvent& event) {
  MetricsRegistry::Default()
      .GetCounter("storewire_normalizer_events_total", "Events produced by store, app and type",
                  {{"store", std::string(StoreRouteName(event.store()))},
                   {"app", event.app_id()},
                   {"type", EnumSuffix(v1::EventType_Name(event.type()), "EVENT_TYPE_")}})
      .Increment();
}

void CountRejection(v1::Store store, v1::RejectReason reason) {
  MetricsRegistry::Default()
      .GetCounter("storewire_normalizer_rejections_total", "Rejected notifications by reason",
                  {{"store", std::string(StoreRouteName(store))},
                   {"reason", stores::RejectReasonName(reason)}})
      .Increment();
}

}  // namespace

std::vector<kafka::Header> CloudEventHeaders(const v1::SubscriptionEvent& event) {
  std::string type =
      absl::AsciiStrToLower(EnumSuffix(v1::EventType_Name(event.type()), "EVENT_TYPE_"));
  const google::protobuf::Timestamp& time =
      event.has_occurred_at() ? event.occurred_at() : event.received_at();
  std::vector<kafka::Header> headers = {
      {"ce_specversion", "1.0"},
      {"ce_id", event.id()},
      {"ce_source", absl::StrCat("storewire/", StoreRouteName(event.store()), "/", event.app_id())},
      {"ce_type", absl::StrCat("storewire.subscription.", type, ".v1")},
      {"ce_time", TimeUtil::ToString(time)},
      {"ce_subject", event.subscription_key()},
      {"content-type", "application/protobuf"},
  };
  if (!event.request_id().empty()) headers.push_back({"storewire_request_id", event.request_id()});
  return headers;
}

absl::StatusOr<stores::NormalizeResult> NormalizeOne(const AdapterSet& adapters,
                                                     const Config& config,
                                                     const v1::RawNotification& raw,
                                                     absl::Time now) {
  const AppConfig* app = config.FindApp(raw.app_id());
  if (app == nullptr) {
    return stores::NormalizeResult::Reject(
        v1::REJECT_REASON_UNKNOWN_APP,
        absl::StrCat("app '", raw.app_id(),
                     "' is not in the config; add it under apps: and resubmit or replay"));
  }
  auto it = adapters.find(raw.store());
  if (it == adapters.end()) {
    return stores::NormalizeResult::Reject(
        v1::REJECT_REASON_STORE_NOT_SUPPORTED,
        absl::StrCat("this normalizer has no adapter for store '", StoreRouteName(raw.store()),
                     "' yet; the record stays on the raw topic and can be replayed later"));
  }
  return it->second->Normalize(raw, *app, now);
}

Normalizer::Normalizer(const Config& config, AdapterSet adapters, const Clock& clock,
                       NormalizerStats* stats)
    : config_(config),
      adapters_(std::move(adapters)),
      clock_(clock),
      stats_(stats),
      topics_(config.kafka.topic_prefix) {}

std::vector<std::string> Normalizer::InputTopics() const {
  std::vector<std::string> topics;
  for (v1::Store store : kAllStores) topics.push_back(topics_.Raw(store));
  return topics;
}

void Normalizer::Reject(const kafka::ConsumedRecord& in, const v1::RawNotification& raw,
                        const stores::Rejection& rejection,
                        std::vector<kafka::OutgoingRecord>& out) const {
  v1::RejectedNotification rejected;
  *rejected.mutable_raw() = raw;
  rejected.set_reason(rejection.reason);
  rejected.set_detail(rejection.detail);
  rejected.set_source_topic(in.topic);
  rejected.set_source_partition(in.partition);
  rejected.set_source_offset(in.offset);
  *rejected.mutable_rejected_at() = ToProto(clock_.Now());
  CountRejection(raw.store(), rejection.reason);
  if (stats_ != nullptr) {
    stats_->CountRejection(raw.store(), raw.app_id(), stores::RejectReasonName(rejection.reason),
                           clock_.Now());
  }
  log::Warn("rejected", {{"request_id", raw.request_id()},
                         {"app", raw.app_id()},
                         {"store", std::string(StoreRouteName(raw.store()))},
                         {"reason", stores::RejectReasonName(rejection.reason)},
                         {"detail", rejection.detail},
                         {"source", absl::StrCat(in.topic, "/", in.partition, "@", in.offset)}});
  std::string key = raw.partition_key().empty() ? in.key : raw.partition_key();
  out.push_back({topics_.Rejected(),
                 std::move(key),
                 rejected.SerializeAsString(),
                 {{"storewire_reject_reason", stores::RejectReasonName(rejection.reason)}}});
}

absl::Status Normalizer::Transform(const kafka::ConsumedRecord& in,
                                   std::vector<kafka::OutgoingRecord>& out) const {
  v1::RawNotification raw;
  if (!raw.ParseFromString(in.value)) {
    // Not written by our ingress: keep the bytes, say where they came from.
    raw.set_body(in.value);
    raw.set_partition_key(in.key);
    Reject(in, raw,
           {v1::REJECT_REASON_MALFORMED,
            absl::StrCat("record ", in.topic, "/", in.partition, "@", in.offset,
                         " is not a storewire.v1.RawNotification; only storewire-ingress should "
                         "write to the raw topics")},
           out);
    return absl::OkStatus();
  }
  absl::StatusOr<stores::NormalizeResult> result =
      NormalizeOne(adapters_, config_, raw, clock_.Now());
  if (!result.ok()) {
    log::Warn("retryable normalization failure; the batch will be retried",
              {{"request_id", raw.request_id()}, {"error", result.status().ToString()}});
    if (kafka::IsRetryable(result.status())) return result.status();
    return absl::UnavailableError(result.status().message());
  }
  if (result->rejected.has_value()) {
    Reject(in, raw, *result->rejected, out);
    return absl::OkStatus();
  }
  for (v1::SubscriptionEvent& event : result->events) {
    if (event.request_id().empty()) event.set_request_id(raw.request_id());
    if (!event.has_received_at()) *event.mutable_received_at() = raw.received_at();
    CountEvent(event);
    if (stats_ != nullptr) {
      stats_->CountEvent(event.store(), event.app_id(),
                         EnumSuffix(v1::EventType_Name(event.type()), "EVENT_TYPE_"), clock_.Now());
    }
    log::Info("normalized", {{"request_id", raw.request_id()},
                             {"event_id", event.id()},
                             {"type", EnumSuffix(v1::EventType_Name(event.type()), "EVENT_TYPE_")},
                             {"app", event.app_id()}});
    out.push_back({topics_.Events(), event.subscription_key(), event.SerializeAsString(),
                   CloudEventHeaders(event)});
  }
  return absl::OkStatus();
}

}  // namespace storewire::normalizer
