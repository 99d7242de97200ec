// Cost of verifying + decoding + mapping one App Store notification (outer JWS
// plus nested signedTransactionInfo and signedRenewalInfo), cold (no chain
// cache: 3 chain checks of 2 P-384 verifies each + 3 P-256 verifies) and warm
// (3 P-256 verifies), against a bare OpenSSL P-256 verify. See README.md.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "storewire/stores/apple/apple_adapter.h"
#include "storewire/testing/apple_test_signer.h"

namespace {

using storewire::testing::AppleTestSigner;

struct Fixture {
  std::unique_ptr<AppleTestSigner> signer = AppleTestSigner::Create();
  storewire::Config config;
  storewire::v1::RawNotification raw;

  Fixture() {
    storewire::AppConfig app;
    app.id = "demo";
    storewire::AppleAppConfig apple;
    apple.bundle_id = "com.example";
    apple.app_apple_id = 1234;
    apple.environments = {"Sandbox"};
    apple.trust_roots = {signer->WriteRootPem("/tmp")};
    app.apple = apple;
    config.apps.push_back(app);
    raw.set_body(signer->NotificationBody({}));
    raw.set_request_id("bench");
    // apple_node_compare.sh: the same vector and root for Apple's Node library.
    if (const char* dir = std::getenv("STOREWIRE_APPLE_BENCH_EXPORT")) {
      std::ofstream(std::string(dir) + "/body.json") << raw.body();
      std::ofstream(std::string(dir) + "/root.der", std::ios::binary) << signer->RootDer();
    }
  }
};

Fixture& Get() {
  static Fixture* f = new Fixture();
  return *f;
}

const absl::Time kNow = absl::FromUnixSeconds(1761962975);

void BM_AppleNormalizeCold(benchmark::State& state) {
  Fixture& f = Get();
  for (auto _ : state) {
    state.PauseTiming();
    auto adapter = storewire::stores::apple::MakeAppleAdapter(f.config);
    state.ResumeTiming();
    auto r = (*adapter)->Normalize(f.raw, f.config.apps[0], kNow);
    if (!r.ok() || r->rejected) state.SkipWithError("rejected");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_AppleNormalizeCold)->Unit(benchmark::kMicrosecond);

void BM_AppleNormalizeWarm(benchmark::State& state) {
  Fixture& f = Get();
  auto adapter = storewire::stores::apple::MakeAppleAdapter(f.config);
  (void)(*adapter)->Normalize(f.raw, f.config.apps[0], kNow);
  for (auto _ : state) {
    auto r = (*adapter)->Normalize(f.raw, f.config.apps[0], kNow);
    if (!r.ok() || r->rejected) state.SkipWithError("rejected");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AppleNormalizeWarm)->Unit(benchmark::kMicrosecond);

void BM_OpenSslP256VerifyBaseline(benchmark::State& state) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  const std::string msg(900, 'x');
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
  unsigned char sig[80];
  size_t sig_len = sizeof(sig);
  EVP_DigestSign(ctx, sig, &sig_len, reinterpret_cast<const unsigned char*>(msg.data()),
                 msg.size());
  EVP_MD_CTX_free(ctx);
  for (auto _ : state) {
    EVP_MD_CTX* v = EVP_MD_CTX_new();
    EVP_DigestVerifyInit(v, nullptr, EVP_sha256(), nullptr, key);
    int ok = EVP_DigestVerify(v, sig, sig_len, reinterpret_cast<const unsigned char*>(msg.data()),
                              msg.size());
    EVP_MD_CTX_free(v);
    if (ok != 1) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations());
  EVP_PKEY_free(key);
}
BENCHMARK(BM_OpenSslP256VerifyBaseline)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
