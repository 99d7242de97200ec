// Maps librdkafka errors to absl::Status with a precise code and a hint.
//
// Internal to libs/kafka (includes rdkafka.h). The classification is the one
// documented in kafka.h and README.md:
//   transport, timeouts, leaders/coordinators moving, purged on shutdown
//       -> kUnavailable / kDeadlineExceeded (retry)
//   local queue full, quota               -> kResourceExhausted (retry later)
//   record too large / invalid            -> kInvalidArgument
//   authentication / authorization        -> kPermissionDenied
//   unknown topic                         -> kNotFound
//   fenced by another transactional.id    -> kAborted (not retryable)
//   fatal client state                    -> kFailedPrecondition / kInternal
#ifndef STOREWIRE_KAFKA_SRC_ERRORS_H_
#define STOREWIRE_KAFKA_SRC_ERRORS_H_

#include <librdkafka/rdkafka.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace storewire::kafka::internal {

// The status code for `err` (kOk for RD_KAFKA_RESP_ERR_NO_ERROR).
absl::StatusCode CodeFor(rd_kafka_resp_err_t err);

// "<what>: <librdkafka text> (<ERR_NAME>). Hint: <what to check>", where the
// hint names `brokers` when the broker could not be reached.
absl::Status FromError(rd_kafka_resp_err_t err, absl::string_view what, absl::string_view brokers,
                       absl::string_view detail = "");

// Same for an error object (not destroyed). Fatal errors that are not
// fencing become kFailedPrecondition: the client instance must be recreated.
absl::Status FromErrorObject(const rd_kafka_error_t* error, absl::string_view what,
                             absl::string_view brokers);

}  // namespace storewire::kafka::internal

#endif  // STOREWIRE_KAFKA_SRC_ERRORS_H_
