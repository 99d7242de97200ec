#include <iostream>

#include "storewire/cli/cli.h"
#include "storewire/core/log.h"
#include "subscribers.h"

namespace storewire::cli {
namespace {

constexpr char kUsage[] =
    "usage: storewirectl <command> [flags]\n"
    "\n"
    "commands:\n"
    "  decode   verify and normalize one notification body, without Kafka\n"
    "  subscribers summary|products|get|refund-abuse   the live subscriber base "
    "(storewire-metrics)\n"
    "  status   per app and store: last received, counts, rejections, lag\n"
    "  rejected list|resubmit   inspect <prefix>.rejected, send records back to be retried\n"
    "  replay   re-run a raw topic (time or offset range) through the normalizer\n"
    "  pause, resume   stop / restart the normalizer's consumption\n"
    "  apple test-notification   ask Apple for a TEST notification and check it arrived\n"
    "  endpoints  webhook endpoints, dead letters, replay (storewire-webhooks)\n"
    "\n"
    "Every command takes --config FILE (default $STOREWIRE_CONFIG, else ./storewire.yaml)\n"
    "and --help.\n";

}  // namespace

int Main(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
         std::ostream& err) {
  // The CLI's own output is the result; logs only for real problems.
  log::Init("storewirectl", "error");
  if (args.empty()) {
    err << kUsage;
    return kExitUsage;
  }
  const std::string& command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "--help" || command == "-h" || command == "help") {
    out << kUsage;
    return kExitOk;
  }
  if (command == "decode") return Decode(rest, in, out, err);
  if (command == "subscribers") return Subscribers(rest, out, err);
  // Control verbs (ops.cc).
  if (command == "status") return Status(rest, out, err);
  if (command == "rejected") return Rejected(rest, out, err);
  if (command == "replay") return Replay(rest, out, err);
  if (command == "pause" || command == "resume") {
    return PauseOrResume(rest, command == "pause", out, err);
  }
  if (command == "apple") return Apple(rest, out, err);
  if (command == "endpoints") return Endpoints(rest, in, out, err);
  err << "storewirectl: unknown command '" << command << "'\n" << kUsage;
  return kExitUsage;
}

}  // namespace storewire::cli
