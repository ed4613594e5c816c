package io.kshift.model.registry;

import io.kshift.model.istio.ServiceEntrySpec;
import io.kshift.model.istio.WorkloadEntrySpec;
import io.kshift.model.k8s.KubeServicePort;
import io.kshift.model.k8s.ServiceSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a destination host means, decided once for validator and proxies alike. A short name {@code tcp-echo} is
 * the Service of that name in the referring resource's namespace; {@code name.ns}, {@code name.ns.svc} and
 * {@code name.ns.svc.cluster.local} name a Service in another namespace; otherwise a ServiceEntry host. A host
 * the registry does not know resolves by DNS (the caller decides whether that is allowed).
 */
public final class ServiceRegistry {
    private static final String CLUSTER_SUFFIX = ".svc.cluster.local";
    private final Map<String, MeshService> servicesByNamespacedName;
    private final Map<String, MeshService> entriesByHost;

    /** The Services by namespace, then name: an order every node and every build shares (a map's is salted). */
    private final List<MeshService> ordered;

    private ServiceRegistry(Map<String, MeshService> services, Map<String, MeshService> entries) {
        this.servicesByNamespacedName = Map.copyOf(services);
        this.entriesByHost = Map.copyOf(entries);
        List<MeshService> sorted = new ArrayList<>(services.values());
        sorted.sort(java.util.Comparator.comparing(MeshService::namespace).thenComparing(MeshService::name));
        this.ordered = List.copyOf(sorted);
    }

    public static ServiceRegistry build(MeshConfig config) {
        return build(config, null);
    }

    /**
     * The registry a node of {@code nodeNamespace} (null: no node in particular) resolves hosts with. Of several
     * ServiceEntries declaring one host, the node's own namespace's wins, else the oldest, as Istio's sidecar scope
     * picks among services sharing a hostname: a newer entry in another namespace cannot take a host over.
     */
    public static ServiceRegistry build(MeshConfig config, String nodeNamespace) {
        WorkloadIndex workloads = new WorkloadIndex(config.ofKind(Kind.WORKLOAD_ENTRY));
        Map<String, MeshService> services = new HashMap<>();
        for (Resource r : config.ofKind(Kind.SERVICE)) {
            ServiceSpec spec = r.specAs(ServiceSpec.class);
            List<ServicePortInfo> ports = spec.ports().stream().map(ServiceRegistry::portInfo).toList();
            List<Endpoint> endpoints = spec.selector().isEmpty() ? List.of()
                    : workloads.select(r.namespace(), spec.selector());
            String host = r.name() + "." + r.namespace() + CLUSTER_SUFFIX;
            services.put(r.namespace() + "/" + r.name(), new MeshService(host, r.namespace(), r.name(),
                    MeshService.Origin.SERVICE, ports, endpoints, false, List.of()));
        }
        Map<String, MeshService> entries = new HashMap<>();
        for (Resource r : config.oldestFirst(Kind.SERVICE_ENTRY)) {
            ServiceEntrySpec spec = r.specAs(ServiceEntrySpec.class);
            List<ServicePortInfo> ports = spec.ports().stream()
                    .map(p -> new ServicePortInfo(p.number(), p.name(), p.targetPort(), null,
                            p.protocol() == null ? null : p.protocol().toUpperCase(java.util.Locale.ROOT))).toList();
            for (String host : spec.hosts()) {
                MeshService held = entries.get(host);
                if (held == null || r.namespace().equals(nodeNamespace) && !held.namespace().equals(nodeNamespace)) {
                    entries.put(host, new MeshService(host, r.namespace(), r.name(), MeshService.Origin.SERVICE_ENTRY,
                            ports, entryEndpoints(spec, host, workloads, r.namespace()), dns(spec),
                            spec.subjectAltNames()));
                }
            }
        }
        return new ServiceRegistry(services, entries);
    }

    private static ServicePortInfo portInfo(KubeServicePort p) {
        return new ServicePortInfo(p.port(), p.name(), p.numericTargetPort(), p.namedTargetPort(),
                ServicePortInfo.kubernetesProtocol(p.appProtocol(), p.name()));
    }

