package io.kshift.telemetry.api;

import io.kshift.model.auth.RequestRoles;
import io.kshift.model.auth.Role;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
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

    @ServerRequestFilter
    public Optional<Response> check(ContainerRequestContext request) {
        return RequestRoles.denial(request.getSecurityContext().getUserPrincipal(), request.getMethod(),
                request.getUriInfo().getPath(), WRITES).map(body -> Response.status(403)
                .type(MediaType.APPLICATION_JSON).entity(body).build());
    }
}
