package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.ScaleFixtures;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Schemas;
import io.kshift.model.event.SnapshotDecoder;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.routing.RouteTableBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A table of 10,000 resources (2,000 services), built the way a node builds it from the bus, routes every one of
 * them right: ten requests to each service's mesh host land nine on its v1 workload and one on its v2 workload.
 * Correctness only; the speed is the benchmark's ({@code ./kshift bench scale}).
 */
class LargeMeshTableTest {
    @Test
    void everyServiceOfTenThousandResourcesIsRoutedToItsOwnWorkloadsNinetyTen() {
        MeshConfig config = MeshConfig.of(ScaleFixtures.services(2000));
        assertThat(config.size()).isEqualTo(10_000);
        MeshSnapshot snapshot = new SnapshotDecoder().decode(EventCodec.encode(new MeshSnapshot(Schemas.MESH_SNAPSHOT,
                1, "c", Instant.now(), config.all())));
        RouteTable table = RouteTableBuilder.build(snapshot, new Random(1));
        assertThat(table.build().hostsCompiled()).isEqualTo(2000);
        for (int i = 0; i < 2000; i++) {
            Map<String, Integer> landed = new TreeMap<>();
            for (String host : List.of("svc-" + i + ".scale:8000", "svc-" + i + ".scale.svc.cluster.local")) {
                List<HttpRouteEntry> routes = table.mesh().routes(host);
                assertThat(routes).as(host).hasSize(1);
                for (int n = 0; n < 5; n++) {
                    HttpTarget t = routes.get(0).pick();
                    landed.merge(t.destination().subset() + "@" + t.endpoints().get(t.endpoints().first()), 1,
                            Integer::sum);
                }
            }
            assertThat(landed).as("svc-" + i).containsExactly(Map.entry("v1@127.0.0.1:" + (20000 + i), 9),
                    Map.entry("v2@127.0.0.1:" + (40000 + i), 1));
        }
    }
}
