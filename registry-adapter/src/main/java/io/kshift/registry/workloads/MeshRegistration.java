package io.kshift.registry.workloads;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kshift.model.istio.WorkloadEntrySpec;
import io.kshift.model.k8s.KubeServicePort;
import io.kshift.model.k8s.ServiceSpec;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.ObjectMeta;
import io.kshift.model.resource.Resource;
import io.kshift.registry.kube.KubeObjects;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the mesh should know of a cluster, as Istio's Kubernetes registry builds it: each Service with a selector
 * becomes a kshift {@code Service}, and each ready pod behind it (an EndpointSlice endpoint whose targetRef is a
 * Pod) a {@code WorkloadEntry} named after the pod, with the pod's address, its labels ({@code app},
 * {@code version}: what DestinationRule subsets select) and its ports by Service port name. A pure function.
 */
public final class MeshRegistration {
    /** Marks the resources this adapter owns: it never changes or deletes one without it. */
    public static final String MANAGED_BY = "kshift.io/managed-by";
    public static final String ADAPTER = "kshift-registry-adapter";
    /** The name given to a Service's single unnamed port, on the Service and on its workloads alike. */
    static final String UNNAMED_PORT = "unnamed";
    private static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private MeshRegistration() {
    }

    public static List<Resource> desired(KubeObjects cluster) {
        Map<String, Service> services = new java.util.LinkedHashMap<>();
        for (Service s : cluster.services()) {
            Map<String, String> selector = s.getSpec() == null ? null : s.getSpec().getSelector();
            if (selector == null || selector.isEmpty() || s.getSpec().getPorts() == null
                    || s.getSpec().getPorts().isEmpty()) {
                continue; // no selector (ExternalName, manual Endpoints) or no ports (headless): nothing to route to
            }
            services.put(key(s.getMetadata().getNamespace(), s.getMetadata().getName()), s);
        }
        Map<String, Pod> pods = new HashMap<>();
        cluster.pods().forEach(p -> pods.put(key(p.getMetadata().getNamespace(), p.getMetadata().getName()), p));
        Map<String, Workload> workloads = new TreeMap<>();
        for (EndpointSlice slice : primaryFamilyFirst(cluster.endpointSlices(), services)) {
            String namespace = slice.getMetadata().getNamespace();
            String serviceName = serviceName(slice);
            if (serviceName == null || !services.containsKey(key(namespace, serviceName))) {
                continue;
            }
            // A Service without ready pods has a slice whose endpoints the API server writes as null, not [].
            for (Endpoint endpoint : slice.getEndpoints() == null ? List.<Endpoint>of() : slice.getEndpoints()) {
                ObjectReference ref = endpoint.getTargetRef();
                if (ref == null || !"Pod".equals(ref.getKind()) || !ready(endpoint)
                        || endpoint.getAddresses() == null || endpoint.getAddresses().isEmpty()) {
                    continue;
                }
                Pod pod = pods.get(key(namespace, ref.getName()));
                if (pod == null) {
                    continue; // the informer has not seen the pod yet; the next reconcile will
                }
                if (!ready(pod)) {
                    continue;
                }
                Workload w = workloads.computeIfAbsent(key(namespace, ref.getName()),
                        k -> new Workload(namespace, ref.getName(), endpoint.getAddresses().get(0),
                                pod.getMetadata().getLabels()));
                for (EndpointPort port : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
                    if (port.getPort() != null) {
                        w.byService.computeIfAbsent(portName(port.getName()), n -> new TreeMap<>())
                                .put(serviceName, port.getPort());
                    }
                }
            }
        }
        java.util.Set<String> qualified = new java.util.HashSet<>();
        workloads.values().forEach(w -> w.byService.forEach((name, numbers) -> {
            if (new java.util.HashSet<>(numbers.values()).size() > 1) {
                numbers.keySet().forEach(service -> qualified.add(qualifiedKey(w.namespace, service, name)));
            }
        }));
        List<Resource> out = new ArrayList<>();
        services.values().forEach(s -> out.add(service(s, qualified)));
        for (Workload w : workloads.values()) {
            Map<String, Integer> ports = new TreeMap<>();
            w.byService.forEach((name, numbers) -> numbers.forEach((service, number) -> {
                if (qualified.contains(qualifiedKey(w.namespace, service, name))) {
                    ports.put(qualifiedName(name, service), number);
                } else {
                    ports.put(name, number);
                }
            }));
            out.add(managed(Kind.WORKLOAD_ENTRY, w.namespace, w.name,
                    new WorkloadEntrySpec(w.address, ports, w.labels, null, null, null, null)));
        }
        return List.copyOf(out);
    }

    private static String serviceName(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        return labels == null ? null : labels.get(SERVICE_NAME_LABEL);
    }

