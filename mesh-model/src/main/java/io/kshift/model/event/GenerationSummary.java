package io.kshift.config.history;

import io.kshift.model.event.ResourceAction;
import java.time.Instant;
import java.util.List;

/** One accepted generation in {@code GET /api/v1/generations}: when, by which change, and what it changed. */
public record GenerationSummary(long generation, String changeId, Instant createdAt, int resources,
                                List<ResourceAction> changes) {
}
