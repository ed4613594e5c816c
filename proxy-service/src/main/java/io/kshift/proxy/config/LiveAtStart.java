package io.kshift.proxy.config;

import io.kshift.model.bus.BusConnection;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.SnapshotLoader;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The newest generation on {@code kshift.config} when this node started (-1 until read, on a thread of its own,
 * retried while Kafka is away), and the checkpoint it was built from. A node is ready once it runs it; and the
 * records before that checkpoint, which a node reading the compacted topic from the start still finds until the log
 * is cleaned (tens of MBs after a big load), are skipped rather than built one after the other.
 */
@ApplicationScoped
public class LiveAtStart {
    private static final Logger LOG = Logger.getLogger(LiveAtStart.class);
    private final AtomicLong generation = new AtomicLong(-1);
    private final AtomicLong checkpoint = new AtomicLong(-1);
    private final BusConnection bus;
    /** The topic the config channel reads (renamed in some deployments): the one whose newest generation counts. */
    private final String topic;

    LiveAtStart(@Identifier("default-kafka-broker") Map<String, Object> kafka,
                @org.eclipse.microprofile.config.inject.ConfigProperty(name = "mp.messaging.incoming.config.topic",
                        defaultValue = MeshTopics.CONFIG) String topic) {
        this.bus = BusConnection.of(kafka);
        this.topic = topic;
    }

    void start(@Observes StartupEvent ev) {
        Thread reader = new Thread(this::read, "live-generation");
        reader.setDaemon(true);
        reader.start();
    }

    /** The generation live when the node started, or -1 while it is not known yet. */
    public long generation() {
        return generation.get();
    }

    /**
     * The checkpoint the live generation was built from when the node started, or -1 while it is not known yet:
     * records older than it need not be read.
     */
    public long checkpoint() {
        return checkpoint.get();
    }

    private void read() {
        boolean brokenReported = false;
        while (generation.get() < 0 && !Thread.currentThread().isInterrupted()) {
            try {
                SnapshotLoader.Latest latest = new SnapshotLoader(bus, topic).latestWithCheckpoint();
                checkpoint.set(latest.checkpoint());
                generation.set(latest.snapshot().generation());
            } catch (SnapshotLoader.BrokenChain e) {
                // Not ready until the validator writes the next checkpoint (docs/events.md, SnapshotDelta).
                if (!brokenReported) {
                    LOG.warnf("%s; waiting for the next checkpoint", e.getMessage());
                    brokenReported = true;
                }
                pause();
            } catch (RuntimeException e) {
                LOG.debugf("cannot read %s yet (%s); retrying", topic, e.toString());
                pause();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }
}
