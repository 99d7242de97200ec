#include "storewire/http/server.h"

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/unit/http/test_client.h"

namespace storewire::http {
namespace {

using ::storewire::testing::BuildRequest;
using ::storewire::testing::Eventually;
using ::storewire::testing::RawConnection;

ServerOptions TestOptions() {
  ServerOptions options;
  options.name = "test";
  options.bind_address = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  options.max_body_bytes = 1024;
  options.request_timeout = absl::Seconds(5);
  options.idle_timeout = absl::Seconds(5);
  options.handler_timeout = absl::Seconds(5);
  return options;
}

std::unique_ptr<Server> StartOrDie(const ServerOptions& options, Handler handler) {
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(options, std::move(handler));
  EXPECT_TRUE(server.ok()) << server.status();
  return std::move(server).value();
}

// Echoes what it saw of the request.
void Echo(Request request, Responder respond) {
  respond({.status = 200,
           .content_type = "text/plain",
           .body = absl::StrCat(request.method, " ", request.path, " ",
                                request.Header("x-test").value_or("-"), " ", request.body.size(),
                                " ", request.remote_address)});
}

TEST(ServerTest, ServesSeveralRequestsOnOneKeepAliveConnection) {
  auto server = StartOrDie(TestOptions(), Echo);
  RawConnection c(server->port());
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.Send(BuildRequest("POST", "/p?q=1", "abc", {{"X-Test", "v"}})));
    std::optional<testing::RawResponse> r = c.ReadResponse();
    ASSERT_TRUE(r.has_value()) << "request " << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "POST /p v 3 127.0.0.1");
  }
  EXPECT_EQ(server->connections(), 1);
}

TEST(ServerTest, ConnectionCloseIsHonoured) {
  auto server = StartOrDie(TestOptions(), Echo);
  RawConnection c(server->port());
  ASSERT_TRUE(c.Send(BuildRequest("GET", "/", "", {}, /*keep_alive=*/false)));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c.WaitClosed(absl::Seconds(5)));
}

