package io.kshift.proxy.status;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.proxy.http.HttpRoutesView;
import io.kshift.proxy.routing.RouteTable;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * Admin view of a node: {@code GET /api/v1/node} — what it runs and, per listener, the route, its weights and the
 * connections each destination received under the current generation.
 */
@Path("/api/v1/node")
@Produces(MediaType.APPLICATION_JSON)
public class NodeResource {
    private final StatusReporter status;
    private final RouteTableHolder tables;
    private final io.kshift.proxy.http.HttpProxy httpProxy;
    private final io.kshift.proxy.telemetry.TelemetryReporter telemetry;

    public NodeResource(StatusReporter status, RouteTableHolder tables, io.kshift.proxy.http.HttpProxy httpProxy,
                        io.kshift.proxy.telemetry.TelemetryReporter telemetry) {
        this.status = status;
        this.telemetry = telemetry;
        this.tables = tables;
        this.httpProxy = httpProxy;
    }

    public record TargetView(String service, String subset, String version, int weight, long connections,
                             List<String> endpoints) {
    }

    public record RouteView(int port, String source, List<TargetView> targets) {
    }

    public record HttpTargetView(String service, String subset, String version, int weight, long requests) {
    }

    /** An http route as a node runs it; {@code listener} is {@code http:<port>} or {@code mesh}. */
    public record HttpRouteView(String listener, String source, String field, List<HttpTargetView> targets) {
    }

    /**
     * {@code statusReportsDropped}, {@code telemetryReportsDropped}: this node's reports that never reached the bus
     * (Kafka away longer than the producer's delivery timeout, or the send buffer full), since it started.
     */
    public record NodeView(Object status, long statusReportsDropped, long telemetryReportsDropped,
                           List<RouteView> routes, List<HttpRouteView> httpRoutes, long mirrorsSent,
                           long mirrorsDropped) {
    }

    /**
     * The view names every namespace's routes, destinations and endpoint addresses: a token limited to some
     * namespaces (which the config and telemetry APIs answer only with what is theirs) is refused it.
     */
    @GET
    public NodeView node(@jakarta.ws.rs.core.Context jakarta.ws.rs.core.SecurityContext security) {
        if (!io.kshift.model.auth.Grant.of(security.getUserPrincipal()).everyNamespace()) {
            throw new jakarta.ws.rs.WebApplicationException(jakarta.ws.rs.core.Response.status(403)
                    .type(MediaType.TEXT_PLAIN).entity("a node's view shows every namespace's routes and endpoints:"
                            + " it needs a token for every namespace").build());
        }
        RouteTable table = tables.get();
        List<RouteView> routes = table.routes().values().stream().map(r -> new RouteView(r.port(),
                r.source().toString(), r.targets().stream().map(t -> new TargetView(t.destination().service(),
                t.destination().subset(), t.destination().version(), t.weight(), t.connections().sum(),
                t.endpoints().upstreams().stream().map(Object::toString).toList())).toList())).toList();
        List<HttpRouteView> http = new java.util.ArrayList<>();
        table.http().forEach((port, hosts) -> http.addAll(HttpRoutesView.of("http:" + port, hosts)));
        http.addAll(HttpRoutesView.of("mesh", table.mesh()));
        return new NodeView(status.current(), status.droppedReports(), telemetry.dropped(), routes, http,
                httpProxy.mirrorsSent(), httpProxy.mirrorsDropped());
    }
}
