// storewirectl apple test-notification against a fake App Store Server API
// (libs/http server on port 0) that verifies the ES256 JWT with the key's
// public half, and a fake ingress control API that reports the notification
// once "Apple" sent it.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <rapidjson/document.h>

#include <atomic>
#include <mutex>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storewire/cli/cli.h"
#include "storewire/control/ingress_control.h"
#include "storewire/control/server.h"
#include "storewire/crypto/jws.h"
#include "storewire/crypto/signature.h"
#include "storewire/http/server.h"
#include "storewire/testing/process.h"

namespace storewire::cli {
namespace {

using ::testing::HasSubstr;

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

KeyPair NewP256Key() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  KeyPair out;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  out.private_pem.assign(data, n);
  BIO_free(bio);
  bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  n = BIO_get_mem_data(bio, &data);
  out.public_pem.assign(data, n);
  BIO_free(bio);
  EVP_PKEY_free(key);
  return out;
}

// Apple's side: checks the bearer JWT, hands out a token, reports the send
// attempt on the second status poll.
class FakeAppStoreServerApi {
 public:
  explicit FakeAppStoreServerApi(std::string public_pem) : public_pem_(std::move(public_pem)) {
    auto server = http::Server::Start(
        {.name = "fake-apple", .bind_address = "127.0.0.1", .port = 0},
        [this](http::Request r, http::Responder respond) { respond(Handle(r)); });
    EXPECT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }
  ~FakeAppStoreServerApi() { server_->Stop(absl::Seconds(1)); }

  std::string base_url() const { return absl::StrCat("http://127.0.0.1:", server_->port()); }

  std::atomic<bool> sent{false};
  std::atomic<int> polls{0};
  std::mutex mu;
  std::string jwt_error;  // first problem with a JWT
  std::string last_payload;

 private:
  http::Response Handle(const http::Request& r) {
    if (std::string e = CheckJwt(r); !e.empty()) {
      std::lock_guard<std::mutex> lock(mu);
      if (jwt_error.empty()) jwt_error = e;
      return {.status = 401, .body = R"({"errorCode":4010000})"};
    }
    if (r.method == "POST" && r.path == "/inApps/v1/notifications/test") {
      sent = true;
      return {.status = 200, .body = R"({"testNotificationToken":"tok-123_1700000000"})"};
    }
    if (r.method == "GET" && r.path == "/inApps/v1/notifications/test/tok-123_1700000000") {
      if (++polls < 2) return {.status = 200, .body = R"({"signedPayload":"x"})"};
      return {.status = 200,
              .body = R"({"signedPayload":"x","sendAttempts":[{"attemptDate":1700000000000,)"
                      R"("sendAttemptResult":"SUCCESS"}]})"};
    }
    return {.status = 404, .body = "{}"};
  }

  std::string CheckJwt(const http::Request& r) {
    std::optional<absl::string_view> auth = r.Header("authorization");
    if (!auth || !absl::StartsWith(*auth, "Bearer ")) return "no bearer token";
    absl::StatusOr<crypto::CompactJws> jws = crypto::ParseCompactJws(auth->substr(7));
    if (!jws.ok()) return std::string(jws.status().message());
    if (jws->alg != "ES256" || jws->kid != "KEY123" || jws->typ != "JWT") return "bad header";
    absl::StatusOr<crypto::PublicKey> key = crypto::PublicKey::FromPem(public_pem_);
    if (!key.ok()) return "bad test key";
    if (absl::Status s = crypto::VerifyEs256(*key, jws->signing_input, jws->signature); !s.ok()) {
      return absl::StrCat("signature: ", s.message());
    }
    rapidjson::Document p;
    p.Parse(jws->payload.c_str());
    if (!p.IsObject() || !p.HasMember("iat") || !p.HasMember("exp")) return "no iat/exp";
    const int64_t iat = p["iat"].GetInt64(), exp = p["exp"].GetInt64();
    if (exp <= iat || exp - iat > 3600) return "exp more than 60 minutes after iat";
    if (std::string(p["iss"].GetString()) != "issuer-uuid") return "bad iss";
    if (std::string(p["aud"].GetString()) != "appstoreconnect-v1") return "bad aud";
    if (std::string(p["bid"].GetString()) != "com.example") return "bad bid";
    std::lock_guard<std::mutex> lock(mu);
    last_payload = jws->payload;
    return "";
  }