TEST(ServerTest, ResponderMayAnswerLaterFromAnotherThread) {
  std::vector<std::thread> threads;
  std::mutex mu;
  auto server = StartOrDie(TestOptions(), [&](Request request, Responder respond) {
    std::lock_guard<std::mutex> lock(mu);
    threads.emplace_back([respond] {
      absl::SleepFor(absl::Milliseconds(50));  // the simulated slow backend
      respond({.status = 202, .body = "{}"});
    });
  });
  RawConnection c(server->port());
  ASSERT_TRUE(c.Send(BuildRequest("POST", "/", "x")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 202);
  server->Stop(absl::Seconds(1));
  for (auto& t : threads) t.join();
}

TEST(ServerTest, HandlerThatNeverAnswersGets503AfterHandlerTimeout) {
  std::vector<Responder> kept;
  std::mutex mu;
  ServerOptions options = TestOptions();
  options.handler_timeout = absl::Milliseconds(200);
  auto server = StartOrDie(options, [&](Request, Responder respond) {
    std::lock_guard<std::mutex> lock(mu);
    kept.push_back(respond);  // never called
  });
  RawConnection c(server->port());
  ASSERT_TRUE(c.Send(BuildRequest("POST", "/", "x")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->Header("retry-after"), "5");
  // A late answer is dropped and the connection keeps serving.
  {
    std::lock_guard<std::mutex> lock(mu);
    kept[0]({.status = 200});
  }
  ASSERT_TRUE(c.Send(BuildRequest("POST", "/", "y")));
  r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  server->Stop(absl::Seconds(1));
}

TEST(ServerTest, DroppedResponderAnswers500) {
  auto server = StartOrDie(TestOptions(), [](Request, Responder) {});
  RawConnection c(server->port());
  ASSERT_TRUE(c.Send(BuildRequest("POST", "/", "x")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 500);
}

TEST(ServerTest, BodyOverLimitIsAnswered413AndClosed) {
  std::atomic<int> calls{0};
  auto server = StartOrDie(TestOptions(), [&](Request r, Responder respond) {
    ++calls;
    Echo(std::move(r), std::move(respond));
  });
  RawConnection c(server->port());
  ASSERT_TRUE(c.Send(BuildRequest("POST", "/", std::string(4096, 'a'))));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(c.WaitClosed(absl::Seconds(5)));
  EXPECT_EQ(calls.load(), 0);
}

TEST(ServerTest, ChunkedBodyOverLimitIsAnswered413) {
  auto server = StartOrDie(TestOptions(), Echo);
  RawConnection c(server->port());
  std::string request = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 8; ++i) request += "200\r\n" + std::string(512, 'b') + "\r\n";
  request += "0\r\n\r\n";
  c.Send(request);
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
}

TEST(ServerTest, MalformedRequestIsAnswered400) {
  auto server = StartOrDie(TestOptions(), Echo);
  RawConnection c(server->port());
  ASSERT_TRUE(c.Send("THIS IS NOT HTTP\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
}

TEST(ServerTest, ExpectContinueGets100ThenTheResponse) {
  auto server = StartOrDie(TestOptions(), Echo);
  RawConnection c(server->port());
  ASSERT_TRUE(
      c.Send("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = c.ReadResponse(absl::Seconds(5), /*skip_interim=*/false);
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.Send("abc"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST /e - 3 127.0.0.1");
}

TEST(ServerTest, SlowClientIsCutOffAtRequestTimeout) {
  ServerOptions options = TestOptions();
  options.request_timeout = absl::Milliseconds(500);
  auto server = StartOrDie(options, Echo);
  RawConnection c(server->port());
  const std::string request = BuildRequest("POST", "/", std::string(100, 'x'));
  const absl::Time start = absl::Now();
  size_t sent = 0;
  // One byte every 100 ms: the whole request would need 10+ seconds.
  while (sent < request.size() && c.Send(request.substr(sent, 1))) {
    ++sent;
    if (c.WaitClosed(absl::Milliseconds(100))) break;
  }
  EXPECT_TRUE(c.closed() || c.WaitClosed(absl::Seconds(2)));
  EXPECT_LT(sent, request.size());
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

TEST(ServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerOptions options = TestOptions();
  options.idle_timeout = absl::Milliseconds(300);
  auto server = StartOrDie(options, Echo);
  RawConnection c(server->port());
  ASSERT_TRUE(c.Send(BuildRequest("GET", "/", "")));
  ASSERT_TRUE(c.ReadResponse().has_value());
  EXPECT_TRUE(c.WaitClosed(absl::Seconds(3)));
  EXPECT_TRUE(Eventually([&] { return server->connections() == 0; }));
}

TEST(ServerTest, ConnectionsOverTheLimitAreRefusedPromptly) {
  ServerOptions options = TestOptions();
  options.max_connections = 2;
  auto server = StartOrDie(options, Echo);
  RawConnection a(server->port());
  RawConnection b(server->port());
  ASSERT_TRUE(Eventually([&] { return server->connections() == 2; }));
  RawConnection excess(server->port());
  EXPECT_TRUE(excess.WaitClosed(absl::Seconds(2)));
  // The admitted ones still work.
  ASSERT_TRUE(a.Send(BuildRequest("GET", "/", "")));
  auto r = a.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
}

TEST(ServerTest, StopLetsAnInFlightRequestFinish) {
  std::vector<std::thread> threads;
  std::mutex mu;
  auto server = StartOrDie(TestOptions(), [&](Request, Responder respond) {
    std::lock_guard<std::mutex> lock(mu);
    threads.emplace_back([respond] {
      absl::SleepFor(absl::Milliseconds(300));  // the simulated slow backend
      respond({.status = 200, .body = "done"});
    });
  });
  RawConnection busy(server->port());
  RawConnection idle(server->port());
  ASSERT_TRUE(busy.Send(BuildRequest("POST", "/", "x")));
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard<std::mutex> lock(mu);
    return threads.size() == 1;
  }));
  std::thread stopper([&] { server->Stop(absl::Seconds(5)); });
  auto r = busy.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "done");
  EXPECT_TRUE(idle.WaitClosed(absl::Seconds(5)));
  stopper.join();
  for (auto& t : threads) t.join();
  RawConnection after(server->port());
  EXPECT_FALSE(after.connected() && after.Send(BuildRequest("GET", "/", "")) &&
               after.ReadResponse(absl::Seconds(1)).has_value());
}

TEST(ServerTest, BadBindAddressIsInvalidArgument) {
  ServerOptions options = TestOptions();
  options.bind_address = "not-an-ip";
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(options, Echo);
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ServerTest, PortInUseIsUnavailable) {
  auto first = StartOrDie(TestOptions(), Echo);
  ServerOptions options = TestOptions();
  options.port = first->port();
  absl::StatusOr<std::unique_ptr<Server>> second = Server::Start(options, Echo);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace storewire::http
