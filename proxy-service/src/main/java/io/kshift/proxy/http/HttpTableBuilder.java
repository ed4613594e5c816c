package io.kshift.proxy.http;

import io.kshift.model.istio.HttpMatchRequest;
import io.kshift.model.istio.HttpMirrorPolicy;
import io.kshift.model.istio.HttpRoute;
import io.kshift.model.istio.RetryOn;
import io.kshift.model.mesh.IstioDuration;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.DestinationResolver;
import io.kshift.model.registry.MeshService;
import io.kshift.model.registry.ResolvedDestination;
import io.kshift.model.registry.ServicePortInfo;
import io.kshift.model.routing.HostNames;
import io.kshift.model.routing.HttpBindings;
import io.kshift.model.routing.ListenerBindings;
import io.kshift.model.routing.WeightedTarget;
import io.kshift.proxy.routing.Destinations;
import io.kshift.proxy.routing.WeightedPicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the HTTP part of a route table: per gateway HTTP port, and for the mesh listener, a {@link VirtualHostTable}
 * of compiled routes. Trusts validated input; a destination that does not resolve is left out. On the mesh
 * listener a service no VirtualService claims gets Istio's default route: all of its endpoints, round-robin.
 */
public final class HttpTableBuilder {
    /** Istio's retry policy for routes that set none: 2 retries on connect failures, refused streams and 503. */
    static final HttpRouteEntry.Retry ISTIO_DEFAULT_RETRY = new HttpRouteEntry.Retry(2, null, RetryOn.parse(null));

    private final DestinationResolver resolver;
    private final Destinations destinations;

    public HttpTableBuilder(MeshConfig config, Destinations destinations) {
        this.resolver = new DestinationResolver(config);
        this.destinations = destinations;
    }

    public Map<Integer, VirtualHostTable> gateways(MeshConfig config) {
        Map<Integer, VirtualHostTable> out = new TreeMap<>();
        HttpBindings.gateways(config).forEach((port, hosts) -> out.put(port, table(hosts, "http:" + port, false)));
        return out;
    }

    public VirtualHostTable mesh(MeshConfig config) {
        return table(HttpBindings.mesh(config), "mesh", true);
    }

    private VirtualHostTable table(List<HttpBindings.VirtualHost> hosts, String listener, boolean withDefaults) {
        Map<String, List<HttpRouteEntry>> exact = new HashMap<>();
        Map<String, List<HttpRouteEntry>> wildcards = new TreeMap<>((a, b) -> b.length() != a.length()
                ? b.length() - a.length() : a.compareTo(b));
        List<HttpRouteEntry> any = null;
        for (HttpBindings.VirtualHost vh : hosts) {
            List<HttpRouteEntry> routes = compile(vh, listener);
            for (String domain : vh.domains()) {
                for (String name : HostNames.expand(domain, vh.namespace())) {
                    if (name.equals("*")) {
                        any = any == null ? routes : any;
                    } else if (name.startsWith("*.")) {
                        wildcards.putIfAbsent(name.substring(1), routes);
                    } else {
                        exact.putIfAbsent(name, routes);
                    }
                }
            }
        }
        if (withDefaults) {
            defaults(exact, listener);
        }
        return new VirtualHostTable(Map.copyOf(exact), List.copyOf(wildcards.entrySet()), any);
    }

    private List<HttpRouteEntry> compile(HttpBindings.VirtualHost vh, String listener) {
        List<HttpRouteEntry> out = new ArrayList<>();
        for (int i = 0; i < vh.routes().size(); i++) {
            HttpRoute route = vh.routes().get(i);
            List<MatchBlock> blocks = new ArrayList<>();
            for (HttpMatchRequest m : route.match()) {
                if (vh.admits(m.gateways())) {
                    blocks.add(MatchBlock.of(m));
                }
            }
            if (!route.match().isEmpty() && blocks.isEmpty()) {
                continue;
            }
            out.add(entry(vh, route, vh.field() + "[" + i + "]", blocks, listener));
        }
        return List.copyOf(out);
    }

