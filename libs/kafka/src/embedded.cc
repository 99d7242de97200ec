// EmbeddedCluster over librdkafka's mock cluster (rdkafka_mock.h). The mock
// cluster needs an rd_kafka_t for its bookkeeping; a producer handle that
// never produces serves.
#include "storewire/kafka/embedded.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "client.h"
#include "errors.h"

namespace storewire::kafka {

struct EmbeddedCluster::State {
  internal::HandlePtr owner;
  rd_kafka_mock_cluster_t* cluster = nullptr;
  int brokers = 0;
};

EmbeddedCluster::EmbeddedCluster(std::unique_ptr<State> state) : state_(std::move(state)) {}

EmbeddedCluster::~EmbeddedCluster() {
  if (state_->cluster != nullptr) rd_kafka_mock_cluster_destroy(state_->cluster);
}

absl::StatusOr<std::unique_ptr<EmbeddedCluster>> EmbeddedCluster::Create(int brokers) {
  if (brokers < 1) return absl::InvalidArgumentError("an embedded cluster needs at least 1 broker");
  internal::ConfPtr conf(rd_kafka_conf_new());
  char error[512];
  // The owner handle has no brokers of its own; keep it quiet.
  rd_kafka_conf_set(conf.get(), "log_level", "3", error, sizeof(error));
  auto owner = internal::NewHandle(RD_KAFKA_PRODUCER, std::move(conf));
  if (!owner.ok()) return owner.status();
  auto state = std::make_unique<State>();
  state->owner = *std::move(owner);
  state->brokers = brokers;
  state->cluster = rd_kafka_mock_cluster_new(state->owner.get(), brokers);
  if (state->cluster == nullptr) {
    return absl::UnavailableError(
        "cannot start the embedded Kafka cluster (no loopback listener?). Hint: use a real broker "
        "with kafka.brokers");
  }
  return std::unique_ptr<EmbeddedCluster>(new EmbeddedCluster(std::move(state)));
}

std::string EmbeddedCluster::bootstrap_servers() const {
  return rd_kafka_mock_cluster_bootstraps(state_->cluster);
}

absl::Status EmbeddedCluster::CreateTopic(absl::string_view name, int partitions) {
  const std::string topic(name);
  const rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(state_->cluster, topic.c_str(), partitions, 1);
  return internal::FromError(err, absl::StrCat("embedded cluster: create topic ", topic),
                             bootstrap_servers());
}

absl::Status EmbeddedCluster::SetBrokerDown(int broker_id, bool down) {
  if (broker_id < 1 || broker_id > state_->brokers) {
    return absl::InvalidArgumentError(absl::StrCat("no broker ", broker_id));
  }
  const rd_kafka_resp_err_t err = down ? rd_kafka_mock_broker_set_down(state_->cluster, broker_id)
                                       : rd_kafka_mock_broker_set_up(state_->cluster, broker_id);
  return internal::FromError(err, "embedded cluster: set broker state", bootstrap_servers());
}

}  // namespace storewire::kafka
