package io.kshift.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.mesh.MeshConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Simulation: given the task's resources, where do connections to port 31400 land? */
class RouteTableBuilderTest {
    static MeshSnapshot snapshot(long generation, String... files) throws Exception {
        MeshConfig config = MeshConfig.empty();
        for (String f : files) {
            var parsed = ResourceReader.readBody(Files.readAllBytes(Path.of("..", "samples", "tcp-echo", f)),
                    BodyFormat.YAML);
            config = config.apply(parsed.resources()).config();
        }
        return new MeshSnapshot(null, generation, "c", Instant.EPOCH, config.all());
    }

    static Map<String, Integer> land(RouteTable table, int port, int connections) {
        Map<String, Integer> counts = new HashMap<>();
        ListenerRoute route = table.route(port).orElseThrow();
        for (int i = 0; i < connections; i++) {
            RouteTarget t = route.pick();
            String where = t.destination().version() + "@" + t.endpoints().get(t.endpoints().first()).address();
            counts.merge(where, 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void allToV1ThenEightyTwenty() throws Exception {
        RouteTable allV1 = RouteTableBuilder.build(snapshot(1, "tcp-echo-services.yaml", "tcp-echo-all-v1.yaml"),
                new Random(1));
        assertThat(allV1.ports()).containsExactly(31400);
        assertThat(land(allV1, 31400, 100)).containsExactly(Map.entry("v1@127.0.0.1:9001", 100));

        RouteTable split = RouteTableBuilder.build(snapshot(2, "tcp-echo-services.yaml", "tcp-echo-all-v1.yaml",
                "tcp-echo-20-v2.yaml"), new Random(1));
        assertThat(land(split, 31400, 100)).containsOnly(Map.entry("v1@127.0.0.1:9001", 80),
                Map.entry("v2@127.0.0.1:9002", 20));
    }

    @Test
    void gatewayApiFlavourLandsTheSame() throws Exception {
        RouteTable split = RouteTableBuilder.build(snapshot(3, "tcp-echo-services.yaml",
                "gateway-api/tcp-echo-all-v1.yaml", "gateway-api/tcp-echo-20-v2.yaml"), new Random(1));
        assertThat(land(split, 31400, 50)).containsOnly(Map.entry("v1@127.0.0.1:9001", 40),
                Map.entry("v2@127.0.0.1:9002", 10));
    }

    @Test
    void destinationStateIsSharedAndCarriedOverWhileTheDestinationIsUnchanged() throws Exception {
        var telemetry = io.kshift.proxy.telemetry.Telemetry.detached();
        Destinations first = new Destinations(new Random(1), System::nanoTime, telemetry);
        RouteTable allV1 = RouteTableBuilder.build(snapshot(1, "tcp-echo-services.yaml", "tcp-echo-all-v1.yaml"), first);
        RouteTarget v1 = allV1.routes().get(31400).targets().get(0);
        v1.admit();

        RouteTable split = RouteTableBuilder.build(snapshot(2, "tcp-echo-services.yaml", "tcp-echo-all-v1.yaml",
                "tcp-echo-20-v2.yaml"), new Destinations(new Random(1), System::nanoTime, telemetry,
                allV1.carryOver()));
        RouteTarget v1Again = split.routes().get(31400).targets().get(0);
        assertThat(v1Again.endpoints()).as("same destination: same endpoints, ejections, balancer")
                .isSameAs(v1.endpoints());
        assertThat(v1Again.open().get()).as("the connection the old table admitted still holds its slot").isEqualTo(1);
        assertThat(split.destinations()).as("both subsets (and the mesh port's default route to the service)")
                .containsKeys(v1Again.destination(), split.routes().get(31400).targets().get(1).destination());

        RouteTable onlyV2 = RouteTableBuilder.build(snapshot(3, "tcp-echo-services.yaml", "tcp-echo-all-v1.yaml",
                "tcp-echo-all-v1.yaml".replace("all-v1", "20-v2")), new Destinations(new Random(1), System::nanoTime,
                telemetry, Destinations.CarryOver.NONE));
        assertThat(onlyV2.routes().get(31400).targets().get(0).endpoints()).as("nothing carried over: fresh state")
                .isNotSameAs(v1.endpoints());
    }
}
