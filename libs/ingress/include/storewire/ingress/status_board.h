// What the ingress has seen per (app, store) since it started: last request
// stored, requests by HTTP status, last refusal at the door. Fed by
// Ingress::Handle, read by the IngressControl.Status gRPC call.
//
//   StatusBoard board;
//   Ingress ingress(config, sink, {.status_board = &board});
//   v1::IngressStatusResponse now = board.Snapshot();
//
// Keys are bounded: configured app ids (else "unknown") and the four stores.
// Thread safety: Record and Snapshot may be called concurrently.
#ifndef STOREWIRE_INGRESS_STATUS_BOARD_H_
#define STOREWIRE_INGRESS_STATUS_BOARD_H_

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storewire/v1/control.pb.h"
#include "storewire/v1/event.pb.h"

namespace storewire::ingress {

class StatusBoard {
 public:
  explicit StatusBoard(absl::Time started_at = absl::Now()) : started_at_(started_at) {}

  // One answered request. `reason` is the refusal's text (ignored for 200).
  void Record(v1::Store store, const std::string& app_id, int http_status, absl::Time at,
              absl::string_view reason);

  // Sorted by app id, then store.
  v1::IngressStatusResponse Snapshot() const;

 private:
  mutable std::mutex mu_;
  const absl::Time started_at_;
  std::map<std::pair<std::string, int>, v1::IngressAppStatus> apps_;
};

}  // namespace storewire::ingress

#endif  // STOREWIRE_INGRESS_STATUS_BOARD_H_
