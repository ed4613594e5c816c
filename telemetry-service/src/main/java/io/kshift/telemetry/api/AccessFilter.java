package io.kshift.telemetry.api;

import io.kshift.model.auth.Grant;
import io.kshift.model.auth.RequestRoles;
import io.kshift.model.auth.Role;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The telemetry API's role check: windows, the stream, the page's context and a page session are for
 * {@code viewer} and up (authentication, a valid token, comes first, by {@code quarkus.http.auth.permission};
 * health probes and the sign-in page need neither).
 */
public class AccessFilter {
    private static final Map<String, Role> WRITES = Map.of("/api/v1/session", Role.VIEWER);

    /** Paths that name a service's namespace right after this prefix: windows, the stream, the page's context. */
    private static final List<String> NAMESPACED = List.of("/api/v1/telemetry/", "/api/v1/telemetry-ui/context/");

    @ServerRequestFilter
    public Optional<Response> check(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        Optional<Response> denied = RequestRoles.denial(request.getSecurityContext().getUserPrincipal(),
                request.getMethod(), path, WRITES).map(body -> Response.status(403)
                .type(MediaType.APPLICATION_JSON).entity(body).build());
        if (denied.isPresent()) {
            return denied;
        }
        // A token limited to some namespaces reads their services' telemetry only; another namespace's is as
        // absent as one without traffic (config-service answers the same way for resources).
        Grant grant = Grant.of(request.getSecurityContext().getUserPrincipal());
        return namespace(path).filter(ns -> !grant.reads(ns)).map(ns -> Response.status(404)
                .type(MediaType.APPLICATION_JSON).entity("{\"message\":\"no telemetry for a service in namespace "
                        + ns + "\"}").build());
    }

    static Optional<String> namespace(String path) {
        for (String prefix : NAMESPACED) {
            if (path.startsWith(prefix)) {
                String rest = path.substring(prefix.length());
                int slash = rest.indexOf('/');
                return Optional.of(slash < 0 ? rest : rest.substring(0, slash));
            }
        }
        return Optional.empty();
    }
}
