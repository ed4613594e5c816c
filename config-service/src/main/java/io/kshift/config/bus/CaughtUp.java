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
 * Ready once this instance has read the generation that was live on {@code kshift.config} when it started, and the
 * proxies' reports, the verdicts and the generation history on the bus then ({@link ReadThrough}). Until then it
 * reads those topics from the start and its views lag: a client reading the config, editing it and applying it
 * without {@code ifGeneration}
 * could put back an older one, {@code waitFor=synced} could be answered from part of the fleet or none of it, and
 * an older change's id would answer 404. So load balancers and Kubernetes send it requests once it has caught up, as
 * the proxies' readiness waits for the generation live at their start.
 */
@Readiness
@ApplicationScoped
public class CaughtUp implements HealthCheck {
    private static final Logger LOG = Logger.getLogger(CaughtUp.class);
    private final AtomicLong liveAtStart = new AtomicLong(-1);
    private final LiveConfig live;
    private final BusConnection bus;
    private final String topic;
    /** Topic → how far its channel must read. */
    private final Map<String, ReadThrough> channels;

    @jakarta.inject.Inject
    CaughtUp(LiveConfig live, ChangeLedger ledger, io.kshift.config.proxies.ProxyFleet fleet,
             io.kshift.config.history.GenerationHistory history,
             @Identifier("default-kafka-broker") Map<String, Object> kafka,
             @ConfigProperty(name = "mp.messaging.incoming.config.topic") String topic,
             @ConfigProperty(name = "mp.messaging.incoming.results.topic") String resultsTopic,
             @ConfigProperty(name = "mp.messaging.incoming.proxy-status.topic") String statusTopic,
             @ConfigProperty(name = "mp.messaging.incoming.history.topic") String historyTopic) {
        this(live, kafka, topic, Map.of(resultsTopic, ledger.readThrough(), statusTopic, fleet.readThrough(),
                historyTopic, history.readThrough()));
    }

    CaughtUp(LiveConfig live, Map<String, Object> kafka, String topic, Map<String, ReadThrough> channels) {
        this.live = live;
        this.bus = BusConnection.of(kafka);
        this.topic = topic;
        this.channels = Map.copyOf(channels);
    }

    void start(@Observes StartupEvent ev) {
        Thread reader = new Thread(this::read, "live-generation");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        while (!targetsKnown() && !Thread.currentThread().isInterrupted()) {
            try {
                for (var channel : channels.entrySet()) {
                    if (!channel.getValue().targetKnown()) {
                        channel.getValue().findTarget(bus, channel.getKey());
                    }
                }
                if (liveAtStart.get() < 0) {
                    liveAtStart.set(new SnapshotLoader(bus, topic).latest().generation());
                }
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
                LOG.debugf("cannot read where %s and %s end yet (%s); retrying", topic, channels.keySet(),
                        e.toString());
                pause();
            }
        }
    }

    private boolean targetsKnown() {
        return liveAtStart.get() >= 0 && channels.values().stream().allMatch(ReadThrough::targetKnown);
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
        var response = HealthCheckResponse.named("config-caught-up").withData("generation", seen)
                .withData("liveAtStart", target);
        boolean up = target >= 0 && seen >= target;
        for (var channel : new java.util.TreeMap<>(channels).entrySet()) {
            boolean done = channel.getValue().done();
            response.withData(channel.getKey(), done ? "read" : "reading");
            up &= done;
        }
        return response.status(up).build();
    }
}