    private static boolean dns(ServiceEntrySpec spec) {
        return spec.resolution() == ServiceEntrySpec.Resolution.DNS
                || spec.resolution() == ServiceEntrySpec.Resolution.DNS_ROUND_ROBIN;
    }

    private static List<Endpoint> entryEndpoints(ServiceEntrySpec spec, String host, WorkloadIndex workloads,
                                                 String namespace) {
        List<Endpoint> out = new ArrayList<>();
        for (WorkloadEntrySpec e : spec.endpoints()) {
            out.add(new Endpoint(e.address(), e.ports(), e.labels(), e.locality(), e.weight() == null ? 1
                    : e.weight()));
        }
        if (spec.workloadSelector() != null) {
            out.addAll(workloads.select(namespace, spec.workloadSelector().labels()));
        }
        if (out.isEmpty() && dns(spec) && spec.workloadSelector() == null) {
            // The host name itself only for an entry that names no workloads (Istio's convertServiceEntryToInstances):
            // one whose selector selects none yet has no endpoints, not whatever public DNS says for its host.
            out.add(new Endpoint(host, Map.of(), Map.of()));
        }
        return List.copyOf(out);
    }


    /** The services ServiceEntries declare, one per host. */
    public java.util.Collection<MeshService> entries() {
        return entriesByHost.values();
    }

    /** Whether {@code serviceHost} is the host of a service here (a Service's full name or a ServiceEntry host). */
    public boolean declares(String serviceHost) {
        if (entriesByHost.containsKey(serviceHost)) {
            return true;
        }
        if (!serviceHost.endsWith(CLUSTER_SUFFIX)) {
            return false;
        }
        String[] parts = serviceHost.substring(0, serviceHost.length() - CLUSTER_SUFFIX.length()).split("\\.");
        return parts.length == 2 && servicesByNamespacedName.containsKey(parts[1] + "/" + parts[0]);
    }

    /** The service a host names, seen from a resource in {@code fromNamespace}. */
    public Optional<MeshService> lookup(String host, String fromNamespace) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        MeshService entry = entriesByHost.get(h);
        if (entry != null) {
            return Optional.of(entry);
        }
        String qualified = h.endsWith(CLUSTER_SUFFIX) ? h.substring(0, h.length() - CLUSTER_SUFFIX.length())
                : h.endsWith(".svc") ? h.substring(0, h.length() - 4) : h;
        String[] parts = qualified.split("\\.");
        if (parts.length == 1) {
            return Optional.ofNullable(servicesByNamespacedName.get(fromNamespace + "/" + parts[0]));
        }
        if (parts.length == 2) {
            return Optional.ofNullable(servicesByNamespacedName.get(parts[1] + "/" + parts[0]));
        }
        return Optional.empty();
    }

    /**
     * The hosts of the services that differ between {@code before} and this registry: added, removed, or with other
     * ports or endpoints. What resolves to any other service resolves as it did before (DestinationRules aside).
     */
    public java.util.Set<String> changedHosts(ServiceRegistry before) {
        java.util.Set<String> out = new java.util.HashSet<>();
        changed(before.servicesByNamespacedName, servicesByNamespacedName, out);
        changed(before.entriesByHost, entriesByHost, out);
        return out;
    }

    private static void changed(Map<String, MeshService> before, Map<String, MeshService> after,
                                java.util.Set<String> out) {
        after.forEach((k, s) -> {
            if (!s.equals(before.get(k))) {
                out.add(s.host());
            }
        });
        before.forEach((k, s) -> {
            if (!after.containsKey(k)) {
                out.add(s.host());
            }
        });
    }

    /** Every Kubernetes-style Service (not ServiceEntry hosts), ordered by namespace, then name. */
    public java.util.Collection<MeshService> services() {
        return ordered;
    }

    /** A Service by namespace and name, as Gateway API backendRefs name them. */
    public Optional<MeshService> service(String namespace, String name) {
        return Optional.ofNullable(servicesByNamespacedName.get(namespace + "/" + name));
    }

    /** Whether a host may fall back to DNS: a dotted name that is not a cluster-local service name. */
    public static boolean dnsCandidate(String host) {
        return host.contains(".") && !host.endsWith(CLUSTER_SUFFIX) && !host.endsWith(".svc")
                && host.matches("[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?");
    }

}
