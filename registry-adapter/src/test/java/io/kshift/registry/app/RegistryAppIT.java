package io.kshift.registry.app;

import static io.kshift.registry.support.KubeFixtures.pod;
import static io.kshift.registry.support.KubeFixtures.slice;
import static io.kshift.registry.support.KubeFixtures.tcpEchoService;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.Operation;
import io.kshift.model.resource.Resource;
import io.kshift.testkit.Bus;
import io.kshift.testkit.KafkaBrokerResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

/** The packaged registry adapter: the pods it finds through the Kubernetes API become a change on the bus. */
@QuarkusIntegrationTest
@WithKubernetesTestServer(crud = true)
@WithTestResource(KafkaBrokerResource.class)
class RegistryAppIT {
    @KubernetesTestServer
    KubernetesServer server;

    @Test
    void publishesTheClustersWorkloads() {
        KubernetesClient kube = server.getClient();
        Pod v1 = pod("shop", "tcp-echo-v1-1", "v1", "10.2.0.1");
        kube.resource(tcpEchoService("shop")).create();
        kube.resource(v1).create();
        kube.resource(slice("shop", "tcp-echo-1", 9000, v1)).create();

        var changes = Bus.readUntil(MeshTopics.CHANGES, rs -> rs.stream()
                .anyMatch(r -> r.value().contains("tcp-echo-v1-1")));
        ChangeRequested change = changes.stream().map(r -> EventCodec.decode(r.value(), ChangeRequested.class))
                .filter(c -> c.changeId().startsWith("registry-")).findFirst().orElseThrow();
        assertThat(change.operation()).isEqualTo(Operation.APPLY);
        assertThat(change.resources()).extracting(Resource::namespace).containsOnly("shop");
        given().get("/q/health/ready").then().statusCode(200);
    }
}
