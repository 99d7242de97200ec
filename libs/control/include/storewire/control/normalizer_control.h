// storewire.v1.NormalizerControl: status (lag per partition, events and
// rejections by app/store), pause/resume, replay of a raw topic, and the
// rejected topic (list, resubmit).
//
//   NormalizerControlService service(config, server.authenticator(), *record_store,
//       {.fill_stats = [&](v1::NormalizerStatusResponse& r) { stats.Fill(r); },
//        .set_paused = [&](bool p) { loop.SetPaused(p); }});
//   server.AddService(&service);
//
// Replay and resubmit re-publish raw records to their raw topic (same key and
// value; header `storewire_replay_of` / `storewire_resubmitted_from` says
// where they came from). The running transactional loop then normalizes them
// like any record: nothing about it changes, exactly-once holds, and since
// event ids derive from the store's notification id, a replayed notification
// yields the same event ids as the first time (consumers dedupe on them).
//
// gRPC codes: UNAUTHENTICATED (token), INVALID_ARGUMENT (bad range or id),
// NOT_FOUND (topic missing), UNAVAILABLE / DEADLINE_EXCEEDED (Kafka: retry).
// Lifetime: config, auth, store and the hooks' captures outlive the service.
// Thread safety: gRPC calls the methods concurrently.
#ifndef STOREWIRE_CONTROL_NORMALIZER_CONTROL_H_
#define STOREWIRE_CONTROL_NORMALIZER_CONTROL_H_

#include <functional>

#include "absl/status/status.h"
#include "storewire/control/auth.h"
#include "storewire/control/record_store.h"
#include "storewire/core/config.h"
#include "storewire/v1/control.grpc.pb.h"

namespace storewire::control {

// The gRPC status for a library status (same code, same message).
grpc::Status ToGrpc(const absl::Status& status);

class NormalizerControlService final : public v1::NormalizerControl::Service {
 public:
  struct Hooks {
    // Adds `paused` and the per-app counts.
    std::function<void(v1::NormalizerStatusResponse&)> fill_stats;
    std::function<void(bool paused)> set_paused;
  };

  NormalizerControlService(const Config& config, const Authenticator& auth, RecordStore& store,
                           Hooks hooks);

  grpc::Status Status(grpc::ServerContext* context, const v1::NormalizerStatusRequest* request,
                      v1::NormalizerStatusResponse* response) override;
  grpc::Status Pause(grpc::ServerContext* context, const v1::PauseRequest* request,
                     v1::PauseResponse* response) override;
  grpc::Status Resume(grpc::ServerContext* context, const v1::ResumeRequest* request,
                      v1::ResumeResponse* response) override;
  grpc::Status Replay(grpc::ServerContext* context, const v1::ReplayRequest* request,
                      v1::ReplayResponse* response) override;
  grpc::Status RejectedList(grpc::ServerContext* context, const v1::RejectedListRequest* request,
                            v1::RejectedListResponse* response) override;
  grpc::Status RejectedResubmit(grpc::ServerContext* context,
                                const v1::RejectedResubmitRequest* request,
                                v1::RejectedResubmitResponse* response) override;

 private:
  const Config& config_;
  const Authenticator& auth_;
  RecordStore& store_;
  Hooks hooks_;
};

}  // namespace storewire::control

#endif  // STOREWIRE_CONTROL_NORMALIZER_CONTROL_H_
