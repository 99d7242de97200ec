// storewire-ingress: receives the stores' HTTP notifications and writes them
// to <prefix>.raw.<store>, answering 200 only once Kafka acknowledged.
// Logic: libs/ingress; server: libs/http; Kafka: libs/kafka.
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "storewire/control/ingress_control.h"
#include "storewire/control/server.h"
#include "storewire/core/log.h"
#include "storewire/core/stores.h"
#include "storewire/http/admin.h"
#include "storewire/http/server.h"
#include "storewire/ingress/ingress.h"
#include "storewire/ingress/status_board.h"
#include "storewire/kafka/kafka.h"
#include "storewire/service/service.h"

namespace {

constexpr char kUsage[] =
    "usage: storewire-ingress [--config FILE] [--instance-id ID] [--http-port N]\n"
    "                         [--admin-port N] [--control-port N] [--bind-address ADDR]\n"
    "Receives App Store, Google Play, AppGallery and Amazon notifications on\n"
    "POST /v1/{apple|google|huawei|amazon}/{app} and writes them to <prefix>.raw.<store>;\n"
    "answers 200 only once Kafka acknowledged the record, 503 otherwise.\n"
    "--config defaults to $STOREWIRE_CONFIG, else ./storewire.yaml. The port flags\n"
    "override ingress.ports (0 = any free port; the bound ports are logged).\n"
    "Admin: /healthz /readyz /metrics on the admin port; gRPC health and reflection on\n"
    "the control port. SIGINT/SIGTERM: stop accepting, finish in-flight requests,\n"
    "flush the producer, exit 0.\n";

struct PortFlags {
  std::optional<int> http_port;
  std::optional<int> admin_port;
  std::optional<int> control_port;
  std::optional<std::string> bind_address;
};

// Takes the ingress's own flags out of argv (the rest goes to StartService).
// Returns false (after printing why) on a bad value.
bool ExtractPortFlags(int& argc, char** argv, PortFlags& flags) {
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::optional<std::string> value;
    std::string name;
    for (const char* flag : {"--http-port", "--admin-port", "--control-port", "--bind-address"}) {
      if (arg == flag && i + 1 < argc) {
        name = flag;
        value = argv[++i];
      } else if (absl::StartsWith(arg, absl::StrCat(flag, "="))) {
        name = flag;
        value = arg.substr(std::string(flag).size() + 1);
      }
    }
    if (!value) {
      argv[out++] = argv[i];
      continue;
    }
    if (name == "--bind-address") {
      flags.bind_address = *value;
      continue;
    }
    int port = 0;
    if (!absl::SimpleAtoi(*value, &port) || port < 0 || port > 65535) {
      std::cerr << "storewire-ingress: " << name << " needs a port number 0-65535, got '" << *value
                << "'\n";
      return false;
    }
    if (name == "--http-port") flags.http_port = port;
    if (name == "--admin-port") flags.admin_port = port;
    if (name == "--control-port") flags.control_port = port;
  }
  argc = out;
  return true;
}

