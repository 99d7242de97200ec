#include "storewire/webhooks/dead_letters.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "storewire/core/uuid.h"
#include "storewire/webhooks/endpoint.h"
#include "storewire/webhooks/metrics.h"
#include "storewire/webhooks/registry.h"

namespace storewire::webhooks {

using google::protobuf::util::TimeUtil;

namespace {

// Reading the multi-partition events topic has no marker: it ends when no
// record arrived for this long (after the first one, or from the start).
constexpr absl::Duration kReplayIdle = absl::Seconds(3);
constexpr absl::Duration kReplayFirstRecord = absl::Seconds(15);
constexpr absl::Duration kDlqReadTimeout = absl::Seconds(30);

}  // namespace

DeadLetters::DeadLetters(kafka::ClientOptions client, kafka::RecordSink& sink,
                         const RetryPolicy& policy, const Clock& clock)
    : client_(std::move(client)), sink_(sink), policy_(policy), clock_(clock) {}

absl::StatusOr<std::vector<v1::WebhookDelivery>> DeadLetters::List(const std::string& endpoint_id) {
  std::map<std::string, v1::WebhookDelivery> latest;
  std::vector<std::string> order;
  absl::Status s = ReadWholeTopic(client_, sink_, policy_.topics().dlq, kDlqReadTimeout,
                                  [&](const kafka::ConsumedRecord& r) {
                                    v1::WebhookDelivery d;
                                    if (!d.ParseFromString(r.value)) return;
                                    if (!latest.count(r.key)) order.push_back(r.key);
                                    latest[r.key] = std::move(d);
                                  });
  if (!s.ok()) return s;
  std::vector<v1::WebhookDelivery> out;
  for (const std::string& key : order) {
    const v1::WebhookDelivery& d = latest[key];
    if (d.redriven()) continue;
    if (!endpoint_id.empty() && d.endpoint_id() != endpoint_id) continue;
    out.push_back(d);
  }
  if (endpoint_id.empty()) DlqDepth().Set(static_cast<double>(out.size()));
  return out;
}

absl::Status DeadLetters::Queue(const std::string& endpoint_id,
                                const v1::SubscriptionEvent& event) {
  v1::WebhookDelivery delivery;
  delivery.set_endpoint_id(endpoint_id);
  *delivery.mutable_event() = event;
  return Queue(delivery);
}

absl::Status DeadLetters::Queue(const v1::WebhookDelivery& dead) {
  if (policy_.max_attempts() <= 1) {
    return absl::FailedPreconditionError(
        "webhooks.retry_schedule is empty: there is no retry topic to queue deliveries on");
  }
  const std::string& endpoint_id = dead.endpoint_id();
  v1::WebhookDelivery delivery;
  delivery.set_endpoint_id(endpoint_id);
  if (dead.has_raw()) {
    *delivery.mutable_raw() = dead.raw();
  } else {
    *delivery.mutable_event() = dead.event();
  }
  delivery.set_attempt(0);
  *delivery.mutable_due_at() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(clock_.Now()));
  return SendAndWait(
      sink_,
      {.topic = policy_.TopicFor(1), .key = endpoint_id, .value = delivery.SerializeAsString()});
}

absl::StatusOr<int> DeadLetters::Redrive(const std::string& endpoint_id,
                                         const std::string& event_id) {
  absl::StatusOr<std::vector<v1::WebhookDelivery>> dead = List(endpoint_id);
  if (!dead.ok()) return dead.status();
  int redriven = 0;
  for (v1::WebhookDelivery& d : *dead) {
    if (!event_id.empty() && DeliveryId(d) != event_id) continue;
    if (absl::Status s = Queue(d); !s.ok()) return s;
    d.set_redriven(true);
    if (absl::Status s = SendAndWait(sink_, {.topic = policy_.topics().dlq,
                                             .key = DeadLetterKey(d.endpoint_id(), DeliveryId(d)),
                                             .value = d.SerializeAsString()});
        !s.ok()) {
      return s;
    }
    DlqDepth().Add(-1);
    ++redriven;
  }
  if (!event_id.empty() && redriven == 0) {
    return absl::NotFoundError(
        absl::StrCat("no dead letter of endpoint ", endpoint_id, " for event ", event_id));
  }
  return redriven;
}

absl::StatusOr<int> DeadLetters::Replay(const v1::WebhookEndpoint& endpoint, absl::Time from,
                                        absl::Time to, const std::string& events_topic) {
  auto consumer = kafka::Consumer::Create({.client = client_,
                                           .group_id = "storewire-replay-" + RandomUuid(),
                                           .topics = {events_topic},
                                           .read_committed = true,
                                           .auto_offset_reset = "earliest"});
  if (!consumer.ok()) return consumer.status();
  int queued = 0;
  const absl::Time start = absl::Now();
  absl::Time last_record = absl::InfinitePast();
  while (true) {
    const absl::Time now = absl::Now();
    if (last_record == absl::InfinitePast() ? now - start > kReplayFirstRecord
                                            : now - last_record > kReplayIdle) {
      break;
    }
    auto batch = (*consumer)->Poll(1000, absl::Milliseconds(200));
    if (!batch.ok()) continue;
    for (const kafka::ConsumedRecord& r : *batch) {
      last_record = absl::Now();
      v1::SubscriptionEvent event;
      if (!event.ParseFromString(r.value)) continue;
      const absl::Time received =
          absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(event.received_at()));
      if (received < from || received >= to || !Matches(endpoint.filter(), event)) continue;
      if (absl::Status s = Queue(endpoint.id(), event); !s.ok()) {
        (*consumer)->Close();
        return s;
      }
      ++queued;
    }
  }
  (*consumer)->Close();
  return queued;
}

}  // namespace storewire::webhooks
