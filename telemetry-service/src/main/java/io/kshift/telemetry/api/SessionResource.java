package io.kshift.telemetry.api;

import io.kshift.model.auth.Grant;
import io.kshift.model.auth.Role;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Map;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * {@code POST /api/v1/session} with {@code Authorization: Bearer <token>}: sets the token as the cookie the live
 * page and its event stream authenticate with ({@value #COOKIE}: HttpOnly, so page scripts never read it;
 * SameSite=Strict, so no other site's page sends it), for as long as the token is valid. The cookie carries the
 * same token: it grants nothing the token does not, and only a viewer token is taken (a browser sends the cookie to
 * every port of the host; proxies drop it before forwarding, see the proxy's {@code UpstreamRequests}).
 */
@Path("/api/v1/session")
public class SessionResource {
    public static final String COOKIE = "kshift-token";
    private final JsonWebToken jwt;

    public SessionResource(JsonWebToken jwt) {
        this.jwt = jwt;
    }

    @POST
    public Response open() {
        // Browsers send a cookie to every port of its host (the gateways' too): only a token that can do no more
        // than the page needs may become one.
        Grant grant = Grant.of(jwt);
        if (grant.role().filter(r -> r != Role.VIEWER).isPresent()) {
            return Response.status(403).type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("message", "sign in to the page with a viewer token (./kshift token --role"
                            + " viewer): the session cookie goes to every port of this host, and '" + grant.subject()
                            + "' has role " + grant.role().get().claimValue())).build();
        }
        long maxAge = Math.max(0, jwt.getExpirationTime() - Instant.now().getEpochSecond());
        NewCookie cookie = new NewCookie.Builder(COOKIE).value(jwt.getRawToken()).path("/").httpOnly(true)
                .sameSite(NewCookie.SameSite.STRICT).maxAge((int) Math.min(Integer.MAX_VALUE, maxAge)).build();
        return Response.noContent().cookie(cookie).build();
    }
}
