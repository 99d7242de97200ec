#include "storewire/http/client.h"

#include <future>
#include <utility>

namespace storewire::http {

std::string ClientResponse::Header(absl::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return "";
}

absl::StatusOr<ClientResponse> SendAndWait(Client& client, ClientRequest request) {
  std::promise<absl::StatusOr<ClientResponse>> promise;
  std::future<absl::StatusOr<ClientResponse>> result = promise.get_future();
  client.Send(std::move(request), [&promise](absl::StatusOr<ClientResponse> response) {
    promise.set_value(std::move(response));
  });
  return result.get();
}

}  // namespace storewire::http
