package io.kshift.validator.rules;

import io.kshift.model.istio.DestinationRuleSpec;
import io.kshift.model.istio.ServiceEntrySpec;
import io.kshift.model.istio.WorkloadEntrySpec;
import io.kshift.model.k8s.ServiceSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.ServiceRegistry;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import java.util.HashSet;
import java.util.Set;

/** Rules on the registry kinds (Service, ServiceEntry, WorkloadEntry) and on DestinationRules. */
final class RegistryRules {
    private RegistryRules() {
    }

    /**
     * Each touched Service, WorkloadEntry and ServiceEntry on its own (what it says of itself cannot change
     * otherwise), and every DestinationRule whenever the registry they name may have changed.
     */
    static void check(MeshConfig config, ServiceRegistry registry, java.util.SortedSet<ResourceKey> touched,
                      boolean registryChanged, Findings findings) {
        for (Resource r : EgressRules.touched(config, touched, Kind.SERVICE)) {
            ServiceSpec spec = r.specAs(ServiceSpec.class);
            if (spec.ports().isEmpty()) {
                findings.error(r.key(), "spec.ports", "at least one port is required");
            }
            Set<String> names = new HashSet<>();
            for (int i = 0; i < spec.ports().size(); i++) {
                String name = spec.ports().get(i).name();
                if (spec.ports().size() > 1 && (name == null || !names.add(name))) {
                    findings.error(r.key(), "spec.ports[" + i + "].name", "ports of a multi-port Service need unique names");
                }
            }
        }
        for (Resource r : EgressRules.touched(config, touched, Kind.WORKLOAD_ENTRY)) {
            String address = r.specAs(WorkloadEntrySpec.class).address();
            if (address == null || address.isBlank()) {
                findings.error(r.key(), "spec.address", "is required");
            }
        }
        java.util.List<Resource> entries = EgressRules.touched(config, touched, Kind.SERVICE_ENTRY);
        for (Resource r : entries) {
            serviceEntry(r, findings);
        }
        if (!entries.isEmpty()) {
            sharedHosts(config, entries, findings);
        }
        if (!registryChanged) {
            return;
        }
        java.util.Map<String, Merged> byHost = new java.util.HashMap<>();
        for (Resource r : config.oldestFirst(Kind.DESTINATION_RULE)) {
            destinationRule(r, registry, findings, byHost);
        }
    }

    /**
     * A host an older ServiceEntry declares stays that entry's (ServiceRegistry: the oldest holds it, but on the
     * nodes of a namespace that declares it too): a newer one is warned that it is not what most proxies use.
     */
    private static void sharedHosts(MeshConfig config, java.util.List<Resource> entries, Findings findings) {
        java.util.Map<String, Resource> oldest = new java.util.HashMap<>();
        for (Resource r : config.oldestFirst(Kind.SERVICE_ENTRY)) {
            for (String host : r.specAs(ServiceEntrySpec.class).hosts()) {
                oldest.putIfAbsent(host, r);
            }
        }
        for (Resource r : entries) {
            java.util.List<String> hosts = r.specAs(ServiceEntrySpec.class).hosts();
            for (int i = 0; i < hosts.size(); i++) {
                Resource holder = oldest.get(hosts.get(i));
                if (holder != null && !holder.key().equals(r.key())) {
                    findings.warn(r.key(), "spec.hosts[" + i + "]", "host " + hosts.get(i)
                            + " is declared by the older ServiceEntry " + holder.namespace() + "/" + holder.name()
                            + ", which proxies that see both use for it"
                            + (holder.namespace().equals(r.namespace()) ? ""
                            : " (but those of namespace " + r.namespace() + ", which prefer their own namespace's)"));
                }
            }
        }
    }

