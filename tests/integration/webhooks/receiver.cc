#include "receiver.h"

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "storewire/core/log.h"
#include "storewire/testing/process.h"

namespace storewire::testing {

void Receiver::Behave(const std::string& path, std::vector<int> statuses) {
  std::lock_guard<std::mutex> lock(mu_);
  behaviour_[path] = std::move(statuses);
}

void Receiver::Delay(const std::string& path, absl::Duration delay) {
  std::lock_guard<std::mutex> lock(mu_);
  delays_[path] = delay;
}

void Receiver::RetryAfter(const std::string& path, int seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  retry_after_[path] = seconds;
}

size_t Receiver::Count(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = requests_.find(path);
  return it == requests_.end() ? 0 : it->second.size();
}

bool Receiver::Start() {
  auto server = http::Server::Start(
      {.name = "receiver",
       .bind_address = "127.0.0.1",
       .port = 0,
       .threads = 2,
       .max_body_bytes = 1 << 20,
       .handler_timeout = absl::Seconds(120)},
      [this](http::Request req, http::Responder respond) { Handle(std::move(req), respond); });
  if (!server.ok()) return false;
  server_ = *std::move(server);
  return true;
}

void Receiver::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (http::Responder& r : held_) r({.status = 503});
    held_.clear();
  }
  if (server_) server_->Stop(absl::Seconds(2));
}

std::string Receiver::Url(const std::string& path) const {
  return absl::StrCat("http://127.0.0.1:", server_->port(), path);
}

void Receiver::Handle(http::Request request, http::Responder respond) {
  Captured c;
  c.id = std::string(request.Header("webhook-id").value_or(""));
  c.timestamp = std::string(request.Header("webhook-timestamp").value_or(""));
  c.signature = std::string(request.Header("webhook-signature").value_or(""));
  c.content_type = std::string(request.Header("content-type").value_or(""));
  c.user_agent = std::string(request.Header("user-agent").value_or(""));
  c.body = request.body;
  c.headers = request.headers;
  c.at = absl::Now();
  int status = 200;
  http::HeaderList answer_headers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto r = retry_after_.find(request.path); r != retry_after_.end()) {
      answer_headers.emplace_back("retry-after", std::to_string(r->second));
    }
    std::vector<Captured>& seen = requests_[request.path];
    auto it = behaviour_.find(request.path);
    if (it != behaviour_.end() && !it->second.empty()) {
      // Per webhook-id: the n-th request for an id gets the n-th status.
      size_t n = 0;
      for (const Captured& s : seen) n += s.id == c.id ? 1 : 0;
      status = it->second[std::min(n, it->second.size() - 1)];
    }
    c.answered = status < 0 ? 0 : status;
    seen.push_back(c);
    if (status < 0) {
      held_.push_back(respond);
      return;
    }
    if (auto d = delays_.find(request.path); d != delays_.end()) {
      std::thread([respond, delay = d->second, status] {
        absl::SleepFor(delay);
        respond({.status = status, .body = "{}"});
      }).detach();
      return;
    }
  }
  respond({.status = status, .body = "{}", .headers = answer_headers});
}

std::vector<Captured> Receiver::Requests(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = requests_.find(path);
  return it == requests_.end() ? std::vector<Captured>{} : it->second;
}

std::set<std::string> Receiver::DistinctIds(const std::string& path) const {
  std::set<std::string> ids;
  for (const Captured& c : Requests(path)) ids.insert(c.id);
  return ids;
}

std::string VerifyWithStandardWebhooks(const std::string& secret,
                                       const std::vector<Captured>& deliveries, bool& ok) {
  ok = false;
  const std::string dir = SourcePath("tests/webhooks");
  if (!std::filesystem::exists(dir + "/node_modules/standardwebhooks")) {
    return "npm package standardwebhooks missing: run `npm ci` in tests/webhooks (tests/run does)";
  }
  std::string json = absl::StrCat("{\"secret\":\"", log::JsonEscape(secret), "\",\"deliveries\":[");
  for (size_t i = 0; i < deliveries.size(); ++i) {
    const Captured& d = deliveries[i];
    absl::StrAppend(&json, i ? "," : "", "{\"id\":\"", log::JsonEscape(d.id), "\",\"timestamp\":\"",
                    log::JsonEscape(d.timestamp), "\",\"signature\":\"",
                    log::JsonEscape(d.signature), "\",\"body\":\"", log::JsonEscape(d.body), "\"}");
  }
  json += "]}";
  const std::string tmp = MakeTempDir("verify");
  WriteFile(tmp + "/in.json", json);
  const std::string cmd = absl::StrCat("cd '", dir, "' && node verify.js < '", tmp, "/in.json' > '",
                                       tmp, "/out.txt' 2>&1");
  ok = std::system(cmd.c_str()) == 0;
  return ReadFile(tmp + "/out.txt");
}

}  // namespace storewire::testing
