// Operating storewire end to end on the real broker: storewire-ingress and
// storewire-normalizer as processes, storewirectl's verbs (cli::Main) over
// their gRPC control ports. Covers status numbers against what was posted,
// bearer-token auth (no token / wrong token -> UNAUTHENTICATED, health open,
// the token never in the logs), pause/resume, replay with identical event
// ids, and resubmitting a rejected record after a config fix.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <csignal>
#include <set>
#include <sstream>

#include "../integration/pipeline/pipeline_fixture.h"
#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storewire/cli/cli.h"
#include "storewire/v1/event.pb.h"
#include "storewire/v1/raw.pb.h"

namespace storewire::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "op-secret-7f3c9a1e5b";

std::string Vector(const std::string& name) {
  std::string jws = ReadFile(SourcePath("tests/data/apple/derived/" + name + ".jws.txt"));
  jws.erase(jws.find_last_not_of(" \r\n") + 1);
  return absl::StrCat(R"({"signedPayload":")", jws, R"("})");
}

struct CliResult {
  int exit = -1;
  std::string out;
  std::string err;
};

class OperateEndToEndTest : public PipelineTest {
 protected:
  void SetUp() override {
    PipelineTest::SetUp();
    if (IsSkipped()) return;
    ServiceSections();  // picks the ports
    good_config_ = WriteNamedConfig("storewire.yaml", /*test_roots=*/true);
    StartIngress();
  }

  // The test vectors chain to Apple's *test* root: without it in trust_roots
  // the normalizer rejects them with BAD_CERTIFICATE_CHAIN.
  std::string WriteNamedConfig(const std::string& name, bool test_roots) {
    std::string path = dir_ + "/" + name;
    WriteFile(path,
              absl::StrCat(
                  KafkaSection(),
                  "apps:\n  - id: demo\n    apple:\n"
                  "      bundle_id: com.example\n      app_apple_id: 1234\n",
                  test_roots ? absl::StrCat("      trust_roots: [",
                                            SourcePath("tests/data/apple/certs/testCA.der"), "]\n")
                             : "",
                  "ingress:\n  bind_address: 127.0.0.1\n  http_port: ", http_port_,
                  "\n  admin_port: ", ingress_admin_, "\n  control_port: ", ingress_control_, "\n",
                  NormalizerSection(
                      absl::StrCat("  bind_address: 127.0.0.1\n  admin_port: ", normalizer_admin_,
                                   "\n  control_port: ", normalizer_control_, "\n")),
                  "control:\n  host: 127.0.0.1\n  tokens: [", kToken, "]\n"));
    return path;
  }

  void StartIngress() {
    StartService("storewire-ingress", good_config_, ingress_admin_, "ingress.log", ingress_);
  }

  void StartNormalizer(const std::string& config) {
    StartService("storewire-normalizer", config, normalizer_admin_,
                 absl::StrCat("normalizer-", ++normalizer_starts_, ".log"), normalizer_,
                 {"--instance-id", prefix_});
  }

  void StopNormalizer() {
    normalizer_.Signal(SIGTERM);
    EXPECT_EQ(normalizer_.Wait(absl::Seconds(30)), 0) << normalizer_.Log();
  }

  HttpResult Post(const std::string& app, const std::string& body) {
    return HttpPost(absl::StrCat("http://127.0.0.1:", http_port_, "/v1/apple/", app), body,
                    {"content-type: application/json"}, absl::Seconds(20));
  }

