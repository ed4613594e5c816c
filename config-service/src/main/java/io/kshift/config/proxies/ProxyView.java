package io.kshift.config.proxies;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One row of {@code GET /api/v1/proxies}, like a line of {@code istioctl proxy-status} but read off the bus. */
public record ProxyView(String nodeId, String adminAddress, String dataAddress, Map<String, String> labels,
                        long generation, SyncState state, List<String> listeners, Instant startedAt,
                        Instant reportedAt, long uptimeSeconds) {

    static ProxyView of(io.kshift.model.event.ProxyStatus s, SyncState state, Instant now) {
        return new ProxyView(s.nodeId(), s.adminAddress(), s.dataAddress(), s.labels(), s.generation(), state,
                s.listeners(), s.startedAt(), s.reportedAt(), Duration.between(s.startedAt(), now).toSeconds());
    }
}
