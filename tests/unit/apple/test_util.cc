#include "test_util.h"

#include <fstream>
#include <iterator>

namespace storewire::apple_test {

std::string DataPath(const std::string& rel) {
  return std::string(STOREWIRE_SOURCE_DIR) + "/tests/data/apple/" + rel;
}

std::string ReadVector(const std::string& rel) {
  std::ifstream in(DataPath(rel), std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

Config MakeConfig(std::vector<std::string> trust_roots, std::vector<std::string> environments,
                  std::string bundle_id, int64_t app_apple_id) {
  Config config;
  AppConfig app;
  app.id = "demo";
  AppleAppConfig apple;
  apple.bundle_id = std::move(bundle_id);
  apple.app_apple_id = app_apple_id;
  apple.environments = std::move(environments);
  apple.trust_roots = std::move(trust_roots);
  apple.shared_secret = "s3cret";
  app.apple = apple;
  config.apps.push_back(app);
  return config;
}

v1::RawNotification Raw(std::string body) {
  v1::RawNotification raw;
  raw.set_store(v1::STORE_APP_STORE);
  raw.set_app_id("demo");
  raw.set_body(std::move(body));
  raw.set_request_id("req-1");
  raw.mutable_received_at()->set_seconds(1761963000);
  return raw;
}

}  // namespace storewire::apple_test
