package io.kshift.config.access;

import io.kshift.config.change.ChangeResource;
import io.kshift.model.auth.Grant;
import io.kshift.model.auth.RequestRoles;
import io.kshift.model.auth.Role;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.util.Map;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every API call's role check, in one place. Authentication (a valid bearer token, else 401) happens before, by
 * {@code quarkus.http.auth.permission}; here: reads need {@code viewer}, apply and delete {@code editor} (the
 * namespaces are checked per resource by {@link ChangeResource}), rollback and anything unnamed {@code admin}.
 */
public class AccessFilter {
    static final Map<String, Role> WRITES = Map.of("/api/v1/apply", Role.EDITOR, "/api/v1/delete", Role.EDITOR,
            "/api/v1/rollback", Role.ADMIN);

    @ServerRequestFilter
    public Optional<Response> check(ContainerRequestContext request) {
        return RequestRoles.denial(request.getSecurityContext().getUserPrincipal(), request.getMethod(),
                request.getUriInfo().getPath(), WRITES).map(body -> ChangeResource.json(403, body));
    }

    /** The caller's grant, from the token the authentication mechanism verified. */
    public static Grant grant(SecurityContext security) {
        return Grant.of(security.getUserPrincipal());
    }
}
