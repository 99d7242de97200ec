// A scripted http::Client for the Amazon tests: canned responses per URL,
// a knob to fail the transport, and a log of requested URLs.
#ifndef STOREWIRE_TESTS_UNIT_AMAZON_FAKE_HTTP_CLIENT_H_
#define STOREWIRE_TESTS_UNIT_AMAZON_FAKE_HTTP_CLIENT_H_

#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "storewire/http/client.h"

namespace storewire::testing {

class FakeHttpClient : public http::Client {
 public:
  void Respond(const std::string& url, int status, std::string body);
  // Every request fails with this status (e.g. kUnavailable) while set.
  void FailTransport(absl::Status status);
  void Send(http::ClientRequest request, Callback done) override;
  std::vector<std::string> requested() const;
  int CountRequests(const std::string& url) const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, http::ClientResponse> responses_;
  absl::Status transport_ = absl::OkStatus();
  std::vector<std::string> requested_;
};

}  // namespace storewire::testing

#endif  // STOREWIRE_TESTS_UNIT_AMAZON_FAKE_HTTP_CLIENT_H_
