package io.kshift.model.event;

import io.kshift.model.Lists;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code kshift.proxy-status} (compacted), key nodeId: what a proxy node runs, sent on every apply and as a
 * heartbeat. {@code listeners} reads like {@code tcp:31400}; {@code dataAddress} is where its listeners are bound;
 * {@code labels} are the operator's ({@code kshift.proxy.labels}, e.g. zone, pool), as a pod's labels are.
 * {@code buildMillis}: how long the node took to turn the snapshot of {@code generation} into its route table
 * (decode included); {@code superseded}: how many snapshots the node skipped since it started because a newer one
 * was already waiting (conflation: only the newest is built; none is lost, the newer one contains it).
 */
public record ProxyStatus(String schema, String nodeId, long generation, List<String> listeners, Instant startedAt,
                          Instant reportedAt, String adminAddress, String dataAddress, Map<String, String> labels,
                          long buildMillis, long superseded) implements CompleteEvent {
    public ProxyStatus {
        schema = Schemas.PROXY_STATUS;
        listeners = Lists.copy(listeners);
        labels = Lists.copy(labels);
    }

    @Override
    public List<String> missingFields() {
        List<String> missing = CompleteEvent.nulls("nodeId", nodeId, "startedAt", startedAt,
                "reportedAt", reportedAt);
        if (generation < 0) {
            missing.add("generation");
        }
        return missing;
    }

    public ProxyStatus(String schema, String nodeId, long generation, List<String> listeners, Instant startedAt,
                       Instant reportedAt, String adminAddress) {
        this(schema, nodeId, generation, listeners, startedAt, reportedAt, adminAddress, null, Map.of(), 0, 0);
    }
}
