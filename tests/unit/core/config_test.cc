#include "storewire/core/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace storewire {
namespace {

using ::testing::HasSubstr;

TEST(ConfigTest, ParsesTheContractExample) {
  absl::StatusOr<Config> config = ParseConfig(R"(
kafka:
  brokers: embedded
  topic_prefix: storewire
apps:
  - id: demo
    apple:
      bundle_id: com.example
      app_apple_id: 1234
      environments: [Production, Sandbox]
      trust_roots: []
      online_checks: false
    google:
      package_name: com.example.app
      push_audience: https://hooks.example.com/v1/google/demo
      push_service_account: rtdn-push@example.iam.gserviceaccount.com
      service_account_key_file: /secrets/play.json
    huawei:
      public_key: MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A
    amazon:
      topic_arns: [arn:aws:sns:us-east-1:123456789012:appstore-rtn]
webhooks:
  retry_schedule: [5s, 5m, 30m, 2h, 5h, 10h, 10h]
  allow_private_targets: false
)",
                                              "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->kafka.brokers, "embedded");
  EXPECT_EQ(config->kafka.topic_prefix, "storewire");
  ASSERT_EQ(config->apps.size(), 1u);
  const AppConfig* app = config->FindApp("demo");
  ASSERT_NE(app, nullptr);
  ASSERT_TRUE(app->apple.has_value());
  EXPECT_EQ(app->apple->bundle_id, "com.example");
  EXPECT_EQ(app->apple->app_apple_id, 1234);
  EXPECT_THAT(app->apple->environments, ::testing::ElementsAre("Production", "Sandbox"));
  ASSERT_TRUE(app->google.has_value());
  EXPECT_EQ(app->google->package_name, "com.example.app");
  EXPECT_EQ(app->google->play_api_base_url, "https://androidpublisher.googleapis.com");
  ASSERT_TRUE(app->amazon.has_value());
  EXPECT_THAT(app->amazon->topic_arns,
              ::testing::ElementsAre("arn:aws:sns:us-east-1:123456789012:appstore-rtn"));
  ASSERT_EQ(config->webhooks.retry_schedule.size(), 7u);
  EXPECT_EQ(config->webhooks.retry_schedule[1], absl::Minutes(5));
  EXPECT_EQ(config->webhooks.retry_schedule[6], absl::Hours(10));
  EXPECT_EQ(config->ingress.ports.http_port, 8080);
  EXPECT_EQ(config->ingress.max_body_bytes, 256 * 1024);
  EXPECT_EQ(config->FindApp("other"), nullptr);
}

TEST(ConfigTest, BadValueNamesTheKeyPath) {
  absl::StatusOr<Config> config = ParseConfig(R"(
apps:
  - id: demo
    apple:
      app_apple_id: not-a-number
)",
                                              "bad.yaml");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("bad.yaml: apps[0].apple.app_apple_id"));
  EXPECT_THAT(config.status().message(), HasSubstr("an integer"));
}

TEST(ConfigTest, RejectsUnknownAppleEnvironmentAndDuplicateIds) {
  EXPECT_THAT(
      ParseConfig("apps:\n  - id: a\n    apple: {environments: [Prod]}\n", "x").status().message(),
      HasSubstr("Production or Sandbox"));
  EXPECT_THAT(ParseConfig("apps:\n  - id: a\n  - id: a\n", "x").status().message(),
              HasSubstr("duplicate app id 'a'"));
}

TEST(ConfigTest, ReadsRawForwardsPerStore) {
  absl::StatusOr<Config> config = ParseConfig(R"(
apps:
  - id: demo
    apple:
      bundle_id: com.example
      forward:
        url: https://legacy.example.com/apple
        headers: {X-Api-Key: k-123}
        max_in_flight: 4
    google:
      package_name: com.example.app
      forward: {url: "http://127.0.0.1:9000/rtdn"}
    huawei:
      public_key: abc
webhooks:
  forward_start: earliest
)",
                                              "f.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  const AppConfig* app = config->FindApp("demo");
  ASSERT_NE(app, nullptr);
  ASSERT_EQ(app->forwards.size(), 2u);
  EXPECT_EQ(app->forwards.at("apple").url, "https://legacy.example.com/apple");
  EXPECT_EQ(app->forwards.at("apple").headers.at("X-Api-Key"), "k-123");
  EXPECT_EQ(app->forwards.at("apple").max_in_flight, 4);
  EXPECT_EQ(app->forwards.at("google").url, "http://127.0.0.1:9000/rtdn");
  EXPECT_EQ(app->forwards.count("huawei"), 0u);
  EXPECT_EQ(config->webhooks.forward_start, "earliest");
  EXPECT_EQ(ParseConfig("apps: []", "d").value().webhooks.forward_start, "latest");
}

TEST(ConfigTest, RejectsABadForward) {
  EXPECT_THAT(ParseConfig("apps:\n  - id: a\n    apple: {forward: {url: ftp://x}}\n", "x")
                  .status()
                  .message(),
              HasSubstr("apps[0].apple.forward.url: expected an http:// or https:// URL"));
  EXPECT_THAT(
      ParseConfig("apps:\n  - id: a\n    amazon: {forward: https://x}\n", "x").status().message(),
      HasSubstr("apps[0].amazon.forward: expected a map"));
  EXPECT_THAT(ParseConfig("webhooks: {forward_start: now}\n", "x").status().message(),
              HasSubstr("webhooks.forward_start: must be latest or earliest"));
}

TEST(ConfigTest, InvalidYamlIsInvalidArgument) {
  EXPECT_EQ(ParseConfig("kafka: [unclosed", "x").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ConfigTest, MissingFileIsNotFoundWithHint) {
  absl::StatusOr<Config> config = LoadConfigFile("/nonexistent/storewire.yaml");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(config.status().message(), HasSubstr("--config"));
}

TEST(ConfigTest, EnvironmentOverridesBrokers) {
  std::string path = ::testing::TempDir() + "/env.yaml";
  std::ofstream(path) << "kafka:\n  brokers: embedded\n";
  setenv("STOREWIRE_KAFKA_BROKERS", "127.0.0.1:1234", 1);
  absl::StatusOr<Config> config = LoadServiceConfig(path);
  unsetenv("STOREWIRE_KAFKA_BROKERS");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->kafka.brokers, "127.0.0.1:1234");
}

TEST(ConfigTest, RelativeFilePathsResolveAgainstTheConfigFolder) {
  std::string path = ::testing::TempDir() + "/rel.yaml";
  std::ofstream(path)
      << "apps:\n  - id: a\n    apple: {trust_roots: [roots/ca.der, /abs/ca.der]}\n";
  absl::StatusOr<Config> config = LoadConfigFile(path);
  ASSERT_TRUE(config.ok()) << config.status();
  std::string dir = std::filesystem::path(path).parent_path().string();
  EXPECT_THAT(config->apps[0].apple->trust_roots,
              ::testing::ElementsAre(dir + "/roots/ca.der", "/abs/ca.der"));
}

TEST(DurationTest, ParsesUnitsAndRejectsGarbage) {
  EXPECT_EQ(*ParseDurationText("250ms"), absl::Milliseconds(250));
  EXPECT_EQ(*ParseDurationText("5s"), absl::Seconds(5));
  EXPECT_EQ(*ParseDurationText("30m"), absl::Minutes(30));
  EXPECT_EQ(*ParseDurationText("2h"), absl::Hours(2));
  EXPECT_EQ(*ParseDurationText("1d"), absl::Hours(24));
  EXPECT_EQ(ParseDurationText("5").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDurationText("-5s").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDurationText("fives").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace storewire
