#include "storewire/webhooks/registry.h"

#include <future>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "storewire/core/log.h"
#include "storewire/core/stores.h"
#include "storewire/core/uuid.h"
#include "storewire/webhooks/endpoint.h"
#include "storewire/webhooks/forward.h"

namespace storewire::webhooks {

using google::protobuf::util::TimeUtil;

namespace {
constexpr char kMarkerKey[] = "__sync__";
}  // namespace

void Registry::ApplyRecord(const std::string& key, const std::string& value) {
  if (absl::StartsWith(key, "__")) return;
  v1::WebhookEndpoint endpoint;
  if (!endpoint.ParseFromString(value) || endpoint.id() != key) {
    log::Warn("ignoring an unreadable endpoint record", {{"key", key}});
    return;
  }
  Apply(endpoint);
}

void Registry::Apply(const v1::WebhookEndpoint& endpoint) {
  std::unique_lock lock(mu_);
  EndpointPtr& slot = endpoints_[endpoint.id()];
  if (slot != nullptr && endpoint.updated_at() < slot->updated_at()) return;
  slot = std::make_shared<const v1::WebhookEndpoint>(endpoint);
}

void Registry::SetForwards(const std::vector<v1::WebhookEndpoint>& forwards) {
  std::map<std::string, EndpointPtr> fresh;
  for (const v1::WebhookEndpoint& f : forwards) {
    fresh[f.id()] = std::make_shared<const v1::WebhookEndpoint>(f);
  }
  std::unique_lock lock(mu_);
  forwards_.swap(fresh);
}

EndpointPtr Registry::ForwardFor(const std::string& app_id, v1::Store store) const {
  return Find(ForwardEndpointId(app_id, store));
}

EndpointPtr Registry::Find(const std::string& id) const {
  std::shared_lock lock(mu_);
  if (auto f = forwards_.find(id); f != forwards_.end()) return f->second;
  auto it = endpoints_.find(id);
  if (it == endpoints_.end() || it->second->removed()) return nullptr;
  return it->second;
}

std::vector<EndpointPtr> Registry::List() const {
  std::shared_lock lock(mu_);
  std::vector<EndpointPtr> out;
  for (const auto& [id, e] : endpoints_) {
    if (!e->removed()) out.push_back(e);
  }
  for (const auto& [id, f] : forwards_) out.push_back(f);
  return out;
}

std::vector<EndpointPtr> Registry::Matching(const v1::SubscriptionEvent& event) const {
  std::shared_lock lock(mu_);
  std::vector<EndpointPtr> out;
  for (const auto& [id, e] : endpoints_) {
    if (!e->removed() && !e->disabled() && Matches(e->filter(), event)) out.push_back(e);
  }
  return out;
}

absl::Status SendAndWait(kafka::RecordSink& sink, kafka::OutgoingRecord record) {
  auto promise = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> result = promise->get_future();
  sink.Send(std::move(record), [promise](absl::Status s) { promise->set_value(std::move(s)); });
  return result.get();
}

EndpointStore::EndpointStore(kafka::RecordSink& sink, std::string topic, Registry& registry,
                             const Clock& clock)
    : sink_(sink), topic_(std::move(topic)), registry_(registry), clock_(clock) {}

absl::StatusOr<v1::WebhookEndpoint> EndpointStore::Save(v1::WebhookEndpoint endpoint) {
  *endpoint.mutable_updated_at() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(clock_.Now()));
  absl::Status s = SendAndWait(
      sink_, {.topic = topic_, .key = endpoint.id(), .value = endpoint.SerializeAsString()});
  if (!s.ok()) return s;
  registry_.Apply(endpoint);
  return endpoint;
}

void EndpointStore::SaveAsync(v1::WebhookEndpoint endpoint,
                              std::function<void(absl::Status)> done) {
  *endpoint.mutable_updated_at() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(clock_.Now()));
  auto copy = std::make_shared<v1::WebhookEndpoint>(endpoint);
  sink_.Send({.topic = topic_, .key = endpoint.id(), .value = endpoint.SerializeAsString()},
             [this, copy, done = std::move(done)](absl::Status s) {
               if (s.ok()) registry_.Apply(*copy);
               if (done) done(s);
             });
}

