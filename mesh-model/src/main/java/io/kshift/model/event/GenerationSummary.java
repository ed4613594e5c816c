package io.kshift.model.event;

import java.time.Instant;
import java.util.List;

/**
 * One accepted generation: when, by which change, how many resources it has and what it changed (CREATED,
 * CONFIGURED, DELETED against the generation before). {@code GET /api/v1/generations} lists them; the validator
 * writes one as header {@value #HEADER} of each {@code kshift.config-history} record, so the history can be indexed
 * without decoding multi-MB snapshots. {@code submittedBy}: who asked for the change (null when unknown).
 */
public record GenerationSummary(long generation, String changeId, Instant createdAt, int resources,
                                List<ResourceAction> changes, String submittedBy) implements CompleteEvent {
    public static final String HEADER = "kshift-summary";

    public GenerationSummary {
        changes = io.kshift.model.Lists.copy(changes);
    }

    @Override
    public List<String> missingFields() {
        return CompleteEvent.generationStamp(generation, createdAt);
    }

    public GenerationSummary(long generation, String changeId, Instant createdAt, int resources,
                             List<ResourceAction> changes) {
        this(generation, changeId, createdAt, resources, changes, null);
    }

    /**
     * The {@value #HEADER} header of a {@code kshift.config} record when it is readable and agrees with the start of
     * the record's value (the validator writes the generation first), else null: a header alone is never believed.
     */
    public static GenerationSummary ofRecord(org.apache.kafka.common.header.Headers headers, byte[] value) {
        org.apache.kafka.common.header.Header header = headers.lastHeader(HEADER);
        if (header == null || value == null) {
            return null;
        }
        GenerationSummary summary;
        try {
            summary = EventCodec.decode(new String(header.value(), java.nio.charset.StandardCharsets.UTF_8),
                    GenerationSummary.class);
        } catch (RuntimeException e) {
            return null; // JSON null too (EventCodec refuses it)
        }
        String opening = new String(value, 0, Math.min(value.length, 256), java.nio.charset.StandardCharsets.UTF_8);
        return opening.startsWith("{") && opening.contains("\"generation\":" + summary.generation() + ",")
                ? summary : null;
    }

    /** The summary of an accepted change's snapshot, from the change's own actions. */
    public static GenerationSummary of(MeshSnapshot snapshot, List<ResourceAction> actions, String submittedBy) {
        return new GenerationSummary(snapshot.generation(), snapshot.changeId(), snapshot.createdAt(),
                snapshot.resources().size(), actions.stream().filter(a -> a.action() == ResourceAction.Action.CREATED
                || a.action() == ResourceAction.Action.CONFIGURED || a.action() == ResourceAction.Action.DELETED)
                .map(a -> new ResourceAction(a.kind(), a.namespace(), a.name(), a.action())).toList(), submittedBy);
    }

    /**
     * This generation as a reader of some namespaces sees it: only the changes to resources it may read, or
     * nothing when the generation changed none of them ({@code resources} stays the mesh-wide count).
     */
    public java.util.Optional<GenerationSummary> seenBy(io.kshift.model.auth.Grant reader) {
        List<ResourceAction> visible = changes.stream().filter(a -> reader.reads(a.kind(), a.namespace(), a.name()))
                .toList();
        return visible.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(
                new GenerationSummary(generation, changeId, createdAt, resources, visible, submittedBy));
    }
}
