package io.kshift.telemetry.api;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * {@code POST /api/v1/session} with {@code Authorization: Bearer <token>}: sets the token as the cookie the live
 * page and its event stream authenticate with ({@value #COOKIE}: HttpOnly, so page scripts never read it;
 * SameSite=Strict, so no other site's page sends it), for as long as the token is valid. The cookie carries the
 * same token: it grants nothing the token does not.
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
        long maxAge = Math.max(0, jwt.getExpirationTime() - Instant.now().getEpochSecond());
        NewCookie cookie = new NewCookie.Builder(COOKIE).value(jwt.getRawToken()).path("/").httpOnly(true)
                .sameSite(NewCookie.SameSite.STRICT).maxAge((int) Math.min(Integer.MAX_VALUE, maxAge)).build();
        return Response.noContent().cookie(cookie).build();
    }
}
