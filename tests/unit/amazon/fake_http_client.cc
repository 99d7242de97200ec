#include "fake_http_client.h"

#include <algorithm>

namespace storewire::testing {

void FakeHttpClient::Respond(const std::string& url, int status, std::string body) {
  absl::MutexLock lock(&mu_);
  http::ClientResponse r;
  r.status = status;
  r.body = std::move(body);
  responses_[url] = std::move(r);
}

void FakeHttpClient::FailTransport(absl::Status status) {
  absl::MutexLock lock(&mu_);
  transport_ = std::move(status);
}

void FakeHttpClient::Send(http::ClientRequest request, Callback done) {
  absl::StatusOr<http::ClientResponse> result;
  {
    absl::MutexLock lock(&mu_);
    requested_.push_back(request.url);
    if (!transport_.ok()) {
      result = transport_;
    } else if (auto it = responses_.find(request.url); it != responses_.end()) {
      result = it->second;
    } else {
      http::ClientResponse r;
      r.status = 404;
      result = r;
    }
  }
  done(std::move(result));
}

std::vector<std::string> FakeHttpClient::requested() const {
  absl::MutexLock lock(&mu_);
  return requested_;
}

int FakeHttpClient::CountRequests(const std::string& url) const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(std::count(requested_.begin(), requested_.end(), url));
}

}  // namespace storewire::testing
