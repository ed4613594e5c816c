package io.kshift.proxy.http;

import io.kshift.model.registry.HostPort;
import io.kshift.proxy.routing.Upstream;
import io.netty.channel.EventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's HTTP/1.1 and HTTP/2 connections to upstreams, on Netty directly (codec to codec, no futures or contexts per
 * request), one set per distinct {@link UpstreamPolicy} and kept across route tables, so a new generation reuses
 * warm connections. As Envoy keeps a pool per worker, a policy without connection limits has pools per event
 * loop: a request goes out on a connection of the loop it arrived on and its answer comes back there, with no hop
 * between threads. A policy with limits ({@code maxConnections}, {@code http1MaxPendingRequests}) has one set of
 * pools for the node, on the loop that first used it, so the limits hold node-wide; requests from other loops
 * cross to it and back. Pools are per endpoint address. A policy no route table names any more (a DestinationRule
 * edited, a certificate rotated) is retired by {@link #retain}: its idle connections close and busy ones close when
 * their call ends, as Envoy drains the pools of a cluster it replaces, so neither its TLS context nor connections
 * made with its old settings outlive it.
 */
final class HttpUpstreams {
    private final VertxInternal vertx;
    private final Map<UpstreamPolicy, Policy> policies = new ConcurrentHashMap<>();

    HttpUpstreams(Vertx vertx) {
        this.vertx = (VertxInternal) vertx;
    }

    /** Sends {@code call}'s request to {@code endpoint}; {@code caller} is the loop the call was made on. */
    void send(PoolRef ref, EventLoop caller, Upstream endpoint, UpstreamCall call) {
        Policy policy = ref.pool;
        if (policy == null) {
            policy = policies.computeIfAbsent(ref.policy(), Policy::new);
            ref.pool = policy;
        }
        Pools pools = policy.pools(caller);
        call.poolLoop(pools.loop);
        if (pools.loop == caller) {
            pools.endpoint(endpoint).acquire(call);
        } else {
            pools.loop.execute(() -> {
                if (!call.isOver()) {
                    pools.endpoint(endpoint).acquire(call);
                }
            });
        }
    }

    /**
     * Retires every policy not in {@code live} (the ones the node's route table names). An exchange of an older table
     * still holding one finishes on it; a connection it opens closes when its call ends.
     */
    void retain(java.util.Set<UpstreamPolicy> live) {
        for (var e : policies.entrySet()) {
            if (!live.contains(e.getKey()) && policies.remove(e.getKey(), e.getValue())) {
                e.getValue().retire();
            }
        }
    }

    /** Policies with pools on this node (made by a first request, dropped by {@link #retain}). */
    int policies() {
        return policies.size();
    }

    /** The pools of one policy: per event loop, or one set for the node when the policy limits connections. */
    final class Policy {
        private final UpstreamPolicy settings;
        private final boolean limited;
        private final Map<EventLoop, Pools> perLoop = new ConcurrentHashMap<>();
        private volatile Pools shared;
        /** No live table names it: its pools drain, and pools made for a straggling exchange drain from the start. */
        private volatile boolean retired;

        Policy(UpstreamPolicy settings) {
            this.settings = settings;
            this.limited = !settings.http2() && (settings.maxConnections() != UpstreamPolicy.DEFAULT_CONNECTIONS
                    || settings.maxPending() != UpstreamPolicy.UNLIMITED);
        }

        Pools pools(EventLoop caller) {
            if (!limited) {
                Pools p = perLoop.get(caller);
                return p != null ? p : perLoop.computeIfAbsent(caller, l -> new Pools(this, l));
            }
            Pools p = shared;
            if (p == null) {
                synchronized (this) {
                    if (shared == null) {
                        shared = new Pools(this, caller);
                    }
                    p = shared;
                }
            }
            return p;
        }

        void retire() {
            retired = true;
            for (Pools p : perLoop.values()) {
                p.loop.execute(p::drain);
            }
            Pools s = shared;
            if (s != null) {
                s.loop.execute(s::drain);
            }
        }
    }

    /** One loop's pools of one policy, by endpoint address; touched only on that loop. */
    final class Pools {
        final EventLoop loop;
        private final Policy owner;
        private final UpstreamPolicy settings;
        private final Map<HostPort, UpstreamPool> endpoints = new HashMap<>();

        Pools(Policy owner, EventLoop loop) {
            this.owner = owner;
            this.settings = owner.settings;
            this.loop = loop;
        }

        void drain() {
            for (UpstreamPool p : java.util.List.copyOf(endpoints.values())) {
                p.drain();
            }
        }

        UpstreamPool endpoint(Upstream endpoint) {
            HostPort address = endpoint.address();
            UpstreamPool p = endpoints.get(address);
            if (p == null) {
                UpstreamPool[] made = new UpstreamPool[1];
                Runnable forget = () -> endpoints.remove(address, made[0]);
                made[0] = settings.http2()
                        ? new Http2EndpointPool(vertx, loop, settings, address.host(), address.port(), forget)
                        : new EndpointPool(vertx, loop, settings, address.host(), address.port(), forget);
                p = made[0];
                endpoints.put(address, p);
                if (owner.retired) {
                    p.drain();
                }
            }
            return p;
        }
    }
}
