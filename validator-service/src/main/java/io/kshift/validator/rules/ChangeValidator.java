package io.kshift.validator.rules;

import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Operation;
import io.kshift.model.event.ResourceAction;
import io.kshift.model.event.Schemas;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.DestinationResolver;
import io.kshift.model.routing.ListenerBinding;
import io.kshift.model.routing.ListenerBindings;
import jakarta.validation.Validator;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * Decides one change: applies it to a copy of the live config, validates the whole result (field rules on the
 * submitted resources, cross-resource rules on everything) and, when nothing is wrong, names the next snapshot.
 * Every error is collected. Apart from the injected clock it remembers only what makes the next decision cheaper:
 * the last snapshot it decided on with its config, and each resource's JSON ({@link
 * io.kshift.model.event.SnapshotEncoder}); one instance per change loop.
 */
public final class ChangeValidator {
    private final FieldRules fieldRules;
    private final Clock clock;
    private final EgressPolicy egress;

    public ChangeValidator(Validator validator, Clock clock) {
        this(validator, clock, EgressPolicy.defaults());
    }

    public ChangeValidator(Validator validator, Clock clock, EgressPolicy egress) {
        this.fieldRules = new FieldRules(validator);
        this.clock = clock;
        this.egress = egress;
    }

    /**
     * The verdict, and the snapshot to publish when the change is accepted and changes something, with its JSON
     * (encoded once: sized here, sent as it is).
     */
    public record Decision(ChangeResult result, Optional<MeshSnapshot> next, String nextJson) {
    }

    /** The config of the last snapshot decided on, so consecutive changes do not re-index the same resources. */
    private MeshSnapshot lastSnapshot;
    private MeshConfig lastConfig;
    private final io.kshift.model.event.SnapshotEncoder encoder = new io.kshift.model.event.SnapshotEncoder();

    private MeshConfig config(MeshSnapshot live) {
        if (live != lastSnapshot) {
            lastConfig = MeshConfig.of(live.resources());
            lastSnapshot = live;
        }
        return lastConfig;
    }

    public Decision decide(MeshSnapshot live, ChangeRequested change) {
        Findings findings = new Findings();
        if (change.operation() != Operation.DELETE) {
            change.resources().forEach(r -> fieldRules.check(r, findings));
        }
        MeshConfig current = config(live);
        MeshConfig.Changed changed = switch (change.operation()) {
            case APPLY -> current.apply(change.resources());
            case DELETE -> current.delete(change.resources());
            case REPLACE -> current.replaceWith(change.resources());
        };
        if (!findings.hasErrors()) {
            java.util.Set<String> touched = new java.util.HashSet<>();
            changed.actions().stream().filter(a -> a.action() == ResourceAction.Action.CREATED
                    || a.action() == ResourceAction.Action.CONFIGURED)
                    .forEach(a -> touched.add(a.kind() + " " + a.namespace() + "/" + a.name()));
            validate(changed.config(), touched, egress, findings);
            InUseRules.check(current, changed.config(), findings);
        }
        boolean changesSomething = changed.actions().stream().anyMatch(a ->
                a.action() != ResourceAction.Action.UNCHANGED && a.action() != ResourceAction.Action.NOT_FOUND);
        MeshSnapshot candidate = null;
        String json = null;
        if (!findings.hasErrors() && changesSomething) {
            candidate = new MeshSnapshot(Schemas.MESH_SNAPSHOT, live.generation() + 1, change.changeId(),
                    clock.instant(), changed.config().all());
            json = encoder.encode(candidate);
            checkSize(json, findings);
        }
        boolean accepted = !findings.hasErrors();
        boolean publish = accepted && !change.dryRun() && changesSomething;
        ChangeResult result = new ChangeResult(Schemas.CHANGE_RESULT, change.changeId(),
                accepted ? ChangeStatus.ACCEPTED : ChangeStatus.REJECTED,
                publish ? candidate.generation() : live.generation(), change.dryRun(),
                change.dryRun() ? changed.actionsWithDiffs(current) : changed.actions(), findings.errors(),
                findings.warnings(), clock.instant()).withSubmittedBy(change.submittedBy());
        if (!publish) {
            return new Decision(result, Optional.empty(), null);
        }
        lastSnapshot = candidate;
        lastConfig = changed.config();
        return new Decision(result, Optional.of(candidate), json);
    }

    /** A snapshot the bus cannot carry would be retried forever: refuse the change that would make it. */
    private static void checkSize(String json, Findings findings) {
        int bytes = json.length();
        if (bytes > io.kshift.model.event.MeshTopics.MAX_SNAPSHOT_BYTES) {
            findings.error(new io.kshift.model.event.ValidationMessage("change", "", "the mesh config would be "
                    + bytes + " bytes; a snapshot may be at most " + io.kshift.model.event.MeshTopics.MAX_SNAPSHOT_BYTES
                    + " (remove resources first)"));
        }
    }

    /**
     * Cross-resource rules over a whole config, and the egress policy over what the change touched
     * ({@code "Kind ns/name"}); field rules are assumed to hold.
     */
    static void validate(MeshConfig config, java.util.Set<String> touched, EgressPolicy egress, Findings findings) {
        DestinationResolver resolver = new DestinationResolver(config);
        Map<Integer, ListenerBinding> bindings = ListenerBindings.compute(config);
        RegistryRules.check(config, resolver.registry(), findings);
        EgressRules.check(config, resolver.registry(), touched, egress, findings);
        GatewayRules.check(config, bindings, findings);
        RouteRules.check(config, resolver, bindings, findings);
    }

}
