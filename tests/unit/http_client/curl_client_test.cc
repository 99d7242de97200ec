// The curl client against local Beast servers on port 0.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "storewire/http/client.h"
#include "storewire/http/server.h"

namespace storewire::http {
namespace {

std::unique_ptr<Server> StartServer(Handler handler) {
  ServerOptions options;
  options.name = "client-test";
  options.bind_address = "127.0.0.1";
  options.port = 0;
  options.handler_timeout = absl::Seconds(30);
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(options, std::move(handler));
  EXPECT_TRUE(server.ok()) << server.status();
  return std::move(server).value();
}

std::string Url(const Server& server, const std::string& path) {
  return absl::StrCat("http://127.0.0.1:", server.port(), path);
}

// A port nobody listens on: bound, then closed.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

void Echo(Request request, Responder respond) {
  respond({.status = 201,
           .content_type = "text/plain",
           .body = absl::StrCat(request.method, " ", request.target, " ",
                                request.Header("x-test").value_or("-"), " ", request.body),
           .headers = {{"X-Reply", "  yes "}, {"Retry-After", "7"}}});
}

TEST(CurlClientTest, ReturnsStatusHeadersAndBody) {
  auto server = StartServer(Echo);
  auto client = MakeCurlClient({});
  absl::StatusOr<ClientResponse> r =
      SendAndWait(*client, {.method = "POST",
                            .url = Url(*server, "/a?b=1"),
                            .headers = {{"X-Test", "hello"}, {"Content-Type", "text/plain"}},
                            .body = "payload"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "POST /a?b=1 hello payload");
  EXPECT_FALSE(r->truncated);
  EXPECT_EQ(r->Header("x-reply"), "yes");
  EXPECT_EQ(r->Header("retry-after"), "7");
  EXPECT_EQ(r->Header("content-type"), "text/plain");
  EXPECT_EQ(r->Header("x-missing"), "");
}

TEST(CurlClientTest, SendsGetAndCustomMethods) {
  auto server = StartServer(Echo);
  auto client = MakeCurlClient({});
  auto get = SendAndWait(*client, {.url = Url(*server, "/g")});
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->body, "GET /g - ");
  auto del = SendAndWait(*client, {.method = "DELETE", .url = Url(*server, "/d")});
  ASSERT_TRUE(del.ok()) << del.status();
  EXPECT_EQ(del->body, "DELETE /d - ");
}

TEST(CurlClientTest, ErrorStatusesAreResponsesNotErrors) {
  auto server = StartServer([](Request, Responder respond) {
    respond({.status = 503, .body = "busy", .headers = {{"retry-after", "3"}}});
  });
  auto client = MakeCurlClient({});
  auto r = SendAndWait(*client, {.url = Url(*server, "/")});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "busy");
}

TEST(CurlClientTest, ReusesKeepAliveConnections) {
  auto server = StartServer(Echo);
  auto client = MakeCurlClient({});
  for (int i = 0; i < 10; ++i) {
    auto r = SendAndWait(*client, {.url = Url(*server, "/")});
    ASSERT_TRUE(r.ok()) << r.status();
  }
  EXPECT_EQ(server->connections(), 1);
}

TEST(CurlClientTest, SlowServerGivesDeadlineExceeded) {
  std::vector<std::thread> threads;
  absl::Mutex mu;
  auto server = StartServer([&](Request, Responder respond) {
    absl::MutexLock lock(&mu);
    threads.emplace_back([respond] {
      absl::SleepFor(absl::Seconds(2));
      respond({.status = 200});
    });
  });
  auto client = MakeCurlClient({});
  absl::Time start = absl::Now();
  auto r = SendAndWait(*client, {.url = Url(*server, "/"), .timeout = absl::Milliseconds(200)});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << r.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  for (auto& t : threads) t.join();
}

TEST(CurlClientTest, RefusedConnectionGivesUnavailable) {
  auto client = MakeCurlClient({});
  auto r = SendAndWait(*client, {.url = absl::StrCat("http://127.0.0.1:", ClosedPort(), "/")});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
}

TEST(CurlClientTest, PublicOnlyRefusesLoopbackAtConnect) {
  std::atomic<int> hits{0};
  auto server = StartServer([&](Request, Responder respond) {
    ++hits;
    respond({.status = 200});
  });
  auto client = MakeCurlClient({.address_policy = AddressPolicy::kPublicOnly});
  for (const std::string& host : {std::string("127.0.0.1"), std::string("localhost")}) {
    auto r = SendAndWait(*client, {.url = absl::StrCat("http://", host, ":", server->port(), "/")});
    EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied) << host << r.status();
  }
  EXPECT_EQ(hits.load(), 0);
}

