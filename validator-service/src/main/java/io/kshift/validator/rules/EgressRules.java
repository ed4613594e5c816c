package io.kshift.validator.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.kshift.model.codec.Codecs;
import io.kshift.model.istio.ServiceEntrySpec;
import io.kshift.model.istio.WorkloadEntrySpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.Endpoint;
import io.kshift.model.registry.MeshService;
import io.kshift.model.registry.ServicePortInfo;
import io.kshift.model.registry.ServiceRegistry;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@link EgressPolicy} on everything a change makes proxies connect to: a WorkloadEntry's or a ServiceEntry
 * endpoint's address, a ServiceEntry's IP-literal hosts, every address and port of a Service or ServiceEntry the
 * change touches or that gains a touched endpoint, and every VirtualService destination or mirror that resolves by
 * DNS (a host the registry does not know, an IP literal included). Resources the change does not touch are left
 * alone: a policy an admin tightens later does not block unrelated changes.
 */
final class EgressRules {
    static final String HINT = "; an admin may allow it with kshift.validator.egress.allow";

    private EgressRules() {
    }

    /** {@code changed}: the resources the change creates or configures, in key order. */
    static void check(MeshConfig config, ServiceRegistry registry, java.util.SortedSet<ResourceKey> changed,
                      EgressPolicy policy, Findings findings) {
        Set<String> changedAddresses = new HashSet<>();
        boolean servicesChanged = false;
        for (Resource r : touched(config, changed, Kind.WORKLOAD_ENTRY)) {
            WorkloadEntrySpec spec = r.specAs(WorkloadEntrySpec.class);
            changedAddresses.add(spec.address());
            endpoint(r.key(), "spec", spec, policy, findings);
        }
        for (Resource r : touched(config, changed, Kind.SERVICE_ENTRY)) {
            servicesChanged = true;
            ServiceEntrySpec spec = r.specAs(ServiceEntrySpec.class);
            for (int i = 0; i < spec.hosts().size(); i++) {
                int index = i;
                policy.denialOf(spec.hosts().get(i)).ifPresent(why -> findings.error(r.key(), "spec.hosts["
                        + index + "]", why + HINT));
            }
            for (int i = 0; i < spec.endpoints().size(); i++) {
                changedAddresses.add(spec.endpoints().get(i).address());
                endpoint(r.key(), "spec.endpoints[" + i + "]", spec.endpoints().get(i), policy, findings);
            }
        }
        servicesChanged |= !touched(config, changed, Kind.SERVICE).isEmpty();
        if (servicesChanged || !changedAddresses.isEmpty()) {
            // Only a touched service, or one that gains a touched endpoint, has anything new to check.
            List<MeshService> services = new ArrayList<>(registry.services());
            services.addAll(registry.entries());
            for (MeshService service : services) {
                service(service, changed, changedAddresses, policy, findings);
            }
        }
        for (Resource r : touched(config, changed, Kind.VIRTUAL_SERVICE)) {
            destinations(r, Codecs.json().valueToTree(r.spec()), "spec", registry, policy, findings);
        }
    }

    /** The resources of {@code kind} among {@code changed} that {@code config} holds, in key order. */
    static List<Resource> touched(MeshConfig config, java.util.SortedSet<ResourceKey> changed, Kind kind) {
        List<Resource> out = new ArrayList<>();
        for (ResourceKey key : changed) {
            if (key.kind() == kind) {
                config.get(key).ifPresent(out::add);
            }
        }
        return out;
    }

    private static void service(MeshService service, Set<ResourceKey> changed, Set<String> changedAddresses,
                                EgressPolicy policy, Findings findings) {
        ResourceKey key = new ResourceKey(service.origin() == MeshService.Origin.SERVICE ? Kind.SERVICE
                : Kind.SERVICE_ENTRY, service.namespace(), service.name());
        boolean serviceChanged = changed.contains(key);
        for (Endpoint e : service.endpoints()) {
            if (!serviceChanged && !changedAddresses.contains(e.address())) {
                continue;
            }
            if (changedAddresses.contains(e.address()) && policy.denialOf(e.address()).isPresent()) {
                continue; // a denied range: said once, at the address itself
            }
            for (int i = 0; i < service.ports().size(); i++) {
                ServicePortInfo port = service.ports().get(i);
                int target = MeshService.endpointPort(e, port);
                int index = i;
                policy.denialOf(e.address(), target).ifPresent(why -> findings.error(key, "spec.ports[" + index
                        + "]", "sends traffic to " + e.address() + ":" + target + ", and " + why + HINT));
            }
        }
    }

    /**
     * Every {@code destination} and {@code mirror} under {@code node}: by DNS when the registry does not know its host,
     * else by the registered service's name and port.
     */
    private static void destinations(Resource vs, JsonNode node, String path, ServiceRegistry registry,
                                     EgressPolicy policy, Findings findings) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> f : iterable(node)) {
                String field = path + "." + f.getKey();
                JsonNode value = f.getValue();
                if ((f.getKey().equals("destination") || f.getKey().equals("mirror")) && value.has("host")) {
                    String host = value.path("host").asText();
                    int port = value.path("port").path("number").asInt(-1);
                    var known = registry.lookup(host, vs.namespace());
                    if (known.isEmpty()) {
                        (port > 0 ? policy.denialOf(host, port) : policy.denialOf(host)).or(() -> policy.denialOf(host))
                                .ifPresent(why -> findings.error(vs.key(), field + ".host", "is reached by DNS, and "
                                        + why + HINT));
                    } else {
                        // A registered service is no way around the fleet's own endpoints: the registry adapter
                        // registers kshift's namespace too, and Service kshift/config-service is config-service.
                        MeshService service = known.get();
                        List<Integer> ports = port > 0 ? List.of(port)
                                : service.ports().stream().map(ServicePortInfo::number).toList();
                        ports.stream().map(p -> policy.denialOf(service.host(), p)).flatMap(java.util.Optional::stream)
                                .findFirst().ifPresent(why -> findings.error(vs.key(), field + ".host",
                                        "is the registered service " + service.host() + ", and " + why + HINT));
                    }
                } else {
                    destinations(vs, value, field, registry, policy, findings);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                destinations(vs, node.get(i), path + "[" + i + "]", registry, policy, findings);
            }
        }
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode node) {
        return node::fields;
    }

    private static void endpoint(ResourceKey key, String field, WorkloadEntrySpec spec, EgressPolicy policy,
                                 Findings findings) {
        policy.denialOf(spec.address()).ifPresent(why -> findings.error(key, field + ".address", why + HINT));
        for (Map.Entry<String, Integer> p : new java.util.TreeMap<>(spec.ports()).entrySet()) {
            if (p.getValue() != null) {
                policy.denialOf(spec.address(), p.getValue()).ifPresent(why -> findings.error(key, field + ".ports."
                        + p.getKey(), why + HINT));
            }
        }
    }
}
