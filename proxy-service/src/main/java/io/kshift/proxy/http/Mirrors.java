package io.kshift.proxy.http;

import io.kshift.proxy.routing.EndpointPicker;
import io.kshift.proxy.routing.Upstream;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends mirrored (shadow) copies of requests, fire and forget: the Host gets {@code -shadow} before any port, as
 * Envoy does, the response is read and thrown away, and at most {@code limit} copies are in flight per node
 * (over it a copy is dropped and counted), each for at most {@code timeoutMillis}, so a slow or failing mirror
 * can never hold the client or exhaust the node.
 */
final class Mirrors {
    private final HttpClients clients;
    private final int limit;
    private final long timeoutMillis;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder sent = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    Mirrors(HttpClients clients, int limit, long timeoutMillis) {
        this.clients = clients;
        this.limit = limit;
        this.timeoutMillis = timeoutMillis;
    }

    void send(HttpTarget target, HttpMethod method, String uri, MultiMap headers, Buffer body) {
        if (inFlight.incrementAndGet() > limit) {
            inFlight.decrementAndGet();
            dropped.increment();
            return;
        }
        EndpointPicker endpoints = target.endpoints();
        Upstream endpoint = endpoints.get(endpoints.first());
        MultiMap copy = MultiMap.caseInsensitiveMultiMap().addAll(headers);
        copy.set("host", shadow(headers.get("host")));
        sent.increment();
        target.requests().increment();
        long start = System.nanoTime();
        int[] status = {0};
        clients.get(target.pool()).request(new RequestOptions().setMethod(method)
                        .setServer(endpoint.socketAddress())
                        .setHost(endpoint.address().host()).setPort(endpoint.address().port()).setURI(uri)
                        .setHeaders(copy).setIdleTimeout(timeoutMillis))
                .compose(req -> req.send(body))
                .compose(res -> {
                    status[0] = res.statusCode();
                    return res.end();
                })
                .onComplete(ar -> {
                    inFlight.decrementAndGet();
                    target.stats().request(ar.succeeded() ? status[0] : 503, ar.succeeded() ? null : "UF",
                            (System.nanoTime() - start) / 1_000_000);
                });
    }

    /** {@code httpbin:8000} becomes {@code httpbin-shadow:8000}. */
    static String shadow(String authority) {
        if (authority == null) {
            return "-shadow";
        }
        int colon = authority.lastIndexOf(':');
        boolean hasPort = colon > 0 && authority.indexOf(']') < colon;
        return hasPort ? authority.substring(0, colon) + "-shadow" + authority.substring(colon) : authority + "-shadow";
    }

    long sent() {
        return sent.sum();
    }

    long dropped() {
        return dropped.sum();
    }
}