TEST(CurlClientTest, RedirectsAreNotFollowedUnlessAsked) {
  auto server = StartServer([](Request request, Responder respond) {
    if (request.path == "/from") {
      return respond({.status = 302, .headers = {{"location", "/to"}}});
    }
    respond({.status = 200, .body = "arrived"});
  });
  auto client = MakeCurlClient({});
  auto r = SendAndWait(*client, {.url = Url(*server, "/from")});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->Header("location"), "/to");
  auto followed = SendAndWait(*client, {.url = Url(*server, "/from"), .follow_redirects = true});
  ASSERT_TRUE(followed.ok()) << followed.status();
  EXPECT_EQ(followed->status, 200);
  EXPECT_EQ(followed->body, "arrived");
}

TEST(CurlClientTest, LargeBodyIsTruncatedAtTheCap) {
  auto server = StartServer([](Request, Responder respond) {
    respond({.status = 200, .body = std::string(100000, 'x')});
  });
  auto client = MakeCurlClient({});
  auto r = SendAndWait(*client, {.url = Url(*server, "/"), .max_response_bytes = 1000});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->body, std::string(1000, 'x'));
  auto whole = SendAndWait(*client, {.url = Url(*server, "/")});
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_FALSE(whole->truncated);
  EXPECT_EQ(whole->body.size(), 100000u);
}

TEST(CurlClientTest, MalformedUrlOrSchemeIsInvalidArgument) {
  auto client = MakeCurlClient({});
  EXPECT_EQ(SendAndWait(*client, {.url = "ftp://example.com/x"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SendAndWait(*client, {.url = "file:///etc/passwd"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CurlClientTest, TwoHundredConcurrentRequestsAllCompleteWithinTheConnectionBound) {
  std::atomic<int> max_connections{0};
  std::unique_ptr<Server> server;
  server = StartServer([&](Request request, Responder respond) {
    int now = server->connections();
    int seen = max_connections.load();
    while (now > seen && !max_connections.compare_exchange_weak(seen, now)) {
    }
    respond({.status = 200, .body = request.target});
  });
  auto client = MakeCurlClient({.max_connections_per_host = 4});
  absl::Mutex mu;
  int done = 0;
  int ok = 0;
  for (int i = 0; i < 200; ++i) {
    std::string path = absl::StrCat("/r", i);
    client->Send({.url = Url(*server, path)}, [&, path](absl::StatusOr<ClientResponse> r) {
      absl::MutexLock lock(&mu);
      ++done;
      if (r.ok() && r->status == 200 && r->body == path) ++ok;
    });
  }
  absl::MutexLock lock(&mu);
  ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(
                                      +[](int* d) { return *d == 200; }, &done),
                                  absl::Seconds(30)));
  EXPECT_EQ(ok, 200);
  EXPECT_LE(max_connections.load(), 4);
}

TEST(CurlClientTest, DestroyingTheClientCancelsPendingRequests) {
  std::vector<Responder> held;
  absl::Mutex mu;
  auto server = StartServer([&](Request, Responder respond) {
    absl::MutexLock lock(&mu);
    held.push_back(respond);
  });
  absl::Status result;
  {
    auto client = MakeCurlClient({});
    client->Send({.url = Url(*server, "/")},
                 [&](absl::StatusOr<ClientResponse> r) { result = r.status(); });
  }
  EXPECT_EQ(result.code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace storewire::http
