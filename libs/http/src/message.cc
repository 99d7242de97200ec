#include "storewire/http/message.h"

#include <atomic>

#include "absl/strings/ascii.h"

namespace storewire::http {

std::optional<absl::string_view> Request::Header(absl::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return absl::string_view(value);
  }
  return std::nullopt;
}

class Responder::State {
 public:
  explicit State(Fn fn) : fn_(std::move(fn)) {}
  ~State() {
    if (!answered_.exchange(true)) {
      fn_(Response{.status = 500, .body = R"({"error":"the handler gave no response"})"});
    }
  }
  void Answer(Response response) {
    if (answered_.exchange(true)) return;
    fn_(std::move(response));
  }
  bool answered() const { return answered_.load(); }

 private:
  Fn fn_;
  std::atomic<bool> answered_{false};
};

Responder::Responder(Fn fn) : state_(std::make_shared<State>(std::move(fn))) {}

void Responder::operator()(Response response) const { state_->Answer(std::move(response)); }

bool Responder::answered() const { return state_->answered(); }

std::string AsciiLower(absl::string_view s) { return absl::AsciiStrToLower(s); }

}  // namespace storewire::http
