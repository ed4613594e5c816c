package io.kshift.proxy.routing;

import io.kshift.model.istio.LoadBalancerSettings.SimpleLb;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * Chooses an endpoint inside a destination as its DestinationRule says (ROUND_ROBIN, RANDOM, or LEAST_REQUEST as
 * power of two choices over live connections), and orders the rest after it so a refused connect tries the next.
 */
public final class EndpointPicker {
    private final List<Upstream> upstreams;
    private final SimpleLb policy;
    private final RandomGenerator random;
    private final AtomicInteger next = new AtomicInteger();

    public EndpointPicker(List<Upstream> upstreams, SimpleLb policy, RandomGenerator random) {
        this.upstreams = List.copyOf(upstreams);
        this.policy = policy;
        this.random = random;
    }

    public List<Upstream> upstreams() {
        return upstreams;
    }

    /** The index to try first; callers walk on from it, wrapping, on connect failure. */
    public int first() {
        int n = upstreams.size();
        if (n == 1) {
            return 0;
        }
        return switch (policy) {
            case RANDOM -> random.nextInt(n);
            case LEAST_REQUEST, LEAST_CONN -> {
                int a = random.nextInt(n);
                int b = random.nextInt(n - 1);
                b = b >= a ? b + 1 : b;
                yield upstreams.get(b).active() < upstreams.get(a).active() ? b : a;
            }
            default -> Math.floorMod(next.getAndIncrement(), n);
        };
    }

    public Upstream get(int index) {
        return upstreams.get(Math.floorMod(index, upstreams.size()));
    }

    public int size() {
        return upstreams.size();
    }
}
