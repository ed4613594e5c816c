package io.kshift.validator.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Operation;
import io.kshift.model.event.ValidationMessage;
import io.kshift.model.resource.Resource;
import jakarta.validation.Validation;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

/**
 * Several resources for one host: accepted (they merge), with a warning where the merge leaves routes unreachable.
 * Each change is decided a minute after the one before, so the resources it creates are that much younger.
 */
class RouteMergeRulesTest {
    /** A clock a minute later at each change. */
    private static final class Minutes extends Clock {
        private Instant now = Instant.parse("2026-11-22T12:00:00Z");

        void tick() {
            now = now.plusSeconds(60);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final Minutes clock = new Minutes();
    private final ChangeValidator validator = new ChangeValidator(Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator(), clock);
    private MeshSnapshot live = MeshSnapshot.empty();

    private List<ValidationMessage> apply(String yaml) throws Exception {
        clock.tick();
        List<Resource> resources = ChangeValidatorTest.yaml(yaml);
        var d = validator.decide(live, ChangeRequested.of("c", Instant.EPOCH, Operation.APPLY, resources, false));
        assertThat(d.result().errors()).isEmpty();
        live = d.next().orElseThrow();
        return d.result().warnings();
    }

    /** Service web (port 8000) and one workload for it. */
    static final String WEB = """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec: {ports: [{name: http, port: 8000}], selector: {app: web}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: web-1}
            spec: {address: 10.0.0.1, labels: {app: web}}
            """;

    private static final String SERVICES = WEB + """
            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: public}
            spec:
              selector: {istio: ingressgateway}
              servers: [{port: {number: 8080, name: http, protocol: HTTP}, hosts: ['*']}]
            """;

    private static String virtualService(String name, String gateways, String http) {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: %s}
                spec:
                  hosts: [shop.example.com]
                  gateways: [%s]
                  http:
                %s""".formatted(name, gateways, http.indent(2));
    }

    @Test
    void aSecondCatchAllForAHostIsSaidToBeUnreachableButSpecificRoutesAfterADefaultAreNot() throws Exception {
        apply(SERVICES);
        assertThat(apply(virtualService("zz-old", "public", "- route: [{destination: {host: web}}]\n"))).isEmpty();
        Instant created = clock.instant();
        assertThat(apply(virtualService("aa-new", "public",
                "- match: [{uri: {prefix: /api}}]\n  route: [{destination: {host: web}}]\n")))
                .as("merged, the older default goes last: /api is reached").isEmpty();
        List<ValidationMessage> warnings = apply(virtualService("mm-newest", "public",
                "- match: [{uri: {prefix: /}}]\n  route: [{destination: {host: web}}]\n"));
        assertThat(warnings).extracting(w -> w.resource() + " " + w.field() + ": " + w.message())
                .containsExactly("VirtualService default/mm-newest spec.http[0]: host 'shop.example.com' on port"
                        + " 8080: this route matches every request, and so does VirtualService default/zz-old"
                        + " spec.http[0], which is older: merged, catch-all routes go last in age order, so this one"
                        + " is never reached");
        assertThat(live.resources()).filteredOn(r -> r.name().equals("zz-old")).singleElement()
                .satisfies(r -> assertThat(r.metadata().creationTimestamp()).isEqualTo(created));
    }

    @Test
    void virtualServicesThatSplitAHostOnAGatewayAreNotWarnedAbout() throws Exception {
        apply(SERVICES);
        apply(virtualService("cart", "public", "- match: [{uri: {prefix: /cart}}]\n  route: [{destination: {host: web}}]\n"));
        assertThat(apply(virtualService("rest", "public", "- route: [{destination: {host: web}}]\n"))).isEmpty();
    }

    @Test
    void onTheMeshPortASecondVirtualServiceForAHostIsSaidToBeIgnored() throws Exception {
        apply(SERVICES);
        apply(virtualService("first", "mesh", "- match: [{uri: {prefix: /a}}]\n  route: [{destination: {host: web}}]\n"));
        List<ValidationMessage> warnings = apply(virtualService("second", "mesh",
                "- route: [{destination: {host: web}}]\n"));
        assertThat(warnings).extracting(ValidationMessage::message)
                .anySatisfy(m -> assertThat(m).contains("already served by the older VirtualService default/first"));
    }

    private static final String ROOT = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: root}
            spec:
              hosts: [shop.example.com]
              gateways: [public]
              http:
              - match: [{uri: {prefix: /cart}}]
                delegate: {name: cart, namespace: team}
              - route: [{destination: {host: web}}]
            """;

    private static final String CART = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: cart, namespace: team}
            spec:
              http:
              - route: [{destination: {host: web.default.svc.cluster.local}}]
            """;

    private ChangeValidator.Decision decide(Operation operation, String yaml) throws Exception {
        clock.tick();
        return validator.decide(live, ChangeRequested.of("c", Instant.EPOCH, operation,
                ChangeValidatorTest.yaml(yaml), false));
    }

    @Test
    void aDelegateMayComeAfterItsRootAndCannotGoWhileARootUsesIt() throws Exception {
        apply(SERVICES);
        assertThat(apply(ROOT)).extracting(ValidationMessage::field).contains("spec.http[0].delegate");
        assertThat(live.status(new io.kshift.model.resource.ResourceKey(io.kshift.model.resource.Kind.VIRTUAL_SERVICE,
                "default", "root"))).extracting(io.kshift.model.status.StatusNote::reason).containsExactly("RefNotFound");
        assertThat(apply(CART)).isEmpty();
        assertThat(live.status()).as("the root is checked again when its delegate arrives").isEmpty();

        var removal = decide(Operation.DELETE, CART);
        assertThat(removal.result().errors()).extracting(e -> e.resource() + " " + e.message()).singleElement()
                .asString().startsWith("VirtualService team/cart Delegate VirtualService cannot be removed: live"
                        + " routes use it: VirtualService default/root spec.http[0].delegate");
        var withHosts = decide(Operation.APPLY, CART.replace("spec:\n", "spec:\n  hosts: [cart]\n"));
        assertThat(withHosts.result().errors()).as("a delegate in use keeps no hosts").isNotEmpty();
    }

    @Test
    void aRootNamingAVirtualServiceWithHostsDoesNotBlockItsOwner() throws Exception {
        apply(SERVICES);
        apply(ROOT);
        List<ValidationMessage> warnings = apply(CART.replace("spec:\n", "spec:\n  hosts: [cart.team]\n"));
        assertThat(warnings).extracting(ValidationMessage::message)
                .anySatisfy(m -> assertThat(m).contains("is not a delegate"));
        assertThat(live.status(new io.kshift.model.resource.ResourceKey(io.kshift.model.resource.Kind.VIRTUAL_SERVICE,
                "default", "root"))).extracting(io.kshift.model.status.StatusNote::reason)
                .containsExactly("InvalidKind");
    }

    @Test
    void aDelegatingRouteHasNoActionOfItsOwnAndADelegateDoesNotDelegateAgain() throws Exception {
        apply(SERVICES);
        var both = decide(Operation.APPLY, ROOT.replace("delegate: {name: cart, namespace: team}",
                "delegate: {name: cart, namespace: team}\n    route: [{destination: {host: web}}]"));
        assertThat(both.result().errors()).extracting(ValidationMessage::field).contains("spec.http[0].delegate");
        var nested = decide(Operation.APPLY, CART.replace("- route: [{destination: {host: web.default.svc.cluster"
                + ".local}}]", "- delegate: {name: other}"));
        assertThat(nested.result().errors()).extracting(ValidationMessage::message)
                .anySatisfy(m -> assertThat(m).contains("cannot delegate again"));
    }

    private static String tcpGateway(String name, String selector) {
        return """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: %1$s}
                spec:
                  selector: %2$s
                  servers: [{port: {number: 31400, name: tcp, protocol: TCP}, hosts: ['*']}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: %1$s}
                spec:
                  hosts: ['*']
                  gateways: [%1$s]
                  tcp: [{route: [{destination: {host: web, port: {number: 8000}}}]}]
                """.formatted(name, selector);
    }

    @Test
    void gatewaysForDifferentNodeGroupsMayEachHaveAPortButOneGroupMayNotHaveItTwice() throws Exception {
        apply(SERVICES);
        apply(tcpGateway("east", "{istio: ingressgateway, zone: east}"));
        assertThat(decide(Operation.APPLY, tcpGateway("west", "{istio: ingressgateway, zone: west}")).result()
                .errors()).as("no node is in both zones").isEmpty();
        assertThat(decide(Operation.APPLY, tcpGateway("any-zone", "{istio: ingressgateway}")).result().errors())
                .as("a node of the east zone would serve both").isNotEmpty();
        assertThat(decide(Operation.APPLY, tcpGateway("node-1", "{node: proxy-1}")).result().errors())
                .as("a node labelled zone=east and node=proxy-1 would serve both").isNotEmpty();
    }

    @Test
    void aGatewaysTcpPortIsRoutedByTheOldestVirtualService() throws Exception {
        apply(SERVICES);
        apply(tcpGateway("zz-old", "{istio: ingressgateway}"));
        apply("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: aa-new}
                spec:
                  hosts: ['*']
                  gateways: [zz-old]
                  tcp: [{route: [{destination: {host: web, port: {number: 8000}}}]}]
                """);
        var bindings = io.kshift.model.routing.ListenerBindings.compute(
                io.kshift.model.mesh.MeshConfig.of(live.resources()));
        assertThat(bindings.get(31400).routes()).extracting(r -> r.source().name())
                .as("the older one, as Istio; not the first by name").containsExactly("zz-old");
    }

    /** A gateway TCP port carries the oldest VirtualService's route; a newer one for it hears that it serves nothing. */
    @Test
    void aNewerVirtualServiceForAGatewayTcpPortIsSaidToServeNothingThere() throws Exception {
        apply(WEB + """
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: tcp}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: 31400, name: tcp, protocol: TCP}, hosts: ['*']}]
                """);
        String tcp = """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: %s}
                spec:
                  hosts: ['*']
                  gateways: [tcp]
                  tcp: [{match: [{port: 31400}], route: [{destination: {host: web, port: {number: 8000}}}]}]
                """;
        assertThat(apply(tcp.formatted("zz-old"))).isEmpty();
        assertThat(apply(tcp.formatted("aa-new"))).extracting(w -> w.resource() + " " + w.field() + ": " + w.message())
                .containsExactly("VirtualService default/aa-new spec.tcp[0]: TCP port 31400 of Gateway default/tcp is"
                        + " routed by the older VirtualService default/zz-old (a TCP port takes the oldest"
                        + " VirtualService's route, as in Istio): this route serves nothing there");
    }
}
