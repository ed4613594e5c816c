package io.kshift.proxy.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.impl.VertxInternal;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 connections to one endpoint, owned by one event loop (every method runs on it): idle connections are
 * reused newest first, while younger than the destination's {@code maxConnectionDuration} (an older one is closed
 * once its request is done, as Envoy drains it); a new one is opened while the endpoint has fewer than the policy's {@code maxConnections};
 * beyond that requests wait, at most {@code maxPending} of them (Envoy's {@code http1MaxPendingRequests}), and one
 * more fails at once with {@link #OVERFLOW}. A connection idle for the policy's idle timeout is closed.
 */
final class EndpointPool implements UpstreamPool {
    /** The pending queue is full: the exchange answers 503 UO, as Envoy does. */
    static final Exception OVERFLOW = new UpstreamCall.UpstreamException("upstream pending requests overflow");
    /** Headers of an upstream answer, as the client side allows its own (Vert.x's client default was 8 KiB). */
    private static final int MAX_HEADER_BYTES = 65536;

    private final EventLoop loop;
    private final UpstreamPolicy policy;
    private final Bootstrap bootstrap;
    private final InetSocketAddress remote;
    private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<UpstreamCall> waiting = new ArrayDeque<>();
    private int open;
    private boolean draining;
    /** Forgets this pool once it holds nothing: endpoints come and go with their workloads. */
    private final Runnable onEmpty;

    EndpointPool(VertxInternal vertx, EventLoop loop, UpstreamPolicy policy, String host, int port, Runnable onEmpty) {
        this.loop = loop;
        this.onEmpty = onEmpty;
        this.policy = policy;
        this.remote = InetSocketAddress.createUnresolved(host, port);
        this.bootstrap = UpstreamBootstrap.of(vertx, loop, policy, port, false, ch -> ch.pipeline().addLast(
                new IdleStateHandler(0, 0, policy.idleTimeoutSeconds(), TimeUnit.SECONDS),
                new HttpClientCodec(4096, MAX_HEADER_BYTES, 65536),
                new UpstreamConnection(EndpointPool.this, policy.keepAlive(), policy.maxAgeMillis())));
    }

    @Override
    public void acquire(UpstreamCall call) {
        assert loop.inEventLoop() : "a pool is touched only on its own event loop";
        UpstreamConnection c;
        while ((c = idle.pollLast()) != null) {
            if (c.usable()) {
                c.dispatch(call);
                return;
            }
            c.close(); // past its maxConnectionDuration (or closing already)
        }
        if (open < policy.maxConnections()) {
            connect(call);
        } else if (policy.maxPending() == UpstreamPolicy.UNLIMITED || waiting.size() < policy.maxPending()) {
            waiting.addLast(call);
            call.waiting(this);
        } else {
            call.fail(OVERFLOW, false);
        }
    }

    private void connect(UpstreamCall call) {
        open++;
        ChannelFuture f = bootstrap.connect(remote);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                open--;
                call.fail(done.cause(), false);
                serveWaiting();
                emptied();
                return;
            }
            UpstreamConnection c = f.channel().pipeline().get(UpstreamConnection.class);
            if (call.isOver()) {
                release(c); // reset while connecting: the connection is still good for the next request
            } else {
                c.dispatch(call);
            }
        });
    }

    /** A connection is free again: the longest-waiting request takes it, or it waits in the idle list. */
    @Override
    public void release(UpstreamConnection c) {
        if (!c.usable()) {
            c.close(); // past its maxConnectionDuration: closed() serves whoever waits on a fresh one
            return;
        }
        UpstreamCall next;
        while ((next = waiting.pollFirst()) != null) {
            if (!next.isOver()) {
                c.dispatch(next);
                return;
            }
        }
        if (draining) {
            c.close();
        } else {
            idle.addLast(c);
        }
    }

    @Override
    public void drain() {
        draining = true;
        UpstreamConnection c;
        while ((c = idle.pollLast()) != null) {
            c.close();
        }
    }

    @Override
    public void closed(UpstreamConnection c) {
        open--;
        idle.remove(c);
        serveWaiting();
        emptied();
    }

    private void emptied() {
        if (open == 0 && waiting.isEmpty()) {
            onEmpty.run();
        }
    }

    @Override
    public void cancel(UpstreamCall call) {
        waiting.remove(call);
    }

    private void serveWaiting() {
        while (!waiting.isEmpty() && open < policy.maxConnections()) {
            UpstreamCall next = waiting.pollFirst();
            if (!next.isOver()) {
                connect(next);
            }
        }
    }
}