  CliResult Ctl(std::vector<std::string> args, bool with_token = true) {
    args.push_back("--config");
    args.push_back(good_config_);
    if (with_token) args.push_back(absl::StrCat("--token=", kToken));
    std::istringstream in;
    std::ostringstream out, err;
    CliResult r;
    r.exit = cli::Main(args, in, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
  }

  std::vector<v1::SubscriptionEvent> Events(size_t count, absl::Duration timeout) {
    std::vector<v1::SubscriptionEvent> events;
    for (const kafka::ConsumedRecord& r : Consume({Topic("events.v1")}, count, timeout)) {
      events.emplace_back().ParseFromString(r.value);
    }
    return events;
  }

  int normalizer_starts_ = 0;
  std::string good_config_;
};

TEST_F(OperateEndToEndTest, StatusShowsWhatWasPostedAndNormalized) {
  StartNormalizer(good_config_);
  ASSERT_EQ(Post("demo", Vector("G1_subscribed_initialBuy_sandbox")).status, 200);
  ASSERT_EQ(Post("demo", Vector("G1_subscribed_initialBuy_sandbox")).status, 200);
  ASSERT_EQ(Post("nosuchapp", Vector("G1_subscribed_initialBuy_sandbox")).status, 404);
  ASSERT_EQ(Events(2, absl::Seconds(60)).size(), 2u) << normalizer_.Log();

  CliResult r;
  ASSERT_TRUE(WaitUntil(
      [&] {
        r = Ctl({"status", "--output", "json"});
        return r.exit == 0 && absl::StrContains(r.out, R"("totalLag":"0")") &&
               absl::StrContains(r.out, R"("SUBSCRIPTION_STARTED":"2")");
      },
      absl::Seconds(60)))
      << r.exit << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"("appId":"demo","store":"STORE_APP_STORE")"));
  EXPECT_THAT(r.out, HasSubstr(R"("countsByStatus":{"200":"2"})"));
  EXPECT_THAT(r.out, HasSubstr(R"("appId":"unknown")"));
  EXPECT_THAT(r.out, HasSubstr(R"("countsByStatus":{"404":"1"})"));
  EXPECT_THAT(r.out, HasSubstr(R"("lastRejectionReason":"unknown app 'nosuchapp'")"));
  EXPECT_THAT(r.out, HasSubstr(R"("paused":false)"));

  CliResult table = Ctl({"status"});
  EXPECT_EQ(table.exit, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("200=2"));
  EXPECT_THAT(table.out, HasSubstr("SUBSCRIPTION_STARTED=2"));
  EXPECT_THAT(table.out, HasSubstr(Topic("raw.apple") + "/"));
}

