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
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import io.kshift.model.routing.ListenerBinding;
import io.kshift.model.routing.ListenerBindings;
import io.kshift.model.status.StatusNote;
import jakarta.validation.Validator;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides one change: applies it to a copy of the live config, validates what the change can affect (field rules on
 * the submitted resources, cross-resource rules on what depends on them: {@link #validate}) and, when nothing is
 * wrong, names the next snapshot.
 * Every error is collected. Apart from the injected clock it remembers only what makes the next decision cheaper:
 * the last snapshot it decided on with its config, and each resource's JSON ({@link
 * io.kshift.model.event.SnapshotEncoder}); one instance per change loop.
 */
public final class ChangeValidator {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ChangeValidator.class);
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
     * The verdict, and the snapshot to publish when the change is accepted and changes something, with the size of
     * its JSON and what it changed against the live one (0 and null when nothing is published).
     * {@code encoded}: {@code next} as the UTF-8 JSON the bus carries, made only when asked (a checkpoint), and only
     * before the next decision (the encoder reuses each resource's JSON from one snapshot to the next).
     */
    public record Decision(ChangeResult result, Optional<MeshSnapshot> next, int snapshotBytes,
                           java.util.function.Supplier<byte[]> encoded, io.kshift.model.event.SnapshotDelta delta) {
        public Decision(ChangeResult result, Optional<MeshSnapshot> next) {
            this(result, next, 0, null, null);
        }

        /** {@code next}'s JSON (null when nothing is published). */
        public byte[] snapshot() {
            return encoded == null ? null : encoded.get();
        }
    }

    /**
     * The config of the last snapshot decided on and its resolver, so consecutive changes do not re-index the same
     * resources: a change that touches no kind the resolver reads keeps it ({@link DestinationResolver#after}).
     */
    private MeshSnapshot lastSnapshot;
    private MeshConfig lastConfig;
    private DestinationResolver lastResolver;
    private final io.kshift.model.event.SnapshotEncoder encoder = new io.kshift.model.event.SnapshotEncoder();

    /** The status notes {@link #checkWhole} found for the snapshot it checked, until a change builds on them. */
    private Map<String, List<StatusNote>> wholeStatus;

    private MeshConfig config(MeshSnapshot live) {
        if (live != lastSnapshot) {
            lastConfig = MeshConfig.of(live.resources());
            lastResolver = new DestinationResolver(lastConfig);
            lastSnapshot = live;
            checkWhole(live.generation());
        }
        return lastConfig;
    }

    /**
     * Changes are checked against what they reach, on the premise that the live config passes every rule. A config
     * this validator did not decide (loaded at start or takeover, written under older rules) is checked whole once,
     * and what fails is logged: it is not the next change's fault, and rejecting unrelated changes for it would
     * stop the mesh; the operator fixes it with a change to those resources, which is checked as any other.
     */
    private void checkWhole(long generation) {
        Findings findings = new Findings();
        java.util.SortedSet<ResourceKey> all = new java.util.TreeSet<>();
        lastConfig.all().forEach(r -> all.add(r.key()));
        validate(lastConfig, lastResolver, true, true, all, egress, findings);
        // Every route was checked: its notes replace whatever the loaded snapshot carries (older rules', or none).
        wholeStatus = status(java.util.Map.of(), lastConfig, List.of(), java.util.Set.of(), true, findings);
        if (findings.hasErrors()) {
            LOG.warnf("the live config (generation %d) breaks %d rule(s) of this validator; changes that touch "
                    + "them will be refused until they are fixed: %s", generation, findings.errors().size(),
                    findings.errors().stream().limit(20).toList());
        }
    }

    public Decision decide(MeshSnapshot live, ChangeRequested change) {
        if (change.ifGeneration() != null && change.ifGeneration() != live.generation()) {
            // A precondition, not a rule: the change was made against another config, so nothing else is judged.
            return new Decision(new ChangeResult(Schemas.CHANGE_RESULT, change.changeId(), ChangeStatus.REJECTED,
                    live.generation(), change.dryRun(), List.of(), List.of(ChangeRequested.conflict(live.generation(),
                    change.ifGeneration())), List.of(), clock.instant()).withSubmittedBy(change.submittedBy()), Optional.empty());
        }
        Findings findings = new Findings();
        // The registry adapter deletes the entries of pods that are gone: they may leave a route without endpoints.
        findings.workloadsGone(change.operation() == Operation.DELETE
                && io.kshift.model.bus.MeshAcls.REGISTRY_SUBJECT.equals(change.submittedBy()));
        MeshConfig current = config(live);
        findings.before(lastResolver);
        if (change.operation() != Operation.DELETE) {
            change.resources().forEach(r -> fieldRules.check(r, findings));
        }
        MeshConfig.Changed changed = switch (change.operation()) {
            case APPLY -> current.apply(change.resources(), clock.instant());
            case DELETE -> current.delete(change.resources());
            case REPLACE -> current.replaceWith(change.resources(), clock.instant());
        };
        DestinationResolver resolver = null;
        boolean everyRoute = false;
        java.util.Set<ResourceKey> checked = java.util.Set.of();
        if (!findings.hasErrors()) {
            findings.written(changed.changedKeys());
            // What the change creates or configures: the resources whose own rules must be checked.
            java.util.SortedSet<ResourceKey> touched = new java.util.TreeSet<>();
            Map<ResourceKey, java.util.Set<ResourceKey>> roots = null;
            for (ResourceKey key : changed.changedKeys()) {
                if (changed.config().get(key).isPresent()) {
                    touched.add(key);
                }
                if (key.kind() == Kind.GRPC_ROUTE) {
                    // A GRPCRoute on a Service parent decides whether the HTTPRoutes on it are accepted (GEP-1426).
                    changed.config().ofKind(Kind.HTTP_ROUTE).stream()
                            .filter(r -> !io.kshift.model.routing.HttpBindings.meshParents(r).isEmpty())
                            .forEach(r -> touched.add(r.key()));
                }
                if (key.kind() == Kind.VIRTUAL_SERVICE) {
                    // A delegate that came, went or changed: the roots naming it are checked again.
                    roots = roots != null ? roots
                            : io.kshift.model.routing.Delegation.rootsByDelegate(changed.config());
                    touched.addAll(roots.getOrDefault(key, java.util.Set.of()));
                }
            }
            boolean httpRoutes = changed.changedKeys().stream()
                    .anyMatch(k -> k.kind() == Kind.HTTP_ROUTE || k.kind() == Kind.GRPC_ROUTE);
            if (httpRoutes && !(current.ofKind(Kind.GRPC_ROUTE).isEmpty()
                    && changed.config().ofKind(Kind.GRPC_ROUTE).isEmpty())) {
                // Which of an HTTPRoute and a GRPCRoute sharing a listener's hostnames is served is decided among
                // them: the routes of a conflict that came or went are checked again, so their status follows.
                var before = new java.util.HashSet<>(io.kshift.model.routing.HttpBindings.kindConflicts(current));
                var after = new java.util.HashSet<>(io.kshift.model.routing.HttpBindings.kindConflicts(
                        changed.config()));
                java.util.stream.Stream.concat(before.stream().filter(c -> !after.contains(c)),
                                after.stream().filter(c -> !before.contains(c)))
                        .flatMap(c -> java.util.stream.Stream.of(c.route(), c.winner()))
                        .filter(k -> changed.config().get(k).isPresent()).forEach(touched::add);
            }
            if (changed.changedKeys().stream().anyMatch(k -> BackendTlsPolicyRules.INPUTS.contains(k.kind()))) {
                // Which policy holds a Service port, and whether it still has the port, is decided among them all.
                changed.config().ofKind(Kind.BACKEND_TLS_POLICY).forEach(r -> touched.add(r.key()));
            }
            // The CRDs' checks added after configs were accepted without them: on what the change writes, so a
            // rollback or a REPLACE carrying an older, unchanged resource is not refused for it.
            for (ResourceKey key : changed.changedKeys()) {
                changed.config().get(key).ifPresent(r -> {
                    if (r.type() == Kind.KUBE_GATEWAY) {
                        GatewayRules.listenerSchema(r, findings);
                    } else if (r.type() == Kind.HTTP_ROUTE || r.type() == Kind.GRPC_ROUTE) {
                        HttpRouteSchemaRules.hostnames(r, findings);
                    }
                });
            }
            checked = touched;
            resolver = lastResolver.after(changed.config(), changed.changedKeys());
            boolean registryChanged = resolver != lastResolver;
            // Routes read the registry and the gateways they name; nothing else outside themselves.
            // Gateways decide what routes attach to, ReferenceGrants which of their cross-namespace refs stand.
            everyRoute = registryChanged || changed.changedKeys().stream().anyMatch(k ->
                    k.kind() == Kind.GATEWAY || k.kind() == Kind.KUBE_GATEWAY || k.kind() == Kind.REFERENCE_GRANT
                            || k.kind() == Kind.NAMESPACE);
            validate(current, changed.config(), resolver, registryChanged, everyRoute, touched, egress, findings);
            InUseRules.check(current, changed.config(), changed.changedKeys(), resolver, findings);
            ImmutableRules.check(change.operation(), current, changed.config(), changed.changedKeys(), findings);
        }
        boolean changesSomething = changed.actions().stream().anyMatch(a ->
                a.action() != ResourceAction.Action.UNCHANGED && a.action() != ResourceAction.Action.NOT_FOUND);
        MeshSnapshot candidate = null;
        int bytes = 0;
        if (!findings.hasErrors() && changesSomething) {
            Map<String, List<StatusNote>> base = wholeStatus != null ? wholeStatus : live.status();
            candidate = new MeshSnapshot(Schemas.MESH_SNAPSHOT, live.generation() + 1, change.changeId(),
                    clock.instant(), status(base, changed.config(), changed.changedKeys(), checked, everyRoute,
                    findings),
                    changed.config().all());
            bytes = encoder.size(candidate);
            checkSize(bytes, findings);
            checkHistorySize(bytes, changed.actions(), findings);
        }
        boolean accepted = !findings.hasErrors();
        boolean publish = accepted && !change.dryRun() && changesSomething;
        ChangeResult result = new ChangeResult(Schemas.CHANGE_RESULT, change.changeId(),
                accepted ? ChangeStatus.ACCEPTED : ChangeStatus.REJECTED,
                publish ? candidate.generation() : live.generation(), change.dryRun(),
                change.dryRun() ? changed.actionsWithDiffs(current) : changed.actions(), findings.errors(),
                findings.warnings(), clock.instant()).withSubmittedBy(change.submittedBy());
        if (!publish) {
            return new Decision(result, Optional.empty());
        }
        lastSnapshot = candidate;
        lastConfig = changed.config();
        lastResolver = resolver;
        wholeStatus = null;
        MeshSnapshot published = candidate;
        return new Decision(result, Optional.of(candidate), bytes, () -> encoder.encodeUtf8(published),
                io.kshift.model.event.SnapshotDelta.step(current,
                changed.config(), changed.changedKeys(), candidate));
    }

    /** The kinds route rules check, all of them when {@code everyRoute}. */
    private static final java.util.Set<Kind> ROUTES = java.util.EnumSet.of(Kind.VIRTUAL_SERVICE, Kind.HTTP_ROUTE,
            Kind.GRPC_ROUTE, Kind.TCP_ROUTE, Kind.TLS_ROUTE, Kind.UDP_ROUTE);

    /**
     * The status notes of the next config: {@code before}'s, except for what this decision checked again (the
     * {@code checked} resources, every route when {@code everyRoute}) or removed ({@code changed}), which have the
     * notes found now.
     */
    static Map<String, List<StatusNote>> status(Map<String, List<StatusNote>> before, MeshConfig next,
                                                List<ResourceKey> changed, java.util.Set<ResourceKey> checked,
                                                boolean everyRoute, Findings findings) {
        Map<String, List<StatusNote>> out = new java.util.TreeMap<>(before);
        changed.forEach(k -> out.remove(k.toString()));
        checked.forEach(k -> out.remove(k.toString()));
        if (everyRoute) {
            for (Kind kind : ROUTES) {
                next.ofKind(kind).forEach(r -> out.remove(r.key().toString()));
            }
        }
        findings.notes().forEach((k, notes) -> {
            if (next.get(k).isPresent()) {
                out.put(k.toString(), notes);
            }
        });
        return out;
    }

    /** A snapshot the bus cannot carry would be retried forever: refuse the change that would make it. */
    private static void checkSize(int bytes, Findings findings) {
        if (bytes > io.kshift.model.event.MeshTopics.MAX_SNAPSHOT_BYTES) {
            findings.error(new io.kshift.model.event.ValidationMessage("change", "", "the mesh config would be "
                    + bytes + " bytes; a snapshot may be at most " + io.kshift.model.event.MeshTopics.MAX_SNAPSHOT_BYTES
                    + " (remove resources first)"));
        }
    }

    /**
     * The history record carries the snapshot (or a delta on it) and a header naming every resource the change
     * created, configured or deleted; the bus refuses a record over its limit, so a change whose record would be
     * is refused here, with what to do, rather than by the bus (see ChangeLoop). The header is estimated from the
     * names: each entry's JSON is its kind, namespace and name (DNS names, nothing to escape) and 72 characters of
     * field names, quotes and action at most.
     */
    static void checkHistorySize(int snapshotBytes, List<ResourceAction> actions, Findings findings) {
        if (snapshotBytes > io.kshift.model.event.MeshTopics.MAX_SNAPSHOT_BYTES) {
            return; // refused for its size already (checkSize), with what to do
        }
        long header = 1024;
        int listed = 0;
        for (ResourceAction a : actions) {
            if (a.action() == ResourceAction.Action.CREATED || a.action() == ResourceAction.Action.CONFIGURED
                    || a.action() == ResourceAction.Action.DELETED) {
                listed++;
                header += 72 + length(a.kind()) + length(a.namespace()) + length(a.name());
            }
        }
        long record = snapshotBytes + header;
        long limit = io.kshift.model.event.MeshTopics.MAX_RECORD_BYTES - 64 * 1024;
        if (record > limit) {
            findings.error(new io.kshift.model.event.ValidationMessage("change", "", "the change's history record "
                    + "would take about " + record + " bytes (the " + snapshotBytes + "-byte mesh config and the "
                    + listed + " resources the change touches); the bus carries at most " + limit
                    + ": apply it in smaller parts"));
        }
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    /**
     * The rules a change can break: those about single resources on what it {@code touched} (created or
     * configured), with the egress policy; the gateway rules over the whole config; the route rules on the touched
     * routes, or on every route when {@code everyRoute}. {@code registryChanged}: whether {@code resolver} is new
     * with this change (a Service, ServiceEntry, WorkloadEntry or DestinationRule changed). Field rules are assumed
     * to hold. The live config passed all of them, so what the change does not reach cannot have broken.
     */
    static void validate(MeshConfig config, DestinationResolver resolver, boolean registryChanged, boolean everyRoute,
                         java.util.SortedSet<ResourceKey> touched, EgressPolicy egress, Findings findings) {
        validate(null, config, resolver, registryChanged, everyRoute, touched, egress, findings);
    }

    /** {@code live}: the config the change is made to (null: none, every rule judged as for a new config). */
    static void validate(MeshConfig live, MeshConfig config, DestinationResolver resolver, boolean registryChanged,
                         boolean everyRoute, java.util.SortedSet<ResourceKey> touched, EgressPolicy egress,
                         Findings findings) {
        Map<Integer, ListenerBinding> bindings = ListenerBindings.compute(config);
        RegistryRules.check(config, resolver.registry(), touched, registryChanged, findings);
        EgressRules.check(config, resolver.registry(), touched, egress, findings);
        VisibilityRules.check(config, touched, findings);
        GatewayRules.check(config, bindings, touched, findings);
        RouteRules.check(config, resolver, bindings, touched, everyRoute, findings);
        BackendTlsPolicyRules.check(config, resolver, touched, findings);
        List<Resource> routes = new java.util.ArrayList<>();
        for (Kind kind : ROUTES) {
            (everyRoute ? config.ofKind(kind) : EgressRules.touched(config, touched, kind)).forEach(routes::add);
        }
        ExportRules.check(live, config, resolver, routes, touched, findings);
    }

}
