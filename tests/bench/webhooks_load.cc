// Load generator for storewire-webhooks (issue 5 benchmark): deliveries per
// second to a local keep-alive receiver, and the throughput the healthy
// endpoints keep while one of ten answers only after 2 s.
//
//   STOREWIRE_TEST_KAFKA_BROKERS=host:port build/bench/webhooks_load [EVENTS]
//
// Each scenario: a fresh topic prefix, storewire-webhooks as a child process,
// endpoints registered over gRPC, EVENTS events produced to the events topic,
// then the time from the first to the last delivery the receiver counts.
#include <grpcpp/grpcpp.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "../integration/webhooks/receiver.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "storewire/kafka/kafka.h"
#include "storewire/testing/process.h"
#include "storewire/v1/webhooks.grpc.pb.h"

using namespace storewire;
using namespace storewire::testing;

namespace {

struct Result {
  double healthy_per_second = 0;
  size_t healthy_delivered = 0;
};

Result RunScenario(const std::string& brokers, int events, int endpoints, bool one_slow) {
  Receiver receiver;
  if (!receiver.Start()) std::abort();
  if (one_slow) receiver.Delay("/ep0", absl::Seconds(2));
  const std::string prefix = UniqueName("whbench");
  const std::string dir = MakeTempDir("whbench");
  const int control = FreePort(), admin = FreePort();
  WriteFile(dir + "/storewire.yaml",
            absl::StrCat("kafka:\n  brokers: ", brokers, "\n  topic_prefix: ", prefix,
                         "\n  partitions: 6\nwebhooks:\n  admin_port: ", admin,
                         "\n  control_port: ", control, "\n  group_id: ", prefix,
                         "\n  allow_private_targets: true\n  max_in_flight_per_endpoint: 32\n",
                         "log:\n  level: warn\n"));
  auto service =
      ChildProcess::Spawn({BinaryPath("storewire-webhooks"), "--config", dir + "/storewire.yaml"},
                          {}, dir + "/webhooks.log");
  if (!service.ok()) std::abort();
  WaitUntil(
      [&] {
        return HttpGet(absl::StrCat("http://127.0.0.1:", admin, "/readyz"), absl::Seconds(1))
                   .status == 200;
      },
      absl::Seconds(60));
  auto stub = v1::WebhookControl::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", control), grpc::InsecureChannelCredentials()));
  for (int i = 0; i < endpoints; ++i) {
    v1::AddEndpointRequest req;
    req.set_url(receiver.Url(absl::StrCat("/ep", i)));
    v1::WebhookEndpoint resp;
    grpc::ClientContext ctx;
    if (!stub->AddEndpoint(&ctx, req, &resp).ok()) std::abort();
  }
  auto producer = kafka::Producer::Create({.brokers = brokers}, absl::Seconds(30));
  for (int i = 0; i < events; ++i) {
    v1::SubscriptionEvent e;
    e.set_id(absl::StrCat("evt-", i));
    e.set_type(v1::EVENT_TYPE_RENEWED);
    e.set_app_id("demo");
    e.set_subscription_key(absl::StrCat("sub-", i));
    *e.mutable_received_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
    (*producer)->Send({.topic = prefix + ".events.v1",
                       .key = e.subscription_key(),
                       .value = e.SerializeAsString()},
                      [](absl::Status) {});
  }
  (void)(*producer)->Flush(absl::Seconds(30));
  const int first_healthy = one_slow ? 1 : 0;
  const size_t target = static_cast<size_t>(events) * (endpoints - first_healthy);
  auto healthy = [&] {
    size_t n = 0;
    for (int i = first_healthy; i < endpoints; ++i) n += receiver.Count(absl::StrCat("/ep", i));
    return n;
  };
  WaitUntil([&] { return healthy() > 0; }, absl::Seconds(60));
  const absl::Time start = absl::Now();
  WaitUntil([&] { return healthy() >= target; }, absl::Seconds(300));
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  Result r{static_cast<double>(healthy()) / seconds, healthy()};
  service->Signal(SIGTERM);
  service->Wait(absl::Seconds(30));
  receiver.Stop();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string brokers = TestKafkaBrokers();
  if (brokers.empty()) {
    std::fprintf(stderr, "set STOREWIRE_TEST_KAFKA_BROKERS (tests/kafka/broker start DIR)\n");
    return 2;
  }
  const int events = argc > 1 ? std::atoi(argv[1]) : 20000;
  Result one = RunScenario(brokers, events, 1, false);
  std::printf("1 endpoint: %zu deliveries, %.0f deliveries/s\n", one.healthy_delivered,
              one.healthy_per_second);
  const int per = events / 10;
  Result ten = RunScenario(brokers, per, 10, false);
  std::printf("10 healthy endpoints: %zu deliveries, %.0f deliveries/s\n", ten.healthy_delivered,
              ten.healthy_per_second);
  Result slow = RunScenario(brokers, per, 10, true);
  std::printf(
      "9 healthy + 1 answering after 2 s: %zu healthy deliveries, %.0f deliveries/s "
      "(%.0f%% of the all-healthy nine's share)\n",
      slow.healthy_delivered, slow.healthy_per_second,
      100.0 * slow.healthy_per_second / (ten.healthy_per_second * 0.9));
  return 0;
}
