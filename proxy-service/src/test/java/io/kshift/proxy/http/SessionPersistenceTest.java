package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * GEP-1619 session persistence on a 50/50 HTTPRoute rule, on real sockets: requests without a session split
 * exactly, each answer starts a session, and requests carrying one all land where it started, whatever the weights
 * say; a backend taken out of the rule moves its sessions on. Where traffic lands is what the backends saw.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class SessionPersistenceTest extends GatewayHttpFixture {
    @Inject
    RouteTableHolder tables;

    static final String ROUTE = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: sticky}
            spec:
              parentRefs: [{name: web}]
              rules:
              - matches: [{path: {type: PathPrefix, value: /app/}}]
                sessionPersistence: {sessionName: shop-session, absoluteTimeout: 1h, cookieConfig: {lifetimeType: Permanent}}
                backendRefs: [%s]
              - matches: [{path: {type: PathPrefix, value: /api}}]
                sessionPersistence: {type: Header, sessionName: x-session}
                backendRefs: [{name: web-a, port: 8000}, {name: web-b, port: 8000}]
            """;

    private static HttpResponse<String> get(int port, String path, String header, String value) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (value != null) {
            b.header(header, value);
        }
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r;
    }

    private static String version(HttpResponse<String> r) {
        return r.headers().firstValue("x-echo-version").orElseThrow();
    }

    @Test
    void aSessionKeepsItsEndpointWhileWeightsSplitTheRest() throws Exception {
        int port = HttpMesh.freePort();
        mesh.publishNext(tables, webServicesAndGateway(port)
                + ROUTE.formatted("{name: web-a, port: 8000}, {name: web-b, port: 8000}"));
        Map<String, Integer> fresh = new HashMap<>();
        Map<String, String> cookieOf = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = get(port, "/app/get", "cookie", null);
            String setCookie = r.headers().firstValue("set-cookie").orElseThrow();
            assertThat(setCookie).startsWith("shop-session=").contains("; Path=/app; HttpOnly; Max-Age=3600");
            fresh.merge(version(r), 1, Integer::sum);
            cookieOf.putIfAbsent(version(r), setCookie.substring(0, setCookie.indexOf(';')));
        }
        assertThat(fresh).as("no session: the weights split exactly").containsEntry("v1", 5).containsEntry("v2", 5);
        for (String version : new String[] {"v1", "v2"}) {
            for (int i = 0; i < 7; i++) {
                HttpResponse<String> r = get(port, "/app/get", "cookie", cookieOf.get(version));
                assertThat(version(r)).as("session of %s", version).isEqualTo(version);
                assertThat(r.headers().firstValue("set-cookie")).as("the session holds: nothing to set").isEmpty();
            }
        }
        // By header: the answer's header is the session the next request sends.
        HttpResponse<String> first = get(port, "/api/get", "x-session", null);
        String session = first.headers().firstValue("x-session").orElseThrow();
        for (int i = 0; i < 5; i++) {
            assertThat(version(get(port, "/api/get", "x-session", session))).isEqualTo(version(first));
        }
        // web-a leaves the rule: its sessions go to web-b and a new session says so.
        mesh.publishNext(tables, webServicesAndGateway(port) + ROUTE.formatted("{name: web-b, port: 8000}"));
        HttpResponse<String> moved = get(port, "/app/get", "cookie", cookieOf.get("v1"));
        assertThat(version(moved)).isEqualTo("v2");
        assertThat(moved.headers().firstValue("set-cookie").orElseThrow()).startsWith("shop-session=")
                .doesNotStartWith(cookieOf.get("v1") + ";");
    }
}
