package io.kshift.validator.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Operation;
import jakarta.validation.Validation;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

/** The egress policy alone, and through the validator with a fleet's own endpoints denied. */
class EgressTest {
    static final EgressPolicy FLEET = EgressPolicy.of(List.of("169.254.0.0/16", "fe80::/10", "127.0.0.1:9092",
            "config-service:8080"), List.of());

    @Test
    void rangesMatchLiteralsOnlyAndHostPortsMatchExactly() {
        assertThat(FLEET.denialOf("169.254.169.254")).get().asString().contains("link-local");
        assertThat(FLEET.denialOf("169.255.0.1")).isEmpty();
        assertThat(FLEET.denialOf("FE80::1")).isPresent();
        assertThat(FLEET.denialOf("[fe80::1]", 80)).isPresent();
        assertThat(FLEET.denialOf("metadata.google.internal")).as("names are not resolved here").isEmpty();
        assertThat(FLEET.denialOf("127.0.0.1", 9092)).get().asString().contains("kshift's own");
        assertThat(FLEET.denialOf("127.0.0.1", 9093)).isEmpty();
        assertThat(FLEET.denialOf("localhost", 9092)).as("loopback under another name").isPresent();
        assertThat(FLEET.denialOf("127.0.0.2", 9092)).isPresent();
        assertThat(FLEET.denialOf("::1", 9092)).isPresent();
        assertThat(FLEET.denialOf("10.0.0.1", 9092)).isEmpty();
        assertThat(FLEET.denialOf("127.0.0.1")).as("a host:port entry needs the port").isEmpty();
        assertThat(FLEET.denialOf("Config-Service", 8080)).isPresent();
        EgressPolicy k8s = EgressPolicy.of(List.of("config-service.kshift.svc.cluster.local:8080",
                "kafka-0.brokers.kshift:9093"), List.of());
        for (String name : List.of("config-service.kshift", "config-service.kshift.svc", "Config-Service.Kshift.",
                "config-service.kshift.svc.cluster.local.")) {
            assertThat(k8s.denialOf(name, 8080)).as(name + ": the same Service by another of its names").isPresent();
        }
        assertThat(k8s.denialOf("kafka-0.brokers.kshift.svc.cluster.local", 9093)).isPresent();
        assertThat(k8s.denialOf("config-service.other", 8080)).isEmpty();
        assertThat(k8s.denialOf("config-service", 8080)).as("a short name is a name of its own").isEmpty();
        EgressPolicy allowing = EgressPolicy.of(List.of("169.254.0.0/16"), List.of("169.254.10.0/24"));
        assertThat(allowing.denialOf("169.254.10.7")).isEmpty();
        assertThat(allowing.denialOf("169.254.11.7")).isPresent();
        assertThatThrownBy(() -> EgressPolicy.of(List.of("nonsense"), List.of()))
                .hasMessageContaining("neither a range");
    }

