#include "storewire/http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "storewire/core/log.h"

namespace storewire::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// How long a closing connection keeps reading (and discarding) what the
// client still sends, so that it sees our answer instead of a reset.
constexpr auto kLingerTime = std::chrono::seconds(1);
// Back-off after a failed accept (e.g. EMFILE), so that it does not spin.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);

std::chrono::nanoseconds ToChrono(absl::Duration d) { return absl::ToChronoNanoseconds(d); }

// Closed by the server before its io_context goes away; responders check it
// before posting, so a late response never touches a destroyed io_context.
struct Gate {
  std::mutex mu;
  bool open = true;
};

class ServerImpl;

// One connection. Every member function runs on the connection's strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerImpl& server, uint64_t id);
  ~Session();

  void Start();
  // The server is stopping: close now unless a request is being answered.
  void Shutdown();

  net::any_io_executor executor() { return stream_.get_executor(); }

 private:
  enum class State { kReading, kAwaitingHandler, kWriting, kClosing };

  void BeginRequest(SteadyClock::time_point deadline);
  void WaitForNextRequest();
  void ReadHeader();
  void OnHeader(beast::error_code ec);
  void ReadBody();
  void OnBody(beast::error_code ec);
  void OnReadError(beast::error_code ec);
  void Dispatch();
  void OnHandlerResponse(uint64_t seq, Response response);
  void Write(Response response, bool keep_alive);
  void OnWrite(bool keep_alive, beast::error_code ec);
  void LingeringClose();
  void Linger();
  void Close();

  beast::tcp_stream stream_;
  ServerImpl& server_;
  const uint64_t id_;
  std::string remote_address_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::empty_body> continue_;
  bhttp::response<bhttp::string_body> response_;
  net::steady_timer handler_timer_;
  std::array<char, 4096> discard_{};
  SteadyClock::time_point deadline_;
  State state_ = State::kReading;
  uint64_t seq_ = 0;
  unsigned version_ = 11;
  bool request_keep_alive_ = true;
  bool shutdown_ = false;
};

class ServerImpl final : public Server {
 public:
  ServerImpl(const ServerOptions& options, Handler handler)
      : options_(options), handler_(std::move(handler)), gate_(std::make_shared<Gate>()) {}

  ~ServerImpl() override { Stop(absl::ZeroDuration()); }

  absl::Status Listen();
  void Run();

  int port() const override { return port_; }
  int connections() const override { return connections_.load(); }
  void Stop(absl::Duration grace) override;

  const ServerOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }
  const std::shared_ptr<Gate>& gate() const { return gate_; }
  bool stopping() const { return stopping_.load(); }

  void Unregister(uint64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_.erase(id);
    connections_.store(static_cast<int>(sessions_.size()));
    if (sessions_.empty()) cv_.notify_all();
  }

 private:
  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  static void RejectOverCapacity(tcp::socket& socket);

  const ServerOptions options_;
  const Handler handler_;
  const std::shared_ptr<Gate> gate_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> stopped_{false};
  std::atomic<int> connections_{0};
  int port_ = 0;
  uint64_t next_id_ = 0;  // acceptor strand only

  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions_;

  // Declared after the registry: destroyed first, so that sessions still
  // queued in it unregister from a live registry.
  net::io_context ioc_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  tcp::acceptor acceptor_{net::make_strand(ioc_)};
  net::steady_timer accept_retry_{acceptor_.get_executor()};
  std::vector<std::thread> threads_;
};

// ---- Session ----------------------------------------------------------------

Session::Session(tcp::socket socket, ServerImpl& server, uint64_t id)
    : stream_(std::move(socket)), server_(server), id_(id), handler_timer_(stream_.get_executor()) {
  beast::error_code ec;
  tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_address_ = peer.address().to_string();
}

Session::~Session() { server_.Unregister(id_); }

void Session::Start() {
  BeginRequest(SteadyClock::now() + ToChrono(server_.options().request_timeout));
}

void Session::Shutdown() {
  shutdown_ = true;
  if (state_ == State::kReading) Close();
}

void Session::BeginRequest(SteadyClock::time_point deadline) {
  state_ = State::kReading;
  deadline_ = deadline;
  parser_.emplace();
  parser_->body_limit(static_cast<uint64_t>(server_.options().max_body_bytes));
  parser_->header_limit(static_cast<uint32_t>(server_.options().max_header_bytes));
  ReadHeader();
}

void Session::WaitForNextRequest() {
  if (shutdown_) return LingeringClose();
  state_ = State::kReading;
  if (buffer_.size() > 0) {  // pipelined: the next request is already here
    return BeginRequest(SteadyClock::now() + ToChrono(server_.options().request_timeout));
  }
  stream_.expires_after(ToChrono(server_.options().idle_timeout));
  stream_.async_read_some(
      buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t n) {
        if (ec) return self->Close();
        self->buffer_.commit(n);
        self->BeginRequest(SteadyClock::now() + ToChrono(self->server_.options().request_timeout));
      });
}

