#include "storewire/webhooks/dispatcher.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "storewire/core/log.h"
#include "storewire/stores/adapter.h"
#include "storewire/webhooks/endpoint.h"
#include "storewire/webhooks/metrics.h"

namespace storewire::webhooks {

using google::protobuf::util::TimeUtil;

Dispatcher::Dispatcher(Options options, kafka::Consumer& consumer, Deliverer& deliverer,
                       const Registry& registry, Timer& timer, const Clock& clock)
    : options_(std::move(options)),
      consumer_(consumer),
      deliverer_(deliverer),
      registry_(registry),
      timer_(timer),
      clock_(clock),
      alive_(std::make_shared<std::atomic<bool>>(true)) {}

Dispatcher::~Dispatcher() { *alive_ = false; }

Dispatcher::Stats Dispatcher::stats() const {
  return {records_.load(), deliveries_.load(), finished_.load()};
}

int Dispatcher::Active() const { return static_cast<int>(pending_.size()) - held_; }

absl::Status Dispatcher::Run(const std::atomic<bool>& stop) {
  absl::Time last_commit = absl::Now();
  int marked = 0;
  while (!stop.load()) {
    marked += DrainCompletions();
    if (Active() >= options_.max_records_in_flight) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(50));
      continue;
    }
    absl::StatusOr<std::vector<kafka::ConsumedRecord>> batch =
        consumer_.Poll(500, absl::Milliseconds(50));
    if (!batch.ok()) {
      if (!kafka::IsRetryable(batch.status())) return batch.status();
      log::Warn("poll failed, retrying", {{"error", std::string(batch.status().message())}});
      continue;
    }
    for (const kafka::ConsumedRecord& record : *batch) Handle(record);
    marked += DrainCompletions();
    if (marked > 0 && absl::Now() - last_commit >= options_.commit_interval) {
      if (absl::Status s = consumer_.Commit(); !s.ok()) {
        log::Warn("offset commit failed", {{"error", std::string(s.message())}});
      }
      marked = 0;
      last_commit = absl::Now();
    }
    InFlight().Set(deliverer_.in_flight());
  }
  // Let deliveries in flight finish (or be handed on), then commit.
  const absl::Time deadline = absl::Now() + options_.drain_timeout;
  while (Active() > 0 && absl::Now() < deadline) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(50));
    }
    marked += DrainCompletions();
  }
  if (absl::Status s = consumer_.Commit(); !s.ok()) {
    log::Warn("final offset commit failed", {{"error", std::string(s.message())}});
  }
  consumer_.Close();
  return absl::OkStatus();
}

void Dispatcher::Handle(const kafka::ConsumedRecord& record) {
  records_.fetch_add(1);
  const uint64_t id = next_id_++;
  pending_[id] = {record.topic, record.partition, record.offset, 0};
  tracker_.Start(record.topic, record.partition, record.offset);
  if (record.topic == options_.events_topic) return HandleEvent(id, record);
  if (std::find(options_.raw_topics.begin(), options_.raw_topics.end(), record.topic) !=
      options_.raw_topics.end()) {
    return HandleRaw(id, record);
  }
  return HandleRetry(id, record);
}

void Dispatcher::HandleRaw(uint64_t id, const kafka::ConsumedRecord& record) {
  DeliveryJob job;
  if (!job.delivery.mutable_raw()->ParseFromString(record.value)) {
    log::Error("skipping an unreadable raw record", {{"topic", record.topic},
                                                     {"partition", absl::StrCat(record.partition)},
                                                     {"offset", absl::StrCat(record.offset)}});
    return FinishNow(id);
  }
  const v1::RawNotification& raw = job.delivery.raw();
  job.endpoint = registry_.ForwardFor(raw.app_id(), raw.store());
  if (job.endpoint == nullptr) return FinishNow(id);  // no forward for this app and store
  job.delivery.set_endpoint_id(job.endpoint->id());
  job.body = std::make_shared<const std::string>(raw.body());
  pending_[id].remaining = 1;
  deliveries_.fetch_add(1);
  deliverer_.Submit(std::move(job), [this, id] { Complete(id); });
}

