// Test doubles for Google Play, all on loopback and port 0.
//
//   TestRsaKey key = TestRsaKey::Generate();
//   FakeGoogle google;                              // JWKS, OAuth and Play API in one server
//   google.AddJwksKey("kid-1", key);
//   google.SetSubscription("tok-1", SubscriptionJson({.state = "SUBSCRIPTION_STATE_ACTIVE"}));
//   google.set_latency(absl::Milliseconds(50));
//   std::string jwt = MintJwt(key, "kid-1", PushClaims(aud, email, now));
//   std::string body = PushBody("msg-1", SubscriptionNotificationJson("com.x", 4, "tok-1"));
//
// Routes: GET /certs, POST /token, GET/POST /androidpublisher/v3/... (the
// subscriptionsv2, products and acknowledge calls). Unknown tokens: 404.
// Thread safety: every method may be called from any thread while serving.
#ifndef STOREWIRE_TESTING_GOOGLE_FAKES_H_
#define STOREWIRE_TESTING_GOOGLE_FAKES_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storewire/http/server.h"

namespace storewire::testing {

class TestRsaKey {
 public:
  static TestRsaKey Generate(int bits = 2048);
  std::string private_pem;
  std::string n_b64url;
  std::string e_b64url;
  // RS256 signature of `input` (raw bytes).
  std::string Sign(const std::string& input) const;
};

// header.payload.signature; `alg` goes into the header as given ("none" gives
// an empty signature).
std::string MintJwt(const TestRsaKey& key, const std::string& kid, const std::string& claims_json,
                    const std::string& alg = "RS256");
// Google's push token claims.
std::string PushClaims(const std::string& audience, const std::string& email, absl::Time now,
                       bool email_verified = true,
                       const std::string& issuer = "https://accounts.google.com");
std::string ServiceAccountKeyJson(const TestRsaKey& key, const std::string& email,
                                  const std::string& key_id);

std::string SubscriptionNotificationJson(const std::string& package, int type,
                                         const std::string& token, int64_t event_millis = 0);
std::string OneTimeNotificationJson(const std::string& package, int type, const std::string& token,
                                    const std::string& sku);
std::string VoidedNotificationJson(const std::string& package, const std::string& token,
                                   const std::string& order_id, int product_type);
std::string TestNotificationJson(const std::string& package);
// A wrapped Pub/Sub push request carrying `notification_json`.
std::string PushBody(const std::string& message_id, const std::string& notification_json,
                     bool snake_case = false);

struct SubscriptionSpec {
  std::string state = "SUBSCRIPTION_STATE_ACTIVE";
  std::string product_id = "premium_monthly";
  std::string expiry_time = "2030-01-01T00:00:00Z";
  std::string start_time = "2029-12-01T00:00:00Z";
  bool auto_renew = true;
  int64_t price_units = 9;
  int64_t price_nanos = 990000000;
  std::string currency = "EUR";
  std::string offer_phase = "basePrice";  // freeTrial, introductoryPrice, ...
  std::string linked_purchase_token;
  std::string canceled_by;  // user, system, developer, replacement
  bool test_purchase = false;
  std::string account_id = "acct-1";
  std::string order_id = "GPA.1234-5678";
  std::string acknowledgement_state = "ACKNOWLEDGEMENT_STATE_ACKNOWLEDGED";
  std::string price_change_state;
};
std::string SubscriptionJson(const SubscriptionSpec& spec);
std::string ProductJson(int purchase_state, const std::string& order_id, bool test = false);

class FakeGoogle {
 public:
  FakeGoogle();
  ~FakeGoogle();
  std::string base_url() const;  // http://127.0.0.1:<port>
  std::string jwks_url() const { return base_url() + "/certs"; }
  std::string token_url() const { return base_url() + "/token"; }

  void AddJwksKey(const std::string& kid, const TestRsaKey& key);
  void SetSubscription(const std::string& token, const std::string& json);
  void SetProduct(const std::string& token, const std::string& json);
  // The next `n` Play API calls answer `status` (429, 500, 503...).
  void FailNext(int n, int status);
  // Every Play API call answers 503 while down.
  void set_down(bool down) { down_ = down; }
  // Play API answers are delayed by this (without blocking the server).
  void set_latency(absl::Duration latency);
  // Answers only after this long: longer than the client's timeout.
  void HangNext(int n, absl::Duration how_long);
  // Requires "Authorization: Bearer <a token /token issued>" on API calls.
  void set_require_auth(bool require) { require_auth_ = require; }
  void set_token_lifetime(int seconds) { token_lifetime_ = seconds; }

  int api_calls() const { return api_calls_.load(); }
  int token_requests() const { return token_requests_.load(); }
  int jwks_requests() const { return jwks_requests_.load(); }
  int acknowledges() const { return acknowledges_.load(); }
  int max_in_flight() const { return max_in_flight_.load(); }
  std::vector<std::string> assertions() const;

 private:
  class Timers;
  void Handle(http::Request request, http::Responder respond);
  void Api(const http::Request& request, http::Responder respond);

  mutable absl::Mutex mu_;
  std::map<std::string, std::string> jwks_ ABSL_GUARDED_BY(mu_);  // kid -> JWK JSON
  std::map<std::string, std::string> subscriptions_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> products_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> assertions_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> issued_ ABSL_GUARDED_BY(mu_);
  int fail_next_ ABSL_GUARDED_BY(mu_) = 0;
  int fail_status_ ABSL_GUARDED_BY(mu_) = 500;
  int hang_next_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Duration hang_for_ ABSL_GUARDED_BY(mu_);
  absl::Duration latency_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> down_{false};
  std::atomic<bool> require_auth_{false};
  std::atomic<int> token_lifetime_{3600};
  std::atomic<int> api_calls_{0};
  std::atomic<int> token_requests_{0};
  std::atomic<int> jwks_requests_{0};
  std::atomic<int> acknowledges_{0};
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
  std::unique_ptr<Timers> timers_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace storewire::testing

#endif  // STOREWIRE_TESTING_GOOGLE_FAKES_H_
