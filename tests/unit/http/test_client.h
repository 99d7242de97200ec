// A deliberately low-level HTTP/1.1 test client over POSIX sockets, so that
// tests control every byte (slow clients, bodies without end, raw garbage)
// and every wait is bounded by a deadline.
#ifndef STOREWIRE_TESTS_UNIT_HTTP_TEST_CLIENT_H_
#define STOREWIRE_TESTS_UNIT_HTTP_TEST_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace storewire::testing {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

using HeaderPairs = std::vector<std::pair<std::string, std::string>>;

inline std::string BuildRequest(absl::string_view method, absl::string_view target,
                                absl::string_view body, const HeaderPairs& headers = {},
                                bool keep_alive = true) {
  std::string out = absl::StrCat(method, " ", target, " HTTP/1.1\r\nHost: localhost\r\n");
  for (const auto& [name, value] : headers) absl::StrAppend(&out, name, ": ", value, "\r\n");
  absl::StrAppend(&out, "Content-Length: ", body.size(), "\r\n");
  if (!keep_alive) out += "Connection: close\r\n";
  absl::StrAppend(&out, "\r\n", body);
  return out;
}

// Raises the soft open-files limit (for tests with many connections).
inline void RaiseOpenFilesLimit(rlim_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur >= wanted) return;
  limit.rlim_cur = std::min(wanted, limit.rlim_max);
  setrlimit(RLIMIT_NOFILE, &limit);
}

class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // False when the peer closed or reset the connection (or after `timeout`).
  bool Send(absl::string_view data, absl::Duration timeout = absl::Seconds(10)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (!data.empty()) {
      if (!Wait(POLLOUT, deadline)) return false;
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // The next response, or nullopt if the connection closed or the deadline
  // passed first.
  std::optional<RawResponse> ReadResponse(absl::Duration timeout = absl::Seconds(10),
                                          bool skip_interim = true) {
    const absl::Time deadline = absl::Now() + timeout;
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    RawResponse response;
    std::vector<absl::string_view> lines =
        absl::StrSplit(absl::string_view(buffer_).substr(0, header_end), "\r\n");
    std::vector<absl::string_view> status_line = absl::StrSplit(lines[0], ' ');
    if (status_line.size() < 2 || !absl::SimpleAtoi(status_line[1], &response.status)) {
      return std::nullopt;
    }
    for (size_t i = 1; i < lines.size(); ++i) {
      size_t colon = lines[i].find(':');
      if (colon == absl::string_view::npos) continue;
      response.headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
          std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
    }
    size_t length = 0;
    if (!absl::SimpleAtoi(response.Header("content-length"), &length)) length = 0;
    const size_t total = header_end + 4 + length;
    while (buffer_.size() < total) {
      if (!Fill(deadline)) return std::nullopt;
    }
    response.body = buffer_.substr(header_end + 4, length);
    buffer_.erase(0, total);
    // A 100 Continue is followed by the real response.
    if (response.status == 100 && skip_interim) return ReadResponse(deadline - absl::Now());
    return response;
  }

  // True when the server closes (or resets) the connection within `timeout`;
  // anything it sends meanwhile is kept for ReadResponse.
  bool WaitClosed(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      if (!Wait(POLLIN, deadline)) return closed_;
      if (!Fill(deadline)) return closed_;
    }
    return closed_;
  }

  bool closed() const { return closed_; }

 private:
  bool Wait(short events, absl::Time deadline) {
    while (true) {
      const int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
      if (ms <= 0) return false;
      pollfd p{fd_, events, 0};
      int r = ::poll(&p, 1, static_cast<int>(ms));
      if (r < 0 && errno == EINTR) continue;
      return r > 0;
    }
  }

  // Reads what is available (waiting until `deadline`); false on close/timeout.
  bool Fill(absl::Time deadline) {
    if (closed_) return false;
    if (!Wait(POLLIN, deadline)) return false;
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
  bool closed_ = false;
};

// Polls `condition` until it holds or `timeout` passes.
template <typename Condition>
bool Eventually(Condition condition, absl::Duration timeout = absl::Seconds(10)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return condition();
}

}  // namespace storewire::testing

#endif  // STOREWIRE_TESTS_UNIT_HTTP_TEST_CLIENT_H_
