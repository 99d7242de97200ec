// Bearer-token authentication of control calls. Every control service calls
// Check first; grpc.health.v1.Health and reflection do not, so probes and
// grpcurl's `list` keep working without a token.
//
//   absl::StatusOr<Authenticator> auth = Authenticator::FromConfig(config.control);
//   grpc::Status Foo(grpc::ServerContext* ctx, ...) override {
//     if (grpc::Status s = auth.Check(*ctx); !s.ok()) return s;   // UNAUTHENTICATED
//     ...
//   }
//
// A call passes when its `authorization` metadata is `Bearer <token>` for one
// of the configured tokens (constant-time comparison), or when no token is
// configured at all (open: for local runs; mutual TLS, when configured, has
// already authenticated the peer). Tokens never appear in logs or messages.
// Thread safety: immutable after construction; Check is safe concurrently.
#ifndef STOREWIRE_CONTROL_AUTH_H_
#define STOREWIRE_CONTROL_AUTH_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storewire/core/config.h"

namespace grpc {
class ServerContext;
class Status;
}  // namespace grpc

namespace storewire::control {

class Authenticator {
 public:
  // Tokens from control.tokens and control.token_files (one token per file,
  // surrounding whitespace ignored). kNotFound / kInvalidArgument name the
  // file that cannot be read or is empty.
  static absl::StatusOr<Authenticator> FromConfig(const ControlConfig& config);
  explicit Authenticator(std::vector<std::string> tokens = {});

  // True when no token is configured: every call passes.
  bool open() const { return tokens_.empty(); }

  // OK or UNAUTHENTICATED ("missing bearer token" / "invalid bearer token").
  grpc::Status Check(const grpc::ServerContext& context) const;
  // The same decision on the raw `authorization` value (null: absent).
  bool Accepts(const absl::string_view* authorization) const;

 private:
  std::vector<std::string> tokens_;
};

}  // namespace storewire::control

#endif  // STOREWIRE_CONTROL_AUTH_H_
