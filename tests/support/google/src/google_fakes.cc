#include "storewire/testing/google_fakes.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "storewire/crypto/base64.h"

namespace storewire::testing {
namespace {

std::string BnToB64Url(const BIGNUM* bn) {
  std::string bytes(BN_num_bytes(bn), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
  return crypto::Base64UrlEncode(bytes);
}

std::string Quote(const std::string& s) { return absl::StrCat("\"", absl::CEscape(s), "\""); }

}  // namespace

TestRsaKey TestRsaKey::Generate(int bits) {
  EVP_PKEY* pkey = EVP_RSA_gen(static_cast<unsigned>(bits));
  TestRsaKey key;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  key.private_pem.assign(data, static_cast<size_t>(len));
  BIO_free(bio);
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n);
  EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e);
  key.n_b64url = BnToB64Url(n);
  key.e_b64url = BnToB64Url(e);
  BN_free(n);
  BN_free(e);
  EVP_PKEY_free(pkey);
  return key;
}

std::string TestRsaKey::Sign(const std::string& input) const {
  BIO* bio = BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, pkey);
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  return sig;
}

std::string MintJwt(const TestRsaKey& key, const std::string& kid, const std::string& claims_json,
                    const std::string& alg) {
  std::string header =
      absl::StrCat("{\"alg\":", Quote(alg), ",\"kid\":", Quote(kid), ",\"typ\":\"JWT\"}");
  std::string input =
      absl::StrCat(crypto::Base64UrlEncode(header), ".", crypto::Base64UrlEncode(claims_json));
  std::string signature = alg == "none" ? "" : crypto::Base64UrlEncode(key.Sign(input));
  return absl::StrCat(input, ".", signature);
}

std::string PushClaims(const std::string& audience, const std::string& email, absl::Time now,
                       bool email_verified, const std::string& issuer) {
  const int64_t iat = absl::ToUnixSeconds(now);
  return absl::StrCat("{\"aud\":", Quote(audience), ",\"azp\":\"1234\",\"email\":", Quote(email),
                      ",\"email_verified\":", email_verified ? "true" : "false",
                      ",\"exp\":", iat + 3600, ",\"iat\":", iat, ",\"iss\":", Quote(issuer),
                      ",\"sub\":\"1234\"}");
}

std::string ServiceAccountKeyJson(const TestRsaKey& key, const std::string& email,
                                  const std::string& key_id) {
  return absl::StrCat(
      "{\"type\":\"service_account\",\"project_id\":\"test\",\"private_key_id\":", Quote(key_id),
      ",\"private_key\":", Quote(key.private_pem), ",\"client_email\":", Quote(email),
      ",\"token_uri\":\"https://oauth2.googleapis.com/token\"}");
}

std::string SubscriptionNotificationJson(const std::string& package, int type,
                                         const std::string& token, int64_t event_millis) {
  return absl::StrCat(
      "{\"version\":\"1.0\",\"packageName\":", Quote(package), ",\"eventTimeMillis\":\"",
      event_millis == 0 ? 1700000000000 : event_millis,
      "\",\"subscriptionNotification\":{\"version\":\"1.0\",\"notificationType\":", type,
      ",\"purchaseToken\":", Quote(token), ",\"subscriptionId\":\"premium_monthly\"}}");
}

std::string OneTimeNotificationJson(const std::string& package, int type, const std::string& token,
                                    const std::string& sku) {
  return absl::StrCat("{\"version\":\"1.0\",\"packageName\":", Quote(package),
                      ",\"eventTimeMillis\":1700000000000,\"oneTimeProductNotification\":{"
                      "\"version\":\"1.0\",\"notificationType\":",
                      type, ",\"purchaseToken\":", Quote(token), ",\"sku\":", Quote(sku), "}}");
}

std::string VoidedNotificationJson(const std::string& package, const std::string& token,
                                   const std::string& order_id, int product_type) {
  return absl::StrCat("{\"version\":\"1.0\",\"packageName\":", Quote(package),
                      ",\"eventTimeMillis\":\"1700000000000\",\"voidedPurchaseNotification\":{"
                      "\"purchaseToken\":",
                      Quote(token), ",\"orderId\":", Quote(order_id),
                      ",\"productType\":", product_type, ",\"refundType\":1}}");
}

std::string TestNotificationJson(const std::string& package) {
  return absl::StrCat("{\"version\":\"1.0\",\"packageName\":", Quote(package),
                      ",\"eventTimeMillis\":\"1700000000000\",\"testNotification\":{"
                      "\"version\":\"1.0\"}}");
}

std::string PushBody(const std::string& message_id, const std::string& notification_json,
                     bool snake_case) {
  return absl::StrCat(
      "{\"message\":{\"attributes\":{},\"data\":", Quote(absl::Base64Escape(notification_json)),
      ",\"", snake_case ? "message_id" : "messageId", "\":", Quote(message_id), ",\"",
      snake_case ? "publish_time" : "publishTime",
      "\":\"2023-11-14T22:13:20.000Z\"},"
      "\"subscription\":\"projects/p/subscriptions/s\"}");
}

