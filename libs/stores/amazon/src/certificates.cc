#include "storewire/stores/amazon/certificates.h"

#include <future>
#include <memory>

#include "absl/strings/str_cat.h"
#include "storewire/stores/amazon/sns.h"

namespace storewire::stores::amazon {

absl::StatusOr<http::ClientResponse> Fetch(http::Client& client, const std::string& url,
                                           absl::Duration timeout) {
  auto promise = std::make_shared<std::promise<absl::StatusOr<http::ClientResponse>>>();
  std::future<absl::StatusOr<http::ClientResponse>> result = promise->get_future();
  http::ClientRequest request;
  request.method = "GET";
  request.url = url;
  request.timeout = timeout;
  request.max_response_bytes = 256 * 1024;
  client.Send(std::move(request), [promise](absl::StatusOr<http::ClientResponse> r) {
    promise->set_value(std::move(r));
  });
  return result.get();
}

absl::StatusOr<crypto::Certificate> SigningCertificates::Get(const std::string& url,
                                                             const std::string& pattern,
                                                             absl::Time when) {
  if (!UrlAllowed(url, pattern)) {
    return absl::PermissionDeniedError(
        absl::StrCat("SigningCertURL '", url.substr(0, 200),
                     "' does not match signing_cert_url_pattern; it was not fetched"));
  }
  {
    absl::MutexLock lock(&mu_);
    auto it = cache_.find(url);
    if (it != cache_.end()) {
      if (it->second.ValidAt(when)) return it->second;
      if (absl::Now() > it->second.NotAfter()) cache_.erase(it);
    }
  }
  absl::StatusOr<http::ClientResponse> response = Fetch(client_, url);
  {
    absl::MutexLock lock(&mu_);
    ++fetches_;
  }
  if (!response.ok()) {
    return absl::UnavailableError(absl::StrCat("cannot fetch the SNS signing certificate ", url,
                                               ": ", response.status().message()));
  }
  if (response->status >= 500 || response->status == 429) {
    return absl::UnavailableError(absl::StrCat("fetching the SNS signing certificate ", url,
                                               " answered HTTP ", response->status));
  }
  if (response->status != 200 || response->truncated) {
    return absl::FailedPreconditionError(absl::StrCat("fetching the SNS signing certificate ", url,
                                                      " answered HTTP ", response->status));
  }
  absl::StatusOr<std::vector<crypto::Certificate>> certs =
      crypto::Certificate::FromPem(response->body);
  if (!certs.ok() || certs->empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the SNS signing certificate at ", url, " is not a PEM certificate"));
  }
  const crypto::Certificate& cert = certs->front();
  if (!cert.ValidAt(when)) {
    return absl::FailedPreconditionError(absl::StrCat("the SNS signing certificate at ", url,
                                                      " is not valid at ",
                                                      absl::FormatTime(when, absl::UTCTimeZone())));
  }
  absl::MutexLock lock(&mu_);
  if (cache_.size() >= max_entries_) {
    auto victim = cache_.begin();
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
      if (it->second.NotAfter() < victim->second.NotAfter()) victim = it;
    }
    cache_.erase(victim);
  }
  cache_.insert_or_assign(url, cert);
  return cert;
}

int64_t SigningCertificates::fetches() const {
  absl::MutexLock lock(&mu_);
  return fetches_;
}

}  // namespace storewire::stores::amazon
