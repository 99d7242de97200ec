// storewire-webhooks: consumes <prefix>.events.v1 and the retry topics and
// POSTs each event to every matching endpoint with Standard Webhooks
// signatures; serves the WebhookControl gRPC service. Logic: libs/webhooks.
#include <atomic>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "storewire/control/server.h"
#include "storewire/core/clock.h"
#include "storewire/core/log.h"
#include "storewire/core/stores.h"
#include "storewire/http/admin.h"
#include "storewire/http/client.h"
#include "storewire/kafka/kafka.h"
#include "storewire/service/service.h"
#include "storewire/webhooks/control_service.h"
#include "storewire/webhooks/dead_letters.h"
#include "storewire/webhooks/deliverer.h"
#include "storewire/webhooks/dispatcher.h"
#include "storewire/webhooks/forward.h"
#include "storewire/webhooks/metrics.h"
#include "storewire/webhooks/registry.h"
#include "storewire/webhooks/retry_policy.h"
#include "storewire/webhooks/signature.h"
#include "storewire/webhooks/timer.h"

namespace {

constexpr char kUsage[] =
    "usage: storewire-webhooks [--config FILE] [--instance-id ID]\n"
    "Delivers <prefix>.events.v1 to the registered webhook endpoints (Standard Webhooks\n"
    "signatures, retry topics <prefix>.webhooks.retry.<step>, dead letters in\n"
    "<prefix>.webhooks.dlq), forwards raw notifications to the apps' configured\n"
    "apps[].<store>.forward URLs with the same retries, and serves the WebhookControl gRPC\n"
    "service (default port 7003).\n"
    "--config defaults to $STOREWIRE_CONFIG, else ./storewire.yaml.\n";

int Fail(const char* what, const absl::Status& status) {
  storewire::log::Error(what, {{"error", std::string(status.message())}});
  return status.code() == absl::StatusCode::kCancelled ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace storewire;
  absl::StatusOr<service::ServiceContext> ctx =
      service::StartService(argc, argv, "webhooks", kUsage);
  if (!ctx.ok()) return service::ExitCodeFor(ctx.status());
  const Config& config = ctx->config;
  const WebhooksConfig& wh = config.webhooks;
  const Topics pipeline(config.kafka.topic_prefix);
  webhooks::RetryPolicy policy(config.kafka.topic_prefix, wh);

  absl::StatusOr<kafka::ClientOptions> client =
      service::KafkaClientOptions(config, "storewire-webhooks-" + ctx->instance_id);
  if (!client.ok()) return Fail("cannot start", client.status());

  std::atomic<bool> running{false};
  auto admin = http::StartAdminServer(
      {.name = "admin", .bind_address = wh.ports.bind_address, .port = wh.ports.admin_port},
      [&]() -> absl::Status {
        return running.load() ? absl::OkStatus()
                              : absl::UnavailableError("endpoint registry not loaded yet");
      });
  if (!admin.ok()) return Fail("cannot start admin server", admin.status());

  std::vector<kafka::TopicSpec> topics = service::PipelineTopics(config);
  for (kafka::TopicSpec& spec :
       policy.topics().Specs(config.kafka.partitions, config.kafka.replication_factor)) {
    topics.push_back(std::move(spec));
  }
  if (absl::Status s = service::EnsureTopicsPatiently(*client, topics); !s.ok()) {
    return Fail("cannot create topics", s);
  }
  auto producer = kafka::Producer::Create(*client, absl::Seconds(30));
  if (!producer.ok()) return Fail("cannot create the Kafka producer", producer.status());

  webhooks::Registry registry;
  registry.SetForwards(webhooks::ForwardEndpoints(config));
  const std::vector<std::string> forwarded = webhooks::ForwardedRawTopics(config);
  webhooks::EndpointStore store(**producer, policy.topics().endpoints, registry,
                                SystemClock::Get());
  auto follower =
      webhooks::RegistryFollower::Start(*client, **producer, policy.topics().endpoints, registry);
  if (!follower.ok()) return Fail("cannot follow the endpoint registry", follower.status());

  std::unique_ptr<http::Client> http_client = http::MakeCurlClient(
      {.address_policy =
           wh.allow_private_targets ? http::AddressPolicy::kAny : http::AddressPolicy::kPublicOnly,
       // Per-endpoint limits are the deliverer's; endpoints may share a host.
       .max_connections_per_host = 256,
       .max_total_connections = 1024,
       .user_agent = std::string(webhooks::kUserAgent)});

  control::ControlServer control;
  if (absl::Status s = control.Configure(config.control); !s.ok()) {
    return Fail("bad control config", s);
  }
  webhooks::Timer timer;
  webhooks::DeadLetters dead_letters(*client, **producer, policy, SystemClock::Get());
  webhooks::ControlService control_service({.config = &wh,
                                            .store = &store,
                                            .dead_letters = &dead_letters,
                                            .client = http_client.get(),
                                            .clock = &SystemClock::Get(),
                                            .events_topic = pipeline.Events(),
                                            .auth = &control.authenticator()});
  control.AddService(&control_service);
  if (absl::Status s = control.Start(wh.ports.bind_address, wh.ports.control_port); !s.ok()) {
    return Fail("cannot start control server", s);
  }
  log::Info("listening", {{"admin_port", std::to_string((*admin)->port())},
                          {"control_port", std::to_string(control.port())}});

  while (!(*follower)->WaitSynced(absl::Seconds(1))) {
    if (service::StopRequested().load()) return 0;
    log::Info("waiting for the endpoint registry to load");
  }

  std::vector<std::string> inputs = {pipeline.Events()};
  for (const std::string& t : policy.topics().retry) inputs.push_back(t);
  auto consumer = kafka::Consumer::Create({.client = *client,
                                           .group_id = wh.group_id,
                                           .topics = inputs,
                                           .read_committed = true,
                                           .auto_offset_reset = "earliest"});
  if (!consumer.ok()) return Fail("cannot create the Kafka consumer", consumer.status());
  // Raw forwarding reads the raw topics in a group of its own, so that where
  // it starts (webhooks.forward_start) does not touch the events' offsets.
  std::unique_ptr<kafka::Consumer> forward_consumer;
  if (!forwarded.empty()) {
    auto c = kafka::Consumer::Create({.client = *client,
                                      .group_id = wh.group_id + ".forward",
                                      .topics = forwarded,
                                      .read_committed = true,
                                      .auto_offset_reset = wh.forward_start});
    if (!c.ok()) return Fail("cannot create the raw forwarding consumer", c.status());
    forward_consumer = *std::move(c);
  }

  int exit_code = 0;
  {
    webhooks::Deliverer deliverer(wh, *http_client, **producer, store, policy, SystemClock::Get(),
                                  timer);
    webhooks::Dispatcher dispatcher({.events_topic = pipeline.Events(), .retry_topics = inputs},
                                    **consumer, deliverer, registry, SystemClock::Get());
    std::unique_ptr<webhooks::Dispatcher> forwarder;
    std::thread forward_thread;
    std::atomic<bool> forward_failed{false};
    if (forward_consumer != nullptr) {
      forwarder = std::make_unique<webhooks::Dispatcher>(
          webhooks::Dispatcher::Options{.raw_topics = forwarded}, *forward_consumer, deliverer,
          registry, SystemClock::Get());
      forward_thread = std::thread([&] {
        absl::Status s = forwarder->Run(service::StopRequested());
        if (!s.ok()) {
          log::Error("raw forwarding ended", {{"error", std::string(s.message())}});
          forward_failed = true;
          service::RequestStop();
        }
      });
    }
    running = true;
    log::Info("delivering",
              {{"group", wh.group_id},
               {"brokers", client->brokers},
               {"raw_forwards", std::to_string(webhooks::ForwardEndpoints(config).size())},
               {"allow_private_targets", wh.allow_private_targets ? "true" : "false"}});
    absl::Status result = dispatcher.Run(service::StopRequested());
    running = false;
    if (!result.ok()) {
      log::Error("dispatcher ended", {{"error", std::string(result.message())}});
      exit_code = 1;
    }
    service::RequestStop();  // the forwarding loop ends with the main one
    if (forward_thread.joinable()) forward_thread.join();
    if (forward_failed) exit_code = 1;
    control.Shutdown();
    // Requests still in flight complete (cancelled) while the deliverer lives.
    http_client.reset();
    (void)(*producer)->Flush(absl::Seconds(10));
  }
  (*follower)->Stop();
  (*admin)->Stop(absl::Seconds(2));
  log::Info("stopped");
  return exit_code;
}
