// The Play Developer API as storewire uses it, behind an interface so that the
// adapter is tested against fakes.
//
//   std::unique_ptr<PlayApi> api = MakeHttpPlayApi(app.google, http_client, tokens);
//   api->GetSubscription("com.example", token, [](absl::StatusOr<std::string> body) {...});
//
// Results are the raw JSON bodies of 2xx answers (parse them with purchase.h),
// or a status classified where the failure enters:
//   kUnavailable / kDeadlineExceeded   429, 5xx, 401 (token refreshed), network,
//                                      timeouts: retry with backoff
//   kNotFound                          404 / 410: the token is unknown or gone
//   kPermissionDenied                  403: the package is not this account's
//                                      (or the service account lacks access)
//   kInvalidArgument                   other 4xx
//   kFailedPrecondition                the service-account key cannot be used
//
// Thread safety: all methods may be called from any thread except the HTTP
// client's callback thread (getting an access token may block on the token
// endpoint); callbacks run on the HTTP client's thread and must not block.
#ifndef STOREWIRE_STORES_GOOGLE_PLAY_API_H_
#define STOREWIRE_STORES_GOOGLE_PLAY_API_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "storewire/core/clock.h"
#include "storewire/core/config.h"
#include "storewire/http/client.h"

namespace storewire::stores::google {

class PlayApi {
 public:
  using BodyCallback = std::function<void(absl::StatusOr<std::string>)>;
  virtual ~PlayApi() = default;
  // purchases.subscriptionsv2.get
  virtual void GetSubscription(absl::string_view package, absl::string_view token,
                               BodyCallback done) = 0;
  // purchases.products.get
  virtual void GetProduct(absl::string_view package, absl::string_view product_id,
                          absl::string_view token, BodyCallback done) = 0;
  // purchases.subscriptions.acknowledge
  virtual void AcknowledgeSubscription(absl::string_view package, absl::string_view subscription_id,
                                       absl::string_view token, BodyCallback done) = 0;
};

// An OAuth 2.0 access token for the androidpublisher scope.
class AccessTokenSource {
 public:
  virtual ~AccessTokenSource() = default;
  // A cached token, or a new one from the token endpoint (blocking).
  virtual absl::StatusOr<std::string> Token() = 0;
  // Forget the cached token (after a 401).
  virtual void Invalidate() = 0;
};

// Service-account JWT bearer grant (RFC 7523): an RS256 assertion signed with
// the key file's private key (kid = private_key_id, iss = client_email, scope
// androidpublisher, aud = token URL, exp = iat + 1 h) POSTed to `token_url`;
// the access token is cached until 5 minutes (or half its lifetime) before
// it expires. kFailedPrecondition when the key file is unusable.
absl::StatusOr<std::unique_ptr<AccessTokenSource>> MakeServiceAccountTokenSource(
    absl::string_view key_file_json, std::string token_url, http::Client& client,
    const Clock& clock);

// The JWT assertion itself (exposed for tests).
absl::StatusOr<std::string> SignServiceAccountAssertion(absl::string_view key_file_json,
                                                        absl::string_view token_url,
                                                        absl::Time now);

// Calls `base_url` + /androidpublisher/v3/...; `tokens` may be null (no
// Authorization header: local fakes only). Both must outlive the PlayApi.
std::unique_ptr<PlayApi> MakeHttpPlayApi(std::string base_url, http::Client& client,
                                         AccessTokenSource* tokens,
                                         absl::Duration timeout = absl::Seconds(10));

// Maps a Play API HTTP status to the classification above (OK for 2xx).
absl::Status ClassifyPlayStatus(int http_status, absl::string_view body);

}  // namespace storewire::stores::google

#endif  // STOREWIRE_STORES_GOOGLE_PLAY_API_H_