  std::string public_pem_;
  std::unique_ptr<http::Server> server_;
};

class AppleTestNotificationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("apple-test");
    key_ = NewP256Key();
    testing::WriteFile(dir_ + "/AuthKey_KEY123.p8", key_.private_pem);
    apple_ = std::make_unique<FakeAppStoreServerApi>(key_.public_pem);
    ASSERT_TRUE(control_.Configure(ControlConfig{.tokens = {"tok"}}).ok());
    ingress_ = std::make_unique<control::IngressControlService>(control_.authenticator(), [this] {
      v1::IngressStatusResponse r;
      if (apple_->sent) {
        v1::IngressAppStatus* a = r.add_apps();
        a->set_app_id("demo");
        a->set_store(v1::STORE_APP_STORE);
        a->mutable_last_received_at()->set_seconds(absl::ToUnixSeconds(absl::Now()));
      }
      return r;
    });
    control_.AddService(ingress_.get());
    ASSERT_TRUE(control_.Start("127.0.0.1", 0).ok());
  }

  std::string Config(const std::string& key_file) {
    std::string path = dir_ + "/storewire.yaml";
    testing::WriteFile(
        path, absl::StrCat("apps:\n  - id: demo\n    apple:\n      bundle_id: com.example\n",
                           "      api_base_url: ", apple_->base_url(), "\n",
                           "      api_key_id: KEY123\n      api_issuer_id: issuer-uuid\n",
                           "      api_key_file: ", key_file, "\n", "control:\n  tokens: [tok]\n"));
    return path;
  }

  int Run(const std::vector<std::string>& extra, std::string& out, std::string& err) {
    std::vector<std::string> args = {"apple",     "test-notification",
                                     "--app",     "demo",
                                     "--ingress", absl::StrCat("127.0.0.1:", control_.port()),
                                     "--token",   "tok",
                                     "--timeout", "20s"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::istringstream in;
    std::ostringstream o, e;
    int code = Main(args, in, o, e);
    out = o.str();
    err = e.str();
    return code;
  }

  std::string dir_;
  KeyPair key_;
  std::unique_ptr<FakeAppStoreServerApi> apple_;
  control::ControlServer control_;
  std::unique_ptr<control::IngressControlService> ingress_;
};

TEST_F(AppleTestNotificationTest, RequestsPollsAndConfirmsArrival) {
  std::string out, err;
  int code = Run({"--config", Config("AuthKey_KEY123.p8"), "--output", "json"}, out, err);
  {
    std::lock_guard<std::mutex> lock(apple_->mu);
    EXPECT_EQ(apple_->jwt_error, "");
    EXPECT_THAT(apple_->last_payload, HasSubstr(R"("aud":"appstoreconnect-v1")"));
  }
  ASSERT_EQ(code, 0) << out << err;
  EXPECT_THAT(out, HasSubstr(R"("testNotificationToken":"tok-123_1700000000")"));
  EXPECT_THAT(out, HasSubstr(R"("sendAttemptResult":"SUCCESS")"));
  EXPECT_THAT(out, HasSubstr(R"("arrivedAtIngress":true)"));
  EXPECT_GE(apple_->polls.load(), 2);
}

TEST_F(AppleTestNotificationTest, AWrongKeyIsRefusedByAppleAndReported) {
  testing::WriteFile(dir_ + "/other.p8", NewP256Key().private_pem);
  std::string out, err;
  EXPECT_EQ(Run({"--config", Config("other.p8")}, out, err), 1);
  EXPECT_THAT(err, HasSubstr("refused the request: HTTP 401"));
  std::lock_guard<std::mutex> lock(apple_->mu);
  EXPECT_THAT(apple_->jwt_error, HasSubstr("signature"));
}

TEST_F(AppleTestNotificationTest, MissingKeyFileIsAUsageError) {
  std::string out, err;
  EXPECT_EQ(Run({"--config", Config("missing.p8")}, out, err), 2);
  EXPECT_THAT(err, HasSubstr("cannot read apps[demo].apple.api_key_file"));
  EXPECT_FALSE(apple_->sent);
}

}  // namespace
}  // namespace storewire::cli
