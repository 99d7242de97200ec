// storewire-metrics: the live subscriber base. Rebuilds every subscription's
// state from <prefix>.subscriptions.state, then consumes <prefix>.events.v1
// (read_committed) and writes changed states in Kafka transactions together
// with the consumed offsets. Serves the dashboard, /api/dashboard and
// Prometheus on the admin port and the SubscriberBase gRPC service on the
// control port. Logic: libs/subscriber_base; loop: libs/kafka.
#include <atomic>
#include <string>

#include "absl/strings/str_cat.h"
#include "storewire/control/server.h"
#include "storewire/core/clock.h"
#include "storewire/core/log.h"
#include "storewire/core/metrics.h"
#include "storewire/core/stores.h"
#include "storewire/kafka/kafka.h"
#include "storewire/service/service.h"
#include "storewire/subscriber_base/dashboard.h"
#include "storewire/subscriber_base/grpc_service.h"
#include "storewire/subscriber_base/state_topic.h"
#include "storewire/subscriber_base/subscriber_base.h"

namespace {

constexpr char kUsage[] =
    "usage: storewire-metrics [--config FILE] [--instance-id ID]\n"
    "Keeps the live subscriber base: consumes <prefix>.events.v1, writes\n"
    "<prefix>.subscriptions.state (compacted, rebuilt on start), serves the dashboard\n"
    "and /metrics on the admin port (9104) and the SubscriberBase gRPC service on the\n"
    "control port (7004). --config defaults to $STOREWIRE_CONFIG, else ./storewire.yaml.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace storewire;
  absl::StatusOr<service::ServiceContext> ctx =
      service::StartService(argc, argv, "metrics", kUsage);
  if (!ctx.ok()) return service::ExitCodeFor(ctx.status());
  const Config& config = ctx->config;
  const MetricsConfig& mc = config.metrics;

  absl::StatusOr<kafka::ClientOptions> client =
      service::KafkaClientOptions(config, "storewire-metrics-" + ctx->instance_id);
  if (!client.ok()) {
    log::Error("cannot start", {{"error", std::string(client.status().message())}});
    return 2;
  }
  subscriber_base::SubscriberBaseOptions options = subscriber_base::SubscriberBaseOptionsFrom(mc);
  options.registry = &MetricsRegistry::Default();
  subscriber_base::SubscriberBase base(options, SystemClock::Get());

  std::atomic<bool> running{false};
  auto admin = http::Server::Start(
      {.name = "admin", .bind_address = mc.ports.bind_address, .port = mc.ports.admin_port},
      subscriber_base::MetricsAdminHandler(base, [&]() -> absl::Status {
        return running.load() ? absl::OkStatus() : absl::UnavailableError("state not rebuilt yet");
      }));
  if (!admin.ok()) {
    log::Error("cannot start admin server", {{"error", std::string(admin.status().message())}});
    return 2;
  }
  control::ControlServer control;
  if (absl::Status s = control.Configure(config.control); !s.ok()) {
    log::Error("bad control config", {{"error", std::string(s.message())}});
    return 2;
  }
  subscriber_base::SubscriberBaseService grpc_service(base, control.authenticator());
  control.AddService(&grpc_service);
  if (absl::Status s = control.Start(mc.ports.bind_address, mc.ports.control_port); !s.ok()) {
    log::Error("cannot start control server", {{"error", std::string(s.message())}});
    return 2;
  }
  log::Info("listening", {{"admin_port", std::to_string((*admin)->port())},
                          {"control_port", std::to_string(control.port())}});

  const std::string state_topic = subscriber_base::StateTopic(config.kafka.topic_prefix);
  std::vector<kafka::TopicSpec> topics = service::PipelineTopics(config);
  topics.push_back(subscriber_base::StateTopicSpec(config));
  if (absl::Status s = service::EnsureTopicsPatiently(*client, topics); !s.ok()) {
    log::Error("cannot create topics", {{"error", std::string(s.message())}});
    return s.code() == absl::StatusCode::kCancelled ? 0 : 1;
  }

  kafka::TransactionalProcessor::Options po;
  po.client = *client;
  po.group_id = mc.group_id;
  po.input_topics = {Topics(config.kafka.topic_prefix).Events()};
  po.transactional_id = absl::StrCat(mc.transactional_id_prefix, "-", ctx->instance_id);
  po.group_instance_id = po.transactional_id;
  po.max_batch_records = mc.max_batch_records;
  po.max_batch_wait = mc.max_batch_wait;
  // Create fences a zombie and aborts its open transaction before the rebuild
  // reads the state topic.
  auto processor = kafka::TransactionalProcessor::Create(
      po, subscriber_base::MakeStateTransform(base, state_topic));
  if (!processor.ok()) {
    log::Error("cannot start the transactional loop",
               {{"error", std::string(processor.status().message())}});
    return 1;
  }
  if (absl::Status s = subscriber_base::RebuildFromStateTopic(
          *client, state_topic, config.kafka.partitions, base, service::StopRequested());
      !s.ok()) {
    log::Error("cannot rebuild the subscriber base", {{"error", std::string(s.message())}});
    return s.code() == absl::StatusCode::kCancelled ? 0 : 1;
  }
  running = true;
  log::Info("tracking the subscriber base", {{"group", po.group_id},
                                             {"transactional_id", po.transactional_id},
                                             {"subscriptions", std::to_string(base.size())}});
  absl::Status result = (*processor)->Run(service::StopRequested());
  running = false;
  control.Shutdown();
  (*admin)->Stop(absl::Seconds(2));
  if (!result.ok()) {
    log::Error("transactional loop ended", {{"error", std::string(result.message())}});
    return 1;
  }
  log::Info("stopped");
  return 0;
}
