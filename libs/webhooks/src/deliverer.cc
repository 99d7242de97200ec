#include "storewire/webhooks/deliverer.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "storewire/core/log.h"
#include "storewire/webhooks/endpoint.h"
#include "storewire/webhooks/forward.h"
#include "storewire/webhooks/metrics.h"
#include "storewire/webhooks/signature.h"

namespace storewire::webhooks {

using google::protobuf::util::TimeUtil;

namespace {

google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t));
}

constexpr absl::Duration kHandOffBackoff = absl::Seconds(1);

}  // namespace

Deliverer::Deliverer(const WebhooksConfig& config, http::Client& client, kafka::RecordSink& sink,
                     EndpointStore& store, const RetryPolicy& policy, const Clock& clock,
                     Timer& timer)
    : config_(config),
      client_(client),
      sink_(sink),
      store_(store),
      policy_(policy),
      clock_(clock),
      timer_(timer),
      random_(std::random_device{}()) {}

Deliverer::~Deliverer() = default;

double Deliverer::Random01() { return std::uniform_real_distribution<double>(0.0, 1.0)(random_); }

int Deliverer::in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (const auto& [id, s] : states_) n += s.in_flight + static_cast<int>(s.queue.size());
  return n;
}

int Deliverer::LimitFor(const v1::WebhookEndpoint& endpoint) const {
  return endpoint.max_in_flight() > 0 ? endpoint.max_in_flight()
                                      : config_.max_in_flight_per_endpoint;
}

void Deliverer::Submit(DeliveryJob job, Done done) {
  const std::string id = job.endpoint->id();
  const absl::Time now = clock_.Now();
  enum { kStart, kQueued, kDefer } action = kDefer;
  {
    std::lock_guard<std::mutex> lock(mu_);
    EndpointState& s = states_[id];
    if (now < s.circuit_open_until) {
      action = kDefer;
    } else if (s.consecutive_failures >= config_.circuit_failure_threshold) {
      // Half-open: one probe goes through; the others are deferred until it
      // succeeds.
      if (!s.probing) {
        s.probing = true;
        s.in_flight++;
        action = kStart;
      }
    } else if (s.in_flight < LimitFor(*job.endpoint)) {
      s.in_flight++;
      action = kStart;
    } else if (static_cast<int>(s.queue.size()) < config_.max_queued_per_endpoint) {
      s.queue.emplace_back(std::move(job), std::move(done));
      action = kQueued;
    }
  }
  if (action == kStart) return Start(std::move(job), std::move(done));
  if (action == kDefer) Defer(std::move(job), std::move(done));
}

void Deliverer::Defer(DeliveryJob job, Done done) {
  EndpointMetrics(job.endpoint->id()).deferred.Increment();
  if (config_.retry_schedule.empty()) {
    return DeadLetter(std::move(job), "endpoint overloaded or failing", std::move(done));
  }
  HandOn(std::move(job), policy_.TopicFor(1), config_.retry_schedule.front(), std::move(done));
}

void Deliverer::Start(DeliveryJob job, Done done) {
  const absl::Time now = clock_.Now();
  const v1::WebhookEndpoint& endpoint = *job.endpoint;
  absl::StatusOr<http::HeaderList> headers =
      job.delivery.has_raw()
          ? ForwardHeaders(endpoint.forward(), job.delivery.raw())
          : SignedHeaders(ActiveSecrets(endpoint, now), job.delivery.event().id(), now, *job.body);
  if (!headers.ok()) {
    // A stored secret that cannot sign is a broken record: park the delivery.
    log::Error("cannot sign a delivery",
               {{"endpoint", endpoint.id()}, {"error", std::string(headers.status().message())}});
    {
      std::lock_guard<std::mutex> lock(mu_);
      states_[endpoint.id()].in_flight--;
    }
    StartNextQueued(endpoint.id());
    return DeadLetter(std::move(job), "secret cannot sign", std::move(done));
  }
  http::ClientRequest request;
  request.method = "POST";
  request.url = endpoint.url();
  request.headers = *std::move(headers);
  request.body = *job.body;
  request.connect_timeout = config_.connect_timeout;
  request.timeout = config_.total_timeout;
  request.max_response_bytes = config_.max_response_bytes;
  request.follow_redirects = false;
  if (!job.delivery.has_first_attempt_at()) *job.delivery.mutable_first_attempt_at() = ToProto(now);
  auto shared = std::make_shared<std::pair<DeliveryJob, Done>>(std::move(job), std::move(done));
  client_.Send(std::move(request), [this, shared, now](absl::StatusOr<http::ClientResponse> r) {
    OnResult(std::move(shared->first), std::move(shared->second), now, std::move(r));
  });
}