std::vector<storewire::kafka::TopicSpec> RawTopics(const storewire::Config& config) {
  const storewire::Topics topics(config.kafka.topic_prefix);
  std::vector<storewire::kafka::TopicSpec> raw;
  for (storewire::kafka::TopicSpec& spec : storewire::service::PipelineTopics(config)) {
    for (storewire::v1::Store store : storewire::kAllStores) {
      if (spec.name == topics.Raw(store)) raw.push_back(spec);
    }
  }
  return raw;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace storewire;
  PortFlags flags;
  if (!ExtractPortFlags(argc, argv, flags)) return 2;
  absl::StatusOr<service::ServiceContext> ctx =
      service::StartService(argc, argv, "ingress", kUsage);
  if (!ctx.ok()) return service::ExitCodeFor(ctx.status());
  Config& config = ctx->config;
  ServicePorts& ports = config.ingress.ports;
  if (flags.http_port) ports.http_port = *flags.http_port;
  if (flags.admin_port) ports.admin_port = *flags.admin_port;
  if (flags.control_port) ports.control_port = *flags.control_port;
  if (flags.bind_address) ports.bind_address = *flags.bind_address;

  absl::StatusOr<kafka::ClientOptions> client =
      service::KafkaClientOptions(config, "storewire-ingress-" + ctx->instance_id);
  if (!client.ok()) {
    log::Error("cannot start", {{"error", std::string(client.status().message())}});
    return 2;
  }
  absl::StatusOr<std::unique_ptr<kafka::Producer>> producer =
      kafka::Producer::Create(*client, config.ingress.produce_timeout);
  if (!producer.ok()) {
    log::Error("cannot create the Kafka producer",
               {{"error", std::string(producer.status().message())}});
    return 2;
  }

  std::atomic<bool> topics_ready{false};
  auto admin = http::StartAdminServer(
      {.name = "admin", .bind_address = ports.bind_address, .port = ports.admin_port},
      [&]() -> absl::Status {
        if (!topics_ready.load()) return absl::UnavailableError("raw topics not ensured yet");
        return (*producer)->CheckReachable(absl::Seconds(1));
      });
  if (!admin.ok()) {
    log::Error("cannot start the admin server", {{"error", std::string(admin.status().message())}});
    return 2;
  }
  control::ControlServer control;
  if (absl::Status s = control.Configure(config.control); !s.ok()) {
    log::Error("bad control config", {{"error", std::string(s.message())}});
    return 2;
  }
  ingress::StatusBoard status_board;
  control::IngressControlService ingress_control(control.authenticator(),
                                                 [&] { return status_board.Snapshot(); });
  control.AddService(&ingress_control);
  if (absl::Status s = control.Start(ports.bind_address, ports.control_port); !s.ok()) {
    log::Error("cannot start the control server", {{"error", std::string(s.message())}});
    return 2;
  }

  if (absl::Status s = service::EnsureTopicsPatiently(*client, RawTopics(config)); !s.ok()) {
    log::Error("cannot create the raw topics", {{"error", std::string(s.message())}});
    return s.code() == absl::StatusCode::kCancelled ? 0 : 1;
  }
  topics_ready = true;

  auto ingress = std::make_unique<ingress::Ingress>(
      config, **producer, ingress::Ingress::Options{.status_board = &status_board});
  http::ServerOptions options{.name = "ingress",
                              .bind_address = ports.bind_address,
                              .port = ports.http_port,
                              .threads = config.ingress.threads,
                              .max_body_bytes = config.ingress.max_body_bytes,
                              .request_timeout = config.ingress.request_timeout,
                              .idle_timeout = config.ingress.idle_timeout,
                              // The ingress answers 503 at produce_timeout; this is a backstop.
                              .handler_timeout = config.ingress.produce_timeout + absl::Seconds(2),
                              .max_connections = config.ingress.max_connections};
  auto server = http::Server::Start(options, [&ingress](http::Request r, http::Responder respond) {
    ingress->Handle(std::move(r), std::move(respond));
  });
  if (!server.ok()) {
    log::Error("cannot start the store HTTP server",
               {{"error", std::string(server.status().message())}});
    return 2;
  }
  log::Info("ingress ready", {{"http_port", std::to_string((*server)->port())},
                              {"admin_port", std::to_string((*admin)->port())},
                              {"control_port", std::to_string(control.port())},
                              {"brokers", client->brokers},
                              {"topic_prefix", config.kafka.topic_prefix}});

  while (!service::WaitForStop(absl::Hours(1))) {
  }

  log::Info("stopping: finishing in-flight requests");
  control.SetServing(false);
  (*server)->Stop(config.ingress.produce_timeout + absl::Seconds(3));
  if (absl::Status s = (*producer)->Flush(absl::Seconds(10)); !s.ok()) {
    log::Warn("producer flush incomplete", {{"error", std::string(s.message())}});
  }
  // Delivery callbacks refer to the ingress: the producer goes first.
  producer->reset();
  ingress.reset();
  (*admin)->Stop(absl::Seconds(1));
  control.Shutdown();
  log::Info("stopped");
  return 0;
}