TEST_F(OperateEndToEndTest, ControlCallsNeedTheTokenHealthDoesNotAndLogsNeverShowIt) {
  StartNormalizer(good_config_);
  CliResult none = Ctl({"status"}, /*with_token=*/false);
  EXPECT_EQ(none.exit, 5);
  EXPECT_THAT(none.err, HasSubstr("missing bearer token"));
  CliResult wrong = Ctl({"pause", "--token", "not-the-token"}, /*with_token=*/false);
  EXPECT_EQ(wrong.exit, 5);
  EXPECT_THAT(wrong.err, HasSubstr("invalid bearer token"));
  CliResult status = Ctl({"status", "--output", "json"});
  EXPECT_THAT(status.out, HasSubstr(R"("paused":false)")) << "the wrong token paused it";

  // grpc.health.v1.Health/Check with no token: SERVING (field 1 = 1).
  for (int port : {ingress_control_, normalizer_control_}) {
    auto channel =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
    grpc::GenericStub stub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::CompletionQueue cq;
    grpc::ByteBuffer request, response;
    grpc::Slice empty("");
    request = grpc::ByteBuffer(&empty, 1);
    auto call = stub.PrepareUnaryCall(&context, "/grpc.health.v1.Health/Check", request, &cq);
    call->StartCall();
    grpc::Status s;
    call->Finish(&response, &s, reinterpret_cast<void*>(1));
    void* tag = nullptr;
    bool ok = false;
    ASSERT_TRUE(cq.Next(&tag, &ok));
    ASSERT_TRUE(s.ok()) << port << ": " << s.error_code() << " " << s.error_message();
    std::vector<grpc::Slice> slices;
    ASSERT_TRUE(response.Dump(&slices).ok());
    std::string bytes;
    for (const grpc::Slice& slice : slices) {
      bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
    EXPECT_EQ(bytes, std::string("\x08\x01", 2)) << "not SERVING on " << port;
    cq.Shutdown();
  }

  StopNormalizer();
  for (const std::string& log : {ingress_.Log(), normalizer_.Log()}) {
    EXPECT_THAT(log, Not(HasSubstr(kToken)));
  }
}

TEST_F(OperateEndToEndTest, PauseStopsNormalizingAndResumeCatchesUp) {
  StartNormalizer(good_config_);
  CliResult paused = Ctl({"pause", "--output", "json"});
  ASSERT_EQ(paused.exit, 0) << paused.err;
  EXPECT_EQ(paused.out, "{\"paused\":true}\n");
  EXPECT_THAT(Ctl({"status", "--output", "json"}).out, HasSubstr(R"("paused":true)"));

  ASSERT_EQ(Post("demo", Vector("G1_subscribed_initialBuy_sandbox")).status, 200);
  EXPECT_TRUE(Events(1, absl::Seconds(5)).empty()) << "normalized while paused";
  CliResult status;
  ASSERT_TRUE(WaitUntil(
      [&] {
        status = Ctl({"status", "--output", "json"});
        return absl::StrContains(status.out, R"("totalLag":"1")");
      },
      absl::Seconds(30)))
      << status.out << status.err;

  ASSERT_EQ(Ctl({"resume"}).exit, 0);
  EXPECT_EQ(Events(1, absl::Seconds(60)).size(), 1u) << normalizer_.Log();
}

TEST_F(OperateEndToEndTest, ReplayYieldsTheSameEventIds) {
  StartNormalizer(good_config_);
  ASSERT_EQ(Post("demo", Vector("G1_subscribed_initialBuy_sandbox")).status, 200);
  ASSERT_EQ(Post("demo", Vector("G2_subscribed_initialBuy_production")).status, 200);
  std::vector<v1::SubscriptionEvent> first = Events(2, absl::Seconds(60));
  ASSERT_EQ(first.size(), 2u) << normalizer_.Log();

  CliResult replay = Ctl({"replay", "--store", "apple", "--from", "1h", "--output", "json"});
  ASSERT_EQ(replay.exit, 0) << replay.err;
  EXPECT_THAT(replay.out, HasSubstr(R"("recordsReplayed":"2")"));

  std::vector<v1::SubscriptionEvent> all = Events(4, absl::Seconds(60));
  ASSERT_EQ(all.size(), 4u) << normalizer_.Log();
  // Partitions interleave on the events topic: compare counts, not order.
  // Every id of the first pass comes back once more, and no new id appears.
  std::multiset<std::string> first_ids = {first[0].id(), first[1].id()};
  std::multiset<std::string> all_ids;
  for (const v1::SubscriptionEvent& e : all) all_ids.insert(e.id());
  for (const std::string& id : first_ids) {
    EXPECT_EQ(all_ids.count(id), 2 * first_ids.count(id)) << id;
  }
  EXPECT_EQ(all_ids.size(), 4u);

  CliResult bad = Ctl({"replay", "--store", "apple", "--from-offset", "x"});
  EXPECT_EQ(bad.exit, 2);
  EXPECT_THAT(bad.err, HasSubstr("is not PARTITION:OFFSET"));
}

TEST_F(OperateEndToEndTest, RejectedRecordIsListedAndResubmittedAfterTheConfigIsFixed) {
  // A normalizer without the test root rejects the notification...
  StartNormalizer(WriteNamedConfig("broken.yaml", /*test_roots=*/false));
  ASSERT_EQ(Post("demo", Vector("G1_subscribed_initialBuy_sandbox")).status, 200);
  ASSERT_EQ(Consume({Topic("rejected")}, 1, absl::Seconds(60)).size(), 1u) << normalizer_.Log();

  CliResult list =
      Ctl({"rejected", "list", "--reason", "BAD_CERTIFICATE_CHAIN", "--output", "json"});
  ASSERT_EQ(list.exit, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr(R"("reason":"REJECT_REASON_BAD_CERTIFICATE_CHAIN")"));
  EXPECT_THAT(list.out, HasSubstr(R"("totalMatching":"1")"));
  const size_t at = list.out.find(R"("id":")");
  ASSERT_NE(at, std::string::npos);
  const std::string id = list.out.substr(at + 6, list.out.find('"', at + 6) - at - 6);
  EXPECT_THAT(Ctl({"rejected", "list", "--reason", "BAD_SIGNATURE", "--output", "json"}).out,
              HasSubstr(R"("totalMatching":"0")"));
  CliResult table = Ctl({"rejected", "list", "--app", "demo"});
  EXPECT_THAT(table.out, HasSubstr("BAD_CERTIFICATE_CHAIN"));
  EXPECT_THAT(table.out, HasSubstr("1 of 1 matching"));

  // ... the config is fixed, the normalizer restarted, the record resubmitted.
  StopNormalizer();
  StartNormalizer(good_config_);
  CliResult resubmit = Ctl({"rejected", "resubmit", id});
  ASSERT_EQ(resubmit.exit, 0) << resubmit.err;
  EXPECT_THAT(resubmit.out, HasSubstr("resubmitted 1 records"));
  std::vector<v1::SubscriptionEvent> events = Events(1, absl::Seconds(60));
  ASSERT_EQ(events.size(), 1u) << normalizer_.Log();
  EXPECT_EQ(events[0].type(), v1::EVENT_TYPE_SUBSCRIPTION_STARTED);
  EXPECT_EQ(events[0].app_id(), "demo");

  CliResult missing = Ctl({"rejected", "resubmit", "2:999999"});
  EXPECT_EQ(missing.exit, 1);
  EXPECT_THAT(missing.out, HasSubstr("not found: 2:999999"));
}

TEST_F(OperateEndToEndTest, UnreachableServiceGivesAHint) {
  const int closed = FreePort();
  CliResult r = Ctl({"pause", "--normalizer", absl::StrCat("127.0.0.1:", closed)});
  EXPECT_EQ(r.exit, 4);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("cannot reach the normalizer at 127.0.0.1:", closed,
                                            ": is it running? (./deploy/local/up)")));
}

}  // namespace
}  // namespace storewire::testing
