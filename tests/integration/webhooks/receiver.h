// A real HTTP receiver for webhook tests: records every request per path and
// answers as the path's behaviour says (status codes in sequence, or never).
#ifndef STOREWIRE_TESTS_INTEGRATION_WEBHOOKS_RECEIVER_H_
#define STOREWIRE_TESTS_INTEGRATION_WEBHOOKS_RECEIVER_H_

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "storewire/http/server.h"

namespace storewire::testing {

struct Captured {
  std::string id;
  std::string timestamp;
  std::string signature;
  std::string content_type;
  std::string user_agent;
  std::string body;
  http::HeaderList headers;  // every request header, names lower-cased
  int answered = 0;          // the status we answered (0: never)
  absl::Time at;
};

class Receiver {
 public:
  // Statuses to answer in order per path; the last repeats. -1 = never answer.
  void Behave(const std::string& path, std::vector<int> statuses);
  // Answers 200 on `path` only after `delay` (a slow endpoint).
  void Delay(const std::string& path, absl::Duration delay);
  // Adds `retry-after: <seconds>` to every answer on `path`.
  void RetryAfter(const std::string& path, int seconds);
  bool Start();
  void Stop();
  std::string Url(const std::string& path) const;
  std::vector<Captured> Requests(const std::string& path) const;
  size_t Count(const std::string& path) const;
  std::set<std::string> DistinctIds(const std::string& path) const;

 private:
  void Handle(http::Request request, http::Responder respond);

  mutable std::mutex mu_;
  std::map<std::string, std::vector<int>> behaviour_;
  std::map<std::string, absl::Duration> delays_;
  std::map<std::string, int> retry_after_;
  std::map<std::string, std::vector<Captured>> requests_;
  std::vector<http::Responder> held_;
  std::unique_ptr<http::Server> server_;
};

// Runs tests/webhooks/verify.js (npm standardwebhooks) over the deliveries;
// returns its output, and `ok` = every signature verified.
std::string VerifyWithStandardWebhooks(const std::string& secret,
                                       const std::vector<Captured>& deliveries, bool& ok);

}  // namespace storewire::testing

#endif  // STOREWIRE_TESTS_INTEGRATION_WEBHOOKS_RECEIVER_H_
