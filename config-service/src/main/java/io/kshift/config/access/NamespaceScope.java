package io.kshift.config.access;

import io.kshift.model.auth.Grant;
import io.kshift.model.auth.Role;
import io.kshift.model.event.ValidationMessage;
import io.kshift.model.istio.ServiceEntrySpec;
import io.kshift.model.istio.VirtualServiceSpec;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an editor limited to some namespaces may not do even inside them: claim another namespace's traffic. A
 * ServiceEntry host is global (a short name, or another namespace's {@code name.ns.svc.cluster.local}, would
 * shadow that Service for every namespace), and so is a VirtualService host of another namespace's service, a
 * mesh-wide {@code *}, or a Gateway of another namespace. Every resource outside the caller's namespaces is refused
 * too. An admin, and an editor of every namespace, may do all of it.
 */
public final class NamespaceScope {
    private NamespaceScope() {
    }

    public static List<ValidationMessage> denials(Grant grant, List<Resource> resources) {
        List<ValidationMessage> out = new ArrayList<>();
        boolean scoped = grant.role().filter(r -> r == Role.EDITOR).isPresent() && !grant.everyNamespace();
        for (Resource r : resources) {
            if (r.type() == Kind.NAMESPACE && !grant.readsAll()) {
                // A Namespace's labels decide which Gateways admit its routes: cluster-wide, like the namespace.
                out.add(new ValidationMessage(r.key().toString(), "metadata.labels", "a Namespace is cluster-scoped:"
                        + " changing it needs a token for every namespace"));
                continue;
            }
            Optional<String> outside = grant.denialToChange(r.namespace());
            if (outside.isPresent()) {
                out.add(new ValidationMessage(r.key().toString(), "metadata.namespace", outside.get()));
                continue;
            }
            if (!scoped) {
                continue;
            }
            if (r.type() == Kind.SERVICE_ENTRY) {
                List<String> hosts = r.specAs(ServiceEntrySpec.class).hosts();
                for (int i = 0; i < hosts.size(); i++) {
                    hostProblem(hosts.get(i), grant, true).ifPresent(add(out, r, "spec.hosts[" + i + "]"));
                }
            } else if (r.type() == Kind.VIRTUAL_SERVICE) {
                VirtualServiceSpec spec = r.specAs(VirtualServiceSpec.class);
                boolean meshBound = spec.gateways().isEmpty() || spec.gateways().contains("mesh");
                for (int i = 0; i < spec.hosts().size(); i++) {
                    String host = spec.hosts().get(i);
                    Optional<String> p = host.equals("*") && !meshBound ? Optional.empty()
                            : hostProblem(host, grant, false);
                    p.ifPresent(add(out, r, "spec.hosts[" + i + "]"));
                }
                for (int i = 0; i < spec.gateways().size(); i++) {
                    String gw = spec.gateways().get(i);
                    // Every Gateway the reference may name (ns/name, ./name, Istio's legacy name.namespace).
                    if (!gw.equals("mesh") && io.kshift.model.istio.GatewayRefs.candidates(gw, r.namespace()).stream()
                            .anyMatch(n -> !grant.namespaces().contains(n.namespace()))) {
                        add(out, r, "spec.gateways[" + i + "]").accept("Gateway " + gw + " is in another namespace"
                                + " than the token's " + grant.namespaces());
                    }
                }
            }
        }
        return out;
    }

    /** Why a host claims traffic outside the caller's namespaces; short names are global only in ServiceEntries. */
    private static Optional<String> hostProblem(String host, Grant grant, boolean serviceEntry) {
        // Host names are case-insensitive and the proxies match them lower-cased: so is the check, or
        // payments.bank.SVC.cluster.local would pass as no service's name and route bank's service.
        // Without a :port, which the proxies answer for each form of the name it follows (payments.bank:80 is
        // bank's payments service on port 80): the check is of the name.
        String lower = io.kshift.model.routing.HostNames.withoutRoutePort(host).toLowerCase(java.util.Locale.ROOT);
        String h = lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
        if (h.equals("*") || h.equals("*.svc") || h.startsWith("*.") && ".svc.cluster.local".endsWith(h.substring(1))) {
            return Optional.of("'" + host + "' would take every namespace's traffic");
        }
        // name.namespace is a Service's name too (HostNames answers it with the .svc forms), so it is checked alike;
        // so is *.namespace, which takes every one of them.
        String base = h.endsWith(".svc.cluster.local") ? h.substring(0, h.length() - ".svc.cluster.local".length())
                : h.endsWith(".svc") ? h.substring(0, h.length() - ".svc".length())
                : h.split("\\.").length == 2 && (!h.contains("*") || h.startsWith("*.")) ? h : null;
        if (base != null) {
            String[] parts = base.split("\\.");
            String namespace = parts[parts.length - 1];
            if (parts.length >= 2 && !grant.namespaces().contains(namespace)) {
                return Optional.of("'" + host + "' is a service of namespace " + namespace + ", not of "
                        + grant.namespaces());
            }
            return Optional.empty();
        }
        if (serviceEntry && !h.contains(".")) {
            return Optional.of("a short host in a ServiceEntry ('" + host + "') would shadow the Service of that name"
                    + " in every namespace; name it " + host + ".<namespace>.svc.cluster.local or by its external name");
        }
        return Optional.empty();
    }

    private static java.util.function.Consumer<String> add(List<ValidationMessage> out, Resource r, String field) {
        return why -> out.add(new ValidationMessage(r.key().toString(), field, why));
    }
}
