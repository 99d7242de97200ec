#include "storewire/service/service.h"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "storewire/core/log.h"
#include "storewire/core/stores.h"

namespace storewire::service {
namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop.store(true); }

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "local";
  return buf;
}

}  // namespace

const std::atomic<bool>& StopRequested() {
  static const bool installed = [] {
    std::signal(SIGINT, OnSignal);
    std::signal(SIGTERM, OnSignal);
    return true;
  }();
  (void)installed;
  return g_stop;
}

void RequestStop() { g_stop = true; }

bool WaitForStop(absl::Duration d) {
  absl::Time until = absl::Now() + d;
  while (absl::Now() < until) {
    if (StopRequested().load()) return true;
    absl::SleepFor(std::min(absl::Milliseconds(50), until - absl::Now()));
  }
  return StopRequested().load();
}

absl::StatusOr<ServiceContext> StartService(int argc, char** argv, const std::string& name,
                                            const std::string& usage) {
  std::string config_path;
  std::string instance_id;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const std::string& flag) -> std::optional<std::string> {
      if (arg == flag && i + 1 < argc) return std::string(argv[++i]);
      if (absl::StartsWith(arg, flag + "=")) return arg.substr(flag.size() + 1);
      return std::nullopt;
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      return absl::CancelledError("help");
    }
    if (auto v = value("--config")) {
      config_path = *v;
    } else if (auto v = value("--instance-id")) {
      instance_id = *v;
    } else {
      std::cerr << "storewire-" << name << ": unknown argument '" << arg << "'\n" << usage;
      return absl::InvalidArgumentError(absl::StrCat("unknown argument ", arg));
    }
  }
  absl::StatusOr<Config> config = LoadServiceConfig(config_path);
  if (!config.ok()) {
    std::cerr << "storewire-" << name << ": " << config.status().message() << "\n";
    return config.status();
  }
  log::Init(name, config->log_level);
  if (instance_id.empty()) {
    const char* env = std::getenv("STOREWIRE_INSTANCE_ID");
    instance_id = (env != nullptr && *env != '\0') ? env : HostName();
  }
  StopRequested();
  return ServiceContext{*std::move(config), instance_id};
}

int ExitCodeFor(const absl::Status& status) {
  return status.code() == absl::StatusCode::kCancelled ? 0 : 2;
}

absl::StatusOr<kafka::ClientOptions> KafkaClientOptions(const Config& config,
                                                        const std::string& client_id) {
  if (config.kafka.brokers.empty() || config.kafka.brokers == "embedded") {
    return absl::FailedPreconditionError(
        "kafka.brokers is 'embedded', which only the local runner provides. Hint: start "
        "everything with ./deploy/local/up, or set kafka.brokers (or STOREWIRE_KAFKA_BROKERS) "
        "to host:port of a real broker");
  }
  kafka::ClientOptions options;
  options.brokers = config.kafka.brokers;
  options.client_id = client_id;
  options.properties = config.kafka.properties;
  return options;
}

std::vector<kafka::TopicSpec> PipelineTopics(const Config& config) {
  Topics topics(config.kafka.topic_prefix);
  const int p = config.kafka.partitions;
  const int rf = config.kafka.replication_factor;
  std::vector<kafka::TopicSpec> specs;
  for (v1::Store store : kAllStores) specs.push_back({topics.Raw(store), p, rf, {}});
  for (v1::Store store : kAllStores) specs.push_back({topics.Retry(store), p, rf, {}});
  specs.push_back({topics.Events(), p, rf, {}});
  specs.push_back({topics.Rejected(), p, rf, {}});
  if (rf > 1) {
    for (kafka::TopicSpec& s : specs) s.configs["min.insync.replicas"] = std::to_string(rf - 1);
  }
  return specs;
}

absl::Status EnsureTopicsPatiently(const kafka::ClientOptions& options,
                                   const std::vector<kafka::TopicSpec>& topics) {
  absl::Duration backoff = absl::Milliseconds(200);
  while (true) {
    absl::Status s = kafka::EnsureTopics(options, topics, absl::Seconds(10));
    if (s.ok()) return s;
    if (!kafka::IsRetryable(s)) return s;
    log::Warn("kafka not ready; retrying topic creation",
              {{"brokers", options.brokers}, {"error", std::string(s.message())}});
    if (WaitForStop(backoff)) return absl::CancelledError("stopped while waiting for Kafka");
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
}

}  // namespace storewire::service
