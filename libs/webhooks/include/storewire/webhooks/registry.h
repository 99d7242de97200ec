// The endpoint registry: every endpoint lives as one record of the compacted
// topic `<prefix>.webhooks.endpoints` (key = endpoint id, value =
// v1.WebhookEndpoint). Every replica reads the topic whole at start, then
// follows it, so all replicas see the same registry without a database.
//
//   Registry registry;                                    // in-memory view
//   EndpointStore store(producer, topics.endpoints, registry, clock);
//   auto follower = RegistryFollower::Start(client, producer, topics.endpoints, registry);
//   (*follower)->WaitSynced(absl::Seconds(30));            // read to the end once
//   absl::StatusOr<v1::WebhookEndpoint> e = store.Save(endpoint);   // write + apply
//
// Conflicts: a record replaces the endpoint only when its updated_at is not
// older than the one held (writes from replicas converge on the latest).
// Thread safety: Registry and EndpointStore are safe from any thread.
// Errors: Save returns the producer's status (kUnavailable: Kafka down, retry).
#ifndef STOREWIRE_WEBHOOKS_REGISTRY_H_
#define STOREWIRE_WEBHOOKS_REGISTRY_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "storewire/core/clock.h"
#include "storewire/kafka/kafka.h"
#include "storewire/v1/webhooks.pb.h"

namespace storewire::webhooks {

using EndpointPtr = std::shared_ptr<const v1::WebhookEndpoint>;

class Registry {
 public:
  // Applies one record of the registry topic; records with keys starting
  // with "__" (reader markers) and unparsable values are ignored.
  void ApplyRecord(const std::string& key, const std::string& value);
  void Apply(const v1::WebhookEndpoint& endpoint);
  // The raw forwards of the config (forward.h), replacing any held before.
  // They are found and listed like endpoints but never match events.
  void SetForwards(const std::vector<v1::WebhookEndpoint>& forwards);
  // nullptr when unknown or removed.
  EndpointPtr Find(const std::string& id) const;
  // Every endpoint that is not removed, by id, then the forwards.
  std::vector<EndpointPtr> List() const;
  // Enabled endpoints whose filter matches the event.
  std::vector<EndpointPtr> Matching(const v1::SubscriptionEvent& event) const;
  // The forward of this app and store; nullptr when none is configured.
  EndpointPtr ForwardFor(const std::string& app_id, v1::Store store) const;

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, EndpointPtr> endpoints_;
  std::map<std::string, EndpointPtr> forwards_;  // by id
};

// Writes endpoint records and applies them to the local registry once the
// broker acknowledged them.
class EndpointStore {
 public:
  EndpointStore(kafka::RecordSink& sink, std::string topic, Registry& registry, const Clock& clock);
  // Stamps updated_at, writes, waits for the acknowledgement, applies.
  absl::StatusOr<v1::WebhookEndpoint> Save(v1::WebhookEndpoint endpoint);
  // Without waiting (callable from I/O callbacks); `done` may be empty.
  void SaveAsync(v1::WebhookEndpoint endpoint, std::function<void(absl::Status)> done);
  // Reads the endpoint, lets `change` edit it, saves it. kNotFound when
  // unknown; kFailedPrecondition for a raw forward (its source is the config).
  absl::StatusOr<v1::WebhookEndpoint> Update(
      const std::string& id, const std::function<absl::Status(v1::WebhookEndpoint&)>& change);
  Registry& registry() { return registry_; }
  const Clock& clock() const { return clock_; }

 private:
  kafka::RecordSink& sink_;
  std::string topic_;
  Registry& registry_;
  const Clock& clock_;
  std::mutex update_mu_;  // serializes read-modify-write of this replica
};

// Follows the registry topic on its own thread with a consumer group of its
// own (every replica reads everything).
class RegistryFollower {
 public:
  static absl::StatusOr<std::unique_ptr<RegistryFollower>> Start(const kafka::ClientOptions& client,
                                                                 kafka::RecordSink& sink,
                                                                 const std::string& topic,
                                                                 Registry& registry);
  ~RegistryFollower();
  // True once every record written before Start was applied.
  bool WaitSynced(absl::Duration timeout);
  bool synced() const { return synced_.load(); }
  void Stop();

 private:
  RegistryFollower() = default;
  void Loop();

  std::unique_ptr<kafka::Consumer> consumer_;
  Registry* registry_ = nullptr;
  std::string marker_;
  std::atomic<bool> synced_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Reads a one-partition topic from its start to its current end (found by
// writing a marker record and reading up to it) with a throwaway consumer
// group; `visit` sees every record except markers. kDeadlineExceeded when the
// end was not reached within `timeout`.
absl::Status ReadWholeTopic(const kafka::ClientOptions& client, kafka::RecordSink& sink,
                            const std::string& topic, absl::Duration timeout,
                            const std::function<void(const kafka::ConsumedRecord&)>& visit);

// Writes a marker record ("__sync__" key, unique value) and returns the value.
absl::StatusOr<std::string> WriteMarker(kafka::RecordSink& sink, const std::string& topic);

// Sends one record and waits for the broker's acknowledgement.
absl::Status SendAndWait(kafka::RecordSink& sink, kafka::OutgoingRecord record);

}  // namespace storewire::webhooks

#endif  // STOREWIRE_WEBHOOKS_REGISTRY_H_
