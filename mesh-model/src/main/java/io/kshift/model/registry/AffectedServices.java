package io.kshift.model.registry;

import io.kshift.model.istio.DestinationRuleSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import java.util.HashSet;
import java.util.Set;

/**
 * Which services a config change may resolve differently: those whose registry entry changed (ports, endpoints,
 * added, removed) and those a changed DestinationRule or BackendTLSPolicy names, before or after. A route whose
 * destinations are all other services resolves exactly as before, so a route table builder can keep it without
 * resolving it again.
 */
public final class AffectedServices {
    /** Nothing known about the previous config: everything counts as affected. */
    public static final AffectedServices ALL = new AffectedServices(true, Set.of(), null);

    private final boolean registryChanged;
    private final Set<String> hosts;
    /** The registry destinations were resolved in before: a host it does not declare was resolved by DNS. */
    private final ServiceRegistry before;

    private AffectedServices(boolean registryChanged, Set<String> hosts, ServiceRegistry before) {
        this.registryChanged = registryChanged;
        this.hosts = hosts;
        this.before = before;
    }

    /** Nothing resolves differently: the config changed only in what the resolver does not read. */
    public static final AffectedServices NONE = new AffectedServices(false, Set.of(), null);

    public static AffectedServices between(MeshConfig before, DestinationResolver beforeResolver, MeshConfig after,
                                           DestinationResolver afterResolver) {
        return between(before, beforeResolver, after, afterResolver, before.changedKeys(after));
    }

    /** {@code changedKeys}: {@code before.changedKeys(after)}, when the caller has it already. */
    public static AffectedServices between(MeshConfig before, DestinationResolver beforeResolver, MeshConfig after,
                                           DestinationResolver afterResolver, java.util.List<ResourceKey> changedKeys) {
        if (beforeResolver == afterResolver) {
            return NONE;
        }
        Set<String> hosts = new HashSet<>(afterResolver.registry().changedHosts(beforeResolver.registry()));
        boolean registry = !hosts.isEmpty();
        for (ResourceKey key : changedKeys) {
            if (key.kind() == Kind.SERVICE_ENTRY) {
                // A ServiceEntry host is looked up before Services and can shadow one under another name:
                // too subtle to track, so every destination is resolved again (compiled routes are still reused).
                return ALL;
            }
            if (key.kind() == Kind.DESTINATION_RULE) {
                registry = true;
                before.get(key).ifPresent(r -> ruleHost(r, beforeResolver, hosts));
                after.get(key).ifPresent(r -> ruleHost(r, afterResolver, hosts));
            }
            if (key.kind() == Kind.BACKEND_TLS_POLICY) {
                registry = true;
                before.get(key).ifPresent(r -> policyHosts(r, beforeResolver, hosts));
                after.get(key).ifPresent(r -> policyHosts(r, afterResolver, hosts));
            }
        }
        return new AffectedServices(registry, Set.copyOf(hosts), beforeResolver.registry());
    }

    private static void ruleHost(Resource rule, DestinationResolver resolver, Set<String> hosts) {
        resolver.registry().lookup(rule.specAs(DestinationRuleSpec.class).host(), rule.namespace())
                .ifPresent(s -> hosts.add(s.host()));
    }

    private static void policyHosts(Resource policy, DestinationResolver resolver, Set<String> hosts) {
        policy.specAs(io.kshift.model.gateway.BackendTlsPolicySpec.class).targetRefs().stream()
                .filter(io.kshift.model.gateway.BackendTlsPolicySpec.TargetRef::service)
                .forEach(t -> resolver.registry().service(policy.namespace(), t.name())
                        .ifPresent(s -> hosts.add(s.host())));
    }

    /**
     * Whether a destination of this service may resolve differently now. One resolved by DNS (its host no Service or
     * ServiceEntry declared) may whenever the registry or its rules changed: a Service {@code reviews.prod} created,
     * or exported to the node, takes it over, and a DestinationRule for its name may originate TLS to it.
     */
    public boolean affects(String serviceHost) {
        return this == ALL || hosts.contains(serviceHost)
                || registryChanged && before != null && !before.declares(serviceHost);
    }

    /** Whether anything in the registry or its rules changed (a destination that did not resolve might now). */
    public boolean any() {
        return this == ALL || registryChanged;
    }

    public Set<String> hosts() {
        return hosts;
    }
}
