package io.kshift.model.routing;

import io.kshift.model.istio.Destination;
import io.kshift.model.istio.HttpMatchRequest;
import io.kshift.model.istio.HttpMirrorPolicy;
import io.kshift.model.istio.HttpRoute;
import io.kshift.model.istio.HttpRouteDestination;
import io.kshift.model.istio.StringMatch;
import io.kshift.model.istio.VirtualServiceSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's VirtualService delegation, as Istio merges it: a root route with {@code delegate} is replaced by the
 * delegate VirtualService's http routes (a VirtualService without hosts), each matched within the root route's
 * match — every delegate match must fall inside one of the root's (same or longer prefix, same exact value, no
 * regular expressions, no differing header or query value), or that delegate route is dropped; conditions the
 * delegate leaves out are the root's; policies the delegate route leaves out (rewrite, timeout, retries, fault,
 * mirror, CORS, headers) are the root's. Destinations keep the delegate's namespace. One level: a delegate's own
 * {@code delegate} routes are dropped (the validator refuses them).
 */
public final class Delegation {
    private Delegation() {
    }

    /** A VirtualService's http routes with its delegations merged in, and the field each came from. */
    public record Expanded(List<HttpRoute> routes, List<String> fields) {
    }

    /** The root routes that delegate to {@code delegate}, as {@code "key field"}. */
    public static List<String> roots(MeshConfig config, ResourceKey delegate) {
        List<String> out = new ArrayList<>();
        eachRoot(config, delegate, (vs, i) -> out.add(vs.key() + " spec.http[" + i + "].delegate"));
        return out;
    }

    /**
     * The root VirtualServices (with hosts: a delegate's own delegations are not served, one level only) whose routes
     * name {@code delegate} and see it (exported to their namespace).
     */
    public static List<Resource> rootsServing(MeshConfig config, Resource delegate) {
        List<Resource> out = new ArrayList<>();
        eachRoot(config, delegate.key(), (vs, i) -> {
            if ((out.isEmpty() || out.get(out.size() - 1) != vs) && !isDelegate(vs.specAs(VirtualServiceSpec.class))
                    && Exports.exportedTo(delegate, vs.namespace())) {
                out.add(vs);
            }
        });
        return out;
    }

    /** Each delegate some route names, with the VirtualServices whose routes name it: one pass over the config. */
    public static Map<ResourceKey, java.util.Set<ResourceKey>> rootsByDelegate(MeshConfig config) {
        Map<ResourceKey, java.util.Set<ResourceKey>> out = new java.util.HashMap<>();
        for (Resource vs : config.ofKind(Kind.VIRTUAL_SERVICE)) {
            for (HttpRoute r : vs.specAs(VirtualServiceSpec.class).http()) {
                if (r.delegate() != null) {
                    out.computeIfAbsent(r.delegate().key(vs.namespace()), k -> new java.util.TreeSet<>())
                            .add(vs.key());
                }
            }
        }
        return out;
    }

    private static void eachRoot(MeshConfig config, ResourceKey delegate,
                                 java.util.function.ObjIntConsumer<Resource> root) {
        for (Resource vs : config.ofKind(Kind.VIRTUAL_SERVICE)) {
            List<HttpRoute> http = vs.specAs(VirtualServiceSpec.class).http();
            for (int i = 0; i < http.size(); i++) {
                HttpRoute.Delegate d = http.get(i).delegate();
                if (d != null && d.key(vs.namespace()).equals(delegate)) {
                    root.accept(vs, i);
                }
            }
        }
    }

    /** A VirtualService without hosts: a delegate, served only through a root route that names it. */
    public static boolean isDelegate(VirtualServiceSpec spec) {
        return spec.hosts().isEmpty();
    }

    /** The VirtualService a root route's delegate names, if it is one (exists, without hosts). */
    public static Optional<Resource> target(MeshConfig config, HttpRoute.Delegate delegate, String rootNamespace) {
        return config.get(delegate.key(rootNamespace)).filter(r -> isDelegate(r.specAs(VirtualServiceSpec.class)))
                .filter(r -> Exports.exportedTo(r, rootNamespace));
    }

