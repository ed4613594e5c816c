package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.TelemetryReport;
import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.proxy.telemetry.TelemetryTest;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC through the proxy with real grpc-java clients and servers: calls cross on HTTP/2 (cleartext, prior
 * knowledge) to each version, split by the route's exact weights; trailers (grpc-status, grpc-message, the
 * server's own) reach the client; GRPCRoute method and header matches pick the backend; a VirtualService retries
 * on gRPC conditions and injects gRPC aborts; telemetry counts answers by grpc-status.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class GrpcRoutingTest {
    @Inject
    RouteTableHolder tables;
    GrpcEcho v1;
    GrpcEcho v2;
    int gateway;
    ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        v1 = GrpcEcho.start("v1");
        v2 = GrpcEcho.start("v2");
        gateway = HttpMesh.freePort();
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", gateway, InsecureChannelCredentials.create())
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        v1.close();
        v2.close();
    }

    /**
     * Service {@code echo} (port 50051, named as the test says) over the two servers, with subsets, and a Service
     * per version ({@code echo-v1}, {@code echo-v2}) for Gateway API backends.
     */
    String services(String portName) {
        StringBuilder out = new StringBuilder();
        for (String svc : List.of("echo", "echo-v1", "echo-v2")) {
            String selector = svc.equals("echo") ? "{app: echo}" : "{app: echo, version: " + svc.substring(5) + "}";
            out.append("""
                    apiVersion: v1
                    kind: Service
                    metadata: {name: %s}
                    spec: {ports: [{name: %s, port: 50051}], selector: %s}
                    ---
                    """.formatted(svc, portName, selector));
        }
        return out + """
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: echo-v1}
                spec: {address: 127.0.0.1, ports: {%2$s: %3$d}, labels: {app: echo, version: v1}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: echo-v2}
                spec: {address: 127.0.0.1, ports: {%2$s: %4$d}, labels: {app: echo, version: v2}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: echo}
                spec:
                  host: echo
                  subsets:
                  - {name: v1, labels: {version: v1}}
                  - {name: v2, labels: {version: v2}}
                """.formatted(portName, portName, v1.port(), v2.port());
    }

    String kubeGateway() {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: grpc}
                spec:
                  gatewayClassName: kshift
                  listeners: [{name: grpc, protocol: HTTP, port: %d}]
                """.formatted(gateway);
    }

    void publish(String... yaml) {
        long generation = tables.get().generation() + 1;
        new HttpMesh(gateway, 0, 0).publish(generation, yaml);
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
    }

    String say(String text) {
        return GrpcEcho.text(ClientCalls.blockingUnaryCall(channel, GrpcEcho.SAY,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), GrpcEcho.text(text)));
    }

    /**
     * The test: a GRPCRoute splits 90/10 between two grpc-java servers, exactly, with their port named
     * {@code web} (no protocol): a GRPCRoute's backends are spoken to over HTTP/2 whatever the port says.
     */
    @Test
    void aGrpcRouteSplitsNinetyTenExactly() {
        publish(services("web"), kubeGateway(), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata: {name: echo}
                spec:
                  parentRefs: [{name: grpc}]
                  rules:
                  - backendRefs:
                    - {name: echo-v1, port: 50051, weight: 90}
                    - {name: echo-v2, port: 50051, weight: 10}
                """);
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < 100; i++) {
            String answer = say("call " + i);
            assertThat(answer).endsWith(" call " + i);
            counts.merge(answer.split(" ")[0], 1, Integer::sum);
        }
        assertThat(counts).containsExactly(Map.entry("v1", 90), Map.entry("v2", 10));

        // Server streaming: every message, in order, then the status.
        List<String> streamed = new ArrayList<>();
        ClientCalls.blockingServerStreamingCall(channel, GrpcEcho.COUNT,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), GrpcEcho.text("go"))
                .forEachRemaining(b -> streamed.add(GrpcEcho.text(b)));
        assertThat(streamed).hasSize(3);
        assertThat(streamed.get(0).split(" ")[1]).isEqualTo("1");
        assertThat(streamed.get(2)).endsWith(" 3");
    }

    /**
     * A bidirectional stream: each message is answered before the client sends the next one, so the proxy relays
     * the client's body as it comes rather than holding it until the client ends.
     */
    @Test
    void bidirectionalStreamsFlowBothWaysAtOnce() throws Exception {
        publish(services("web"), kubeGateway(), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata: {name: echo}
                spec:
                  parentRefs: [{name: grpc}]
                  rules: [{backendRefs: [{name: echo-v1, port: 50051}]}]
                """);
        // First, on a cold pool: 40 messages at once, queued while the connection opens, all answered in order.
        Answers burst = new Answers();
        var burstCall = ClientCalls.asyncBidiStreamingCall(channel.newCall(GrpcEcho.CHAT, CallOptions.DEFAULT
                .withDeadlineAfter(20, TimeUnit.SECONDS)), burst);
        for (int i = 0; i < 40; i++) {
            burstCall.onNext(GrpcEcho.text("m" + i));
        }
        burstCall.onCompleted();
        burst.closed.get(15, TimeUnit.SECONDS);
        assertThat(burst.messages).hasSize(40).startsWith("v1 m0").endsWith("v1 m39");

        Answers answers = new Answers();
        var requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(GrpcEcho.CHAT, CallOptions.DEFAULT
                .withDeadlineAfter(20, TimeUnit.SECONDS)), answers);
        for (String m : List.of("hello", "again", "bye")) {
            requests.onNext(GrpcEcho.text(m));
            assertThat(answers.messages.poll(10, TimeUnit.SECONDS)).as("answered while the stream is open")
                    .isEqualTo("v1 " + m);
        }
        requests.onCompleted();
        answers.closed.get(10, TimeUnit.SECONDS);
    }

    /** What a streaming call answers, in order, and how it ends. */
    static final class Answers implements io.grpc.stub.StreamObserver<byte[]> {
        final java.util.concurrent.BlockingQueue<String> messages = new java.util.concurrent.LinkedBlockingQueue<>();
        final java.util.concurrent.CompletableFuture<Void> closed = new java.util.concurrent.CompletableFuture<>();

        @Override
        public void onNext(byte[] value) {
            messages.add(GrpcEcho.text(value));
        }

        @Override
        public void onError(Throwable t) {
            closed.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            closed.complete(null);
        }
    }

    /** Method and header matches, and a failing call's status, message and trailer relayed from the server. */
    @Test
    void methodAndHeaderMatchesPickTheBackendAndTrailersComeBack() {
        publish(services("web"), kubeGateway(), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata: {name: echo}
                spec:
                  parentRefs: [{name: grpc}]
                  rules:
                  - matches: [{headers: [{name: env, value: canary}]}]
                    backendRefs: [{name: echo-v2, port: 50051}]
                  - matches: [{method: {service: kshift.test.Echo, method: Deny}}]
                    backendRefs: [{name: echo-v2, port: 50051}]
                  - matches: [{method: {type: RegularExpression, service: 'kshift\\..*', method: 'S.*'}}]
                    backendRefs: [{name: echo-v1, port: 50051}]
                """);
        assertThat(say("a")).isEqualTo("v1 a");
        Metadata canary = new Metadata();
        canary.put(Metadata.Key.of("env", Metadata.ASCII_STRING_MARSHALLER), "canary");
        var canaryChannel = io.grpc.ClientInterceptors.intercept(channel,
                MetadataUtils.newAttachHeadersInterceptor(canary));
        assertThat(GrpcEcho.text(ClientCalls.blockingUnaryCall(canaryChannel, GrpcEcho.SAY,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), GrpcEcho.text("b"))))
                .as("GRPCRoute precedence: a rule naming a service and method before a header-only one")
                .isEqualTo("v1 b");
        assertThat(GrpcEcho.text(ClientCalls.blockingServerStreamingCall(canaryChannel, GrpcEcho.COUNT,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), GrpcEcho.text("e")).next()))
                .as("no method rule takes Count: the header rule does").isEqualTo("v2 1");

        StatusRuntimeException denied = catchThrowableOfType(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(channel, GrpcEcho.DENY, CallOptions.DEFAULT
                        .withDeadlineAfter(10, TimeUnit.SECONDS), GrpcEcho.text("c")));
        assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(denied.getStatus().getDescription()).isEqualTo("denied by v2");
        assertThat(denied.getTrailers().get(GrpcEcho.REASON)).isEqualTo("no-v2");

        // No rule matches Count: the route answers 404, which a gRPC client reads as UNIMPLEMENTED.
        StatusRuntimeException unmatched = catchThrowableOfType(StatusRuntimeException.class,
                () -> ClientCalls.blockingServerStreamingCall(channel, GrpcEcho.COUNT, CallOptions.DEFAULT
                        .withDeadlineAfter(10, TimeUnit.SECONDS), GrpcEcho.text("d")).next());
        assertThat(unmatched.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    }

    /**
     * A VirtualService to a port named {@code grpc} (HTTP/2 by Istio's protocol selection): retries on
     * {@code unavailable}, a gRPC abort fault, and telemetry by grpc-status.
     */
    @Test
    void virtualServicesRetryOnGrpcStatusAndInjectGrpcAborts() throws Exception {
        String gatewayYaml = """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: grpc-gateway}
                spec:
                  servers: [{port: {number: %d, name: grpc, protocol: HTTP2}, hosts: ['*']}]
                """.formatted(gateway);
        publish(services("grpc"), gatewayYaml, """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: echo}
                spec:
                  hosts: ['*']
                  gateways: [grpc-gateway]
                  http:
                  - match: [{uri: {exact: /kshift.test.Echo/Deny}}]
                    fault: {abort: {grpcStatus: RESOURCE_EXHAUSTED, percentage: {value: 100}}}
                    route: [{destination: {host: echo, subset: v1}}]
                  - route: [{destination: {host: echo, subset: v1}}]
                    retries: {attempts: 3, retryOn: unavailable}
                """);
        try (var raw = TelemetryTest.consumer()) {
            v1.failures.set(2);
            assertThat(GrpcEcho.text(ClientCalls.blockingUnaryCall(channel, GrpcEcho.FAIL, CallOptions.DEFAULT
                    .withDeadlineAfter(10, TimeUnit.SECONDS), GrpcEcho.text("x")))).isEqualTo("v1 x");
            assertThat(v1.calls.get()).as("two UNAVAILABLE answers retried, the third answered").isEqualTo(3);

            StatusRuntimeException aborted = catchThrowableOfType(StatusRuntimeException.class,
                    () -> ClientCalls.blockingUnaryCall(channel, GrpcEcho.DENY, CallOptions.DEFAULT
                            .withDeadlineAfter(10, TimeUnit.SECONDS), GrpcEcho.text("y")));
            assertThat(aborted.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(v1.calls.get()).as("an aborted call reaches no server").isEqualTo(3);

            Map<String, Long> grpc = new TreeMap<>();
            String listener = "http:" + gateway;
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                raw.poll(Duration.ofMillis(200)).forEach(r -> {
                    TelemetryReport report = EventCodec.decode(r.value(), TelemetryReport.class);
                    report.entries().stream().filter(e -> e.listener().equals(listener))
                            .forEach(e -> e.grpcStatuses().forEach((code, n) -> grpc.merge(code, n, Long::sum)));
                });
                // OK once, RESOURCE_EXHAUSTED (8) once; retried answers are not the call's.
                assertThat(grpc).containsExactly(Map.entry("0", 1L), Map.entry("8", 1L));
            });
        }
    }

    /**
     * A server failing every call UNAVAILABLE answers HTTP 200 with grpc-status 14 in its headers: outlier detection
     * counts it as the 503 it maps to, as Envoy's router does, and ejects the server; the calls go to the other.
     */
    @Test
    void aServerFailingEveryCallUnavailableIsEjected() {
        publish(services("grpc"), noRetriesTo("{host: echo}"), """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: echo}
                spec:
                  host: echo
                  trafficPolicy:
                    loadBalancer: {simple: ROUND_ROBIN}
                    outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 60s,
                                       maxEjectionPercent: 100}
                """);
        v1.failures.set(1_000);
        int failed = 0;
        for (int i = 0; i < 10; i++) {
            try {
                ClientCalls.blockingUnaryCall(channel, GrpcEcho.FAIL, CallOptions.DEFAULT
                        .withDeadlineAfter(10, TimeUnit.SECONDS), GrpcEcho.text("x"));
            } catch (StatusRuntimeException e) {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                failed++;
            }
        }
        assertThat(failed).as("v1 ejected at its first UNAVAILABLE").isEqualTo(1);
    }

    /**
     * The proxy's own answer to a gRPC call (no endpoint took it) is a gRPC status, as Envoy's local reply: HTTP 200
     * trailers-only with grpc-status UNAVAILABLE and the reason in grpc-message (it was a text/plain 503, which
     * gRPC clients read as a bad content type and lose the reason).
     */
    @Test
    void theProxysOwnAnswerToAGrpcCallIsAGrpcStatus() throws Exception {
        publish(services("grpc"), noRetriesTo("{host: echo, subset: v2}"));
        v2.close();
        StatusRuntimeException failed = catchThrowableOfType(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(channel, GrpcEcho.SAY, CallOptions.DEFAULT
                        .withDeadlineAfter(10, TimeUnit.SECONDS), GrpcEcho.text("x")));
        assertThat(failed.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(failed.getStatus().getDescription()).as("the reason as grpc-message, not an HTTP error")
                .startsWith("upstream connect error");
    }

    /** An Istio Gateway on the test's port, and a VirtualService sending every call to {@code destination}, once. */
    String noRetriesTo(String destination) {
        return """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: grpc-gateway}
                spec:
                  servers: [{port: {number: %d, name: grpc, protocol: HTTP2}, hosts: ['*']}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: echo}
                spec:
                  hosts: ['*']
                  gateways: [grpc-gateway]
                  http:
                  - route: [{destination: %s}]
                    retries: {attempts: 0}
                """.formatted(gateway, destination);
    }
}
