package io.kshift.registry;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.resource.ResourceKey;
import io.kshift.registry.bus.MeshBus;
import io.kshift.registry.kube.KubeInventory;
import io.kshift.registry.workloads.MeshRegistration;
import io.kshift.registry.workloads.RegistryBacklog;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Keeps the mesh's registrations equal to the cluster: on every cluster event (debounced) and every resync it
 * diffs the desired registrations against the live snapshot and submits one change, then waits for the validator's
 * verdict before the next. Additions go before deletions, so a subset never loses its last endpoint in between
 * (make-before-break). What verdicts teach it (refusals, no-ops) lives in {@link RegistryBacklog}; a change made
 * against a generation that is no longer live is refused as a conflict, and the adapter diffs again once it has
 * read the newer config.
 */
@ApplicationScoped
public class RegistryReconciler implements MeshBus.Listener {
    private static final Logger LOG = Logger.getLogger(RegistryReconciler.class);
    /** Who the audit trail names for the adapter's changes. */
    static final String SUBJECT = io.kshift.model.bus.MeshAcls.REGISTRY_SUBJECT;

    private final KubernetesClient client;
    private final io.kshift.model.bus.BusConnection connection;
    private final List<String> namespaces;
    private final Duration debounce;
    private final Duration resync;
    private final Duration verdictTimeout;
    private final Clock clock = Clock.systemUTC();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "registry-reconcile");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile MeshSnapshot live = MeshSnapshot.empty();
    private volatile KubeInventory inventory;
    private volatile MeshBus bus;
    /** The change in flight: set on the reconcile thread, cleared by its verdict or snapshot (compare-and-set). */
    private final AtomicReference<Pending> pending = new AtomicReference<>();
    private final RegistryBacklog backlog = new RegistryBacklog();
    /** After a conflict: the generation the validator saw, which the next diff must be made against (or later). */
    private volatile long awaitedGeneration;

    RegistryReconciler(KubernetesClient client,
                       @io.smallrye.common.annotation.Identifier("default-kafka-broker")
                       java.util.Map<String, Object> kafka,
                       @ConfigProperty(name = "kshift.registry.namespaces") Optional<List<String>> namespaces,
                       @ConfigProperty(name = "kshift.registry.debounce", defaultValue = "200ms") Duration debounce,
                       @ConfigProperty(name = "kshift.registry.resync", defaultValue = "30s") Duration resync,
                       @ConfigProperty(name = "kshift.registry.verdict-timeout", defaultValue = "15s")
                       Duration verdictTimeout) {
        this.client = client;
        this.connection = io.kshift.model.bus.BusConnection.of(kafka);
        this.namespaces = namespaces.orElse(List.of());
        this.debounce = debounce;
        this.resync = resync;
        this.verdictTimeout = verdictTimeout;
    }

    void start(@Observes StartupEvent ev) {
        bus = new MeshBus(connection, this);
        inventory = new KubeInventory(client, namespaces, this::clusterChanged);
        loop.scheduleWithFixedDelay(this::resync, resync.toMillis(), resync.toMillis(), TimeUnit.MILLISECONDS);
        LOG.infof("watching Services, EndpointSlices and Pods in %s", namespaces.isEmpty() ? "every namespace"
                : namespaces);
    }

    void stop(@Observes ShutdownEvent ev) {
        loop.shutdownNow();
        if (inventory != null) {
            inventory.close();
        }
        if (bus != null) {
            bus.close();
        }
    }

    /** Ready once the cluster and the live config are both known: only then is a diff meaningful. */
    public boolean ready() {
        return bus != null && bus.caughtUp() && inventory != null && inventory.synced();
    }

    public long liveGeneration() {
        return live.generation();
    }

    @Override
    public void snapshot(MeshSnapshot snapshot) {
        if (snapshot.generation() > live.generation()) {
            live = snapshot;
        }
        if (awaitedGeneration > 0 && snapshot.generation() >= awaitedGeneration) {
            awaitedGeneration = 0;
            schedule();
        }
        Pending p = pending.get();
        if (p != null && p.changeId.equals(snapshot.changeId()) && pending.compareAndSet(p, null)) {
            schedule();
        }
    }

    @Override
    public void result(ChangeResult result) {
        Pending p = pending.get();
        if (p == null || !p.changeId.equals(result.changeId())) {
            return;
        }
        if (result.status() == ChangeStatus.REJECTED && conflict(result)) {
            // Diffed against a config that is no longer live: diff again once the adapter has read the newer one.
            LOG.infof("registry change %s was made against generation %d, the live one is %d; diffing again on it",
                    result.changeId(), p.batch.ifGeneration(), result.generation());
            // Normally the validator is ahead of this adapter's view: wait for that generation. If it is behind (a
            // config topic reset), retrying against the same view would only conflict again: wait for the resync.
            awaitedGeneration = result.generation() > p.batch.ifGeneration() ? result.generation() : Long.MAX_VALUE;
            if (pending.compareAndSet(p, null)) {
                schedule();
            }
        } else if (result.status() == ChangeStatus.REJECTED) {
            if (backlog.refused(p.batch)) {
                LOG.warnf("the validator refused registry change %s (%s %s): %s; set aside until the next resync"
                        + " (%s)", result.changeId(), p.batch.operation(), p.batch.keys().get(0), result.errors(),
                        resync);
            } else {
                LOG.infof("the validator rejected registry change %s (%s %d resources); going on one resource per"
                        + " change", result.changeId(), p.batch.operation(), p.batch.resources().size());
            }
            if (pending.compareAndSet(p, null)) {
                schedule();
            }
        } else if (result.status() != ChangeStatus.ACCEPTED) {
            if (pending.compareAndSet(p, null)) {
                schedule();
            }
        } else if (result.generation() <= live.generation()) {
            // Accepted without a new generation: the validator found nothing to change, so the diff saw a
            // difference of form only. Not sent again as it is until the next resync; anything else goes on.
            LOG.warnf("registry change %s changed nothing in the live config; not sent again before the next resync"
                    + " (%s)", result.changeId(), resync);
            backlog.unchanged(p.batch);
            if (pending.compareAndSet(p, null)) {
                schedule();
            }
        }
        // Otherwise ACCEPTED: done when the snapshot carrying it arrives, so the next diff sees it.
    }

    @Override
    public void caughtUp() {
        schedule();
    }

    private void clusterChanged() {
        schedule();
    }

    private void resync() {
        backlog.resync();
        awaitedGeneration = 0; // a generation awaited that never came must not stop the adapter for good
        schedule();
    }

    /** Refused only because the change was made against another generation ({@code ifGeneration}). */
    private static boolean conflict(ChangeResult result) {
        return !result.errors().isEmpty() && result.errors().stream()
                .allMatch(e -> ChangeRequested.IF_GENERATION.equals(e.field()));
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            loop.schedule(this::reconcile, debounce.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void reconcile() {
        scheduled.set(false);
        try {
            Pending p = pending.get();
            if (p != null && clock.instant().isBefore(p.sentAt.plus(verdictTimeout))) {
                return; // one change at a time: the verdict (or snapshot) schedules the next
            }
            MeshSnapshot against = live;
            if (!ready() || against.generation() < awaitedGeneration) {
                return; // the snapshot that reaches it schedules the next diff
            }
            Optional<RegistryBacklog.Batch> next = backlog.next(MeshRegistration.desired(inventory.objects()),
                    against, ns -> namespaces.isEmpty() || namespaces.contains(ns));
            if (next.isEmpty()) {
                pending.compareAndSet(p, null);
                return;
            }
            RegistryBacklog.Batch batch = next.get();
            ChangeRequested change = ChangeRequested.of("registry-" + UUID.randomUUID(), clock.instant(),
                    batch.operation(), batch.resources(), false).by(SUBJECT).ifGeneration(batch.ifGeneration());
            pending.set(new Pending(change.changeId(), batch, clock.instant()));
            bus.publish(change);
            LOG.infof("registry change %s: %s %d resources against generation %d %s", change.changeId(),
                    batch.operation(), batch.resources().size(), batch.ifGeneration(),
                    batch.keys().stream().limit(20).map(ResourceKey::toString).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            pending.set(null);
            LOG.warnf("registry reconcile failed (%s); retrying", e.toString());
            loop.schedule(this::schedule, 1, TimeUnit.SECONDS);
        }
    }

    private record Pending(String changeId, RegistryBacklog.Batch batch, Instant sentAt) {
    }
}
