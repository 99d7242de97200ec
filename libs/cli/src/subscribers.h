// storewirectl subscribers summary|products|get|refund-abuse: queries the
// SubscriberBase gRPC service of storewire-metrics (control port 7004).
//
//   storewirectl subscribers summary [--app ID] [--store S] [--environment E]
//   storewirectl subscribers products [--app ID] [--store S] [--environment E]
//   storewirectl subscribers get SUBSCRIPTION_KEY [--store S]
//   storewirectl subscribers refund-abuse [--app ID]
//   common: --config FILE, --metrics HOST:PORT (default control.host and
//   metrics.control_port), --token TOKEN (default $STOREWIRE_CONTROL_TOKEN),
//   --output table|json
//
// Exit codes: 0 ok, 1 the call failed (NOT_FOUND for get included), 2 bad
// usage, 4 service unreachable, 5 authentication refused.
#ifndef STOREWIRE_CLI_SUBSCRIBERS_H_
#define STOREWIRE_CLI_SUBSCRIBERS_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace storewire::cli {

int Subscribers(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace storewire::cli

#endif  // STOREWIRE_CLI_SUBSCRIBERS_H_
