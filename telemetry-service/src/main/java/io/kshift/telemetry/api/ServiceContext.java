package io.kshift.telemetry.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.Codecs;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.DestinationResolver;
import io.kshift.model.routing.BoundRoute;
import io.kshift.model.routing.HttpBindings;
import io.kshift.model.routing.ListenerBindings;
import io.kshift.model.routing.WeightedTarget;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * {@code GET /api/v1/telemetry-ui/context/{namespace}/{service}}: what the live page shows next to the observed
 * split — the configured weights of every route that sends traffic to the service (computed from config-service's
 * live config with the same binding and resolution code the proxies use) and the proxies with their sync state.
 * config-service unreachable: both lists empty and {@code error} set; the telemetry itself does not depend on it.
 */
@Path("/api/v1/telemetry-ui/context")
public class ServiceContext {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String configUrl;
    private final JsonWebToken caller;

    public ServiceContext(@ConfigProperty(name = "kshift.telemetry.config-url", defaultValue = "http://127.0.0.1:8080")
                          String configUrl, JsonWebToken caller) {
        this.configUrl = configUrl;
        this.caller = caller;
    }

    /** One route's weights toward the service, by version, in percent of the route's traffic. */
    public record RouteWeights(String route, String listener, Map<String, Double> weights) {
    }

    public record Context(List<RouteWeights> routes, List<JsonNode> proxies, String error) {
    }

    @GET
    @Path("{namespace}/{service}")
    @Produces(MediaType.APPLICATION_JSON)
    public Context context(@PathParam("namespace") String namespace, @PathParam("service") String service) {
        String host = TelemetryResource.key(namespace, service).substring(namespace.length() + 1);
        try {
            byte[] items = Codecs.json().writeValueAsBytes(Codecs.json().readTree(get("/api/v1/resources")).path("items"));
            MeshConfig config = MeshConfig.of(ResourceReader.readBody(items, BodyFormat.JSON).resources());
            List<JsonNode> proxies = new ArrayList<>();
            Codecs.json().readTree(get("/api/v1/proxies")).path("proxies").forEach(proxies::add);
            return new Context(weights(config, host), proxies, null);
        } catch (Exception e) {
            return new Context(List.of(), List.of(), "config-service at " + configUrl + " unavailable: " + e.getMessage());
        }
    }

    static List<RouteWeights> weights(MeshConfig config, String host) {
        DestinationResolver resolver = new DestinationResolver(config);
        List<RouteWeights> out = new ArrayList<>();
        ListenerBindings.compute(config).forEach((port, binding) -> {
            for (BoundRoute r : binding.routes()) {
                add(out, r.source() + " " + r.field(), "tcp:" + port, r.targets(), resolver, host);
            }
        });
        ListenerBindings.udp(config).forEach((port, binding) -> {
            for (BoundRoute r : binding.routes()) {
                add(out, r.source() + " " + r.field(), "udp:" + port, r.targets(), resolver, host);
            }
        });
        Map<String, List<HttpBindings.VirtualHost>> http = new LinkedHashMap<>();
        HttpBindings.gateways(config).forEach((port, hosts) -> http.put("http:" + port, hosts));
        http.put("mesh", HttpBindings.mesh(config));
        http.forEach((listener, hosts) -> {
            for (HttpBindings.VirtualHost vh : hosts) {
                for (int i = 0; i < vh.routes().size(); i++) {
                    String field = vh.fieldOf(i);
                    add(out, vh.source() + " " + field, listener,
                            ListenerBindings.istioTargets(vh.routes().get(i), vh.namespace(), field), resolver, host);
                }
            }
        });
        return out;
    }

    private static void add(List<RouteWeights> out, String route, String listener, List<WeightedTarget> targets,
                            DestinationResolver resolver, String host) {
        long total = targets.stream().mapToLong(WeightedTarget::weight).sum();
        Map<String, Double> weights = new LinkedHashMap<>();
        for (WeightedTarget t : targets) {
            DestinationResolver.Result r = t.resolve(resolver);
            if (r.ok() && r.destination().service().equals(host) && total > 0) {
                weights.merge(r.destination().version(), 100.0 * t.weight() / total, Double::sum);
            }
        }
        if (!weights.isEmpty()) {
            out.add(new RouteWeights(route, listener, weights));
        }
    }

    /** With the caller's own token: the page shows only what its viewer may read from config-service. */
    private byte[] get(String path) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(configUrl + path))
                .header("Authorization", "Bearer " + caller.getRawToken())
                .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode());
        }
        return r.body();
    }
}
