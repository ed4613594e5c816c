#!/bin/bash
# kshift's topics with the partitions and settings of DESIGN.md (MeshTopics in mesh-model is the source; a test
# checks these lines against it). Run once by the compose file's kafka-init step, with the apache/kafka image's
# tools; creating is idempotent and the settings of an existing topic are brought to these.
set -euo pipefail
BOOTSTRAP="${KAFKA_BOOTSTRAP_SERVERS:?}"
RF="${TOPIC_REPLICATION_FACTOR:-1}"
BIN=/opt/kafka/bin

topic() { # name partitions config[,config...]
  "$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --topic "$1" \
    --partitions "$2" --replication-factor "$RF" $(echo "$3" | tr ',' '\n' | sed 's/^/--config /')
  "$BIN/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP" --alter --entity-type topics --entity-name "$1" \
    --add-config "$3" > /dev/null
}

until "$BIN/kafka-broker-api-versions.sh" --bootstrap-server "$BOOTSTRAP" > /dev/null 2>&1; do sleep 1; done

topic kshift.changes 1 cleanup.policy=delete,retention.ms=604800000,max.message.bytes=10485760
topic kshift.change-results 1 cleanup.policy=delete,retention.ms=604800000
topic kshift.changes.dlq 1 cleanup.policy=delete,retention.ms=2592000000,max.message.bytes=10485760
topic kshift.config 1 cleanup.policy=compact,segment.ms=600000,min.cleanable.dirty.ratio=0.1,max.message.bytes=10485760
topic kshift.config-history 1 cleanup.policy=delete,retention.ms=2592000000,max.message.bytes=10485760
topic kshift.proxy-status 1 cleanup.policy=compact,segment.ms=600000,min.cleanable.dirty.ratio=0.1
topic kshift.telemetry.raw 3 cleanup.policy=delete,retention.ms=3600000
topic kshift.telemetry 3 cleanup.policy=delete,retention.ms=604800000
"$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --list
