package io.kshift.proxy.status;

import io.kshift.proxy.config.RouteTableHolder;
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

    public NodeResource(StatusReporter status, RouteTableHolder tables) {
        this.status = status;
        this.tables = tables;
    }

    public record TargetView(String service, String subset, String version, int weight, long connections,
                             List<String> endpoints) {
    }

    public record RouteView(int port, String source, List<TargetView> targets) {
    }

    public record NodeView(Object status, long droppedReports, List<RouteView> routes) {
    }

    @GET
    public NodeView node() {
        RouteTable table = tables.get();
        List<RouteView> routes = table.routes().values().stream().map(r -> new RouteView(r.port(),
                r.source().toString(), r.targets().stream().map(t -> new TargetView(t.destination().service(),
                t.destination().subset(), t.destination().version(), t.weight(), t.connections().sum(),
                t.endpoints().upstreams().stream().map(Object::toString).toList())).toList())).toList();
        return new NodeView(status.current(), status.droppedReports(), routes);
    }
}
