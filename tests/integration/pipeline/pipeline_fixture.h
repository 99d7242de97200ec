// Fixture for tests that run the real service binaries against the real Kafka
// started by tests/run: a unique topic prefix per test, a config file, the
// binaries as child processes, and read_committed consumption with deadlines.
#ifndef STOREWIRE_TESTS_INTEGRATION_PIPELINE_FIXTURE_H_
#define STOREWIRE_TESTS_INTEGRATION_PIPELINE_FIXTURE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storewire/kafka/kafka.h"
#include "storewire/testing/process.h"

namespace storewire::testing {

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    brokers_ = TestKafkaBrokers();
    if (brokers_.empty()) GTEST_SKIP() << "set STOREWIRE_TEST_KAFKA_BROKERS (tests/run does)";
    prefix_ = UniqueName("it");
    dir_ = MakeTempDir("pipeline");
  }

  // Writes a config for this test's prefix and brokers; `extra` is appended
  // YAML (ingress:/normalizer: sections).
  std::string WriteConfig(const std::string& brokers, const std::string& extra) {
    std::string path = dir_ + "/storewire.yaml";
    WriteFile(path, absl::StrCat("kafka:\n  brokers: ", brokers, "\n  topic_prefix: ", prefix_,
                                 "\n  partitions: 3\n",
                                 "apps:\n  - id: demo\n    apple:\n      bundle_id: com.example\n"
                                 "      app_apple_id: 1234\n"
                                 "    google:\n      package_name: com.example.app\n"
                                 "      verify_push_token: false\n",
                                 extra));
    return path;
  }

  kafka::ClientOptions Client() const { return {.brokers = brokers_, .client_id = "it"}; }

  // Consumes `topics` (read_committed, own group) until `count` records or
  // the deadline; returns what arrived.
  std::vector<kafka::ConsumedRecord> Consume(const std::vector<std::string>& topics, size_t count,
                                             absl::Duration timeout) {
    kafka::Consumer::Options options;
    options.client = Client();
    options.group_id = UniqueName("reader");
    options.topics = topics;
    options.read_committed = true;
    auto consumer = kafka::Consumer::Create(options);
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    std::vector<kafka::ConsumedRecord> records;
    if (!consumer.ok()) return records;
    WaitUntil(
        [&] {
          auto batch = (*consumer)->Poll(1000, absl::Milliseconds(200));
          if (batch.ok()) records.insert(records.end(), batch->begin(), batch->end());
          return records.size() >= count;
        },
        timeout);
    (*consumer)->Close();
    return records;
  }

  std::string Topic(const std::string& suffix) const { return prefix_ + "." + suffix; }

  // A normalizer: section with this test's own consumer group and
  // transactional ids (tests run in parallel on one broker), plus `extra`
  // indented key lines.
  std::string NormalizerSection(const std::string& extra) const {
    return absl::StrCat("normalizer:\n  group_id: ", prefix_, "-normalizer\n",
                        "  transactional_id_prefix: ", prefix_, "\n", extra);
  }

  // The kafka: section for this test's brokers and prefix.
  std::string KafkaSection() const {
    return absl::StrCat("kafka:\n  brokers: ", brokers_, "\n  topic_prefix: ", prefix_,
                        "\n  partitions: 3\n");
  }

  // ingress: and normalizer: sections on loopback with free ports (chosen on
  // the first call, the same afterwards: http_port_, ingress_admin_, ...).
  std::string ServiceSections() {
    if (http_port_ == 0) {
      http_port_ = FreePort();
      ingress_admin_ = FreePort();
      ingress_control_ = FreePort();
      normalizer_admin_ = FreePort();
      normalizer_control_ = FreePort();
    }
    return absl::StrCat("ingress:\n  bind_address: 127.0.0.1\n  http_port: ", http_port_,
                        "\n  admin_port: ", ingress_admin_, "\n  control_port: ", ingress_control_,
                        "\n",
                        NormalizerSection(absl::StrCat(
                            "  bind_address: 127.0.0.1\n  admin_port: ", normalizer_admin_,
                            "\n  control_port: ", normalizer_control_, "\n")));
  }

  // Starts `binary` (build/bin) with `config`, logging to <dir>/<log_name>,
  // and waits until its admin port answers /readyz with 200.
  void StartService(const std::string& binary, const std::string& config, int admin_port,
                    const std::string& log_name, ChildProcess& process,
                    std::vector<std::string> extra_args = {}) {
    std::vector<std::string> args = {BinaryPath(binary), "--config", config};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    auto child = ChildProcess::Spawn(args, {}, dir_ + "/" + log_name);
    ASSERT_TRUE(child.ok()) << child.status();
    process = *std::move(child);
    ASSERT_TRUE(WaitUntil(
        [&] {
          return HttpGet(absl::StrCat("http://127.0.0.1:", admin_port, "/readyz"), absl::Seconds(2))
                     .status == 200;
        },
        absl::Seconds(90)))
        << binary << " not ready on " << admin_port << "\n"
        << process.Log();
  }

  // The ingress and the normalizer of ServiceSections() with `config`.
  void StartIngressAndNormalizer(const std::string& config) {
    StartService("storewire-ingress", config, ingress_admin_, "ingress.log", ingress_);
    StartService("storewire-normalizer", config, normalizer_admin_, "normalizer.log", normalizer_,
                 {"--instance-id", prefix_});
  }

  HttpResult PostTo(const std::string& route, const std::string& body,
                    std::vector<std::string> headers) {
    return HttpPost(absl::StrCat("http://127.0.0.1:", http_port_, route), body, headers,
                    absl::Seconds(20));
  }

  std::string brokers_;
  std::string prefix_;
  std::string dir_;
  int http_port_ = 0, ingress_admin_ = 0, ingress_control_ = 0;
  int normalizer_admin_ = 0, normalizer_control_ = 0;
  ChildProcess ingress_;
  ChildProcess normalizer_;
};

}  // namespace storewire::testing

#endif  // STOREWIRE_TESTS_INTEGRATION_PIPELINE_FIXTURE_H_
