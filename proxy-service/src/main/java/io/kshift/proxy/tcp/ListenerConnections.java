package io.kshift.proxy.tcp;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The connections each listener port of this node holds, and the limit ({@code kshift.proxy.max-connections-per-
 * listener}; 0, the default, means none, as in Envoy) over which a new connection is closed at accept — before a
 * byte is read or an upstream chosen, so a flood of idle connections cannot take every file descriptor or all the
 * memory of a node while the connections already open are served. Refusals are counted per listener
 * ({@code kshift_listener_connections_refused_total}). A singleton, not application-scoped: the node's listeners
 * call this class itself, as the warm-up's do, rather than a client proxy of it (two receiver classes at one call
 * made the JIT recompile the accept path at the first real connection).
 */
@Singleton
public class ListenerConnections {
    private final int limit;
    private final MeterRegistry registry;
    private final Map<Integer, AtomicInteger> open = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> refused = new ConcurrentHashMap<>();

    public ListenerConnections(MeterRegistry registry,
                               @ConfigProperty(name = "kshift.proxy.max-connections-per-listener", defaultValue = "0")
                               int limit) {
        this.registry = registry;
        this.limit = Math.max(0, limit);
    }

    /** Takes a slot on {@code port}; false (and counted) when the listener is full. Give it back with release. */
    public boolean admit(int port) {
        AtomicInteger n = open.computeIfAbsent(port, p -> new AtomicInteger());
        if (limit == 0) {
            n.incrementAndGet();
            return true;
        }
        int now;
        do {
            now = n.get();
            if (now >= limit) {
                refused.computeIfAbsent(port, this::counter).increment();
                return false;
            }
        } while (!n.compareAndSet(now, now + 1));
        return true;
    }

    public void release(int port) {
        AtomicInteger n = open.get(port);
        if (n != null) {
            n.decrementAndGet();
        }
    }

    /** Connections open on {@code port} now. */
    public int open(int port) {
        AtomicInteger n = open.get(port);
        return n == null ? 0 : n.get();
    }

    private LongAdder counter(int port) {
        LongAdder adder = new LongAdder();
        FunctionCounter.builder("kshift_listener_connections_refused", adder, LongAdder::doubleValue)
                .tag("listener", String.valueOf(port)).register(registry);
        return adder;
    }
}
