package io.kshift.model.event;

import io.kshift.model.Lists;
import java.time.Instant;
import java.util.List;

/**
 * {@code kshift.proxy-status} (compacted), key nodeId: what a proxy node runs, sent on every apply and as a
 * heartbeat. {@code listeners} reads like {@code tcp:31400}.
 */
public record ProxyStatus(String schema, String nodeId, long generation, List<String> listeners, Instant startedAt,
                          Instant reportedAt, String adminAddress) {
    public ProxyStatus {
        schema = Schemas.PROXY_STATUS;
        listeners = Lists.copy(listeners);
    }
}
