package io.kshift.proxy.warmup;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

/**
 * A private registry of the node's kind for the warm-up's stats: a composite of Prometheus registries where the
 * node has those, so the warm-up makes and records the meter classes real traffic will. Stats into a simple
 * registry instead left the JIT a profile of the wrong classes, and the first real request of a destination sent
 * the compiled request path back to recompile. Nothing in it is ever scraped or reported.
 */
final class WarmUpRegistry {
    private WarmUpRegistry() {
    }

    static MeterRegistry like(MeterRegistry node) {
        if (node instanceof CompositeMeterRegistry composite) {
            CompositeMeterRegistry copy = new CompositeMeterRegistry();
            composite.getRegistries().forEach(r -> copy.add(like(r)));
            return copy;
        }
        if (node instanceof PrometheusMeterRegistry) {
            return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        }
        return new SimpleMeterRegistry();
    }
}
