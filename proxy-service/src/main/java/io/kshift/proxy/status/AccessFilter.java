package io.kshift.proxy.status;

import io.kshift.model.auth.RequestRoles;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The admin API's role check: a node's view is for {@code viewer} and up (authentication, a valid bearer token,
 * comes first, by {@code quarkus.http.auth.permission}; health probes need neither).
 */
public class AccessFilter {
    @ServerRequestFilter
    public Optional<Response> check(ContainerRequestContext request) {
        return RequestRoles.denial(request.getSecurityContext().getUserPrincipal(), request.getMethod(),
                request.getUriInfo().getPath(), Map.of()).map(body -> Response.status(403)
                .type(MediaType.APPLICATION_JSON).entity(body).build());
    }
}
