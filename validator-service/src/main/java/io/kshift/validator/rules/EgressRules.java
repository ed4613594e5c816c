package io.kshift.validator.rules;

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
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The {@link EgressPolicy} on what a change adds or alters: a WorkloadEntry's or a ServiceEntry endpoint's
 * address, a ServiceEntry's IP-literal hosts, and every address and port a changed Service, ServiceEntry or
 * WorkloadEntry makes the proxies connect to. Resources the change does not touch are left alone: a policy an admin
 * tightens later does not block unrelated changes.
 */
final class EgressRules {
    static final String HINT = "; an admin may allow it with kshift.validator.egress.allow";

    private EgressRules() {
    }

    static void check(MeshConfig config, ServiceRegistry registry, Set<String> changed, EgressPolicy policy,
                      Findings findings) {
        Set<String> changedAddresses = new HashSet<>();
        for (Resource r : config.ofKind(Kind.WORKLOAD_ENTRY)) {
            if (changed.contains(r.key().toString())) {
                WorkloadEntrySpec spec = r.specAs(WorkloadEntrySpec.class);
                changedAddresses.add(spec.address());
                endpoint(r.key(), "spec", spec, policy, findings);
            }
        }
        for (Resource r : config.ofKind(Kind.SERVICE_ENTRY)) {
            if (!changed.contains(r.key().toString())) {
                continue;
            }
            ServiceEntrySpec spec = r.specAs(ServiceEntrySpec.class);
            for (int i = 0; i < spec.hosts().size(); i++) {
                int index = i;
                policy.denialOf(spec.hosts().get(i)).ifPresent(why -> findings.error(r.key(), "spec.hosts[" + index
                        + "]", why + HINT));
            }
            for (int i = 0; i < spec.endpoints().size(); i++) {
                changedAddresses.add(spec.endpoints().get(i).address());
                endpoint(r.key(), "spec.endpoints[" + i + "]", spec.endpoints().get(i), policy, findings);
            }
        }
        for (MeshService service : registry.services()) {
            ResourceKey key = new ResourceKey(service.origin() == MeshService.Origin.SERVICE ? Kind.SERVICE
                    : Kind.SERVICE_ENTRY, service.namespace(), service.name());
            boolean serviceChanged = changed.contains(key.toString());
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