    private static void serviceEntry(Resource r, Findings findings) {
        ServiceEntrySpec spec = r.specAs(ServiceEntrySpec.class);
        if (spec.hosts().isEmpty()) {
            findings.error(r.key(), "spec.hosts", "at least one host is required");
        }
        if (spec.ports().isEmpty()) {
            findings.error(r.key(), "spec.ports", "at least one port is required");
        }
        Set<Integer> numbers = new HashSet<>();
        Set<String> portNames = new HashSet<>();
        for (int i = 0; i < spec.ports().size(); i++) {
            var p = spec.ports().get(i);
            if (!numbers.add(p.number())) {
                findings.error(r.key(), "spec.ports[" + i + "].number", "port " + p.number() + " is already defined");
            }
            if (p.name() != null && !portNames.add(p.name())) {
                findings.error(r.key(), "spec.ports[" + i + "].name", "port name '" + p.name()
                        + "' is already defined");
            }
        }
        for (int i = 0; i < spec.hosts().size(); i++) {
            if (spec.hosts().get(i).indexOf(':') >= 0) {
                findings.error(r.key(), "spec.hosts[" + i + "]", "'" + spec.hosts().get(i) + "' is not a host name:"
                        + " a ServiceEntry host has no port (ports go in spec.ports, addresses in spec.addresses)");
            }
            if (spec.hosts().get(i).equals("*")) {
                findings.error(r.key(), "spec.hosts[" + i + "]", "'*' names every host: declare the hosts, or"
                        + " '*.' wildcards of a domain");
            }
        }
        if (!spec.endpoints().isEmpty() && spec.workloadSelector() != null) {
            findings.error(r.key(), "spec.workloadSelector", "only one of workloadSelector and endpoints may be set");
        }
        boolean dnsResolved = spec.resolution() == ServiceEntrySpec.Resolution.DNS
                || spec.resolution() == ServiceEntrySpec.Resolution.DNS_ROUND_ROBIN;
        if (dnsResolved && spec.endpoints().isEmpty() && spec.workloadSelector() == null) {
            for (int i = 0; i < spec.hosts().size(); i++) {
                if (spec.hosts().get(i).startsWith("*.")) {
                    findings.error(r.key(), "spec.hosts[" + i + "]", "resolution " + spec.resolution() + " without"
                            + " endpoints resolves each host by DNS, and a wildcard has no address: name the hosts,"
                            + " or give endpoints");
                }
            }
        }
        boolean isStatic = spec.resolution() == ServiceEntrySpec.Resolution.STATIC;
        if (isStatic && spec.endpoints().isEmpty() && spec.workloadSelector() == null) {
            findings.error(r.key(), "spec.endpoints", "resolution STATIC needs endpoints or a workloadSelector");
        }
        for (int i = 0; i < spec.endpoints().size(); i++) {
            String address = spec.endpoints().get(i).address();
            if (address == null || address.isBlank()) {
                findings.error(r.key(), "spec.endpoints[" + i + "].address", "is required");
            }
        }
        TlsRules.subjectAltNames(r.key(), spec.subjectAltNames(), "spec.subjectAltNames", findings);
    }

    /** What the older rules of one namespace for one host gave the merge: who set the policy, who each subset. */
    private static final class Merged {
        final Resource first;
        Resource policy;
        final java.util.Map<String, Resource> subsets = new java.util.HashMap<>();

        Merged(Resource first) {
            this.first = first;
        }
    }

