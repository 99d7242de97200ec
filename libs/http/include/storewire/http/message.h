// An HTTP request as a handler sees it, the response it gives back, and the
// Responder through which it gives it.
//
//   void Handle(http::Request request, http::Responder respond) {
//     if (request.Header("content-type") != "application/json") {
//       return respond({.status = 415, .body = "..."});
//     }
//     sink.Send(record, [respond](absl::Status s) { respond({.status = s.ok() ? 200 : 503}); });
//   }
//
// Thread safety: Request and Response are plain values. A Responder may be
// copied and called from any thread; only the first call has an effect. If
// every copy is destroyed without a call, the request is answered 500 (a
// handler that loses its responder never leaves a connection hanging).
#ifndef STOREWIRE_HTTP_MESSAGE_H_
#define STOREWIRE_HTTP_MESSAGE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace storewire::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "POST", as sent (methods are case-sensitive)
  std::string target;  // "/v1/apple/demo?x=1"
  std::string path;    // "/v1/apple/demo" (target without the query)
  HeaderList headers;  // names lower-cased, values as sent, in arrival order
  std::string body;
  std::string remote_address;  // peer IP address, "" when unknown
  bool keep_alive = true;

  // The first header with this name (give it lower-case), or nullopt.
  std::optional<absl::string_view> Header(absl::string_view lower_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  HeaderList headers;  // extra headers, e.g. {"retry-after", "5"}
  // Closes the connection after this response even if the client wants
  // keep-alive.
  bool close = false;
};

class Responder {
 public:
  using Fn = std::function<void(Response)>;
  // `fn` receives the response exactly once (the first call, or a 500 when
  // every copy is destroyed without a call).
  explicit Responder(Fn fn);

  void operator()(Response response) const;
  // True once a response was given (by any copy).
  bool answered() const;

 private:
  class State;
  std::shared_ptr<State> state_;
};

// Lower-cases ASCII letters.
std::string AsciiLower(absl::string_view s);

}  // namespace storewire::http

#endif  // STOREWIRE_HTTP_MESSAGE_H_