void Session::ReadHeader() {
  stream_.expires_at(deadline_);
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void Session::OnHeader(beast::error_code ec) {
  if (ec) return OnReadError(ec);
  auto expect = parser_->get().find(bhttp::field::expect);
  if (expect != parser_->get().end() && beast::iequals(expect->value(), "100-continue") &&
      !parser_->is_done()) {
    continue_ = {bhttp::status::continue_, parser_->get().version()};
    stream_.expires_at(deadline_);
    return bhttp::async_write(stream_, continue_,
                              [self = shared_from_this()](beast::error_code ec, size_t) {
                                if (ec) return self->Close();
                                self->ReadBody();
                              });
  }
  ReadBody();
}

void Session::ReadBody() {
  if (parser_->is_done()) return Dispatch();
  stream_.expires_at(deadline_);
  bhttp::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void Session::OnBody(beast::error_code ec) {
  if (ec) return OnReadError(ec);
  Dispatch();
}

void Session::OnReadError(beast::error_code ec) {
  request_keep_alive_ = false;
  version_ = 11;
  if (ec == bhttp::error::body_limit) {
    return Write({.status = 413,
                  .body = absl::StrCat(R"({"error":"body larger than )",
                                       server_.options().max_body_bytes, R"( bytes"})")},
                 false);
  }
  if (ec == bhttp::error::header_limit) {
    return Write({.status = 431, .body = R"({"error":"request headers too large"})"}, false);
  }
  // The client went away, timed out (the stream is already closed) or we are
  // shutting down: nothing to answer.
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
      ec == beast::error::timeout ||
      ec.category() != bhttp::make_error_code(bhttp::error::bad_method).category()) {
    return Close();
  }
  Write({.status = 400, .body = R"({"error":"malformed HTTP request"})"}, false);
}

void Session::Dispatch() {
  state_ = State::kAwaitingHandler;
  const uint64_t seq = ++seq_;
  bhttp::request<bhttp::string_body> message = parser_->release();
  parser_.reset();
  version_ = message.version();
  request_keep_alive_ = message.keep_alive();

  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  request.path = request.target.substr(0, request.target.find('?'));
  request.headers.reserve(8);
  for (const auto& field : message) {
    const beast::string_view name = field.name_string();
    request.headers.emplace_back(AsciiLower(absl::string_view(name.data(), name.size())),
                                 std::string(field.value()));
  }
  request.body = std::move(message.body());
  request.remote_address = remote_address_;
  request.keep_alive = request_keep_alive_;

  // No read is pending while the handler works, so the stream's own timer is
  // off; the handler timer bounds the wait instead.
  stream_.expires_never();
  handler_timer_.expires_after(ToChrono(server_.options().handler_timeout));
  handler_timer_.async_wait([self = shared_from_this(), seq](beast::error_code ec) {
    if (ec) return;  // cancelled: the handler answered
    log::Warn("handler gave no response in time: answering 503",
              {{"server", self->server_.options().name}});
    self->OnHandlerResponse(seq, {.status = 503,
                                  .body = R"({"error":"no response in time, retry later"})",
                                  .headers = {{"retry-after", "5"}}});
  });

  std::weak_ptr<Session> weak = weak_from_this();
  std::shared_ptr<Gate> gate = server_.gate();
  Responder responder([weak, gate, seq](Response response) {
    std::lock_guard<std::mutex> lock(gate->mu);
    if (!gate->open) return;
    std::shared_ptr<Session> self = weak.lock();
    if (self == nullptr) return;
    net::post(self->executor(), [self, seq, response = std::move(response)]() mutable {
      self->OnHandlerResponse(seq, std::move(response));
    });
  });
  try {
    server_.handler()(std::move(request), std::move(responder));
  } catch (...) {
    // The responder was destroyed unanswered: the client gets a 500.
    log::Error("HTTP handler threw", {{"server", server_.options().name}});
  }
}

void Session::OnHandlerResponse(uint64_t seq, Response response) {
  if (seq != seq_ || state_ != State::kAwaitingHandler) return;  // late or duplicate
  handler_timer_.cancel();
  const bool keep_alive = request_keep_alive_ && !response.close;
  Write(std::move(response), keep_alive);
}

