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
                       const Registry& registry, const Clock& clock)
    : options_(std::move(options)),
      consumer_(consumer),
      deliverer_(deliverer),
      registry_(registry),
      clock_(clock) {}

Dispatcher::~Dispatcher() = default;

Dispatcher::Stats Dispatcher::stats() const {
  return {records_.load(), deliveries_.load(), finished_.load()};
}

int Dispatcher::Active() const { return static_cast<int>(pending_.size()); }

absl::Status Dispatcher::Run(const std::atomic<bool>& stop) {
  absl::Time last_commit = absl::Now();
  int marked = 0;
  while (!stop.load()) {
    marked += DrainCompletions();
    if (absl::Status s = ResumeDue(); !s.ok()) return s;
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
    ++batch_;
    for (const kafka::ConsumedRecord& record : *batch) {
      if (absl::Status s = HandleRecord(record); !s.ok()) return s;
    }
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

uint64_t Dispatcher::Track(const kafka::ConsumedRecord& record) {
  records_.fetch_add(1);
  const uint64_t id = next_id_++;
  pending_[id] = {record.topic, record.partition, record.offset, 0};
  tracker_.Start(record.topic, record.partition, record.offset);
  return id;
}

absl::Status Dispatcher::HandleRecord(const kafka::ConsumedRecord& record) {
  if (auto p = paused_.find({record.topic, record.partition}); p != paused_.end()) {
    // Fetched with the record that paused the partition: it comes again
    // after the resume.
    if (p->second.batch == batch_) return absl::OkStatus();
    // A later batch: the pause dropped everything fetched before it, so the
    // partition was resumed by a rebalance (from its committed offset). Take
    // the record as it comes; one not due pauses the partition again.
    paused_.erase(p);
  }
  if (record.topic == options_.events_topic) {
    HandleEvent(Track(record), record);
    return absl::OkStatus();
  }
  if (std::find(options_.raw_topics.begin(), options_.raw_topics.end(), record.topic) !=
      options_.raw_topics.end()) {
    HandleRaw(Track(record), record);
    return absl::OkStatus();
  }
  return HandleRetry(record);
}

absl::Status Dispatcher::ResumeDue() {
  const absl::Time now = clock_.Now();
  for (auto it = paused_.begin(); it != paused_.end();) {
    if (it->second.due > now) {
      ++it;
      continue;
    }
    const auto& [topic, partition] = it->first;
    absl::Status s = consumer_.Resume(topic, partition);
    // Not assigned any more: its new owner reads the record (a rebalance also
    // resumes a partition that comes back to this consumer).
    if (!s.ok() && s.code() != absl::StatusCode::kFailedPrecondition) return s;
    it = paused_.erase(it);
  }
  if (!options_.retry_topics.empty()) RetryWaiting().Set(static_cast<double>(paused_.size()));
  return absl::OkStatus();
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

absl::Status Dispatcher::HandleRetry(const kafka::ConsumedRecord& record) {
  DeliveryJob job;
  if (!job.delivery.ParseFromString(record.value)) {
    log::Error("skipping an unreadable retry record", {{"topic", record.topic}});
    FinishNow(Track(record));
    return absl::OkStatus();
  }
  const absl::Time due =
      absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(job.delivery.due_at()));
  if (due > clock_.Now()) {
    // Not due: fetch this partition again from here at the due time.
    paused_[{record.topic, record.partition}] = {due, batch_};
    RetryWaiting().Set(static_cast<double>(paused_.size()));
    absl::Status s = consumer_.PauseAt(record.topic, record.partition, record.offset);
    if (s.ok() || s.code() == absl::StatusCode::kFailedPrecondition) return absl::OkStatus();
    // Without the pause the next records of the partition would be consumed
    // past this one: stop, and let the restart read from the committed offset.
    return absl::UnavailableError(
        absl::StrCat("cannot pause ", record.topic, "/", record.partition, ": ", s.message()));
  }
  const uint64_t id = Track(record);
  job.endpoint = registry_.Find(job.delivery.endpoint_id());
  if (job.endpoint == nullptr) {
    log::Info("dropping a retry for a removed endpoint",
              {{"endpoint", job.delivery.endpoint_id()}, {"webhook_id", DeliveryId(job.delivery)}});
    FinishNow(id);
    return absl::OkStatus();
  }
  pending_[id].remaining = 1;
  job.body = std::make_shared<const std::string>(job.delivery.has_raw()
                                                     ? job.delivery.raw().body()
                                                     : stores::EventToJson(job.delivery.event()));
  if (job.endpoint->disabled()) {
    deliverer_.DeadLetter(std::move(job), "endpoint disabled", [this, id] { Complete(id); });
    return absl::OkStatus();
  }
  deliveries_.fetch_add(1);
  deliverer_.Submit(std::move(job), [this, id] { Complete(id); });
  return absl::OkStatus();
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
  {
    std::lock_guard<std::mutex> lock(mu_);
    done.swap(completed_);
  }
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
