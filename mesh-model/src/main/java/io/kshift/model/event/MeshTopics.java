package io.kshift.model.event;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The topics of DESIGN.md with their partitions and cleanup settings, and the one place that creates them.
 * Brokers run with topic auto-creation off, so a topic is never created with the wrong cleanup policy.
 */
public final class MeshTopics {
    public static final String CHANGES = "kshift.changes";
    public static final String CHANGE_RESULTS = "kshift.change-results";
    /** Records on {@link #CHANGES} the validator could not read as a change: copied here, as they came, with why. */
    public static final String CHANGES_DEAD_LETTER = "kshift.changes.dlq";
    public static final String CONFIG = "kshift.config";
    /**
     * Every accepted generation, kept (not compacted) for history and rollback; key = generation. The value is what
     * {@link #CONFIG} got for it: a whole snapshot (checkpoint) or a {@link SnapshotDelta} on the checkpoint before
     * it, told apart by the {@value #SCHEMA_HEADER} header.
     */
    public static final String CONFIG_HISTORY = "kshift.config-history";
    /**
     * Header naming a config record's schema ({@link Schemas#SNAPSHOT_DELTA} or {@link Schemas#MESH_SNAPSHOT}), so a
     * reader keyed by generation knows a delta before decoding it. A record without it is a whole snapshot.
     */
    public static final String SCHEMA_HEADER = "kshift-schema";
    public static final String PROXY_STATUS = "kshift.proxy-status";
    public static final String TELEMETRY_RAW = "kshift.telemetry.raw";
    public static final String TELEMETRY = "kshift.telemetry";
    /** Key of the single-partition change log and of the whole snapshots (checkpoints) on {@link #CONFIG}. */
    public static final String MESH_KEY = "mesh";
    /**
     * Key of the {@link SnapshotDelta}s on {@link #CONFIG}: compaction keeps the newest checkpoint and the newest
     * delta, which is cumulative since a checkpoint, so the pair is always the live config.
     */
    public static final String DELTA_KEY = "delta";
    /**
     * Largest record the config-carrying topics take (and producers send): a whole mesh snapshot of thousands of
     * resources is a few MB, above Kafka's 1 MB default.
     */
    public static final int MAX_RECORD_BYTES = 10 * 1024 * 1024;
    /** Largest snapshot the validator accepts, leaving headroom under {@link #MAX_RECORD_BYTES}. */
    public static final int MAX_SNAPSHOT_BYTES = 8 * 1024 * 1024;

    /** Whether a record of {@link #CONFIG} or {@link #CONFIG_HISTORY} is a {@link SnapshotDelta}. */
    public static boolean isDelta(String key, org.apache.kafka.common.header.Headers headers) {
        if (DELTA_KEY.equals(key)) {
            return true;
        }
        org.apache.kafka.common.header.Header schema = headers == null ? null : headers.lastHeader(SCHEMA_HEADER);
        return schema != null && schema.value() != null && Schemas.SNAPSHOT_DELTA.equals(
                new String(schema.value(), java.nio.charset.StandardCharsets.UTF_8));
    }

    private static final String DELTA_PREFIX = "{\"schema\":\"" + Schemas.SNAPSHOT_DELTA + "\"";

    /**
     * {@link #isDelta(String, org.apache.kafka.common.header.Headers)}, or a value that starts as the validator writes
     * a delta (schema first): a copy of a history record that lost its headers is still not taken for a snapshot.
     */
    public static boolean isDelta(String key, org.apache.kafka.common.header.Headers headers, String value) {
        return isDelta(key, headers) || value != null && value.startsWith(DELTA_PREFIX);
    }

    private static final String WEEK_MS = String.valueOf(TimeUnit.DAYS.toMillis(7));
    private static final String HOUR_MS = String.valueOf(TimeUnit.HOURS.toMillis(1));
    private static final String HISTORY_MS = String.valueOf(TimeUnit.DAYS.toMillis(30));

    /** Compacted topics roll segments every 10 minutes so old snapshots are cleaned without waiting for 1 GB. */
    private static final Map<String, String> COMPACTED = Map.of("cleanup.policy", "compact",
            "segment.ms", "600000", "min.cleanable.dirty.ratio", "0.1");

    private MeshTopics() {
    }

    public static List<NewTopic> all() {
        return List.of(
                topic(CHANGES, 1, Map.of("cleanup.policy", "delete", "retention.ms", WEEK_MS,
                        "max.message.bytes", String.valueOf(MAX_RECORD_BYTES))),
                // A verdict lists every resource of its change, with a diff each on a dry run: a rollback previewed
                // on 20,000 resources answered 7.6 MB. Under the broker's 1 MB default only lz4 kept it on the bus,
                // and a verdict the bus refuses is a change the validator would retry for ever.
                topic(CHANGE_RESULTS, 1, withMaxRecord(Map.of("cleanup.policy", "delete", "retention.ms", WEEK_MS))),
                topic(CHANGES_DEAD_LETTER, 1, withMaxRecord(Map.of("cleanup.policy", "delete",
                        "retention.ms", HISTORY_MS))),
                topic(CONFIG, 1, withMaxRecord(COMPACTED)),
                topic(CONFIG_HISTORY, 1, withMaxRecord(Map.of("cleanup.policy", "delete", "retention.ms", HISTORY_MS))),
                topic(PROXY_STATUS, 1, COMPACTED),
                topic(TELEMETRY_RAW, 3, Map.of("cleanup.policy", "delete", "retention.ms", HOUR_MS)),
                topic(TELEMETRY, 3, Map.of("cleanup.policy", "delete", "retention.ms", WEEK_MS)));
    }

    private static void converge(Admin admin, NewTopic topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic.name());
        List<AlterConfigOp> ops = topic.configs().entrySet().stream()
                .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
                .toList();
        try {
            admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot update the settings of topic " + topic.name() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> withMaxRecord(Map<String, String> configs) {
        Map<String, String> out = new java.util.HashMap<>(configs);
        out.put("max.message.bytes", String.valueOf(MAX_RECORD_BYTES));
        return Map.copyOf(out);
    }

    private static NewTopic topic(String name, int partitions, Map<String, String> configs) {
        return new NewTopic(name, partitions, (short) 1).configs(configs);
    }

    /** Creates whichever topics are missing and brings the settings of existing ones to these. */
    public static void ensure(Admin admin, short replicationFactor) {
        for (NewTopic t : all()) {
            NewTopic wanted = new NewTopic(t.name(), t.numPartitions(), replicationFactor).configs(t.configs());
            try {
                admin.createTopics(List.of(wanted)).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + t.name() + ": " + e.getCause(), e);
                }
                converge(admin, t);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted creating topic " + t.name(), e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("Kafka did not answer creating topic " + t.name(), e);
            }
        }
    }
}
