package io.kshift.validator.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Operation;
import io.kshift.model.resource.Resource;
import io.kshift.model.status.StatusNote;
import jakarta.validation.Validation;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

/**
 * Status notes travel with each snapshot: a route whose parent is missing is not Accepted (NoMatchingParent), and
 * stops being so when the parent arrives, though the route itself did not change; a route no change reaches keeps
 * its notes; a deleted route takes them along.
 */
class ResourceStatusRulesTest {
    private final ChangeValidator validator = new ChangeValidator(Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator(),
            Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC));
    private MeshSnapshot live = MeshSnapshot.empty();

    private void change(Operation operation, String yaml) throws Exception {
        List<Resource> resources = ChangeValidatorTest.yaml(yaml);
        var d = validator.decide(live, ChangeRequested.of("c", Instant.EPOCH, operation, resources, false));
        assertThat(d.result().errors()).isEmpty();
        // What the proxies and config-service get: the snapshot as it travels.
        live = io.kshift.model.event.EventCodec.decode(new String(d.snapshot(), java.nio.charset.StandardCharsets.UTF_8), MeshSnapshot.class);
    }

    private static String route(String name, String gateway) {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: %s}
                spec:
                  parentRefs: [{name: %s}]
                  rules: [{backendRefs: [{name: web, port: 8000}]}]
                """.formatted(name, gateway);
    }

    private static final String GATEWAY = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: public}
            spec:
              gatewayClassName: kshift
              listeners: [{name: http, protocol: HTTP, port: 8080}]
            """;

    @Test
    void aRouteWaitingForItsGatewayIsNotAcceptedUntilItArrives() throws Exception {
        change(Operation.APPLY, RouteMergeRulesTest.WEB);
        change(Operation.APPLY, route("early", "public") + "---\n" + route("elsewhere", "nowhere"));
        assertThat(live.status()).containsOnlyKeys("HTTPRoute default/early", "HTTPRoute default/elsewhere");
        assertThat(live.status().get("HTTPRoute default/early")).singleElement().satisfies(n -> {
            assertThat(n.type()).isEqualTo(StatusNote.ACCEPTED);
            assertThat(n.reason()).isEqualTo("NoMatchingParent");
            assertThat(n.field()).isEqualTo("spec.parentRefs[0].name");
        });

        change(Operation.APPLY, GATEWAY);
        assertThat(live.status()).as("the Gateway's arrival checked every route again")
                .containsOnlyKeys("HTTPRoute default/elsewhere");

        change(Operation.APPLY, """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: unrelated}
                spec: {host: web}
                """);
        assertThat(live.status()).as("a change that reaches no route leaves their notes")
                .containsOnlyKeys("HTTPRoute default/elsewhere");

        change(Operation.DELETE, route("elsewhere", "nowhere"));
        assertThat(live.status()).isEmpty();
    }

    @Test
    void aRouteWhoseHostnamesMeetNoListenerIsNotAccepted() throws Exception {
        change(Operation.APPLY, RouteMergeRulesTest.WEB);
        change(Operation.APPLY, GATEWAY.replace("port: 8080}", "port: 8080, hostname: shop.example.com}"));
        change(Operation.APPLY, route("elsewhere", "public").replace("spec:\n", "spec:\n  hostnames: [blog.example.org]\n")
                + "---\n" + route("wild", "public").replace("spec:\n", "spec:\n  hostnames: ['*.example.com']\n"));
        assertThat(live.status()).containsOnlyKeys("HTTPRoute default/elsewhere");
        assertThat(live.status().get("HTTPRoute default/elsewhere")).extracting(StatusNote::reason)
                .containsExactly("NoMatchingListenerHostname");
    }
}
