// storewirectl's commands as functions of (arguments, streams) -> exit code,
// so that tests run them without a process. services/storewirectl/main.cc
// only forwards argv here.
//
// Exit codes: 0 ok, 1 failure while working (e.g. a store API unavailable:
// retry), 2 bad usage or unreadable input, 3 notification rejected.
#ifndef STOREWIRE_CLI_CLI_H_
#define STOREWIRE_CLI_CLI_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace storewire::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRejected = 3;

// storewirectl <command> ...; args excludes the program name.
int Main(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
         std::ostream& err);

// storewirectl decode --store S --app ID [--config FILE] [FILE|-]
int Decode(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
           std::ostream& err);

// Control verbs (libs/cli/src/ops.cc; README "Operating storewire"). Exit
// codes add 4 (service unreachable) and 5 (authentication refused).
int Status(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int Rejected(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int Replay(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int PauseOrResume(const std::vector<std::string>& args, bool pause, std::ostream& out,
                  std::ostream& err);
// storewirectl apple test-notification --app ID (apple_test.cc).
int Apple(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// storewirectl endpoints add|list|get|update|disable|enable|rotate-secret|test|rm|dlq|replay
// (the WebhookControl gRPC service of storewire-webhooks).
int Endpoints(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
              std::ostream& err);

}  // namespace storewire::cli

#endif  // STOREWIRE_CLI_CLI_H_
