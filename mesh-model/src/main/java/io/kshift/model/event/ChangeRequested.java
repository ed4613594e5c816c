package io.kshift.model.event;

import io.kshift.model.Lists;
import io.kshift.model.resource.Resource;
import java.time.Instant;
import java.util.List;

/** {@code kshift.changes}, key {@code mesh}: an operator's change, as submitted, before validation. */
public record ChangeRequested(String schema, String changeId, Instant submittedAt, Operation operation,
                              List<Resource> resources, boolean dryRun) {
    public ChangeRequested {
        schema = Schemas.CHANGE_REQUESTED;
        resources = Lists.copy(resources);
    }

    public static ChangeRequested of(String changeId, Instant at, Operation op, List<Resource> resources,
                                     boolean dryRun) {
        return new ChangeRequested(Schemas.CHANGE_REQUESTED, changeId, at, op, resources, dryRun);
    }
}
