// Helpers shared by the two consumer group members (Consumer and
// TransactionalProcessor): batch polling and applying a rebalance for the
// eager and the cooperative protocol. Internal to libs/kafka.
#ifndef STOREWIRE_KAFKA_SRC_GROUP_H_
#define STOREWIRE_KAFKA_SRC_GROUP_H_

#include <librdkafka/rdkafka.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "storewire/kafka/kafka.h"

namespace storewire::kafka::internal {

// Appends up to `max_records` records to `out`: waits until `first_deadline`
// for the first one, then keeps collecting until `fill_deadline` (pass a past
// time to take only what is already fetched). Transient consumer errors are
// logged (librdkafka retries them); a fatal or permanent one is returned when
// no record was collected, else logged.
absl::Status PollRecords(rd_kafka_t* consumer, int max_records, absl::Time first_deadline,
                         absl::Time fill_deadline, const std::string& brokers,
                         std::vector<ConsumedRecord>& out);

// Applies an ASSIGN or REVOKE from a rebalance callback with the protocol in
// use (incremental for cooperative-sticky, full otherwise).
void ApplyRebalance(rd_kafka_t* consumer, rd_kafka_resp_err_t err,
                    rd_kafka_topic_partition_list_t* partitions);

// rd_kafka_subscribe to `topics`.
absl::Status Subscribe(rd_kafka_t* consumer, const std::vector<std::string>& topics,
                       const std::string& brokers);

}  // namespace storewire::kafka::internal

#endif  // STOREWIRE_KAFKA_SRC_GROUP_H_