absl::StatusOr<v1::WebhookEndpoint> EndpointStore::Update(
    const std::string& id, const std::function<absl::Status(v1::WebhookEndpoint&)>& change) {
  std::lock_guard<std::mutex> lock(update_mu_);
  EndpointPtr current = registry_.Find(id);
  if (current == nullptr)
    return absl::NotFoundError(absl::StrCat("no endpoint with id '", id, "'"));
  if (current->has_forward()) {
    return absl::FailedPreconditionError(
        absl::StrCat(id, " is the raw forward configured at apps[", current->forward().app_id(),
                     "].", StoreRouteName(current->forward().store()),
                     ".forward: change or remove it in the config file"));
  }
  v1::WebhookEndpoint endpoint = *current;
  if (absl::Status s = change(endpoint); !s.ok()) return s;
  return Save(std::move(endpoint));
}

absl::StatusOr<std::string> WriteMarker(kafka::RecordSink& sink, const std::string& topic) {
  std::string marker = RandomUuid();
  absl::Status s = SendAndWait(sink, {.topic = topic, .key = kMarkerKey, .value = marker});
  if (!s.ok()) return s;
  return marker;
}

absl::Status ReadWholeTopic(const kafka::ClientOptions& client, kafka::RecordSink& sink,
                            const std::string& topic, absl::Duration timeout,
                            const std::function<void(const kafka::ConsumedRecord&)>& visit) {
  absl::StatusOr<std::string> marker = WriteMarker(sink, topic);
  if (!marker.ok()) return marker.status();
  auto consumer = kafka::Consumer::Create({.client = client,
                                           .group_id = "storewire-reader-" + RandomUuid(),
                                           .topics = {topic},
                                           .read_committed = true,
                                           .auto_offset_reset = "earliest"});
  if (!consumer.ok()) return consumer.status();
  const absl::Time deadline = absl::Now() + timeout;
  bool reached = false;
  while (!reached && absl::Now() < deadline) {
    auto batch = (*consumer)->Poll(1000, absl::Milliseconds(100));
    if (!batch.ok()) continue;
    for (const kafka::ConsumedRecord& r : *batch) {
      if (r.key == kMarkerKey) {
        reached |= r.value == *marker;
        continue;
      }
      if (!reached) visit(r);
    }
  }
  (*consumer)->Close();
  if (!reached) {
    return absl::DeadlineExceededError(absl::StrCat("did not reach the end of ", topic, " within ",
                                                    absl::FormatDuration(timeout),
                                                    ". Hint: check that Kafka is reachable"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<RegistryFollower>> RegistryFollower::Start(
    const kafka::ClientOptions& client, kafka::RecordSink& sink, const std::string& topic,
    Registry& registry) {
  std::unique_ptr<RegistryFollower> f(new RegistryFollower());
  f->registry_ = &registry;
  auto consumer = kafka::Consumer::Create({.client = client,
                                           .group_id = "storewire-registry-" + RandomUuid(),
                                           .topics = {topic},
                                           .read_committed = true,
                                           .auto_offset_reset = "earliest"});
  if (!consumer.ok()) return consumer.status();
  f->consumer_ = *std::move(consumer);
  absl::StatusOr<std::string> marker = WriteMarker(sink, topic);
  if (!marker.ok()) return marker.status();
  f->marker_ = *marker;
  f->thread_ = std::thread([p = f.get()] { p->Loop(); });
  return f;
}

RegistryFollower::~RegistryFollower() { Stop(); }

void RegistryFollower::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

bool RegistryFollower::WaitSynced(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!synced_.load() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  return synced_.load();
}

void RegistryFollower::Loop() {
  while (!stop_.load()) {
    auto batch = consumer_->Poll(1000, absl::Milliseconds(200));
    if (!batch.ok()) continue;
    for (const kafka::ConsumedRecord& r : *batch) {
      if (r.key == kMarkerKey) {
        if (r.value == marker_ && !synced_.exchange(true)) log::Info("endpoint registry loaded");
        continue;
      }
      registry_->ApplyRecord(r.key, r.value);
    }
  }
  consumer_->Close();
}

}  // namespace storewire::webhooks
