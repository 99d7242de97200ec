// storewire-embedded-kafka: the local runner's broker. Hosts librdkafka's mock
// cluster (real Kafka protocol over loopback TCP, in memory, transactions
// accepted but not enforced) until SIGINT/SIGTERM, after writing its bootstrap
// address to --bootstrap-file. Never for production: nothing is persisted.
#include <fstream>
#include <iostream>
#include <string>

#include "absl/strings/numbers.h"
#include "storewire/core/config.h"
#include "storewire/core/log.h"
#include "storewire/kafka/embedded.h"
#include "storewire/service/service.h"
#include "storewire/subscriber_base/state_topic.h"
#include "storewire/webhooks/retry_policy.h"

namespace {

constexpr char kUsage[] =
    "usage: storewire-embedded-kafka [--config FILE] [--bootstrap-file FILE] [--brokers N]\n"
    "Runs an in-memory Kafka (librdkafka mock cluster) for ./deploy/local/up, creates the\n"
    "pipeline's topics of the config (kafka.topic_prefix, kafka.partitions) and prints its\n"
    "bootstrap address (also written to FILE). Data is lost when it stops.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace storewire;
  std::string bootstrap_file;
  int brokers = 1;
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool has_value = i + 1 < argc;
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--bootstrap-file" && has_value) {
      bootstrap_file = argv[++i];
    } else if (arg == "--brokers" && has_value && absl::SimpleAtoi(argv[i + 1], &brokers)) {
      ++i;
    } else if (arg == "--config" && has_value) {
      config_path = argv[++i];
    } else {
      std::cerr << "storewire-embedded-kafka: bad argument '" << arg << "'\n" << kUsage;
      return 2;
    }
  }
  log::Init("embedded-kafka", "info");
  absl::StatusOr<Config> config = LoadServiceConfig(config_path);
  if (!config.ok()) {
    std::cerr << "storewire-embedded-kafka: " << config.status().message() << "\n";
    return 2;
  }
  auto cluster = kafka::EmbeddedCluster::Create(brokers);
  if (!cluster.ok()) {
    log::Error("cannot start the embedded broker",
               {{"error", std::string(cluster.status().message())}});
    return 1;
  }
  // The mock cluster has no CreateTopics API: create the topics here, before
  // any service asks for them.
  std::vector<kafka::TopicSpec> topics = service::PipelineTopics(*config);
  webhooks::RetryPolicy webhook_policy(config->kafka.topic_prefix, config->webhooks);
  for (kafka::TopicSpec& spec :
       webhook_policy.topics().Specs(config->kafka.partitions, config->kafka.replication_factor)) {
    topics.push_back(std::move(spec));
  }
  topics.push_back(subscriber_base::StateTopicSpec(*config));
  for (const kafka::TopicSpec& topic : topics) {
    absl::Status s = (*cluster)->CreateTopic(topic.name, topic.partitions);
    if (!s.ok() && s.code() != absl::StatusCode::kAlreadyExists) {
      log::Error("cannot create topic", {{"topic", topic.name}, {"error", s.ToString()}});
      return 1;
    }
  }
  std::string bootstrap = (*cluster)->bootstrap_servers();
  if (!bootstrap_file.empty()) {
    std::string tmp = bootstrap_file + ".tmp";
    std::ofstream(tmp) << bootstrap << "\n";
    std::rename(tmp.c_str(), bootstrap_file.c_str());
  }
  std::cout << bootstrap << std::endl;
  log::Info("embedded broker running", {{"bootstrap", bootstrap}});
  while (!service::WaitForStop(absl::Hours(1))) {
  }
  log::Info("embedded broker stopped");
  return 0;
}
