package io.kshift.model.event;

import io.kshift.model.Lists;
import io.kshift.model.resource.Resource;
import java.time.Instant;
import java.util.List;

/**
 * {@code kshift.changes}, key {@code mesh}: an operator's change, as submitted, before validation.
 * {@code submittedBy}: who asked (the subject of the caller's token, or the submitting service's own name); the
 * validator copies it into the verdict and the generation's summary, the audit trail. Null in records written
 * before it existed.
 */
public record ChangeRequested(String schema, String changeId, Instant submittedAt, Operation operation,
                              List<Resource> resources, boolean dryRun, String submittedBy) {
    public ChangeRequested {
        schema = Schemas.CHANGE_REQUESTED;
        resources = Lists.copy(resources);
    }

    public static ChangeRequested of(String changeId, Instant at, Operation op, List<Resource> resources,
                                     boolean dryRun) {
        return new ChangeRequested(Schemas.CHANGE_REQUESTED, changeId, at, op, resources, dryRun, null);
    }

    public ChangeRequested by(String subject) {
        return new ChangeRequested(schema, changeId, submittedAt, operation, resources, dryRun, subject);
    }
}
