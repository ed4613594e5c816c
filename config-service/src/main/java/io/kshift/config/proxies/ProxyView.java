package io.kshift.config.proxies;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One row of {@code GET /api/v1/proxies}, like a line of {@code istioctl proxy-status} but read off the bus;
 * {@code buildMillis}: how long the node took to build the route table of {@code generation}; {@code superseded}:
 * snapshots it skipped because a newer one was waiting.
 */
public record ProxyView(String nodeId, String adminAddress, String dataAddress, Map<String, String> labels,
                        long generation, SyncState state, List<String> listeners, Instant startedAt,
                        Instant reportedAt, long uptimeSeconds, long buildMillis, long superseded) {

    static ProxyView of(io.kshift.model.event.ProxyStatus s, SyncState state, Instant now) {
        return new ProxyView(s.nodeId(), s.adminAddress(), s.dataAddress(), s.labels(), s.generation(), state,
                s.listeners(), s.startedAt(), s.reportedAt(), Duration.between(s.startedAt(), now).toSeconds(),
                s.buildMillis(), s.superseded());
    }
}