void Dispatcher::HandleEvent(uint64_t id, const kafka::ConsumedRecord& record) {
  auto event = std::make_shared<v1::SubscriptionEvent>();
  if (!event->ParseFromString(record.value)) {
    log::Error("skipping an unreadable event record",
               {{"topic", record.topic},
                {"partition", absl::StrCat(record.partition)},
                {"offset", absl::StrCat(record.offset)}});
    return FinishNow(id);
  }
  std::vector<EndpointPtr> endpoints = registry_.Matching(*event);
  if (endpoints.empty()) return FinishNow(id);
  auto body = std::make_shared<const std::string>(stores::EventToJson(*event));
  pending_[id].remaining = static_cast<int>(endpoints.size());
  for (EndpointPtr& endpoint : endpoints) {
    DeliveryJob job;
    job.endpoint = std::move(endpoint);
    job.delivery.set_endpoint_id(job.endpoint->id());
    *job.delivery.mutable_event() = *event;
    job.body = body;
    deliveries_.fetch_add(1);
    deliverer_.Submit(std::move(job), [this, id] { Complete(id); });
  }
}

void Dispatcher::HandleRetry(uint64_t id, const kafka::ConsumedRecord& record) {
  DeliveryJob job;
  if (!job.delivery.ParseFromString(record.value)) {
    log::Error("skipping an unreadable retry record", {{"topic", record.topic}});
    return FinishNow(id);
  }
  job.endpoint = registry_.Find(job.delivery.endpoint_id());
  if (job.endpoint == nullptr) {
    log::Info("dropping a retry for a removed endpoint",
              {{"endpoint", job.delivery.endpoint_id()}, {"webhook_id", DeliveryId(job.delivery)}});
    return FinishNow(id);
  }
  pending_[id].remaining = 1;
  job.body = std::make_shared<const std::string>(job.delivery.has_raw()
                                                     ? job.delivery.raw().body()
                                                     : stores::EventToJson(job.delivery.event()));
  if (job.endpoint->disabled()) {
    deliverer_.DeadLetter(std::move(job), "endpoint disabled", [this, id] { Complete(id); });
    return;
  }
  const absl::Time due =
      absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(job.delivery.due_at()));
  if (due <= clock_.Now()) {
    deliveries_.fetch_add(1);
    deliverer_.Submit(std::move(job), [this, id] { Complete(id); });
    return;
  }
  // Not due yet: hold it (its offset stays uncommitted) until it is.
  held_++;
  RetryWaiting().Add(1);
  auto shared = std::make_shared<DeliveryJob>(std::move(job));
  timer_.At(due, [this, id, shared, alive = alive_] {
    if (!alive->load()) return;
    RetryWaiting().Add(-1);
    {
      std::lock_guard<std::mutex> lock(mu_);
      released_.push_back(id);
    }
    deliveries_.fetch_add(1);
    // The job refreshes its endpoint: it may have changed while waiting.
    EndpointPtr fresh = registry_.Find(shared->endpoint->id());
    if (fresh != nullptr) shared->endpoint = fresh;
    if (fresh == nullptr) return Complete(id);
    if (fresh->disabled()) {
      return deliverer_.DeadLetter(std::move(*shared), "endpoint disabled",
                                   [this, id] { Complete(id); });
    }
    deliverer_.Submit(std::move(*shared), [this, id] { Complete(id); });
  });
}

void Dispatcher::Complete(uint64_t id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    completed_.push_back(id);
  }
  cv_.notify_all();
}

void Dispatcher::FinishNow(uint64_t id) {
  pending_[id].remaining = 1;
  std::lock_guard<std::mutex> lock(mu_);
  completed_.push_back(id);
}

int Dispatcher::DrainCompletions() {
  std::vector<uint64_t> done;
  std::vector<uint64_t> released;
  {
    std::lock_guard<std::mutex> lock(mu_);
    done.swap(completed_);
    released.swap(released_);
  }
  held_ -= static_cast<int>(released.size());
  int marked = 0;
  for (uint64_t id : done) {
    auto it = pending_.find(id);
    if (it == pending_.end()) continue;
    if (--it->second.remaining > 0) continue;
    const Pending p = it->second;
    pending_.erase(it);
    finished_.fetch_add(1);
    std::optional<int64_t> up_to = tracker_.Finish(p.topic, p.partition, p.offset);
    if (!up_to.has_value()) continue;
    kafka::ConsumedRecord mark;
    mark.topic = p.topic;
    mark.partition = p.partition;
    mark.offset = *up_to;
    if (absl::Status s = consumer_.MarkDone(mark); !s.ok()) {
      log::Debug("offset not stored", {{"error", std::string(s.message())}});
      continue;
    }
    ++marked;
  }
  return marked;
}

}  // namespace storewire::webhooks