std::string SubscriptionJson(const SubscriptionSpec& s) {
  std::string plan =
      absl::StrCat("\"autoRenewingPlan\":{\"autoRenewEnabled\":", s.auto_renew ? "true" : "false",
                   ",\"recurringPrice\":{\"currencyCode\":", Quote(s.currency), ",\"units\":\"",
                   s.price_units, "\",\"nanos\":", s.price_nanos, "}");
  if (!s.price_change_state.empty()) {
    absl::StrAppend(
        &plan, ",\"priceChangeDetails\":{\"priceChangeState\":", Quote(s.price_change_state), "}");
  }
  absl::StrAppend(&plan, "}");
  std::string out = absl::StrCat(
      "{\"kind\":\"androidpublisher#subscriptionPurchaseV2\",\"startTime\":", Quote(s.start_time),
      ",\"regionCode\":\"DE\",\"subscriptionState\":", Quote(s.state),
      ",\"latestOrderId\":", Quote(s.order_id),
      ",\"acknowledgementState\":", Quote(s.acknowledgement_state),
      ",\"externalAccountIdentifiers\":{\"obfuscatedExternalAccountId\":", Quote(s.account_id),
      "},\"lineItems\":[{\"productId\":", Quote(s.product_id),
      ",\"expiryTime\":", Quote(s.expiry_time), ",", plan,
      ",\"offerDetails\":{\"basePlanId\":\"monthly\",\"offerTags\":[]},\"offerPhase\":{",
      Quote(s.offer_phase), ":{}},\"latestSuccessfulOrderId\":", Quote(s.order_id), "}]");
  if (!s.linked_purchase_token.empty()) {
    absl::StrAppend(&out, ",\"linkedPurchaseToken\":", Quote(s.linked_purchase_token));
  }
  if (s.test_purchase) absl::StrAppend(&out, ",\"testPurchase\":{}");
  if (!s.canceled_by.empty()) {
    const std::string member = s.canceled_by == "user"        ? "userInitiatedCancellation"
                               : s.canceled_by == "system"    ? "systemInitiatedCancellation"
                               : s.canceled_by == "developer" ? "developerInitiatedCancellation"
                                                              : "replacementCancellation";
    absl::StrAppend(&out, ",\"canceledStateContext\":{", Quote(member),
                    s.canceled_by == "user"
                        ? ":{\"cancelSurveyResult\":{\"reason\":1},\"cancelTime\":"
                          "\"2029-12-15T00:00:00Z\"}}"
                        : ":{}}");
  }
  absl::StrAppend(&out, "}");
  return out;
}

std::string ProductJson(int purchase_state, const std::string& order_id, bool test) {
  return absl::StrCat(
      "{\"kind\":\"androidpublisher#productPurchase\",\"purchaseTimeMillis\":\"1700000000000\","
      "\"purchaseState\":",
      purchase_state, ",\"consumptionState\":0,\"orderId\":", Quote(order_id),
      ",\"acknowledgementState\":1,\"regionCode\":\"US\",\"obfuscatedExternalAccountId\":\"acct-"
      "9\"",
      test ? ",\"purchaseType\":0" : "", "}");
}

