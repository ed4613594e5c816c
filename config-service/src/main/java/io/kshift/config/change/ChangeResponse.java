package io.kshift.config.change;

import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.ResourceAction;
import io.kshift.model.event.ValidationMessage;
import io.kshift.model.resource.Resource;
import java.util.List;

/**
 * What {@code POST /api/v1/apply} and {@code /delete} and {@code GET /api/v1/changes/{id}} answer. For a pending
 * change, {@code resources} lists what was submitted with no action yet.
 */
public record ChangeResponse(String changeId, ChangeStatus status, Long generation, boolean dryRun,
                             List<ResourceAction> resources, List<ValidationMessage> errors,
                             List<ValidationMessage> warnings) {

    public static ChangeResponse of(ChangeResult r) {
        return new ChangeResponse(r.changeId(), r.status(), r.generation(), r.dryRun(), r.resources(), r.errors(),
                r.warnings());
    }

    public static ChangeResponse pending(String changeId, boolean dryRun, List<Resource> submitted) {
        return new ChangeResponse(changeId, ChangeStatus.PENDING, null, dryRun, submitted.stream()
                .map(r -> new ResourceAction(r.kind(), r.namespace(), r.name(), null)).toList(), List.of(), List.of());
    }

    public static ChangeResponse rejected(List<ValidationMessage> errors) {
        return new ChangeResponse(null, ChangeStatus.REJECTED, null, false, List.of(), errors, List.of());
    }

    /** 200 accepted, 422 rejected, 202 still pending. */
    public int httpStatus() {
        return switch (status) {
            case ACCEPTED -> 200;
            case REJECTED -> 422;
            case PENDING -> 202;
        };
    }
}