    @Test
    void aRouteToTheFleetsOwnKafkaIsRefusedUnlessAllowed() throws Exception {
        String named = """
                apiVersion: v1
                kind: Service
                metadata: {name: sneaky}
                spec: {ports: [{name: tcp, port: 9000}], selector: {app: sneaky}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: kafka}
                spec: {address: 127.0.0.1, ports: {tcp: 9092}, labels: {app: sneaky}}
                """;
        var refused = validator(FLEET).decide(MeshSnapshot.empty(), change(named)).result();
        assertThat(refused.status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(refused.errors()).anySatisfy(e -> {
            assertThat(e.resource()).isEqualTo("WorkloadEntry default/kafka");
            assertThat(e.field()).isEqualTo("spec.ports.tcp");
            assertThat(e.message()).contains("127.0.0.1:9092", "kshift.validator.egress.allow");
        });
        // The same endpoint reached through the Service's targetPort is named on the Service.
        String targeted = named.replace("{name: tcp, port: 9000}", "{name: tcp, port: 9000, targetPort: 9092}")
                .replace("ports: {tcp: 9092}, ", "");
        assertThat(validator(FLEET).decide(MeshSnapshot.empty(), change(targeted)).result().errors())
                .anySatisfy(e -> {
                    assertThat(e.resource()).isEqualTo("Service default/sneaky");
                    assertThat(e.field()).isEqualTo("spec.ports[0]");
                });
        EgressPolicy allowed = EgressPolicy.of(List.of("127.0.0.1:9092"), List.of("127.0.0.1:9092"));
        assertThat(validator(allowed).decide(MeshSnapshot.empty(), change(named)).result().status())
                .isEqualTo(ChangeStatus.ACCEPTED);
    }

    @Test
    void routesAndServiceEntriesThatReachTheFleetOrMetadataAreRefusedToo() throws Exception {
        String vs = """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: out}
                spec:
                  hosts: [out.example.com]
                  http:
                  - route:
                    - destination: {host: 169.254.169.254, port: {number: 80}}
                    mirror: {host: localhost, port: {number: 9092}}
                """;
        var result = validator(FLEET).decide(MeshSnapshot.empty(), change(vs)).result();
        assertThat(result.errors()).extracting(e -> e.field()).contains("spec.http[0].route[0].destination.host",
                "spec.http[0].mirror.host");
        String entry = """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: kafka}
                spec: {hosts: [kafka.example.com], ports: [{number: 9092, name: tcp}], resolution: STATIC,
                       endpoints: [{address: 0.0.0.0}]}
                """;
        assertThat(validator(FLEET).decide(MeshSnapshot.empty(), change(entry)).result().errors())
                .as("the unspecified address reaches this machine: it is the fleet's Kafka too")
                .anySatisfy(e -> {
                    assertThat(e.resource()).isEqualTo("ServiceEntry default/kafka");
                    assertThat(e.field()).isEqualTo("spec.ports[0]");
                });
        String named = vs.replace("169.254.169.254", "metadata.example.com").replace("localhost", "example.org");
        assertThat(validator(FLEET).decide(MeshSnapshot.empty(), change(named)).result().errors())
                .extracting(e -> e.field()).doesNotContain("spec.http[0].mirror.host");
    }

    /**
     * The registry adapter registers kshift's own namespace too: Service kshift/config-service with its pod is a
     * registered service, and a route to it must not get around the fleet's deny list by that.
     */
    @Test
    void aRouteToARegisteredServiceThatIsTheFleetsOwnIsRefused() throws Exception {
        EgressPolicy k8s = EgressPolicy.of(List.of("config-service.kshift.svc.cluster.local:8080"), List.of());
        String registered = """
                apiVersion: v1
                kind: Service
                metadata: {name: config-service, namespace: kshift}
                spec: {ports: [{name: http, port: 8080}], selector: {app: config-service}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: config-service-0, namespace: kshift}
                spec: {address: 10.2.0.5, ports: {http: 8080}, labels: {app: config-service}}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: in}
                spec:
                  hosts: [in.example.com]
                  http:
                  - route:
                    - destination: {host: config-service.kshift.svc.cluster.local, port: {number: 8080}}
                """;
        var result = validator(k8s).decide(MeshSnapshot.empty(), change(registered)).result();
        assertThat(result.status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(result.errors()).anySatisfy(e -> {
            assertThat(e.resource()).isEqualTo("VirtualService default/in");
            assertThat(e.field()).isEqualTo("spec.http[0].route[0].destination.host");
            assertThat(e.message()).contains("registered service", "kshift's own");
        });
        String elsewhere = registered.replace("host: config-service.kshift.svc.cluster.local", "host: web.shop")
                .replace("namespace: kshift", "namespace: shop").replace("config-service", "web");
        assertThat(validator(k8s).decide(MeshSnapshot.empty(), change(elsewhere)).result().status())
                .isEqualTo(ChangeStatus.ACCEPTED);
    }

    static ChangeValidator validator(EgressPolicy policy) {
        return new ChangeValidator(Validation.byDefaultProvider().configure()
                .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator(),
                Clock.systemUTC(), policy);
    }

    static ChangeRequested change(String yaml) throws Exception {
        var parsed = ResourceReader.readBody(yaml.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        return ChangeRequested.of("c", Instant.EPOCH, Operation.APPLY, parsed.resources(), false);
    }
}
