// The ingress's HTTP server and request handling with a choice of sink, so a
// load run can compare "store in Kafka with acks=all" against "answer 200
// without Kafka" on identical code paths. Used by tests/bench/ingress_load.sh.
//
//   ingress_bench_server --config FILE --port P --sink null|kafka
#include <atomic>
#include <iostream>
#include <string>

#include "absl/strings/numbers.h"
#include "storewire/core/config.h"
#include "storewire/core/log.h"
#include "storewire/http/server.h"
#include "storewire/ingress/ingress.h"
#include "storewire/kafka/kafka.h"
#include "storewire/service/service.h"

namespace {

// Acknowledges every record at once: the no-Kafka baseline.
class NullSink final : public storewire::kafka::RecordSink {
 public:
  void Send(storewire::kafka::OutgoingRecord, DeliveryCallback done) override {
    done(absl::OkStatus());
  }
};

}  // namespace

int main(int argc, char** argv) {
  using namespace storewire;
  std::string config_path, sink_name = "null";
  int port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--config") config_path = argv[i + 1];
    if (flag == "--sink") sink_name = argv[i + 1];
    if (flag == "--port" && !absl::SimpleAtoi(argv[i + 1], &port)) return 2;
  }
  absl::StatusOr<Config> config = LoadServiceConfig(config_path);
  if (!config.ok()) {
    std::cerr << config.status() << "\n";
    return 2;
  }
  log::Init("ingress-bench", "warn");
  NullSink null_sink;
  std::unique_ptr<kafka::Producer> producer;
  kafka::RecordSink* sink = &null_sink;
  if (sink_name == "kafka") {
    auto client = service::KafkaClientOptions(*config, "ingress-bench");
    if (!client.ok()) {
      std::cerr << client.status() << "\n";
      return 2;
    }
    if (absl::Status s = service::EnsureTopicsPatiently(*client, service::PipelineTopics(*config));
        !s.ok()) {
      std::cerr << s << "\n";
      return 1;
    }
    auto created = kafka::Producer::Create(*client, config->ingress.produce_timeout);
    if (!created.ok()) {
      std::cerr << created.status() << "\n";
      return 1;
    }
    producer = *std::move(created);
    sink = producer.get();
  }
  ingress::Ingress logic(*config, *sink);
  auto server = http::Server::Start(
      {.name = "bench", .bind_address = "127.0.0.1", .port = port, .threads = 2},
      [&logic](http::Request request, http::Responder respond) {
        logic.Handle(std::move(request), std::move(respond));
      });
  if (!server.ok()) {
    std::cerr << server.status() << "\n";
    return 1;
  }
  std::cout << "listening " << (*server)->port() << " sink=" << sink_name << std::endl;
  service::WaitForStop(absl::Hours(24));
  (*server)->Stop(absl::Seconds(5));
  if (producer) (void)producer->Flush(absl::Seconds(10));
  return 0;
}
