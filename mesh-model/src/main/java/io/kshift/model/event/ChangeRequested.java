package io.kshift.model.event;

import io.kshift.model.Lists;
import io.kshift.model.resource.Resource;
import java.time.Instant;
import java.util.List;

/**
 * {@code kshift.changes}, key {@code mesh}: an operator's change, as submitted, before validation.
 * {@code submittedBy}: who asked (the subject of the caller's token, or the submitting service's own name); the
 * validator copies it into the verdict and the generation's summary, the audit trail. Null in records written
 * before it existed. {@code ifGeneration}: when set, the change applies only if the live generation is exactly that
 * one (optimistic concurrency, as {@code kubectl apply} users know from resourceVersion); otherwise it is rejected
 * with an error on field {@value #IF_GENERATION}. Null: no condition.
 */
public record ChangeRequested(String schema, String changeId, Instant submittedAt, Operation operation,
                              List<Resource> resources, boolean dryRun, String submittedBy, Long ifGeneration) {
    /** The field a conflict is reported on (resource {@code change}). */
    public static final String IF_GENERATION = "ifGeneration";

    public ChangeRequested {
        schema = Schemas.CHANGE_REQUESTED;
        resources = Lists.copy(resources);
    }

    public static ChangeRequested of(String changeId, Instant at, Operation op, List<Resource> resources,
                                     boolean dryRun) {
        return new ChangeRequested(Schemas.CHANGE_REQUESTED, changeId, at, op, resources, dryRun, null, null);
    }

    public ChangeRequested by(String subject) {
        return new ChangeRequested(schema, changeId, submittedAt, operation, resources, dryRun, subject,
                ifGeneration);
    }

    /** Why a change made against generation {@code expected} is refused when {@code live} is the live one. */
    public static ValidationMessage conflict(long live, long expected) {
        return new ValidationMessage("change", IF_GENERATION, "the live generation is " + live + ", not " + expected
                + ": the config changed since it was read; read it again and retry");
    }

    /** This change, applied only if the live generation is {@code generation} (null: unconditionally). */
    public ChangeRequested ifGeneration(Long generation) {
        return new ChangeRequested(schema, changeId, submittedAt, operation, resources, dryRun, submittedBy,
                generation);
    }
}
