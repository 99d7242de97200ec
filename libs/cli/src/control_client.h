// How storewirectl reaches a service's control API: the target (flag, else
// control.host + the service's control_port from the config), the bearer
// token (--token, else $STOREWIRE_CONTROL_TOKEN), optional TLS, and errors an
// operator can act on ("cannot reach the normalizer at localhost:7002: is it
// running? (./deploy/local/up)").
//
// Internal to libs/cli. Not thread-safe (one command at a time).
#ifndef STOREWIRE_CLI_CONTROL_CLIENT_H_
#define STOREWIRE_CLI_CONTROL_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <ostream>
#include <set>
#include <string>

#include "absl/time/time.h"
#include "args.h"
#include "storewire/core/config.h"

namespace storewire::cli {

// Exit codes of the control verbs (README, "Operating storewire").
inline constexpr int kExitUnreachable = 4;
inline constexpr int kExitUnauthenticated = 5;

// Flags every control verb takes.
inline const std::set<std::string> kControlFlags = {"config", "ingress", "normalizer", "token",
                                                    "output", "tls-ca",  "tls-cert",   "tls-key"};

struct ControlTarget {
  std::string service;  // "ingress" or "normalizer", for messages
  std::string address;  // host:port
  std::shared_ptr<grpc::Channel> channel;
  std::string token;

  // A context with the token and a deadline.
  std::unique_ptr<grpc::ClientContext> Context(absl::Duration deadline) const;
  // Prints what went wrong to `err` and returns the exit code for it.
  int Fail(const grpc::Status& status, std::ostream& err) const;
};

// The config for the control verbs: --config or $STOREWIRE_CONFIG or
// ./storewire.yaml when one exists, else the defaults (localhost:7001/7002).
absl::StatusOr<Config> LoadControlConfig(const ParsedArgs& args);

// Channel and token for `service` ("ingress" / "normalizer").
absl::StatusOr<ControlTarget> Target(const ParsedArgs& args, const Config& config,
                                     const std::string& service);
// The same for an address chosen by the caller (storewirectl endpoints'
// --server, subscribers' --metrics): --token / $STOREWIRE_CONTROL_TOKEN and
// --tls-ca, --tls-cert, --tls-key from `args`.
absl::StatusOr<ControlTarget> TargetAt(const ParsedArgs& args, const std::string& service,
                                       const std::string& address);

// "table" (default) or "json"; kInvalidArgument otherwise.
absl::StatusOr<bool> WantsJson(const ParsedArgs& args);

}  // namespace storewire::cli

#endif  // STOREWIRE_CLI_CONTROL_CLIENT_H_