void Deliverer::OnResult(DeliveryJob job, Done done, absl::Time started,
                         absl::StatusOr<http::ClientResponse> result) {
  const absl::Time now = clock_.Now();
  const std::string id = job.endpoint->id();
  const Outcome outcome = Classify(result, now);
  EndpointMetricSet& metrics = EndpointMetrics(id);
  metrics.Outcome(outcome.label).Increment();
  job.delivery.set_attempt(job.delivery.attempt() + 1);
  job.delivery.set_last_status(outcome.status);
  job.delivery.set_last_error(outcome.error);
  *job.delivery.mutable_last_attempt_at() = ToProto(started);

  bool disable_for_failures = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    EndpointState& s = states_[id];
    s.in_flight--;
    s.probing = false;
    if (outcome.kind == Outcome::Kind::kDelivered) {
      s.consecutive_failures = 0;
      s.failing_since = absl::InfiniteFuture();
      s.circuit_open_until = absl::InfinitePast();
    } else {
      s.consecutive_failures++;
      if (s.failing_since == absl::InfiniteFuture()) s.failing_since = started;
      if (s.consecutive_failures >= config_.circuit_failure_threshold) {
        s.circuit_open_until = now + config_.circuit_open_duration;
      }
      disable_for_failures = now - s.failing_since >= config_.disable_after;
    }
  }
  StartNextQueued(id);

  switch (outcome.kind) {
    case Outcome::Kind::kDelivered: {
      const google::protobuf::Timestamp& received = ReceivedAt(job.delivery);
      if (received.seconds() != 0 || received.nanos() != 0) {
        metrics.latency.Observe(absl::ToDoubleSeconds(now - FromProto(received)));
      }
      log::Debug("delivered", {{"endpoint", id},
                               {"webhook_id", DeliveryId(job.delivery)},
                               {"request_id", RequestId(job.delivery)},
                               {"status", absl::StrCat(outcome.status)},
                               {"attempt", absl::StrCat(job.delivery.attempt())}});
      return done();
    }
    case Outcome::Kind::kGone:
      Disable(id, "the endpoint answered 410 Gone");
      return DeadLetter(std::move(job),
                        job.endpoint->has_forward() ? "410 Gone" : "410 Gone: endpoint disabled",
                        std::move(done));
    case Outcome::Kind::kRetry:
      break;
  }
  // A forward comes from the config: it is never disabled, so it keeps its
  // retries however long it has been failing.
  if (disable_for_failures && !job.endpoint->has_forward()) {
    Disable(id,
            absl::StrCat("every attempt failed for ", absl::FormatDuration(config_.disable_after),
                         " (last: ", outcome.error, ")"));
    return DeadLetter(std::move(job), outcome.error, std::move(done));
  }
  std::optional<absl::Duration> delay =
      policy_.DelayAfter(job.delivery.attempt(), outcome.retry_after, Random01());
  if (!delay.has_value()) return DeadLetter(std::move(job), outcome.error, std::move(done));
  metrics.retries.Increment();
  log::Info("delivery failed, will retry", {{"endpoint", id},
                                            {"webhook_id", DeliveryId(job.delivery)},
                                            {"request_id", RequestId(job.delivery)},
                                            {"attempt", absl::StrCat(job.delivery.attempt())},
                                            {"error", outcome.error},
                                            {"retry_in", absl::FormatDuration(*delay)}});
  const std::string& topic = policy_.TopicFor(job.delivery.attempt(), *delay);
  HandOn(std::move(job), topic, *delay, std::move(done));
}

