package io.kshift.model.event;

import io.kshift.model.Lists;
import java.time.Instant;
import java.util.List;

/**
 * {@code kshift.change-results}, key changeId: the validator's verdict. {@code generation} is the snapshot the
 * change produced when accepted (for a dry run or a rejection, the generation that stays live).
 * {@code validationMillis}: how long the validator took to decide (apply to a copy, validate, size the snapshot).
 * {@code submittedBy}: who asked for the change, copied from it (null when the change did not say).
 */
public record ChangeResult(String schema, String changeId, ChangeStatus status, long generation, boolean dryRun,
                           List<ResourceAction> resources, List<ValidationMessage> errors,
                           List<ValidationMessage> warnings, Instant decidedAt, long validationMillis,
                           String submittedBy)
        implements CompleteEvent {
    public ChangeResult {
        schema = Schemas.CHANGE_RESULT;
        resources = Lists.copy(resources);
        errors = Lists.copy(errors);
        warnings = Lists.copy(warnings);
    }

    public ChangeResult(String schema, String changeId, ChangeStatus status, long generation, boolean dryRun,
                        List<ResourceAction> resources, List<ValidationMessage> errors,
                        List<ValidationMessage> warnings, Instant decidedAt) {
        this(schema, changeId, status, generation, dryRun, resources, errors, warnings, decidedAt, 0, null);
    }

    @Override
    public List<String> missingFields() {
        List<String> missing = CompleteEvent.nulls("changeId", changeId, "status", status);
        if (generation < 0) {
            missing.add("generation");
        }
        return missing;
    }

    public ChangeResult withValidationMillis(long millis) {
        return new ChangeResult(schema, changeId, status, generation, dryRun, resources, errors, warnings, decidedAt,
                millis, submittedBy);
    }

    /** The same verdict without its resources' dry-run diffs. */
    public ChangeResult withoutDiffs() {
        return new ChangeResult(schema, changeId, status, generation, dryRun, resources.stream()
                .map(a -> new ResourceAction(a.kind(), a.namespace(), a.name(), a.action())).toList(), errors,
                warnings, decidedAt, validationMillis, submittedBy);
    }

    public ChangeResult withSubmittedBy(String subject) {
        return new ChangeResult(schema, changeId, status, generation, dryRun, resources, errors, warnings, decidedAt,
                validationMillis, subject);
    }
}