void Session::Write(Response response, bool keep_alive) {
  state_ = State::kWriting;
  keep_alive = keep_alive && !shutdown_ && !server_.stopping();
  response_ = {};
  response_.version(version_);
  response_.result(static_cast<unsigned>(response.status));
  response_.set(bhttp::field::server, "storewire");
  if (!response.body.empty() && !response.content_type.empty()) {
    response_.set(bhttp::field::content_type, response.content_type);
  }
  for (auto& [name, value] : response.headers) response_.set(name, value);
  response_.body() = std::move(response.body);
  response_.keep_alive(keep_alive);
  response_.prepare_payload();
  stream_.expires_after(ToChrono(server_.options().request_timeout));
  bhttp::async_write(stream_, response_,
                     [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                       self->OnWrite(keep_alive, ec);
                     });
}

void Session::OnWrite(bool keep_alive, beast::error_code ec) {
  if (ec) return Close();
  if (!keep_alive) return LingeringClose();
  WaitForNextRequest();
}

void Session::LingeringClose() {
  state_ = State::kClosing;
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return Close();
  stream_.expires_after(kLingerTime);
  Linger();
}

void Session::Linger() {
  stream_.async_read_some(net::buffer(discard_),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (ec) return self->Close();
                            self->Linger();
                          });
}

void Session::Close() {
  state_ = State::kClosing;
  handler_timer_.cancel();
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

// ---- ServerImpl -------------------------------------------------------------

absl::Status ServerImpl::Listen() {
  beast::error_code ec;
  net::ip::address address = net::ip::make_address(options_.bind_address, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat(options_.name, ": bind address '", options_.bind_address,
                     "' is not an IP address (write e.g. 0.0.0.0 or 127.0.0.1)"));
  }
  if (options_.port < 0 || options_.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(options_.name, ": port ", options_.port, " out of range"));
  }
  tcp::endpoint endpoint(address, static_cast<unsigned short>(options_.port));
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat(
        options_.name, ": cannot listen on ", options_.bind_address, ":", options_.port, ": ",
        ec.message(), ". Hint: is another process using the port?"));
  }
  port_ = acceptor_.local_endpoint().port();
  return absl::OkStatus();
}

void ServerImpl::Run() {
  work_.emplace(ioc_.get_executor());
  net::post(acceptor_.get_executor(), [this] { DoAccept(); });
  const int threads = std::max(1, options_.threads);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
}

void ServerImpl::DoAccept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void ServerImpl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open() || stopping_) return;
  if (ec) {
    log::Warn("accept failed; retrying",
              {{"server", options_.name},
               {"error", ec.message()},
               {"hint", "too many open files? raise the fd limit (ulimit -n)"}});
    accept_retry_.expires_after(kAcceptRetryDelay);
    accept_retry_.async_wait([this](beast::error_code ec) {
      if (!ec && acceptor_.is_open()) DoAccept();
    });
    return;
  }
  if (connections_.load() >= options_.max_connections) {
    RejectOverCapacity(socket);
  } else {
    const uint64_t id = ++next_id_;
    auto session = std::make_shared<Session>(std::move(socket), *this, id);
    {
      std::lock_guard<std::mutex> lock(mu_);
      sessions_.emplace(id, session);
      connections_.store(static_cast<int>(sessions_.size()));
    }
    net::post(session->executor(), [session] { session->Start(); });
  }
  DoAccept();
}

void ServerImpl::RejectOverCapacity(tcp::socket& socket) {
  static constexpr char kBusy[] =
      "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
      "Connection: close\r\n\r\n";
  beast::error_code ec;
  socket.non_blocking(true, ec);
  socket.write_some(net::buffer(kBusy, sizeof(kBusy) - 1), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

void ServerImpl::Stop(absl::Duration grace) {
  if (stopped_.exchange(true)) return;
  stopping_ = true;
  if (!threads_.empty()) {
    net::post(acceptor_.get_executor(), [this] {
      beast::error_code ec;
      acceptor_.close(ec);
      accept_retry_.cancel();
    });
    std::vector<std::shared_ptr<Session>> sessions;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& [id, weak] : sessions_) {
        if (auto s = weak.lock()) sessions.push_back(std::move(s));
      }
    }
    for (auto& s : sessions) net::post(s->executor(), [s] { s->Shutdown(); });
    sessions.clear();
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, ToChrono(grace), [this] { return sessions_.empty(); });
  }
  {
    std::lock_guard<std::mutex> lock(gate_->mu);
    gate_->open = false;
  }
  work_.reset();
  ioc_.stop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options,
                                                      Handler handler) {
  auto server = std::make_unique<ServerImpl>(options, std::move(handler));
  if (absl::Status status = server->Listen(); !status.ok()) return status;
  server->Run();
  log::Info("listening", {{"server", options.name},
                          {"address", options.bind_address},
                          {"port", std::to_string(server->port())}});
  return server;
}

}  // namespace storewire::http
