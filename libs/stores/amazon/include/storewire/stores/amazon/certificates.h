// Fetching and caching SNS signing certificates, only from allow-listed URLs.
//
//   SigningCertificates certs(client);        // client: http::Client, outlives certs
//   absl::StatusOr<crypto::Certificate> c =
//       certs.Get(message.signing_cert_url, app.amazon->signing_cert_url_pattern, when);
//
// A URL that does not match the pattern is never fetched (kPermissionDenied).
// A fetched certificate is cached by URL until its notAfter (at most
// `max_entries` URLs; SNS uses a handful). It must be valid at `when` (the
// message's Timestamp, so that replays of old notifications still verify).
// Errors: kPermissionDenied (URL outside the allow-list), kUnavailable (network,
// timeout, HTTP 5xx/429: retry later), kFailedPrecondition (HTTP 4xx, not a
// PEM certificate, not valid at `when`: permanent).
// Thread safety: Get may be called concurrently.
#ifndef STOREWIRE_STORES_AMAZON_CERTIFICATES_H_
#define STOREWIRE_STORES_AMAZON_CERTIFICATES_H_

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storewire/crypto/x509.h"
#include "storewire/http/client.h"

namespace storewire::stores::amazon {

// Blocking GET over the asynchronous client (never call from a client callback).
absl::StatusOr<http::ClientResponse> Fetch(http::Client& client, const std::string& url,
                                           absl::Duration timeout = absl::Seconds(10));

class SigningCertificates {
 public:
  explicit SigningCertificates(http::Client& client, size_t max_entries = 64)
      : client_(client), max_entries_(max_entries) {}

  absl::StatusOr<crypto::Certificate> Get(const std::string& url, const std::string& pattern,
                                          absl::Time when);
  // Number of network fetches so far (tests, metrics).
  int64_t fetches() const;

 private:
  http::Client& client_;
  const size_t max_entries_;
  mutable absl::Mutex mu_;
  std::map<std::string, crypto::Certificate> cache_ ABSL_GUARDED_BY(mu_);
  int64_t fetches_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace storewire::stores::amazon

#endif  // STOREWIRE_STORES_AMAZON_CERTIFICATES_H_
