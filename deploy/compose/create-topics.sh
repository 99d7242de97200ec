#!/bin/bash
# Creates storewire's topics on a Kafka cluster, with the topic prefix,
# partition count and replication factor of a storewire config file (the
# kafka: block). Used by docker-compose.yml's one-shot "topics" service; safe to
# re-run (--if-not-exists).
#
#   create-topics.sh CONFIG.yaml
#   KAFKA_BOOTSTRAP=host:port  (default kafka:29092)
#   KAFKA_TOPICS=/opt/kafka/bin/kafka-topics.sh (the apache/kafka image's)
#   DRY_RUN=1                  print the kafka-topics commands instead
set -euo pipefail
config=${1:?usage: create-topics.sh CONFIG.yaml}
bootstrap=${KAFKA_BOOTSTRAP:-kafka:29092}
kafka_topics=${KAFKA_TOPICS:-/opt/kafka/bin/kafka-topics.sh}

# Reads KEY from the top-level kafka: block (scalar values only).
kafka_key() {
  awk -v key="$1" '
    /^[^[:space:]#]/ { in_kafka = ($0 ~ /^kafka:/) }
    in_kafka && $1 == key":" { v = $2; gsub(/["'\'']/, "", v); print v; exit }
  ' "$config"
}
prefix=$(kafka_key topic_prefix); prefix=${prefix:-storewire}
partitions=$(kafka_key partitions); partitions=${partitions:-6}
replication=$(kafka_key replication_factor); replication=${replication:-1}
case "$partitions$replication" in *[!0-9]*) echo "bad partitions/replication_factor in $config" >&2; exit 2 ;; esac
# As the services do (libs/service PipelineTopics): with replicas to spare, a
# write needs all but one of them.
min_isr=1
[ "$replication" -gt 1 ] && min_isr=$((replication - 1))

create() {  # create NAME [--config k=v ...]   (PARTITIONS=n overrides)
  local name=$1; shift
  local cmd=("$kafka_topics" --bootstrap-server "$bootstrap" --create --if-not-exists
             --topic "$prefix.$name" --partitions "${PARTITIONS:-$partitions}"
             --replication-factor "$replication" --config "min.insync.replicas=$min_isr" "$@")
  if [ "${DRY_RUN:-}" = 1 ]; then echo "${cmd[*]}"; else "${cmd[@]}"; fi
}

for store in apple google huawei amazon; do create "raw.$store"; done
create events.v1
create rejected
# The subscriber base's state: compacted, one record per subscription.
create subscriptions.state --config cleanup.policy=compact
# Webhooks (as storewire-webhooks creates them, libs/webhooks WebhookTopics):
# the endpoint registry and the dead letters are compacted and read whole, one
# partition each. The retry topics (<prefix>.webhooks.retry.<step>) are left
# to the service: their names follow webhooks.retry_schedule.
PARTITIONS=1 create webhooks.endpoints --config cleanup.policy=compact
PARTITIONS=1 create webhooks.dlq --config cleanup.policy=compact
echo "topics ready: prefix=$prefix partitions=$partitions replication=$replication" >&2
