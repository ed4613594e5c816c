package io.kshift.config.bus;

import io.kshift.model.bus.BusConnection;
import io.kshift.model.event.SnapshotLoader;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Ready once this instance has read the generation that was live on {@code kshift.config} when it started. Until
 * then it reads the topic from the start and its views lag: a client reading the config, editing it and applying
 * it without {@code ifGeneration} could put back an older one, and {@code waitFor=synced} could be answered from
 * no proxies at all. So load balancers and Kubernetes send it requests once it has caught up, as the proxies'
 * readiness waits for the generation live at their start.
 */
@Readiness
@ApplicationScoped
public class CaughtUp implements HealthCheck {
    private static final Logger LOG = Logger.getLogger(CaughtUp.class);
    private final AtomicLong liveAtStart = new AtomicLong(-1);
    private final LiveConfig live;
    private final BusConnection bus;
    private final String topic;

    CaughtUp(LiveConfig live, @Identifier("default-kafka-broker") Map<String, Object> kafka,
             @ConfigProperty(name = "mp.messaging.incoming.config.topic") String topic) {
        this.live = live;
        this.bus = BusConnection.of(kafka);
        this.topic = topic;
    }

    void start(@Observes StartupEvent ev) {
        Thread reader = new Thread(this::read, "live-generation");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        while (liveAtStart.get() < 0 && !Thread.currentThread().isInterrupted()) {
            try {
                liveAtStart.set(new SnapshotLoader(bus, topic).latest().generation());
            } catch (SnapshotLoader.BrokenChain e) {
                // The newest delta's checkpoint is gone until the validator writes the next one, which needs a
                // change through a ready config-service: its generation is what the live config's head shows once
                // read (its summary header), so that is the target, not a wait for ever.
                if (e.generation() > 0) {
                    liveAtStart.set(e.generation());
                } else {
                    pause();
                }
            } catch (RuntimeException e) {
                // Kafka away, or a delta whose checkpoint is gone until the validator writes the next one.
                LOG.debugf("cannot read the live generation on %s yet (%s); retrying", topic, e.toString());
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

    @Override
    public HealthCheckResponse call() {
        long target = liveAtStart.get();
        long seen = live.head().generation();
        return HealthCheckResponse.named("config-caught-up").status(target >= 0 && seen >= target)
                .withData("generation", seen).withData("liveAtStart", target).build();
    }
}
