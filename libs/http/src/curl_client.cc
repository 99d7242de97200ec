// MakeCurlClient: libcurl's multi interface driven by one background thread.
//
// Send() queues the request and wakes the thread (curl_multi_wakeup); the
// thread turns queued requests into easy handles, runs curl_multi_perform /
// curl_multi_poll and completes finished transfers. The multi handle owns the
// connection cache, so keep-alive connections are reused across requests and
// CURLMOPT_MAX_HOST_CONNECTIONS / CURLMOPT_MAX_TOTAL_CONNECTIONS bound them
// (excess transfers wait inside curl for a free connection).
//
// The address policy is enforced in CURLOPT_OPENSOCKETFUNCTION, i.e. on the
// address curl is about to connect to after resolution: DNS rebinding, a
// redirect or a name that resolves to 127.0.0.1 cannot get around it. Proxies
// from the environment are ignored (a proxy would be the checked peer).
#include <curl/curl.h>
#include <sys/socket.h>

#include <cctype>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "storewire/http/address_policy.h"
#include "storewire/http/client.h"

namespace storewire::http {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

long ClampMillis(absl::Duration d) {
  int64_t ms = absl::ToInt64Milliseconds(d);
  return ms < 1 ? 1 : static_cast<long>(ms);  // 0 would mean "no timeout" to curl
}

// One request from Send() to its callback.
struct Transfer {
  ClientRequest request;
  Client::Callback done;
  AddressPolicy policy = AddressPolicy::kAny;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  ClientResponse response;
  absl::Status denied;  // set when the open-socket hook refused an address
  char error[CURL_ERROR_SIZE] = {0};

  ~Transfer() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    if (headers != nullptr) curl_slist_free_all(headers);
  }
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  int64_t limit = t->request.max_response_bytes < 0 ? 0 : t->request.max_response_bytes;
  int64_t room = limit - static_cast<int64_t>(t->response.body.size());
  if (static_cast<int64_t>(n) > room) {
    t->response.body.append(data, static_cast<size_t>(room > 0 ? room : 0));
    t->response.truncated = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR), reported as truncated
  }
  t->response.body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  absl::string_view line(data, n);
  if (absl::StartsWith(line, "HTTP/")) {
    t->response.headers.clear();  // a new response (after 1xx or a redirect)
    return n;
  }
  size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return n;  // blank line or junk
  std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(0, colon)));
  std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  t->response.headers.emplace_back(std::move(name), std::move(value));
  return n;
}

curl_socket_t OnOpenSocket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  absl::Status allowed = CheckPeerAddress(t->policy, &address->addr, address->addrlen);
  if (!allowed.ok()) {
    t->denied = std::move(allowed);
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

absl::Status CurlError(CURLcode code, const Transfer& t) {
  std::string detail =
      absl::StrCat(curl_easy_strerror(code), t.error[0] != '\0' ? ": " : "", t.error);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError(detail);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return absl::InvalidArgumentError(detail);
    default:
      return absl::UnavailableError(detail);
  }
}

class CurlClient final : public Client {
 public:
  explicit CurlClient(const ClientOptions& options) : options_(options) {
    GlobalInitOnce();
    multi_ = curl_multi_init();
    curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS,
                      static_cast<long>(options.max_connections_per_host));
    curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      static_cast<long>(options.max_total_connections));
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS,
                      static_cast<long>(options.max_total_connections));
    thread_ = std::thread([this] { Loop(); });
  }

  ~CurlClient() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    curl_multi_wakeup(multi_);
    thread_.join();
    curl_multi_cleanup(multi_);
  }

  void Send(ClientRequest request, Callback done) override {
    auto t = std::make_unique<Transfer>();
    t->request = std::move(request);
    t->done = std::move(done);
    t->policy = options_.address_policy;
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(t));
    }
    curl_multi_wakeup(multi_);
  }

 private:
  void Loop() {
    while (true) {
      std::deque<std::unique_ptr<Transfer>> incoming;
      bool stopping;
      {
        std::lock_guard<std::mutex> lock(mu_);
        incoming.swap(queue_);
        stopping = stopping_;
      }
      if (stopping) {
        CancelAll(incoming);
        return;
      }
      for (auto& t : incoming) Start(std::move(t));
      int running = 0;
      curl_multi_perform(multi_, &running);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
        if (msg->msg == CURLMSG_DONE) Finish(msg->easy_handle, msg->data.result);
      }
      curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
  }

  void Start(std::unique_ptr<Transfer> t) {
    absl::Status setup = Configure(*t);
    if (setup.ok() && curl_multi_add_handle(multi_, t->easy) != CURLM_OK) {
      setup = absl::InternalError("curl_multi_add_handle failed");
    }
    if (!setup.ok()) {
      t->done(std::move(setup));
      return;
    }
    CURL* easy = t->easy;
    in_flight_.emplace(easy, std::move(t));
  }

  absl::Status Configure(Transfer& t) {
    const ClientRequest& r = t.request;
    t.easy = curl_easy_init();
    if (t.easy == nullptr) return absl::ResourceExhaustedError("curl_easy_init failed");
    CURL* e = t.easy;
    if (curl_easy_setopt(e, CURLOPT_URL, r.url.c_str()) != CURLE_OK) {
      return absl::InvalidArgumentError(absl::StrCat("malformed URL: ", r.url));
    }
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error);
    curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, ClampMillis(r.connect_timeout));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, ClampMillis(r.timeout));
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, r.follow_redirects ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &OnOpenSocket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t);

    if (r.method == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    }
    if (r.method != "GET" && r.method != "HEAD" && r.method != "POST") {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    } else if (r.method == "GET" && !r.body.empty()) {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "GET");
    }
    for (const auto& [name, value] : r.headers) {
      t.headers = curl_slist_append(t.headers, absl::StrCat(name, ": ", value).c_str());
    }
    t.headers = curl_slist_append(t.headers, "Expect:");  // no 100-continue round trip
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
    return absl::OkStatus();
  }

  void Finish(CURL* easy, CURLcode code) {
    auto it = in_flight_.find(easy);
    if (it == in_flight_.end()) return;
    std::unique_ptr<Transfer> t = std::move(it->second);
    in_flight_.erase(it);
    curl_multi_remove_handle(multi_, easy);
    absl::StatusOr<ClientResponse> result;
    if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && t->response.truncated)) {
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      t->response.status = static_cast<int>(status);
      result = std::move(t->response);
    } else if (!t->denied.ok()) {
      result = t->denied;
    } else {
      result = CurlError(code, *t);
    }
    Callback done = std::move(t->done);
    t.reset();
    done(std::move(result));
  }

  void CancelAll(std::deque<std::unique_ptr<Transfer>>& queued) {
    for (auto& [easy, t] : in_flight_) {
      curl_multi_remove_handle(multi_, easy);
      queued.push_back(std::move(t));
    }
    in_flight_.clear();
    for (auto& t : queued) {
      t->done(absl::CancelledError("HTTP client destroyed before the request completed"));
    }
  }

  const ClientOptions options_;
  CURLM* multi_ = nullptr;
  std::mutex mu_;
  std::deque<std::unique_ptr<Transfer>> queue_;  // guarded by mu_
  bool stopping_ = false;                        // guarded by mu_
  // Owned by the I/O thread.
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> in_flight_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Client> MakeCurlClient(const ClientOptions& options) {
  return std::make_unique<CurlClient>(options);
}

}  // namespace storewire::http