    /** {@code vs}'s http routes, delegations merged; {@code fields} empty when it delegates nothing. */
    public static Expanded expand(MeshConfig config, Resource vs) {
        List<HttpRoute> http = vs.specAs(VirtualServiceSpec.class).http();
        if (http.stream().noneMatch(r -> r.delegate() != null)) {
            return new Expanded(http, List.of());
        }
        List<HttpRoute> routes = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < http.size(); i++) {
            HttpRoute root = http.get(i);
            if (root.delegate() == null) {
                routes.add(root);
                fields.add("spec.http[" + i + "]");
                continue;
            }
            Optional<Resource> target = target(config, root.delegate(), vs.namespace());
            if (target.isEmpty()) {
                continue; // not there yet: the route serves nothing (the validator says so)
            }
            Resource delegate = target.get();
            List<HttpRoute> leaves = delegate.specAs(VirtualServiceSpec.class).http();
            for (int j = 0; j < leaves.size(); j++) {
                HttpRoute leaf = leaves.get(j);
                // The delegate's destinations are named from its namespace, the root's inherited ones from the root's.
                HttpRoute merged = leaf.delegate() == null
                        ? merge(root, inNamespace(leaf, delegate.namespace(), vs.namespace()), vs.namespace(),
                        delegate.namespace()) : null;
                if (merged != null) {
                    routes.add(merged);
                    fields.add("spec.http[" + i + "] > " + delegate.key() + " spec.http[" + j + "]");
                }
            }
        }
        return new Expanded(List.copyOf(routes), List.copyOf(fields));
    }

    /** The delegate route within the root's: null when one of its matches falls inside none of the root's. */
    static HttpRoute merge(HttpRoute root, HttpRoute leaf, String rootNamespace, String leafNamespace) {
        List<HttpMatchRequest> match;
        if (root.match().isEmpty()) {
            match = leaf.match();
        } else if (leaf.match().isEmpty()) {
            match = root.match();
        } else {
            match = new ArrayList<>();
            for (HttpMatchRequest sub : leaf.match()) {
                boolean inside = false;
                for (HttpMatchRequest outer : root.match()) {
                    if (!conflicts(outer, sub) && !widensGateways(outer, sub, rootNamespace, leafNamespace)) {
                        match.add(merge(outer, sub));
                        inside = true;
                    }
                }
                if (!inside) {
                    return null;
                }
            }
        }
        return new HttpRoute(joined(root.name(), leaf.name()), match, leaf.route(), leaf.redirect(),
                or(leaf.rewrite(), root.rewrite()), or(leaf.timeout(), root.timeout()),
                or(leaf.retries(), root.retries()), or(leaf.fault(), root.fault()),
                or(leaf.mirror(), root.mirror()), or(leaf.mirrorPercentage(), root.mirrorPercentage()),
                leaf.mirrors().isEmpty() ? root.mirrors() : leaf.mirrors(),
                or(leaf.headers(), root.headers()), or(leaf.corsPolicy(), root.corsPolicy()),
                or(leaf.directResponse(), root.directResponse()), null);
    }

    /** Istio's {@code hasConflict}: whether {@code sub} asks for something {@code outer} does not cover. */
    static boolean conflicts(HttpMatchRequest outer, HttpMatchRequest sub) {
        if (conflicts(outer.uri(), sub.uri()) || conflicts(outer.scheme(), sub.scheme())
                || conflicts(outer.method(), sub.method()) || conflicts(outer.authority(), sub.authority())) {
            return true;
        }
        for (var e : sub.headers().entrySet()) {
            if (conflicts(outer.headers().get(e.getKey()), e.getValue())) {
                return true;
            }
        }
        for (var e : sub.withoutHeaders().entrySet()) {
            if (conflicts(outer.withoutHeaders().get(e.getKey()), e.getValue())) {
                return true;
            }
        }
        for (var e : sub.queryParams().entrySet()) {
            if (conflicts(outer.queryParams().get(e.getKey()), e.getValue())) {
                return true;
            }
        }
        if (!java.util.Objects.equals(Boolean.TRUE.equals(outer.ignoreUriCase()),
                Boolean.TRUE.equals(sub.ignoreUriCase()))) {
            return true;
        }
        return outer.port() != null && sub.port() != null && !outer.port().equals(sub.port());
    }

    /**
     * Istio's hasConflict on gateways: a delegate may narrow the root route's gateways, never widen them (the root's
     * owner decides where it is served: a delegate naming the public gateway under a root route bound to the internal
     * one is dropped). Compared as Istio compares them, each resolved in its own VirtualService's namespace.
     */
    static boolean widensGateways(HttpMatchRequest outer, HttpMatchRequest sub, String rootNamespace,
                                  String leafNamespace) {
        if (outer.gateways().isEmpty() || sub.gateways().isEmpty()) {
            return false;
        }
        java.util.Set<String> allowed = new java.util.HashSet<>();
        outer.gateways().forEach(g -> allowed.add(qualified(g, rootNamespace)));
        return !sub.gateways().stream().allMatch(g -> allowed.contains(qualified(g, leafNamespace)));
    }

    /** A gateway reference as Istio resolves it: {@code ns/name}, {@code name.ns} (legacy) or {@code name} in {@code ns}. */
    private static String qualified(String gateway, String namespace) {
        if (gateway.equals("mesh")) {
            return gateway;
        }
        int slash = gateway.indexOf('/');
        if (slash >= 0) {
            String ns = gateway.substring(0, slash);
            return (ns.equals(".") ? namespace : ns) + "/" + gateway.substring(slash + 1);
        }
        int dot = gateway.indexOf('.');
        if (dot > 0) {
            String rest = gateway.substring(dot + 1);
            int next = rest.indexOf('.');
            return (next < 0 ? rest : rest.substring(0, next)) + "/" + gateway.substring(0, dot);
        }
        return namespace + "/" + gateway;
    }

    /** Istio's {@code stringMatchConflict}: none when either is unset; no regular expressions; within prefixes. */
    private static boolean conflicts(StringMatch outer, StringMatch sub) {
        if (outer == null || sub == null) {
            return false;
        }
        if (outer.regex() != null || sub.regex() != null) {
            return true;
        }
        if (outer.exact() != null) {
            return sub.prefix() != null || !outer.exact().equals(sub.exact());
        }
        if (outer.prefix() != null) {
            String value = sub.prefix() != null ? sub.prefix() : sub.exact();
            return value == null || !value.startsWith(outer.prefix());
        }
        return true;
    }

    /** The delegate's conditions, the root's where the delegate sets none (Istio's mergeHTTPMatchRequest). */
    private static HttpMatchRequest merge(HttpMatchRequest outer, HttpMatchRequest sub) {
        return new HttpMatchRequest(joined(outer.name(), sub.name()), or(sub.uri(), outer.uri()),
                or(sub.scheme(), outer.scheme()), or(sub.method(), outer.method()),
                or(sub.authority(), outer.authority()), union(outer.headers(), sub.headers()),
                union(outer.withoutHeaders(), sub.withoutHeaders()), union(outer.queryParams(), sub.queryParams()),
                or(sub.port(), outer.port()), sub.gateways().isEmpty() ? outer.gateways() : sub.gateways(),
                or(sub.ignoreUriCase(), outer.ignoreUriCase()));
    }

    /**
     * A delegate in another namespace names its destinations from there: a short host is qualified with the
     * delegate's namespace, so the root's namespace does not change what it means.
     */
    private static HttpRoute inNamespace(HttpRoute r, String delegateNs, String rootNs) {
        if (delegateNs.equals(rootNs)) {
            return r;
        }
        List<HttpRouteDestination> route = r.route().stream().map(d -> new HttpRouteDestination(
                qualified(d.destination(), delegateNs), d.weight(), d.headers())).toList();
        List<HttpMirrorPolicy> mirrors = r.mirrors().stream().map(m -> new HttpMirrorPolicy(
                qualified(m.destination(), delegateNs), m.percentage())).toList();
        return new HttpRoute(r.name(), r.match(), route, r.redirect(), r.rewrite(), r.timeout(), r.retries(),
                r.fault(), r.mirror() == null ? null : qualified(r.mirror(), delegateNs), r.mirrorPercentage(),
                mirrors, r.headers(), r.corsPolicy(), r.directResponse(), null);
    }

    private static Destination qualified(Destination d, String ns) {
        return d == null || d.host() == null || d.host().contains(".") ? d
                : new Destination(d.host() + "." + ns + ".svc.cluster.local", d.subset(), d.port());
    }

    private static <T> Map<String, T> union(Map<String, T> outer, Map<String, T> sub) {
        if (outer.isEmpty()) {
            return sub;
        }
        Map<String, T> out = new LinkedHashMap<>(outer);
        out.putAll(sub);
        return out;
    }

    private static String joined(String outer, String sub) {
        return sub == null || sub.isEmpty() ? outer : outer == null || outer.isEmpty() ? sub : outer + "-" + sub;
    }

    private static <T> T or(T first, T second) {
        return first != null ? first : second;
    }
}
