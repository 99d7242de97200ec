// Authenticated Pub/Sub push: the OIDC token Google puts in the push
// request's `Authorization: Bearer <JWT>` header, verified before the ingress
// writes anything to Kafka.
//
//   GooglePushAuthenticator auth(http_client, SystemClock::Get());
//   absl::Status s = auth.Authenticate(*app.google, request.Header("authorization"));
//   // OK; kUnauthenticated with the reason code as message ("WRONG_AUDIENCE")
//   // -> 401; kUnavailable (keys cannot be fetched) -> 503, Pub/Sub retries.
//
// Checks: RS256 only (alg none / HS256 / ES256 refused), the key named by `kid`
// in the JWKS at google.jwks_url, `iss` accounts.google.com (with or without
// https://), `aud` = google.push_audience, `email` =
// google.push_service_account, `email_verified` true, `exp` and `iat` within
// `skew` of now. google.verify_push_token = false turns all of it off (local
// testing only; logged at start by the ingress).
//
// JWKS cache (JwksCache): fetched on first use, refreshed when a token names
// an unknown kid (at most once per `min_refresh_interval`) and when older than
// `max_age`; if a refresh fails, the old keys are used until `max_stale`, then
// requests get kUnavailable.
//
// Thread safety: all methods are thread-safe; Authenticate may block on a
// JWKS fetch (rare: first use, rotation), so it is called on the ingress's I/O
// threads with a short fetch timeout.
#ifndef STOREWIRE_STORES_GOOGLE_OIDC_H_
#define STOREWIRE_STORES_GOOGLE_OIDC_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "storewire/core/clock.h"
#include "storewire/core/config.h"
#include "storewire/crypto/signature.h"
#include "storewire/http/client.h"

namespace storewire::stores::google {

struct JwksOptions {
  absl::Duration min_refresh_interval = absl::Seconds(10);
  absl::Duration max_age = absl::Hours(1);
  absl::Duration max_stale = absl::Hours(6);
  absl::Duration fetch_timeout = absl::Seconds(3);
};

class JwksCache {
 public:
  JwksCache(std::string url, http::Client& client, const Clock& clock, JwksOptions options = {});
  // The RS256 key with this kid: kNotFound when the (refreshed) set lacks it,
  // kUnavailable when no usable set can be had.
  absl::StatusOr<crypto::PublicKey> Key(const std::string& kid);
  int fetches() const;

 private:
  absl::Status RefreshLocked(absl::Time now);

  const std::string url_;
  http::Client& client_;
  const Clock& clock_;
  const JwksOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, crypto::PublicKey> keys_;
  std::optional<absl::Time> fetched_at_;
  std::optional<absl::Time> last_attempt_;
  int fetches_ = 0;
};

// Parses a JWKS document: the RSA keys with a kid (others are skipped).
absl::StatusOr<std::map<std::string, crypto::PublicKey>> ParseJwks(absl::string_view json);

struct PushTokenExpectation {
  std::string audience;
  std::string email;
  absl::Duration skew = absl::Seconds(60);
};

// Verifies a compact JWT against `keys`, at `now`. kUnauthenticated with one
// of these messages: MALFORMED_TOKEN, UNSUPPORTED_ALGORITHM, UNKNOWN_KEY,
// BAD_SIGNATURE, WRONG_ISSUER, WRONG_AUDIENCE, WRONG_EMAIL,
// EMAIL_NOT_VERIFIED, EXPIRED, ISSUED_IN_FUTURE; kUnavailable from `keys`.
// `detail` (may be null) receives a longer explanation for the log.
absl::Status VerifyPushToken(absl::string_view jwt, const PushTokenExpectation& expect,
                             JwksCache& keys, absl::Time now, std::string* detail = nullptr);

class GooglePushAuthenticator {
 public:
  GooglePushAuthenticator(http::Client& client, const Clock& clock, JwksOptions options = {});
  // `authorization` is the raw header value (nullopt: header absent ->
  // MISSING_TOKEN). OK right away when google.verify_push_token is false.
  absl::Status Authenticate(const GoogleAppConfig& app,
                            std::optional<absl::string_view> authorization,
                            std::string* detail = nullptr);

 private:
  JwksCache& CacheFor(const std::string& url);

  http::Client& client_;
  const Clock& clock_;
  const JwksOptions options_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<JwksCache>> caches_;
};

}  // namespace storewire::stores::google

#endif  // STOREWIRE_STORES_GOOGLE_OIDC_H_