    private HttpRouteEntry entry(HttpBindings.VirtualHost vh, HttpRoute route, String field, List<MatchBlock> blocks,
                                 String listener) {
        List<HttpTarget> targets = new ArrayList<>();
        List<WeightedTarget> weighted = ListenerBindings.istioTargets(route, vh.namespace(), field);
        for (int d = 0; d < weighted.size(); d++) {
            WeightedTarget t = weighted.get(d);
            var headers = route.route().get(d).headers();
            DestinationResolver.Result result = t.resolve(resolver);
            if (result.ok() && t.weight() > 0) {
                targets.add(target(result.destination(), t.weight(), headers == null ? null : headers.request(),
                        headers == null ? null : headers.response(), listener, false));
            }
        }
        List<HttpRouteEntry.Mirror> mirrors = new ArrayList<>();
        for (HttpMirrorPolicy m : route.allMirrors()) {
            DestinationResolver.Result result = ListenerBindings.target(field + ".mirror", 1, m.destination(),
                    vh.namespace()).resolve(resolver);
            if (result.ok()) {
                mirrors.add(new HttpRouteEntry.Mirror(target(result.destination(), 1, null, null, listener, true),
                        m.percentage() == null || m.percentage().value() == null ? 100 : m.percentage().value()));
            }
        }
        var rewrite = route.rewrite();
        var headers = route.headers();
        WeightedPicker picker = targets.isEmpty() ? null
                : new WeightedPicker(targets.stream().mapToInt(HttpTarget::weight).toArray());
        return new HttpRouteEntry(vh.source(), field, List.copyOf(blocks), HttpRouteEntry.Fault.of(route.fault()),
                route.redirect(), PathRewrite.of(rewrite), rewrite == null ? null : rewrite.authority(),
                HeaderEdits.of(headers == null ? null : headers.request()),
                HeaderEdits.of(headers == null ? null : headers.response()), List.copyOf(targets), picker,
                List.copyOf(mirrors), duration(route.timeout()), retry(route));
    }

    private HttpTarget target(ResolvedDestination d, int weight, io.kshift.model.istio.HeaderOperations request,
                              io.kshift.model.istio.HeaderOperations response, String listener, boolean shadow) {
        return new HttpTarget(d, weight, destinations.shared(d), HeaderEdits.of(request), HeaderEdits.of(response),
                destinations.stats(d, listener, "http", shadow));
    }

    private static HttpRouteEntry.Retry retry(HttpRoute route) {
        if (route.retries() == null) {
            return ISTIO_DEFAULT_RETRY;
        }
        // Istio: attempts is a plain proto int, so leaving it out means 0 (retries off).
        int attempts = route.retries().attempts() == null ? 0 : route.retries().attempts();
        return new HttpRouteEntry.Retry(attempts, duration(route.retries().perTryTimeout()),
                RetryOn.parse(route.retries().retryOn()));
    }

    private static Duration duration(String text) {
        return IstioDuration.parse(text).filter(d -> !d.isZero()).orElse(null);
    }

    /** Istio's sidecar default: {@code name:port} (and {@code name} for a one-port service) to all endpoints. */
    private void defaults(Map<String, List<HttpRouteEntry>> exact, String listener) {
        for (MeshService service : resolver.registry().services()) {
            for (ServicePortInfo port : service.ports()) {
                DestinationResolver.Result result = resolver.resolve(service.name(), null, port.number(),
                        service.namespace());
                if (!result.ok()) {
                    continue;
                }
                HttpTarget target = target(result.destination(), 1, null, null, listener, false);
                List<HttpRouteEntry> routes = List.of(new HttpRouteEntry(null, "default", List.of(), null, null, null,
                        null, HeaderEdits.NONE, HeaderEdits.NONE, List.of(target), new WeightedPicker(new int[] {1}),
                        List.of(), null, ISTIO_DEFAULT_RETRY));
                for (String name : HostNames.expand(service.name(), service.namespace())) {
                    exact.putIfAbsent(name + ":" + port.number(), routes);
                    if (service.ports().size() == 1) {
                        exact.putIfAbsent(name, routes);
                    }
                }
            }
        }
    }
}