void Deliverer::StartNextQueued(const std::string& endpoint_id) {
  std::vector<std::pair<DeliveryJob, Done>> to_defer;
  std::optional<std::pair<DeliveryJob, Done>> next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    EndpointState& s = states_[endpoint_id];
    const bool open = clock_.Now() < s.circuit_open_until ||
                      s.consecutive_failures >= config_.circuit_failure_threshold;
    if (open) {
      // Nothing waits on a failing endpoint: its queue goes to the retry topic.
      while (!s.queue.empty()) {
        to_defer.push_back(std::move(s.queue.front()));
        s.queue.pop_front();
      }
    } else if (!s.queue.empty() && s.in_flight < LimitFor(*s.queue.front().first.endpoint)) {
      next.emplace(std::move(s.queue.front()));
      s.queue.pop_front();
      s.in_flight++;
    }
  }
  for (auto& [job, done] : to_defer) Defer(std::move(job), std::move(done));
  if (next.has_value()) Start(std::move(next->first), std::move(next->second));
}

void Deliverer::HandOn(DeliveryJob job, const std::string& topic, absl::Duration delay, Done done) {
  *job.delivery.mutable_due_at() = ToProto(clock_.Now() + delay);
  job.delivery.set_endpoint_id(job.endpoint->id());
  Produce({.topic = topic, .key = job.endpoint->id(), .value = job.delivery.SerializeAsString()},
          std::move(done));
}

void Deliverer::DeadLetter(DeliveryJob job, const std::string& reason, Done done) {
  job.delivery.set_endpoint_id(job.endpoint->id());
  if (job.delivery.last_error().empty()) job.delivery.set_last_error(reason);
  job.delivery.set_redriven(false);
  EndpointMetricSet& metrics = EndpointMetrics(job.endpoint->id());
  metrics.dead_letters.Increment();
  DlqDepth().Add(1);
  log::Warn("delivery dead-lettered", {{"endpoint", job.endpoint->id()},
                                       {"webhook_id", DeliveryId(job.delivery)},
                                       {"request_id", RequestId(job.delivery)},
                                       {"attempts", absl::StrCat(job.delivery.attempt())},
                                       {"reason", reason}});
  Produce({.topic = policy_.topics().dlq,
           .key = DeadLetterKey(job.endpoint->id(), DeliveryId(job.delivery)),
           .value = job.delivery.SerializeAsString()},
          std::move(done));
}

void Deliverer::Produce(kafka::OutgoingRecord record, Done done) {
  auto copy = std::make_shared<kafka::OutgoingRecord>(record);
  auto shared_done = std::make_shared<Done>(std::move(done));
  sink_.Send(std::move(record), [this, copy, shared_done](absl::Status s) {
    if (s.ok()) return (*shared_done)();
    // Never drop a delivery: try the hand-off again until Kafka takes it.
    log::Warn("cannot hand a delivery on, retrying",
              {{"topic", copy->topic}, {"error", std::string(s.message())}});
    timer_.At(absl::Now() + kHandOffBackoff,
              [this, copy, shared_done] { Produce(*copy, std::move(*shared_done)); });
  });
}

void Deliverer::Disable(const std::string& endpoint_id, const std::string& reason) {
  EndpointPtr current = store_.registry().Find(endpoint_id);
  if (current == nullptr || current->disabled()) return;
  if (current->has_forward()) {
    // A forward comes from the config: it keeps going (retries, then dead
    // letters) until the config changes.
    log::Warn("raw forward failing", {{"endpoint", endpoint_id}, {"reason", reason}});
    return;
  }
  v1::WebhookEndpoint endpoint = *current;
  endpoint.set_disabled(true);
  endpoint.set_disabled_reason(reason);
  log::Warn("endpoint disabled", {{"endpoint", endpoint_id}, {"reason", reason}});
  store_.SaveAsync(std::move(endpoint), [endpoint_id](absl::Status s) {
    if (!s.ok()) {
      log::Error("cannot record a disabled endpoint",
                 {{"endpoint", endpoint_id}, {"error", std::string(s.message())}});
    }
  });
}

}  // namespace storewire::webhooks
