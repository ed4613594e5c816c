package io.kshift.config.change;

import io.kshift.config.proxies.ProxyFleet;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.ResourceAction;
import io.kshift.model.event.ValidationMessage;
import io.kshift.model.resource.Resource;
import java.util.List;

/**
 * What {@code POST /api/v1/apply} and {@code /delete} and {@code GET /api/v1/changes/{id}} answer. For a pending
 * change, {@code resources} lists what was submitted with no action yet; {@code sync} is present when the caller
 * asked to wait for the proxies. {@code validationMillis}: how long the validator took to decide (null until it has).
 */
public record ChangeResponse(String changeId, ChangeStatus status, Long generation, boolean dryRun,
                             List<ResourceAction> resources, List<ValidationMessage> errors,
                             List<ValidationMessage> warnings, ProxyFleet.SyncReport sync, Long validationMillis,
                             @com.fasterxml.jackson.annotation.JsonIgnore boolean shownHere) {

    public ChangeResponse(String changeId, ChangeStatus status, Long generation, boolean dryRun,
                          List<ResourceAction> resources, List<ValidationMessage> errors,
                          List<ValidationMessage> warnings, ProxyFleet.SyncReport sync, Long validationMillis) {
        this(changeId, status, generation, dryRun, resources, errors, warnings, sync, validationMillis, true);
    }

    public static ChangeResponse of(ChangeResult r) {
        return new ChangeResponse(r.changeId(), r.status(), r.generation(), r.dryRun(), r.resources(), r.errors(),
                r.warnings(), null, r.validationMillis());
    }

    /** The same answer with where the proxies stand ({@code ?waitFor=synced}). */
    public ChangeResponse withSync(ProxyFleet.SyncReport report) {
        return new ChangeResponse(changeId, status, generation, dryRun, resources, errors, warnings, report,
                validationMillis, shownHere);
    }

    /**
     * The same accepted answer from an instance that did not show its generation by the end of the wait: 202, so a
     * client does not read this instance's resources (still the generation before) as if its change were in them.
     */
    public ChangeResponse notShownHere() {
        return new ChangeResponse(changeId, status, generation, dryRun, resources, errors, warnings, sync,
                validationMillis, false);
    }

    public static ChangeResponse pending(String changeId, boolean dryRun, List<Resource> submitted) {
        return new ChangeResponse(changeId, ChangeStatus.PENDING, null, dryRun, submitted.stream()
                .map(r -> new ResourceAction(r.kind(), r.namespace(), r.name(), null)).toList(), List.of(), List.of(),
                null, null);
    }

    /** Whether the change was refused only because the live generation moved. */
    public boolean conflict() {
        return errors != null && errors.size() == 1 && "change".equals(errors.get(0).resource())
                && ChangeRequested.IF_GENERATION.equals(errors.get(0).field());
    }

    public static ChangeResponse rejected(List<ValidationMessage> errors) {
        return new ChangeResponse(null, ChangeStatus.REJECTED, null, false, List.of(), errors, List.of(), null, null);
    }

    /**
     * 200 accepted (and, when asked, running on every live proxy), 409 rejected because the live generation was
     * not the one the caller named ({@code ?ifGeneration=}), 422 rejected, 202 still pending or lagging (a proxy,
     * or this instance's own view of the config).
     */
    public int httpStatus() {
        return switch (status) {
            case ACCEPTED -> shownHere && (sync == null || sync.complete()) ? 200 : 202;
            case REJECTED -> conflict() ? 409 : 422;
            case PENDING -> 202;
        };
    }
}
