package io.kshift.registry;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Operation;
import io.kshift.model.resource.Resource;
import io.kshift.registry.bus.MeshBus;
import io.kshift.registry.kube.KubeInventory;
import io.kshift.registry.workloads.MeshRegistration;
import io.kshift.registry.workloads.RegistrationDiff;
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
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Keeps the mesh's registrations equal to the cluster: on every cluster event (debounced) and every resync it
 * diffs the desired registrations against the live snapshot and submits one change, then waits for the validator's
 * verdict before the next. Additions go before deletions, so a subset never loses its last endpoint in between
 * (make-before-break); a change the validator rejects (say, deleting the last pod of a subset a route still
 * uses) is logged with the validator's reasons and retried on the next cluster event or resync.
 */
@ApplicationScoped
public class RegistryReconciler implements MeshBus.Listener {
    private static final Logger LOG = Logger.getLogger(RegistryReconciler.class);

    private final KubernetesClient client;
    private final String bootstrapServers;
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
    /** The change in flight (set and cleared on the reconcile thread or by a verdict). */
    private volatile Pending pending;
    private volatile Instant quietUntil = Instant.MIN;

    RegistryReconciler(KubernetesClient client,
                       @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                       @ConfigProperty(name = "kshift.registry.namespaces") Optional<List<String>> namespaces,
                       @ConfigProperty(name = "kshift.registry.debounce", defaultValue = "200ms") Duration debounce,
                       @ConfigProperty(name = "kshift.registry.resync", defaultValue = "30s") Duration resync,
                       @ConfigProperty(name = "kshift.registry.verdict-timeout", defaultValue = "15s")
                       Duration verdictTimeout) {
        this.client = client;
        this.bootstrapServers = bootstrapServers;
        this.namespaces = namespaces.orElse(List.of());
        this.debounce = debounce;
        this.resync = resync;
        this.verdictTimeout = verdictTimeout;
    }

    void start(@Observes StartupEvent ev) {
        bus = new MeshBus(bootstrapServers, this);
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
        Pending p = pending;
        if (p != null && p.changeId.equals(snapshot.changeId())) {
            pending = null;
            schedule();
        }
    }

    @Override
    public void result(ChangeResult result) {
        Pending p = pending;
        if (p == null || !p.changeId.equals(result.changeId())) {
            return;
        }
        if (result.status() == ChangeStatus.REJECTED) {
            LOG.warnf("the validator rejected registry change %s (%s %d resources): %s; retrying in %s or on the"
                    + " next cluster change", result.changeId(), p.operation, p.size, result.errors(), resync);
            quietUntil = clock.instant().plus(resync);
            pending = null;
        } else if (result.status() != ChangeStatus.ACCEPTED) {
            pending = null;
            schedule();
        } else if (result.generation() <= live.generation()) {
            // Accepted without a new generation: the validator found nothing to change, so the diff saw a
            // difference of form only. Wait for the next event or resync instead of resubmitting at once.
            LOG.warnf("registry change %s changed nothing in the live config; next try in %s", result.changeId(),
                    resync);
            quietUntil = clock.instant().plus(resync);
            pending = null;
        }
        // Otherwise ACCEPTED: done when the snapshot carrying it arrives, so the next diff sees it.
    }

    @Override
    public void caughtUp() {
        schedule();
    }

    private void clusterChanged() {
        quietUntil = Instant.MIN;
        schedule();
    }

    private void resync() {
        schedule();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            loop.schedule(this::reconcile, debounce.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void reconcile() {
        scheduled.set(false);
        try {
            Pending p = pending;
            if (p != null && clock.instant().isBefore(p.sentAt.plus(verdictTimeout))) {
                return; // one change at a time: the verdict (or snapshot) schedules the next
            }
            if (!ready() || clock.instant().isBefore(quietUntil)) {
                return;
            }
            List<Resource> desired = MeshRegistration.desired(inventory.objects());
            RegistrationDiff diff = RegistrationDiff.between(desired, live.resources());
            if (diff.isEmpty()) {
                pending = null;
                return;
            }
            Operation op = diff.apply().isEmpty() ? Operation.DELETE : Operation.APPLY;
            List<Resource> resources = op == Operation.APPLY ? diff.apply() : diff.delete();
            ChangeRequested change = ChangeRequested.of("registry-" + UUID.randomUUID(), clock.instant(), op,
                    resources, false);
            pending = new Pending(change.changeId(), op, resources.size(), clock.instant());
            bus.publish(change);
            LOG.infof("registry change %s: %s %s", change.changeId(), op,
                    resources.stream().map(r -> r.key().toString()).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            pending = null;
            LOG.warnf("registry reconcile failed (%s); retrying", e.toString());
            loop.schedule(this::schedule, 1, TimeUnit.SECONDS);
        }
    }

    private record Pending(String changeId, Operation operation, int size, Instant sentAt) {
    }
}