// Runs callbacks at given times on one thread (delayed answers without
// blocking the server's I/O threads).
class FakeGoogle::Timers {
 public:
  Timers() : thread_([this] { Loop(); }) {}
  ~Timers() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void At(absl::Time when, std::function<void()> fn) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.emplace(when, std::move(fn));
    }
    cv_.notify_all();
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      if (queue_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto first = queue_.begin();
      if (first->first > absl::Now()) {
        cv_.wait_for(lock, absl::ToChronoMicroseconds(first->first - absl::Now()));
        continue;
      }
      std::function<void()> fn = std::move(first->second);
      queue_.erase(first);
      lock.unlock();
      fn();
      lock.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<absl::Time, std::function<void()>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

FakeGoogle::FakeGoogle() : timers_(std::make_unique<Timers>()) {
  http::ServerOptions options;
  options.name = "fake-google";
  options.bind_address = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  options.handler_timeout = absl::Seconds(120);
  auto server = http::Server::Start(
      options, [this](http::Request r, http::Responder respond) { Handle(std::move(r), respond); });
  server_ = std::move(server).value();
}

FakeGoogle::~FakeGoogle() {
  server_->Stop(absl::Seconds(1));
  timers_.reset();
}

std::string FakeGoogle::base_url() const {
  return absl::StrCat("http://127.0.0.1:", server_->port());
}

void FakeGoogle::AddJwksKey(const std::string& kid, const TestRsaKey& key) {
  absl::MutexLock lock(&mu_);
  jwks_[kid] =
      absl::StrCat("{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"kid\":", Quote(kid),
                   ",\"n\":", Quote(key.n_b64url), ",\"e\":", Quote(key.e_b64url), "}");
}

void FakeGoogle::SetSubscription(const std::string& token, const std::string& json) {
  absl::MutexLock lock(&mu_);
  subscriptions_[token] = json;
}

void FakeGoogle::SetProduct(const std::string& token, const std::string& json) {
  absl::MutexLock lock(&mu_);
  products_[token] = json;
}

void FakeGoogle::FailNext(int n, int status) {
  absl::MutexLock lock(&mu_);
  fail_next_ = n;
  fail_status_ = status;
}

void FakeGoogle::set_latency(absl::Duration latency) {
  absl::MutexLock lock(&mu_);
  latency_ = latency;
}

void FakeGoogle::HangNext(int n, absl::Duration how_long) {
  absl::MutexLock lock(&mu_);
  hang_next_ = n;
  hang_for_ = how_long;
}

std::vector<std::string> FakeGoogle::assertions() const {
  absl::MutexLock lock(&mu_);
  return assertions_;
}

void FakeGoogle::Handle(http::Request request, http::Responder respond) {
  if (request.path == "/certs") {
    ++jwks_requests_;
    absl::MutexLock lock(&mu_);
    std::vector<std::string> keys;
    for (const auto& [kid, jwk] : jwks_) keys.push_back(jwk);
    return respond(
        {.status = 200, .body = absl::StrCat("{\"keys\":[", absl::StrJoin(keys, ","), "]}")});
  }
  if (request.path == "/token") {
    ++token_requests_;
    std::string assertion;
    for (absl::string_view pair : absl::StrSplit(request.body, '&')) {
      if (absl::StartsWith(pair, "assertion=")) assertion = std::string(pair.substr(10));
    }
    if (!absl::StrContains(request.body,
                           "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer") ||
        assertion.empty()) {
      return respond({.status = 400, .body = "{\"error\":\"invalid_grant\"}"});
    }
    absl::MutexLock lock(&mu_);
    assertions_.push_back(assertion);
    std::string token = absl::StrCat("ya29.fake-", issued_.size() + 1);
    issued_.push_back(token);
    return respond({.status = 200,
                    .body = absl::StrCat("{\"access_token\":\"", token, "\",\"expires_in\":",
                                         token_lifetime_.load(), ",\"token_type\":\"Bearer\"}")});
  }
  if (absl::StartsWith(request.path, "/androidpublisher/v3/applications/")) {
    return Api(request, std::move(respond));
  }
  respond({.status = 404, .body = "{}"});
}

void FakeGoogle::Api(const http::Request& request, http::Responder respond) {
  ++api_calls_;
  int now_in_flight = ++in_flight_;
  int seen = max_in_flight_.load();
  while (now_in_flight > seen && !max_in_flight_.compare_exchange_weak(seen, now_in_flight)) {
  }
  http::Response response{.status = 404, .body = "{\"error\":{\"code\":404}}"};
  absl::Duration delay;
  {
    absl::MutexLock lock(&mu_);
    delay = latency_;
    std::vector<absl::string_view> parts = absl::StrSplit(request.path, '/');
    // "", androidpublisher, v3, applications, pkg, purchases, kind, ...
    const std::string kind = parts.size() > 6 ? std::string(parts[6]) : "";
    std::string token = parts.empty() ? "" : std::string(parts.back());
    bool authorized = true;
    if (require_auth_) {
      authorized = false;
      for (const std::string& t : issued_) {
        if (request.Header("authorization") == absl::StrCat("Bearer ", t)) authorized = true;
      }
    }
    if (hang_next_ > 0) {
      --hang_next_;
      delay = hang_for_;
      response = {.status = 500, .body = "{}"};
    } else if (!authorized) {
      response = {.status = 401, .body = "{\"error\":{\"code\":401}}"};
    } else if (down_) {
      response = {.status = 503, .body = "{\"error\":{\"code\":503}}"};
    } else if (fail_next_ > 0) {
      --fail_next_;
      response = {.status = fail_status_, .body = "{\"error\":{}}"};
    } else if (kind == "subscriptionsv2") {
      auto it = subscriptions_.find(token);
      if (it != subscriptions_.end()) response = {.status = 200, .body = it->second};
    } else if (kind == "products") {
      auto it = products_.find(token);
      if (it != products_.end()) response = {.status = 200, .body = it->second};
    } else if (kind == "subscriptions" && absl::EndsWith(request.path, ":acknowledge")) {
      ++acknowledges_;
      response = {.status = 204, .body = ""};
    }
  }
  auto finish = [this, respond, response]() {
    --in_flight_;
    respond(response);
  };
  if (delay <= absl::ZeroDuration()) return finish();
  timers_->At(absl::Now() + delay, finish);
}

}  // namespace storewire::testing
