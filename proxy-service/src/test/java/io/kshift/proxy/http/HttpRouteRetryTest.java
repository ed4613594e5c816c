package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTPRoute retries (GEP-1731) through one node: the codes a rule names are retried, others reach the client,
 * {@code attempts} bounds the tries, and each retry waits at least {@code backoff}.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class HttpRouteRetryTest extends GatewayHttpFixture {
    @Inject
    RouteTableHolder tables;

    com.sun.net.httpserver.HttpServer flaky;
    /** The status each request gets, in turn: the last one repeats. */
    final List<Integer> statuses = new CopyOnWriteArrayList<>();
    final AtomicInteger asked = new AtomicInteger();
    final List<Long> askedAt = new CopyOnWriteArrayList<>();
    int port;

    @BeforeEach
    void start() throws Exception {
        flaky = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        flaky.createContext("/", ex -> {
            int n = asked.getAndIncrement();
            askedAt.add(System.nanoTime());
            int status = statuses.get(Math.min(n, statuses.size() - 1));
            if (status > 1000) { // marked rate-limited by an upstream Envoy
                status -= 1000;
                ex.getResponseHeaders().add("x-envoy-ratelimited", "true");
            }
            byte[] body = ("status " + status).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        flaky.start();
        port = HttpMesh.freePort();
    }

    @AfterEach
    void stopFlaky() {
        flaky.stop(0);
    }

    void route(String retry) {
        route(retry, "");
    }

    /** {@code more}: further fields of the rule, each line indented as the rule's. */
    void route(String retry, String more) {
        route(retry, more, null);
    }

    /** {@code trafficPolicy}: a DestinationRule's for the flaky backend (null: none). */
    void route(String retry, String more, String trafficPolicy) {
        String rule = trafficPolicy == null ? "" : """
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: flaky}
                spec: {host: flaky, trafficPolicy: %s}
                """.formatted(trafficPolicy);
        mesh.publishNext(tables, """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: web}
                spec:
                  gatewayClassName: kshift
                  listeners: [{name: http, protocol: HTTP, port: %d}]
                ---
                """.formatted(port) + flakyService() + """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: flaky}
                spec:
                  parentRefs: [{name: web}]
                  rules:
                  - backendRefs: [{name: flaky, port: 8080}]
                    retry: %s
                %s""".formatted(retry, more) + rule);
    }

    /** Service flaky (port 8080) on the flaky backend, then a document separator. */
    String flakyService() {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: flaky}
                spec: {ports: [{name: http, port: 8080}], selector: {app: flaky}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: flaky-1}
                spec: {address: 127.0.0.1, ports: {http: %d}, labels: {app: flaky}}
                ---
                """.formatted(flaky.getAddress().getPort());
    }

    int get() throws Exception {
        return getResponse().statusCode();
    }

    HttpResponse<String> getResponse() throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/get"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String flags(HttpResponse<String> r) {
        return r.headers().firstValue("x-kshift-response-flags").orElse("");
    }

    void answers(Integer... sequence) {
        statuses.clear();
        statuses.addAll(List.of(sequence));
        asked.set(0);
        askedAt.clear();
    }

    @Test
    void theCodesARuleNamesAreRetriedUpToItsAttempts() throws Exception {
        route("{codes: [500, 503], attempts: 2}");
        answers(503, 500, 200);
        assertThat(get()).as("503 and 500 retried, the third try answers").isEqualTo(200);
        assertThat(asked).hasValue(3);

        answers(503, 503, 503, 200);
        HttpResponse<String> spent = getResponse();
        assertThat(spent.statusCode()).as("two retries at most: the third 503 reaches the client").isEqualTo(503);
        assertThat(flags(spent)).as("Envoy's flag for retries used up").isEqualTo("URX");
        assertThat(asked).hasValue(3);

        answers(502, 200);
        assertThat(get()).as("502 is not a code the rule names").isEqualTo(502);
        assertThat(asked).hasValue(1);

        route("{codes: [502]}");
        answers(502, 502, 502, 200);
        assertThat(get()).as("attempts unset: 2 retries").isEqualTo(502);
        assertThat(asked).hasValue(3);
    }

    /** Istio's retryBudget: retries in flight as a share of requests in flight, never below the minimum. */
    @Test
    void aRetryBudgetBoundsRetriesInFlight() throws Exception {
        route("{codes: [503], attempts: 2}", "", "{retryBudget: {percent: 0, minRetryConcurrency: 0}}");
        answers(503, 200);
        HttpResponse<String> refused = getResponse();
        assertThat(refused.statusCode()).as("a budget of none: the 503 in hand").isEqualTo(503);
        assertThat(flags(refused)).as("the retry circuit breaker's flag").isEqualTo("UO");
        assertThat(asked).hasValue(1);

        route("{codes: [503], attempts: 2}", "", "{retryBudget: {}}");
        answers(503, 503, 200);
        assertThat(get()).as("Envoy's defaults: at least 3 retries in flight").isEqualTo(200);
        assertThat(asked).hasValue(3);
    }

    /** A VirtualService through an Istio Gateway on the test's port to the flaky backend, with these retries. */
    void virtualService(String retries, String trafficPolicy) {
        mesh.publishNext(tables, """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: web}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: %d, name: http, protocol: HTTP}, hosts: ['*']}]
                ---
                """.formatted(port) + flakyService() + """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: flaky}
                spec: {host: flaky, trafficPolicy: %s}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: flaky}
                spec:
                  hosts: ['*']
                  gateways: [web]
                  http:
                  - retries: %s
                    route: [{destination: {host: flaky, port: {number: 8080}}}]
                """.formatted(trafficPolicy, retries));
    }

    /** Envoy frees a request's previous retry before asking for its next: maxRetries 1 allows a second retry. */
    @Test
    void aRetryGivesBackThePreviousRetrysSlot() throws Exception {
        virtualService("{attempts: 3, retryOn: 5xx}", "{connectionPool: {http: {maxRetries: 1}}}");
        answers(503, 503, 200);
        assertThat(get()).as("each retry in turn holds the one slot").isEqualTo(200);
        assertThat(asked).hasValue(3);
    }

    /** Rate-limited answers are retried on envoy-ratelimited only; Istio's default, written out, is accepted. */
    @Test
    void envoyRatelimitedRetriesRateLimitedAnswersOnly() throws Exception {
        virtualService("{attempts: 2, retryOn: 5xx}", "{}");
        answers(1503, 200);
        assertThat(get()).as("rate-limited: not retried by 5xx").isEqualTo(503);
        assertThat(asked).hasValue(1);

        virtualService("{attempts: 2, retryOn: 'envoy-ratelimited,connect-failure,refused-stream,unavailable,"
                + "cancelled,retriable-status-codes,503'}", "{}");
        answers(1429, 503, 200);
        assertThat(get()).as("a rate-limited 429, then a listed 503, each retried").isEqualTo(200);
        assertThat(asked).hasValue(3);
    }

    @Test
    void eachRetryWaitsAtLeastTheBackoff() throws Exception {
        route("{codes: [503], attempts: 2, backoff: 300ms}");
        answers(503, 503, 200);
        assertThat(get()).isEqualTo(200);
        assertThat(askedAt).hasSize(3);
        assertThat(askedAt.get(1) - askedAt.get(0)).as("first retry").isGreaterThanOrEqualTo(300_000_000L);
        assertThat(askedAt.get(2) - askedAt.get(1)).as("second retry: the backoff doubled")
                .isGreaterThanOrEqualTo(600_000_000L);
    }

    @Test
    void aRetryThatWouldOutliveTheRequestTimeoutIsNotMade() throws Exception {
        route("{codes: [503], attempts: 2, backoff: 2s}", "    timeouts: {request: 1s}\n");
        answers(503, 200);
        assertThat(get()).as("the 503 in hand, not a 504 once the request timeout ends the wait").isEqualTo(503);
        assertThat(asked).hasValue(1);
    }
}
