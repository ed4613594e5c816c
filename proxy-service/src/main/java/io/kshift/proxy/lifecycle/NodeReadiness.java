package io.kshift.proxy.lifecycle;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.proxy.config.RouteTableHolder;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Ready once the node runs at least the generation that was live on the bus when it started (its listeners are
 * bound), and not ready again from the moment it starts shutting down: load balancers and Kubernetes send a new
 * node connections only when it can route them, and stop before it drains.
 */
@Readiness
@ApplicationScoped
public class NodeReadiness implements HealthCheck {
    private static final Logger LOG = Logger.getLogger(NodeReadiness.class);
    private final RouteTableHolder tables;
    private final String bootstrapServers;
    /** The newest generation on kshift.config when the node started; -1 until read. */
    private final AtomicLong liveAtStart = new AtomicLong(-1);
    private volatile boolean shuttingDown;

    NodeReadiness(RouteTableHolder tables, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.tables = tables;
        this.bootstrapServers = bootstrapServers;
    }

    void start(@Observes StartupEvent ev) {
        Thread reader = new Thread(this::readLiveGeneration, "live-generation");
        reader.setDaemon(true);
        reader.start();
    }

    void shuttingDown() {
        shuttingDown = true;
    }

    @Override
    public HealthCheckResponse call() {
        long target = liveAtStart.get();
        long running = tables.get().generation();
        return HealthCheckResponse.named("proxy-node")
                .status(!shuttingDown && target >= 0 && running >= target)
                .withData("generation", running).withData("liveAtStart", target)
                .withData("shuttingDown", shuttingDown).build();
    }

    private void readLiveGeneration() {
        while (liveAtStart.get() < 0) {
            try {
                liveAtStart.set(newestGeneration());
            } catch (RuntimeException e) {
                LOG.debugf("cannot read %s yet (%s); retrying", MeshTopics.CONFIG, e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private long newestGeneration() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MeshTopics.MAX_RECORD_BYTES));
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(MeshTopics.CONFIG, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long newest = 0;
            while (consumer.position(partition) < end) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.value() != null) {
                        newest = Math.max(newest, EventCodec.decode(record.value(), MeshSnapshot.class).generation());
                    }
                }
            }
            return newest;
        }
    }
}
