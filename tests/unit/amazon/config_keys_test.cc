// The Huawei and Amazon config keys this issue added (README, Configuration).
#include <gtest/gtest.h>

#include "storewire/core/config.h"

namespace storewire {
namespace {

TEST(StoreConfigKeysTest, HuaweiAndAmazonKeysParseWithDefaults) {
  absl::StatusOr<Config> config = ParseConfig(R"(
apps:
  - id: demo
    huawei: {public_key: MIIB, application_id: "10123456"}
    amazon:
      topic_arns: [arn:aws:sns:us-east-1:1:t]
      package_name: com.example.app
      shared_secret: s3cret
      rvs_base_url: http://127.0.0.1:9/rvs
  - id: defaults
    amazon: {topic_arns: []}
)",
                                              "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  const AppConfig& demo = config->apps[0];
  EXPECT_EQ(demo.huawei->application_id, "10123456");
  EXPECT_EQ(demo.amazon->package_name, "com.example.app");
  EXPECT_EQ(demo.amazon->shared_secret, "s3cret");
  EXPECT_EQ(demo.amazon->rvs_base_url, "http://127.0.0.1:9/rvs");
  const AmazonAppConfig& defaults = *config->apps[1].amazon;
  EXPECT_EQ(defaults.rvs_base_url, "https://appstore-sdk.amazon.com");
  EXPECT_EQ(defaults.shared_secret, "");
  EXPECT_EQ(defaults.subscribe_url_pattern,
            R"(^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/\?Action=ConfirmSubscription&.+$)");
}

TEST(StoreConfigKeysTest, WrongTypeNamesTheKey) {
  absl::StatusOr<Config> config =
      ParseConfig("apps:\n  - id: demo\n    amazon: {shared_secret: [a, b]}\n", "test.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("apps[0].amazon.shared_secret"), std::string::npos);
}

}  // namespace
}  // namespace storewire
