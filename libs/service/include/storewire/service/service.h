// What every storewire binary does the same way: flags (--config, --help,
// --instance-id), config loading, stop signals, Kafka client options and the
// pipeline's topics. A service's main.cc reads as a list of these calls plus
// its own wiring.
//
//   absl::StatusOr<ServiceContext> ctx = StartService(argc, argv, "normalizer", kUsage);
//   if (!ctx.ok()) return ExitCodeFor(ctx.status());   // --help -> 0, bad flags -> 2
//
// Thread safety: StartService once, from main.
#ifndef STOREWIRE_SERVICE_SERVICE_H_
#define STOREWIRE_SERVICE_SERVICE_H_

#include <atomic>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storewire/core/config.h"
#include "storewire/kafka/kafka.h"

namespace storewire::service {

struct ServiceContext {
  Config config;
  // Stable identity of this process (transactional ids, client ids):
  // --instance-id, else $STOREWIRE_INSTANCE_ID, else the host name.
  std::string instance_id;
};

// Parses the common flags, loads the config (LoadServiceConfig), initializes
// logging. `--help` prints `usage` and returns kCancelled; a bad flag or config
// prints the error and returns kInvalidArgument.
absl::StatusOr<ServiceContext> StartService(int argc, char** argv, const std::string& name,
                                            const std::string& usage);

// 0 for kCancelled (--help), 2 for anything else.
int ExitCodeFor(const absl::Status& status);

// Becomes true on SIGINT or SIGTERM (installed on first call), or RequestStop.
const std::atomic<bool>& StopRequested();
// Stops the service as a signal would (e.g. one of its loops failed for good).
void RequestStop();
// Sleeps up to `d`, returning early (true) when stop was requested.
bool WaitForStop(absl::Duration d);

// Client options for the configured brokers. kFailedPrecondition with a hint
// when brokers is "embedded" and nothing replaced it (the embedded broker
// lives in the local runner, deploy/local/up).
absl::StatusOr<kafka::ClientOptions> KafkaClientOptions(const Config& config,
                                                        const std::string& client_id);

// Raw topics (one per store), events, rejected, retry topics (one per store):
// partitions from the config.
std::vector<kafka::TopicSpec> PipelineTopics(const Config& config);

// EnsureTopics, retried with a logged hint while Kafka is unreachable, until
// stop is requested (then kCancelled).
absl::Status EnsureTopicsPatiently(const kafka::ClientOptions& options,
                                   const std::vector<kafka::TopicSpec>& topics);

}  // namespace storewire::service

#endif  // STOREWIRE_SERVICE_SERVICE_H_
