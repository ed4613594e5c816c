package io.kshift.proxy.config;

import static io.kshift.testkit.Api.asAdmin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.model.ScaleFixtures;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.Schemas;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Resource;
import io.kshift.testkit.Bus;
import io.kshift.testkit.EmbeddedKafka;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.kshift.testkit.Poison;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import io.kshift.proxy.routing.RouteTable;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A node reading every kind of poison record on {@code kshift.config} keeps running its last good table the whole
 * time (never an empty or half one), stays ready, and builds the next good snapshot.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class PoisonSnapshotTest {
    @Inject
    RouteTableHolder tables;

    @Test
    void poisonSnapshotsAreSkippedTheLastGoodTableStaysAndTheNextGoodOneIsBuilt() {
        long base = new io.kshift.model.event.SnapshotLoader(EmbeddedKafka.bootstrapServers(), MeshTopics.CONFIG)
                .latest().generation();
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() >= base);
        List<Resource> mesh = MeshConfig.of(ScaleFixtures.services(3)).all();
        send(base + 1, mesh);
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() == base + 1);
        assertThat(tables.get().config().size()).isEqualTo(mesh.size());

        Set<Long> ran = ConcurrentHashMap.newKeySet();
        Set<Integer> sizes = ConcurrentHashMap.newKeySet();
        Thread watch = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                RouteTable t = tables.get();
                ran.add(t.generation());
                sizes.add(t.config().size());
                Thread.onSpinWait();
            }
        });
        watch.setDaemon(true);
        watch.start();
        List<String> poison = new ArrayList<>();
        Poison.pills(MeshTopics.MAX_RECORD_BYTES - 64 * 1024).forEach(p -> poison.add(p.value()));
        // Parse as snapshots but are not ones: no generation, no time, a generation from before time began.
        poison.add("{\"schema\":\"kshift.io/v1/MeshSnapshot\",\"resources\":[]}");
        poison.add("{\"schema\":\"kshift.io/v1/MeshSnapshot\",\"generation\":" + (base + 50) + ",\"resources\":[]}");
        poison.add("{\"schema\":\"kshift.io/v1/MeshSnapshot\",\"generation\":-3,\"createdAt\":\"2026-01-01T00:00:00Z\","
                + "\"resources\":[]}");
        poison.add("{\"schema\":\"kshift.io/v1/MeshSnapshot\",\"generation\":" + (base + 60)
                + ",\"createdAt\":\"2026-01-01T00:00:00Z\",\"resources\":[{\"kind\":\"NoSuchKind\"}]}");
        for (String value : poison) {
            // One at a time, each seen refused, so none is merely superseded by the next before it is read.
            long refused = tables.unreadable().get();
            Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, value);
            await().atMost(Duration.ofSeconds(30)).until(() -> tables.unreadable().get() == refused + 1);
        }
        send(base + 2, mesh);
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() == base + 2);
        watch.interrupt();

        given().get("/q/health/ready").then().statusCode(200);
        assertThat(ran).as("generations the node ran meanwhile").containsOnly(base + 1, base + 2);
        assertThat(sizes).as("resources in the tables it ran").containsOnly(mesh.size());
    }

    private static void send(long generation, List<Resource> resources) {
        Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, EventCodec.encode(new MeshSnapshot(Schemas.MESH_SNAPSHOT,
                generation, "change-" + generation, Instant.now(), resources)));
    }
}