    /**
     * Several rules of one namespace for one service merge as Istio merges them (oldest first: the first
     * trafficPolicy, every subset, the oldest of a name): said on the younger rule where part of it is left out.
     */
    private static void destinationRule(Resource r, ServiceRegistry registry, Findings findings,
                                        java.util.Map<String, Merged> byHost) {
        DestinationRuleSpec spec = r.specAs(DestinationRuleSpec.class);
        String host = registry.lookup(spec.host(), r.namespace()).map(s -> s.host()).orElse(spec.host());
        // Rules with a workloadSelector merge among those with the same one (and come before the rest on the nodes
        // they select): DestinationResolver.
        Merged merged = byHost.computeIfAbsent(r.namespace() + "/" + host + (spec.workloadSelector() == null ? ""
                : " " + new java.util.TreeMap<>(spec.workloadSelector().matchLabels())), k -> new Merged(r));
        if (merged.first != r) {
            findings.warn(r.key(), "spec.host", "host '" + spec.host() + "' also has " + merged.first.key()
                    + " in this namespace: they are merged as Istio merges them (every subset; of two with one name,"
                    + " and of two trafficPolicies, the older rule's)");
        }
        if (spec.trafficPolicy() != null) {
            if (merged.policy == null) {
                merged.policy = r;
            } else {
                findings.warn(r.key(), "spec.trafficPolicy", "ignored: the older " + merged.policy.key()
                        + " for this host has a trafficPolicy, and that one applies");
            }
        }
        for (int i = 0; i < spec.subsets().size(); i++) {
            Resource older = merged.subsets.putIfAbsent(spec.subsets().get(i).name(), r);
            if (older != null && older != r) {
                findings.warn(r.key(), "spec.subsets[" + i + "].name", "ignored: the older " + older.key()
                        + " defines subset '" + spec.subsets().get(i).name() + "' for this host, and that one applies");
            }
        }
        if (spec.host() != null && spec.host().startsWith("*")) {
            findings.warn(r.key(), "spec.host", "a wildcard host ('" + spec.host() + "') is not matched against"
                    + " services by this kshift version: the rule applies to no service; name each host (Istio would"
                    + " apply it to every service under it that has no rule of its own)");
        } else if (registry.lookup(spec.host(), r.namespace()).isEmpty()) {
            findings.warn(r.key(), "spec.host", "host '" + spec.host() + "' is not a known Service or ServiceEntry"
                    + " host; this rule applies to nothing yet" + (ServiceRegistry.dnsCandidate(spec.host())
                    ? " (a destination resolved by DNS takes no DestinationRule: declare the host with a ServiceEntry)"
                    : ""));
        }
        workloadSelector(r, spec, findings);
        registry.lookup(spec.host(), r.namespace()).filter(svc -> !svc.namespace().equals(r.namespace())
                && !r.namespace().equals(io.kshift.model.registry.DestinationResolver.ROOT_NAMESPACE))
                .ifPresent(svc -> findings.warn(r.key(), "spec.host", "applies only on proxy nodes of namespace "
                        + r.namespace() + " (kshift.proxy.namespace): as Istio's proxies, a node looks for"
                        + " DestinationRules in its own namespace, then the service's (" + svc.namespace() + "), then "
                        + io.kshift.model.registry.DestinationResolver.ROOT_NAMESPACE + "'s; routes in " + r.namespace()
                        + " served by other nodes do not use it"));
        TrafficPolicyRules.check(r, "spec.trafficPolicy", spec.trafficPolicy(), findings);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < spec.subsets().size(); i++) {
            var subset = spec.subsets().get(i);
            if (!names.add(subset.name())) {
                findings.error(r.key(), "spec.subsets[" + i + "].name", "duplicate subset name '" + subset.name() + "'");
            }
            TrafficPolicyRules.check(r, "spec.subsets[" + i + "].trafficPolicy", subset.trafficPolicy(),
                    findings);
        }
    }

    /**
     * Istio's checks of a rule's workloadSelector: it applies to the proxies of its own namespace, so it is exported
     * nowhere else; without labels it selects every proxy there (a warning, as Istio's).
     */
    private static void workloadSelector(Resource r, DestinationRuleSpec spec, Findings findings) {
        if (spec.workloadSelector() == null) {
            return;
        }
        if (spec.workloadSelector().matchLabels().isEmpty()) {
            findings.warn(r.key(), "spec.workloadSelector.matchLabels", "workload selector specified without labels:"
                    + " the rule applies to every proxy node of namespace " + r.namespace());
        }
        Set<String> exported = new java.util.LinkedHashSet<>();
        spec.exportTo().forEach(e -> exported.add(e.equals(".") ? r.namespace() : e));
        if (!exported.isEmpty()) {
            if (!exported.contains(r.namespace())) {
                findings.error(r.key(), "spec.exportTo", "a destination rule with a workload selector cannot be"
                        + " exported beyond its own namespace (it applies only to proxy nodes of " + r.namespace() + ")");
            } else if (exported.size() > 1) {
                findings.error(r.key(), "spec.exportTo", "a destination rule with a workload selector cannot have"
                        + " several entries in exportTo (it applies only to proxy nodes of " + r.namespace() + ")");
            }
        }
    }
}
