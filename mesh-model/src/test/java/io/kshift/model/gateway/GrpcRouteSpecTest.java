package io.kshift.model.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.grpc.GrpcStatus;
import io.kshift.model.istio.RetryOn;
import io.kshift.model.regex.Re2;
import io.kshift.model.registry.ServicePortInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** gRPC in the model: methods as the paths they are, protocols as Istio selects them, statuses and retries. */
class GrpcRouteSpecTest {
    static boolean matches(GrpcRouteSpec.MethodMatch m, String path) {
        HttpRouteMatch.PathMatch p = GrpcRouteSpec.path(m);
        return p.type() == HttpRouteMatch.PathType.Exact ? p.value().equals(path)
                : Re2.compile(p.value(), false).matcher(path).matches();
    }

    @Test
    void aMethodMatchIsThePathItMatches() {
        var exact = new GrpcRouteSpec.MethodMatch(null, "com.example.Greeter", "SayHello");
        assertThat(GrpcRouteSpec.path(exact).value()).isEqualTo("/com.example.Greeter/SayHello");
        var service = new GrpcRouteSpec.MethodMatch(GrpcRouteSpec.MatchType.Exact, "com.example.Greeter", null);
        assertThat(matches(service, "/com.example.Greeter/SayHello")).isTrue();
        assertThat(matches(service, "/com.example.Greeter/a/b")).isFalse();
        assertThat(matches(service, "/comXexample.Greeter/SayHello")).as("the dots are literal").isFalse();
        var method = new GrpcRouteSpec.MethodMatch(null, null, "SayHello");
        assertThat(matches(method, "/any.Service/SayHello")).isTrue();
        assertThat(matches(method, "/any.Service/SayHelloAgain")).isFalse();
        var regex = new GrpcRouteSpec.MethodMatch(GrpcRouteSpec.MatchType.RegularExpression, "com\\.example\\..*|x",
                "Say.*");
        assertThat(matches(regex, "/com.example.Greeter/SayHello")).isTrue();
        assertThat(matches(regex, "/x/SayHi")).as("alternation stays inside the service part").isTrue();
        assertThat(matches(regex, "/x/Hello")).isFalse();
        var anchored = new GrpcRouteSpec.MethodMatch(GrpcRouteSpec.MatchType.RegularExpression, "^com\\.example\\..*$",
                null);
        assertThat(matches(anchored, "/com.example.Greeter/SayHello")).as("anchors at a pattern's ends say nothing")
                .isTrue();
    }

    @Test
    void aGrpcRouteIsServedAsTheHttpRouteOfTheSameShape() {
        var rule = new GrpcRouteSpec.Rule("r", List.of(new GrpcRouteSpec.Match(
                new GrpcRouteSpec.MethodMatch(null, "a.B", "C"),
                List.of(new HttpRouteMatch.ValueMatch(null, "env", "canary")))),
                List.of(new GrpcRouteSpec.Filter(GrpcRouteSpec.Filter.Type.RequestHeaderModifier,
                        new HttpRouteFilter.HeaderModifier(null, null, List.of("x")), null, null)),
                List.of(new BackendRef(null, null, "svc", null, 9000, 3)));
        HttpRouteSpec http = new GrpcRouteSpec(List.of(), List.of("grpc.example.com"), List.of(rule)).asHttpRoute();
        assertThat(http.hostnames()).containsExactly("grpc.example.com");
        HttpRouteRule r = http.rules().get(0);
        assertThat(r.matches().get(0).path().value()).isEqualTo("/a.B/C");
        assertThat(r.matches().get(0).headers()).extracting(HttpRouteMatch.ValueMatch::name).containsExactly("env");
        assertThat(r.filters().get(0).type()).isEqualTo(HttpRouteFilter.Type.RequestHeaderModifier);
        assertThat(r.backendRefs().get(0).effectiveWeight()).isEqualTo(3);
    }

    @Test
    void portsSayTheirProtocolAsIstioReadsThem() {
        assertThat(ServicePortInfo.kubernetesProtocol(null, "grpc")).isEqualTo("GRPC");
        assertThat(ServicePortInfo.kubernetesProtocol(null, "grpc-api")).isEqualTo("GRPC");
        assertThat(ServicePortInfo.kubernetesProtocol(null, "grpc-web")).isEqualTo("GRPC-WEB");
        assertThat(ServicePortInfo.kubernetesProtocol(null, "http2-x")).isEqualTo("HTTP2");
        assertThat(ServicePortInfo.kubernetesProtocol(null, "web")).isNull();
        assertThat(ServicePortInfo.kubernetesProtocol("kubernetes.io/h2c", "web")).isEqualTo("HTTP2");
        assertThat(ServicePortInfo.kubernetesProtocol("http", "grpc")).as("appProtocol first").isEqualTo("HTTP");
        assertThat(new ServicePortInfo(1, "g", null, null, "GRPC").http2()).isTrue();
        assertThat(new ServicePortInfo(1, "h", null, null, "HTTP").http2()).isFalse();
    }

    @Test
    void grpcStatusesAndRetryConditions() {
        assertThat(GrpcStatus.parse("UNAVAILABLE")).hasValue(14);
        assertThat(GrpcStatus.parse("unavailable")).hasValue(14);
        assertThat(GrpcStatus.parse("8")).hasValue(8);
        assertThat(GrpcStatus.parse("17")).isEmpty();
        assertThat(GrpcStatus.parse("NOPE")).isEmpty();
        RetryOn on = RetryOn.parse("unavailable,deadline-exceeded,5xx");
        assertThat(on.retriesGrpc(14)).isTrue();
        assertThat(on.retriesGrpc(4)).isTrue();
        assertThat(on.retriesGrpc(13)).isFalse();
        assertThat(on.retriesGrpc(0)).isFalse();
        assertThat(RetryOn.parse("cancelled,internal,resource-exhausted").retriesGrpc(8)).isTrue();
    }
}
