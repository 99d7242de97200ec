// Huawei and Amazon: verify + decode + map of one notification through the
// adapters (Amazon with its signing certificate cached, no RVS), plus the
// bare RSA verify they are built on.
#include <benchmark/benchmark.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "storewire/stores/amazon/amazon_adapter.h"
#include "storewire/stores/huawei/huawei_adapter.h"
#include "storewire/stores/huawei/signature.h"
#include "storewire/testing/rsa_test_keys.h"

namespace {

using namespace storewire;  // NOLINT
using storewire::testing::RsaTestKey;

constexpr char kStatus[] =
    R"({"environment":"PROD","notificationType":2,"subscriptionId":"SUB-1","orderId":"ORD-2",)"
    R"("productId":"monthly.pro","applicationId":"10123456","autoRenewStatus":1})";

const RsaTestKey& Key() {
  static const RsaTestKey* key = new RsaTestKey(RsaTestKey::Generate(3072));  // Huawei's size
  return *key;
}

std::string HuaweiBody(bool pss) {
  std::string quoted;
  for (const char* c = kStatus; *c != '\0'; ++c) {
    if (*c == '"') quoted.push_back('\\');
    quoted.push_back(*c);
  }
  return absl::StrCat(R"({"version":"v2","eventType":"SUBSCRIPTION","subNotification":)",
                      R"({"statusUpdateNotification":")", quoted, R"(","notificationSignature":")",
                      Key().SignBase64(kStatus, "SHA256", pss ? 32 : -1),
                      R"(","signatureAlgorithm":")", pss ? "SHA256WithRSA/PSS" : "SHA256WithRSA",
                      R"("}})");
}

void BM_HuaweiNormalize(benchmark::State& state) {
  Config config;
  AppConfig& app = config.apps.emplace_back();
  app.id = "demo";
  app.huawei.emplace().public_key = Key().SpkiBase64();
  auto adapter = stores::MakeHuaweiAdapter(config);
  v1::RawNotification raw;
  raw.set_body(HuaweiBody(state.range(0) == 1));
  for (auto _ : state) {
    auto r = adapter->Normalize(raw, config.apps[0], absl::Now());
    if (!r.ok() || r->events.size() != 1) state.SkipWithError("not accepted");
  }
}
BENCHMARK(BM_HuaweiNormalize)->Arg(0)->Arg(1)->ArgName("pss");

// Serves the certificate from memory, like a warm cache after the first call.
class CertOnlyClient : public http::Client {
 public:
  explicit CertOnlyClient(std::string pem) : pem_(std::move(pem)) {}
  void Send(http::ClientRequest, Callback done) override {
    http::ClientResponse r;
    r.status = 200;
    r.body = pem_;
    done(std::move(r));
  }

 private:
  std::string pem_;
};

void BM_AmazonNormalizeWarm(benchmark::State& state) {
  RsaTestKey sns_key = RsaTestKey::Generate(2048);
  CertOnlyClient client(storewire::testing::TestCertificate::Issue(sns_key).leaf_pem);
  Config config;
  AppConfig& app = config.apps.emplace_back();
  app.id = "demo";
  app.amazon.emplace().topic_arns = {"arn:aws:sns:us-east-1:123456789012:appstore-rtn"};
  auto adapter = stores::MakeAmazonAdapter(config, client);
  storewire::testing::SnsFields f;
  f.message = storewire::testing::RtnMessageJson("SUBSCRIPTION_RENEWED", "rcpt-1");
  f.signature_version = state.range(0) == 1 ? "1" : "2";
  v1::RawNotification raw;
  raw.set_body(storewire::testing::SignedSnsBody(f, sns_key));
  for (auto _ : state) {
    auto r = adapter->Normalize(raw, config.apps[0], absl::Now());
    if (!r.ok() || r->events.size() != 1) state.SkipWithError("not accepted");
  }
}
BENCHMARK(BM_AmazonNormalizeWarm)->Arg(1)->Arg(2)->ArgName("version");

void BM_RsaVerifyBaseline(benchmark::State& state) {
  auto key = stores::huawei::ParseIapPublicKey(Key().SpkiBase64());
  const std::string signature = Key().SignBase64(kStatus, "SHA256");
  for (auto _ : state) {
    if (!stores::huawei::VerifyNotificationSignature(*key, kStatus, signature, "").ok()) {
      state.SkipWithError("no verify");
    }
  }
}
BENCHMARK(BM_RsaVerifyBaseline);

}  // namespace

BENCHMARK_MAIN();
