package io.kshift.proxy.http;

/**
 * A target's handle on its upstream connection pool: the policy, and the pool once the first request has looked
 * it up, so later requests read a field instead of hashing the policy.
 */
final class PoolRef {
    private final UpstreamPolicy policy;
    volatile HttpUpstreams.Policy pool;

    PoolRef(UpstreamPolicy policy) {
        this.policy = policy;
    }

    UpstreamPolicy policy() {
        return policy;
    }
}