    /**
     * A dual-stack Service has a slice per address family, and a pod one WorkloadEntry with one address: the
     * address of the Service's primary family ({@code ipFamilies[0]}, IPv4 when unset), whatever order the
     * informer's cache lists the slices in (it used to follow that order, so a pod's address could flip between
     * families from one resync to the next).
     */
    private static List<EndpointSlice> primaryFamilyFirst(List<EndpointSlice> slices, Map<String, Service> services) {
        return slices.stream().sorted(java.util.Comparator.comparingInt(slice -> {
            Service s = services.get(key(slice.getMetadata().getNamespace(), String.valueOf(serviceName(slice))));
            List<String> families = s == null ? null : s.getSpec().getIpFamilies();
            String primary = families == null || families.isEmpty() ? "IPv4" : families.get(0);
            return primary.equals(slice.getAddressType()) ? 0 : 1;
        })).toList();
    }

    private static Resource service(Service s, java.util.Set<String> qualified) {
        String namespace = s.getMetadata().getNamespace();
        String name = s.getMetadata().getName();
        Resource service = managed(Kind.SERVICE, namespace, name, new ServiceSpec(s.getSpec().getPorts().stream()
                .map(p -> port(p, qualified.contains(qualifiedKey(namespace, name, portName(p.getName())))
                        ? qualifiedName(portName(p.getName()), name) : null)).toList(),
                s.getSpec().getSelector(), null));
        // Istio reads a Service's visibility from this annotation: it travels with the Service.
        String exportTo = s.getMetadata().getAnnotations() == null ? null
                : s.getMetadata().getAnnotations().get(io.kshift.model.routing.Exports.SERVICE_ANNOTATION);
        if (exportTo == null) {
            return service;
        }
        ObjectMeta meta = service.metadata();
        return new Resource(service.apiVersion(), service.kind(), new ObjectMeta(meta.name(), meta.namespace(),
                meta.labels(), Map.of(io.kshift.model.routing.Exports.SERVICE_ANNOTATION, exportTo)), service.spec());
    }

    /**
     * A workload's ports are by name, for every Service that selects it; two Services of one pod may give one port
     * name different container ports (a Service {@code foo} with {@code http} to 8080 and {@code foo-admin} with
     * {@code http} to 9090). Their ports then get a name of their own, {@code http.foo} and {@code http.foo-admin},
     * which each Service's port names as its target: one shared name would send one Service's traffic to the
     * other's container port.
     */
    private static String qualifiedName(String portName, String service) {
        return portName + "." + service;
    }

    private static String qualifiedKey(String namespace, String service, String portName) {
        return namespace + "/" + service + "/" + portName;
    }

    /**
     * The pod itself ready and not terminating. A slice's {@code ready} is not enough: a Service with
     * {@code publishNotReadyAddresses} (a StatefulSet's headless one) marks every endpoint ready, and a WorkloadEntry is
     * per pod, selected by labels for every Service, so its pod would keep the others' traffic while not ready or
     * shutting down. A pod whose status has no Ready condition yet is judged by its endpoints.
     */
    private static boolean ready(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        var conditions = pod.getStatus() == null ? null : pod.getStatus().getConditions();
        return conditions == null || conditions.stream().noneMatch(c -> "Ready".equals(c.getType())
                && !"True".equals(c.getStatus()));
    }

    /** Kubernetes counts an endpoint without conditions as ready. */
    private static boolean ready(Endpoint endpoint) {
        return endpoint.getConditions() == null || endpoint.getConditions().getReady() == null
                || endpoint.getConditions().getReady();
    }

    /**
     * The Service port as kshift models it. The target port is left to each workload's ports by name (the
     * EndpointSlice carries the resolved container port), so a named targetPort resolves per pod as in Kubernetes;
     * {@code workloadPortName}, when not null, is the name the workloads give it instead of the port's own.
     */
    private static KubeServicePort port(ServicePort p, String workloadPortName) {
        return new KubeServicePort(portName(p.getName()), p.getProtocol(), p.getPort(), workloadPortName,
                p.getAppProtocol());
    }

    private static String portName(String name) {
        return name == null || name.isEmpty() ? UNNAMED_PORT : name;
    }

    static Resource managed(Kind kind, String namespace, String name, io.kshift.model.resource.ResourceSpec spec) {
        return new Resource(kind.preferredApiVersion(), kind.kindName(),
                new ObjectMeta(name, namespace, Map.of(MANAGED_BY, ADAPTER), null), spec);
    }

    public static boolean isManaged(Resource r) {
        return ADAPTER.equals(r.metadata().labels().get(MANAGED_BY));
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    private static final class Workload {
        final String namespace;
        final String name;
        final String address;
        final Map<String, String> labels;
        /** Port name to the number each Service's EndpointSlice gives it, by Service name. */
        final Map<String, Map<String, Integer>> byService = new TreeMap<>();

        Workload(String namespace, String name, String address, Map<String, String> labels) {
            this.namespace = namespace;
            this.name = name;
            this.address = address;
            this.labels = labels == null ? Map.of() : new TreeMap<>(labels);
        }
    }
}
