package io.kshift.proxy.http;

import io.kshift.proxy.routing.EndpointPicker;
import io.kshift.proxy.routing.OutlierDetector;
import io.kshift.proxy.routing.Upstream;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.random.RandomGenerator;

/**
 * One request through a matched route, on the client's event loop, in Envoy's order: fault (delay, then abort),
 * redirect, then the router: rewrite and header edits, the weighted destination, the circuit breaker, an endpoint
 * (load balancer, skipping ejected ones), the forward with per-try timeout and retries inside the route timeout,
 * and mirrors once the first try is dispatched. The request body streams to the first try ({@link RequestStream},
 * which keeps a bounded copy for retries and mirrors); the response streams back with backpressure. Whatever the
 * proxy answers itself carries a response flag. As in Envoy, a stream on which nothing moves either way for the
 * stream idle timeout is answered 408 (reset once the answer has begun).
 *
 * <p>Long for a reason: it is one request's state machine (answered, finished, the try in flight, timers, budget),
 * whose transitions read best side by side, and one object per request on the hot path. What needs none of that
 * state lives elsewhere: the proxy's own answers ({@link LocalReplies}), a try's view of its upstream
 * ({@link UpstreamTry}), building upstream requests ({@link UpstreamRequests}), the streamed body
 * ({@link RequestStream}).
 */
final class HttpExchange implements UpstreamTry.Owner {
    /** How long a client still sending a body nobody reads may go on before its HTTP/1 connection is closed. */
    static final long LINGER_MILLIS = 5000;

    private final HttpServerRequest request;
    /** The request's URI with its path normalised ({@link PathNormalizer}): matched, rewritten and forwarded. */
    private final String requestUri;
    private final HttpServerResponse response;
    private final HttpRouteEntry route;
    private final MatchBlock matched;
    private final String authority;
    /** The port the request addressed: the gateway listener's, or on the mesh port the service's (from its Host). */
    private final int port;
    private final Vertx vertx;
    private final io.vertx.core.impl.ContextInternal context;
    private final HttpUpstreams upstreams;
    private final EventLoop loop;
    private final Mirrors mirrors;
    private final RandomGenerator random;
    private Buffer body;
    /** A streamed request body; null when the request has none, or the proxy answers it itself. */
    private RequestStream stream;
    private boolean mirrored;
    private HttpTarget target;
    private MultiMap headers;
    private String uri;
    private String flags;
    /** The request's origin when the route's CORS policy allows it: the response says so. */
    private String corsOrigin;
    private boolean done;
    private long routeTimer = -1;
    /** A fault delay holding the request: cancelled when the client leaves, or it kept the exchange and its body. */
    private long delayTimer = -1;
    /** The port lets clients through with certificates that did not chain: the backend is told so. */
    private final ClientCertHeader.Policy clientCerts;
    /** When the route's timeout answers 504 (System.nanoTime), or Long.MAX_VALUE while no route timer runs. */
    private long routeDeadline = Long.MAX_VALUE;
    /** The endpoint offset the last try went to: a retry goes on from the next one. */
    private int lastEndpoint = -1;
    private int firstEndpoint = -1;
    /** Locality levels tried so far, and those retries leave out (retryRemoteLocalities): a bit per level. */
    private long levelsTried;
    private long excludedLevels;
    private UpstreamCall inFlight;
    /** An HTTP/1 client still sending after the exchange ended has its connection closed after a linger. */
    private boolean lingering;
    /** The latest try: its per-try timer starts when the client ends a streamed body. */
    private UpstreamTry current;
    private boolean finished;
    /** Why a begun answer is being cut off by this side (the route's timeout, the client gone); null: the upstream. */
    private String cutBy;
    /** Counted in the node's exchanges in flight ({@link HttpLimits#inFlight}) until {@link #over}. */
    private boolean counted;
    /** A consistent-hash cookie this proxy made for the request (it had none): the answer sets it. */
    private String newCookie;
    /** Where the request's session sent it (null: none, or none that holds). */
    private SessionAffinity.Pin pin;
    /** The upstream's status and headers are on the response (not yet written). */
    private boolean headCopied;
    /**
     * An HTTP/1.0 answer of unknown length: 1.0 has no chunking, so its end is the connection's (Vert.x would keep a
     * keep-alive client's open, and the client would wait for an end that never comes).
     */
    private boolean endsWithConnection;
    private final long startedAt = System.nanoTime();
    private final HttpLimits limits;
    /** Body bytes taken from the node's budget; given back once when the exchange is over. */
    private long budgeted;
    /** Null when the stream idle timeout is off. */
    private StreamIdle idle;

    HttpExchange(HttpServerRequest request, String requestUri, HttpRouteEntry route, MatchBlock matched,
                 String authority, int port, Vertx vertx, HttpUpstreams upstreams, EventLoop loop, Mirrors mirrors,
                 RandomGenerator random, HttpLimits limits, ClientCertHeader.Policy clientCerts) {
        this.clientCerts = clientCerts;
        this.port = port;
        this.requestUri = requestUri;
        this.limits = limits;
        this.request = request;
        this.response = request.response();
        this.route = route;
        this.matched = matched;
        this.authority = authority;
        this.vertx = vertx;
        // Upstream events reach the exchange from bare Netty handlers, where Vert.x has no current context and
        // vertx.setTimer would pick any event loop: every timer is set on the request's own context instead.
        io.vertx.core.impl.ContextInternal current = io.vertx.core.impl.ContextInternal.current();
        this.context = current != null ? current : ((io.vertx.core.impl.VertxInternal) vertx).getOrCreateContext();
        this.upstreams = upstreams;
        this.loop = loop;
        this.mirrors = mirrors;
        this.random = random;
    }

    void start() {
        response.closeHandler(v -> {
            over();
            abandon();
        });
        response.endHandler(v -> over());
        limits.inFlight().increment();
        counted = true;
        // From the headers alone, as Envoy's CORS filter does: answers sent before the body is in carry it too.
        corsOrigin = route.cors() == null ? null : route.cors().allowedOrigin(request);
        // Chosen before faults, so an aborted or delayed request is counted against the destination it would reach;
        // but not for a preflight answered here: it would take a turn of the route's exact weights (a page's
        // preflight and request, pair after pair, sent every request to one side of a 50/50 split).
        boolean preflightHere = route.cors() != null && Cors.isPreflight(request)
                && (corsOrigin != null || route.cors().ignoreUnmatchedPreflights());
        target = route.targets().isEmpty() || preflightHere ? null : pinnedOrPicked();
        if (limits.streamIdleMillis() > 0) {
            idle = new StreamIdle(loop, limits.streamIdleMillis(), this::idleTimeout);
        }
        String length = request.getHeader("content-length");
        long declared = length != null && !length.isEmpty() && length.length() < 19
                && length.chars().allMatch(Character::isDigit) ? Long.parseLong(length) : -1;
        if (declared > limits.maxBody()) {
            respond(413, tooLong(), ResponseFlags.BODY_LIMIT);
            return;
        }
        if (target != null && route.redirect() == null && route.direct() == null
                && RequestStream.wanted(request, length != null, declared)) {
            // Relayed as it comes: an upload holds a few chunks of this node's memory, not its size, and gRPC's
            // bidirectional streams work. gRPC streams may last for hours: no cap on their length.
            stream = new RequestStream(request, limits,
                    route.retry().attempts() > 0 || !route.mirrors().isEmpty(), this::moved, this::streamEnded,
                    RequestStream.isGrpc(request) ? null : this::bodyOverLimit);
            request.exceptionHandler(e -> abandon());
            stream.start();
            fault();
            return;
        }
        // No body, a small one, or one the proxy answers itself (redirect, direct response, no destination):
        // buffered, bounded.
        Buffer collected = Buffer.buffer();
        request.handler(chunk -> {
            if (done) {
                return;
            }
            moved();
            if (!limits.budget().take(chunk.length())) {
                respond(503, "request bodies buffered on this node are over their budget", ResponseFlags.OVERLOAD);
                return;
            }
            budgeted += chunk.length();
            collected.appendBuffer(chunk);
            if (collected.length() > limits.maxBody()) {
                respond(413, tooLong(), ResponseFlags.BODY_LIMIT);
            }
        });
        request.exceptionHandler(e -> abandon());
        request.endHandler(v -> {
            if (!done) {
                body = collected;
                fault();
            }
        });
    }

    /**
     * A streamed body crossed {@code max-request-body}: 413 {@code BL} if the answer has not begun, else a reset, and
     * the try is reset. What the client still sends is read and dropped until its HTTP/1 connection is closed.
     */
    private void bodyOverLimit() {
        if (finished) {
            return;
        }
        UpstreamCall pending = inFlight;
        if (response.headWritten()) {
            // answer() only resets a begun answer; the request still counts, with its flag.
            record(response.getStatusCode(), ResponseFlags.BODY_LIMIT);
        }
        answer(413, tooLong(), ResponseFlags.BODY_LIMIT);
        if (pending != null) {
            pending.reset();
        }
    }

    /**
     * The client ended a streamed body: the route's and the try's timeouts start (as in Envoy, at the end of the
     * request: an upload's own time is the stream idle timeout's business); if it was kept whole, tries may retry
     * it and mirrors get a copy.
     */
    private void streamEnded() {
        body = stream.whole();
        if (headers != null && !finished) {
            if (route.timeout() != null && routeTimer < 0) {
                startRouteTimer();
            }
            UpstreamTry t = current;
            if (route.retry().perTry() != null && t != null && t.ready && t.timer < 0 && !t.released && !t.streaming) {
                startTryTimer(t);
            }
        }
        if (body != null && headers != null) {
            sized(headers);
            if (!mirrored && !finished) {
                mirror();
            }
        }
    }

    /**
     * A whole body sent again (a retry, a mirror) needs its length said: a chunked client's request had none, and
     * on HTTP/1.1 a body without a length or chunking would be read as the next request.
     */
    private void sized(MultiMap h) {
        if (!h.contains("content-length") && (body.length() > 0 || UpstreamRequests.carriesBody(request.method()))) {
            h.set("content-length", String.valueOf(body.length()));
        }
    }

    private void fault() {
        // The route's CORS policy comes ahead of faults, as in Envoy's filter chain.
        if (route.cors() != null && Cors.isPreflight(request)
                && (corsOrigin != null || route.cors().ignoreUnmatchedPreflights())) {
            done = true;
            finished = true;
            LocalReplies.preflight(request, response, route.cors(), corsOrigin);
            return;
        }
        HttpRouteEntry.Fault f = route.fault();
        if (f != null && f.delay() != null && chance(f.delayPercent())) {
            flags = ResponseFlags.FAULT_DELAY;
            delayTimer = context.setTimer(Math.max(1, f.delay().toMillis()), id -> {
                delayTimer = -1;
                abortOrRoute();
            });
        } else {
            abortOrRoute();
        }
    }

    private void abortOrRoute() {
        if (done) {
            return;
        }
        HttpRouteEntry.Fault f = route.fault();
        if (f != null && f.abortStatus() > 0 && chance(f.abortPercent())) {
            if (f.grpcStatus() >= 0) {
                grpcAbort(f.grpcStatus());
            } else {
                respond(f.abortStatus(), "fault filter abort", ResponseFlags.FAULT_ABORT);
            }
        } else if (route.redirect() != null) {
            done = true;
            finished = true;
            corsHeaders();
            LocalReplies.redirect(request, response, route, requestUri, matched, authority, port);
        } else if (route.direct() != null) {
            done = true;
            finished = true;
            LocalReplies.direct(request, response, route, corsOrigin, flags);
        } else if (target == null && route.targets().isEmpty()) {
            respond(503, "no healthy upstream", ResponseFlags.NO_HEALTHY);
        } else if (target == null) {
            respond(503, "no cluster found for this share of the route", ResponseFlags.NO_CLUSTER);
        } else {
            forwardFirst();
        }
    }

    /** A gRPC fault abort ({@link LocalReplies#grpcAbort}), counted against the destination. */
    private void grpcAbort(int code) {
        done = true;
        finished = true;
        String all = withFlag(ResponseFlags.FAULT_ABORT);
        localReplyEdits();
        corsHeaders();
        LocalReplies.grpcAbort(response, code, all);
        if (target != null) {
            record(200, all);
            target.stats().grpcStatus(code);
        }
    }

    private boolean chance(double percent) {
        return percent >= 100 || (percent > 0 && random.nextDouble() * 100 < percent);
    }

    private void forwardFirst() {
        uri = route.rewrite() == null ? requestUri : route.rewrite().apply(requestUri, matched);
        headers = UpstreamRequests.headers(request, route, target, authority, random, clientCerts);
        if (body != null) {
            sized(headers);
        }
        if (route.timeout() != null && requestEnded()) {
            startRouteTimer();
        }
        forward(0, false);
    }

    private String tooLong() {
        return "request body over " + limits.maxBody() + " bytes";
    }

    /** Whether the client has sent its whole request: Envoy's route and per-try timeouts start from there. */
    private boolean requestEnded() {
        return stream == null || stream.ended();
    }

    private void startRouteTimer() {
        long millis = Math.max(1, route.timeout().toMillis());
        routeDeadline = System.nanoTime() + millis * 1_000_000L;
        routeTimer = context.setTimer(millis, id -> {
            routeTimer = -1;
            routeDeadline = Long.MAX_VALUE;
            UpstreamCall pending = inFlight;
            UpstreamTry t = current;
            if (!done && t != null && t.ready && !t.headSeen && !t.released && !t.timedOut) {
                // Envoy counts a route timeout against the endpoint that had the request and no answer yet (a
                // local-origin timeout): else a hung endpoint answered 504 for ever and was never ejected.
                OutlierDetector outliers = target.endpoints().outliers();
                if (outliers != null) {
                    outliers.localFailure(t.endpoint);
                }
            }
            if (done) {
                cutBy = ResponseFlags.TIMEOUT; // the answer has begun: it can only be reset, and counts as timed out
            }
            respond(504, "upstream request timeout", ResponseFlags.TIMEOUT);
            if (pending != null) {
                pending.reset();
            }
        });
    }

    private void startTryTimer(UpstreamTry t) {
        t.timer = context.setTimer(Math.max(1, route.retry().perTry().toMillis()), id -> {
            t.timer = -1;
            t.timedOut = true;
            if (t.call != null) {
                t.call.reset();
            }
        });
    }

    /** One try. {@code retry}: this try is a retry and holds one of the destination's retry slots. */
    private void forward(int attempt, boolean retry) {
        assert loop.inEventLoop() : "an exchange runs on the event loop its request came in on";
        if (done) {
            release(null, retry);
            return;
        }
        // A retry while the client still streams replays the kept copy; once that overflowed there is nothing to send.
        boolean streams = stream != null && body == null;
        if (streams && attempt > 0 && !stream.replayable()) {
            release(null, retry);
            respond(503, "upstream reset before headers; the request body was too long to retry", ResponseFlags.RESET);
            return;
        }
        MultiMap tryHeaders = attempt == 0 ? headers : MultiMap.caseInsensitiveMultiMap().addAll(headers);
        tryHeaders.set("x-envoy-attempt-count", String.valueOf(attempt + 1));
        io.netty.handler.codec.http.HttpRequest head;
        try {
            // Made before any count is taken: a header Netty will not write fails the request, nothing held.
            head = streams ? UpstreamRequests.head(request.method(), uri, tryHeaders)
                    : UpstreamRequests.request(request.method(), uri, tryHeaders, body);
        } catch (IllegalArgumentException e) {
            release(null, retry);
            respond(502, "the request cannot be written upstream: " + e.getMessage(),
                    ResponseFlags.INVALID_HEADER);
            return;
        }
        if (!UpstreamTry.acquire(target.activeRequests(), target.pool().policy().maxRequests())) {
            release(null, retry);
            overflow();
            return;
        }
        Upstream endpoint = endpoint(attempt);
        target.requests().increment();
        endpoint.opened();
        UpstreamTry t = new UpstreamTry(this, attempt, endpoint, retry);
        current = t;
        UpstreamCall call = streams ? new UpstreamCall(loop, head, t, true)
                : new UpstreamCall(loop, (io.netty.handler.codec.http.FullHttpRequest) head, t);
        t.call = call;
        inFlight = call;
        upstreams.send(target.pool(request.version() == HttpVersion.HTTP_2), loop, endpoint, call);
        if (streams) {
            stream.attach(call);
        }
        if (attempt == 0 && !done && body != null) {
            mirror();
        }
    }

    /**
     * The target a session pins the request to, its endpoint taken first, while that endpoint is not ejected; else
     * the route's weighted pick (weights decide new sessions only).
     */
    private HttpTarget pinnedOrPicked() {
        pin = route.pinned(request);
        if (pin == null) {
            return route.pick();
        }
        firstEndpoint = pin.endpoint();
        return route.targets().get(pin.target());
    }

    private Upstream endpoint(int attempt) {
        EndpointPicker endpoints = target.endpoints();
        if (firstEndpoint < 0) {
            String key = UpstreamRequests.hashKey(request, target.hash());
            if (key == null && UpstreamRequests.generatesCookie(target.hash())) {
                // Envoy: no cookie yet and a ttl given: the proxy makes one; the answer sets it, and the client's
                // next requests hash to this endpoint. One value per client connection, as Envoy hashes the
                // connection's two addresses: requests racing on it (HTTP/2 streams) get the same cookie and land on
                // one endpoint, whichever Set-Cookie the client keeps.
                key = Long.toHexString(io.kshift.proxy.routing.EndpointPicker.mix(String.valueOf(request.remoteAddress())
                        + String.valueOf(request.localAddress())));
                newCookie = key;
            }
            firstEndpoint = key == null ? endpoints.first() : endpoints.firstFor(key);
        }
        // A retry goes on from the endpoint after the last one tried (Envoy's retryIgnorePreviousHosts, Istio's
        // default), within its locality level unless the route says retryRemoteLocalities.
        boolean remote = route.retry().remoteLocalities();
        if (remote && attempt > 0 && lastEndpoint >= 0 && attempt % 2 == 0) {
            // Istio sets Envoy's previous_priorities with an update frequency of 2: the first retry goes as the
            // first try did, the second (and every second after) leaves the levels tried so far.
            excludedLevels = levelsTried;
        }
        lastEndpoint = attempt == 0 || lastEndpoint < 0 ? endpoints.nextHealthy(firstEndpoint)
                : endpoints.retryAfter(lastEndpoint, excludedLevels);
        int level = remote ? endpoints.levelOf(lastEndpoint) : -1; // only retryRemoteLocalities reads the levels
        if (level >= 0 && level < 64) {
            levelsTried |= 1L << level;
        }
        return endpoints.get(lastEndpoint);
    }

    private void mirror() {
        mirrored = true;
        for (HttpRouteEntry.Mirror m : route.mirrors()) {
            if (chance(m.percent())) {
                mirrors.send(m.target(), loop, request.method(), uri, headers, body,
                        request.version() == HttpVersion.HTTP_2);
            }
        }
    }

    /**
     * The try's per-try timer starts here, once the request goes out on a ready connection (or stream) and the client
     * has sent it whole, as Envoy starts it at pool-ready: time queued behind {@code http1MaxPendingRequests} or spent
     * connecting is the route timeout's and the connect timeout's, not the endpoint's, and a queued try timing out
     * would count against a healthy endpoint in outlier detection.
     */
    @Override
    public void ready(UpstreamTry t) {
        if (route.retry().perTry() != null && !done && t.timer < 0 && !t.released && !t.headSeen && requestEnded()) {
            startTryTimer(t);
        }
    }

    @Override
    public void failed(UpstreamTry t, Throwable cause, boolean sent) {
        release(t, t.retry);
        if (done && !t.timedOut) {
            // We reset it ourselves (the client left or the route timed out): not the endpoint's fault.
            return;
        }
        if (cause == EndpointPool.OVERFLOW) {
            overflow();
            return;
        }
        OutlierDetector outliers = target.endpoints().outliers();
        if (outliers != null) {
            outliers.localFailure(t.endpoint);
        }
        if (!sent && !t.timedOut) {
            target.stats().connectFailure(cause);
        }
        var on = route.retry().on();
        boolean retriable = t.timedOut || sent ? on.retriesReset() : on.retriesConnectFailure();
        if (retriable && retry(t.attempt)) {
            return;
        }
        if (t.timedOut) {
            respond(504, "upstream request timeout", ResponseFlags.TIMEOUT);
        } else if (sent) {
            respond(503, "upstream reset before headers", ResponseFlags.RESET);
        } else {
            respond(503, "upstream connect error: " + (cause.getMessage() != null ? cause.getMessage()
                    : cause.getClass().getSimpleName()), ResponseFlags.CONNECT_FAILURE);
        }
    }

    @Override
    public void answered(UpstreamTry t, HttpResponse upstream) {
        moved();
        // Envoy: the per-try timeout stops at the response's start; the route timeout covers the whole response.
        if (t.timer >= 0) {
            vertx.cancelTimer(t.timer);
            t.timer = -1;
        }
        int status = upstream.status().code();
        // A trailers-only gRPC answer carries its status in the headers: retried on the route's gRPC conditions,
        // and counted by outlier detection as the HTTP status it maps to, as Envoy's router puts it (a backend
        // failing every call UNAVAILABLE answers HTTP 200, and was never ejected).
        int grpc = grpcStatus(upstream.headers());
        int judged = grpc >= 0 && RequestStream.isGrpc(request) ? io.kshift.model.grpc.GrpcStatus.httpStatus(grpc)
                : status;
        OutlierDetector outliers = target.endpoints().outliers();
        if (outliers != null) {
            if (judged >= 500) {
                outliers.failure(t.endpoint, true, judged == 502 || judged == 503 || judged == 504);
            } else {
                outliers.success(t.endpoint);
            }
        }
        if (!done && retriable(upstream.headers(), status, grpc) && retryAfter(t)) {
            // The retry is scheduled; this answer is dropped and its slots given back now, as Envoy resets it.
            t.call.reset();
            return;
        }
        if (done) {
            t.call.reset();
            return;
        }
        done = true;
        t.status = status;
        headCopied = true;
        response.setStatusCode(status).setStatusMessage(upstream.status().reasonPhrase());
        UpstreamRequests.copyAnswerHeaders(upstream.headers(), response.headers());
        t.grpcStatus = grpc;
        HeaderEdits.applyTo(response.headers(), route.responseEdits(), target.responseEdits(),
                route.weighted());
        if (newCookie != null) {
            response.headers().add("set-cookie", UpstreamRequests.setCookie(target.hash().httpCookie(), newCookie));
        }
        if (route.session() != null && lastEndpoint >= 0) {
            // The endpoint that answered: after a failed try that is not the pinned one, and the session moves.
            route.session().carry(response.headers(), target, lastEndpoint, pin, System.currentTimeMillis() / 1000);
        }
        corsHeaders();
        if (flags != null) {
            response.putHeader(ResponseFlags.HEADER, flags);
        }
        if (!response.headers().contains("content-length") && request.version() != HttpVersion.HTTP_2) {
            response.setChunked(true);
            endsWithConnection = request.version() == HttpVersion.HTTP_1_0 && status != 204 && status != 304
                    && request.method() != io.vertx.core.http.HttpMethod.HEAD;
        }
        t.streaming = true;
        // The head goes out now, as Envoy sends it, not with the first body bytes: a server that streams (events, a
        // long poll) has its answer begun in the client's hands before it has anything more to say. Queued behind
        // this read, so the usual answer (head and body in one read) still leaves in one write.
        loop.execute(this::sendHead);
    }

    private void sendHead() {
        if (!finished && !response.headWritten() && !response.closed()) {
            if (request.version() == HttpVersion.HTTP_1_0) {
                response.write(Buffer.buffer()); // Vert.x's writeHead wants a length or chunking, which 1.0 lacks
            } else {
                response.writeHead();
            }
        }
    }

    /**
     * Whether this answer is retried. One an upstream Envoy (or kshift) marked as shed is so only on
     * {@code envoy-ratelimited}, when rate-limited, and never when overloaded (its circuit breaker or maintenance
     * mode): as Envoy decides, a retry adds load where there is too much already.
     */
    private boolean retriable(io.netty.handler.codec.http.HttpHeaders headers, int status, int grpc) {
        var on = route.retry().on();
        if (headers.contains("x-envoy-overloaded")) {
            return false;
        }
        if (headers.contains("x-envoy-ratelimited")) {
            return on.retriesRateLimited();
        }
        return on.retriesStatus(status) || grpc >= 0 && on.retriesGrpc(grpc);
    }

    /** The answer's body, relayed with backpressure: the upstream read pauses while the client's socket is full. */
    @Override
    public void chunk(UpstreamTry t, Buffer chunk) {
        if (!t.streaming || finished) {
            return; // the exchange was answered otherwise meanwhile (a timeout, the client left)
        }
        moved();
        response.write(chunk);
        if (response.writeQueueFull()) {
            t.call.pause();
            response.drainHandler(v -> {
                moved();
                t.call.resume();
            });
        }
    }

    /**
     * The answer is complete. The destination's slots are given back before the last bytes go out, so a client
     * that sends its next request the moment this one ends never finds them still taken.
     */
    @Override
    public void ended(UpstreamTry t, Buffer last, io.netty.handler.codec.http.HttpHeaders trailers) {
        if (!t.streaming || finished) {
            release(t, t.retry);
            return;
        }
        cancelRouteTimer();
        release(t, t.retry);
        record(t.status);
        if (!trailers.isEmpty()) {
            // gRPC's status travels here; HTTP/1.1 clients get them on a chunked answer (a sized one has no room).
            for (var e : trailers) {
                response.trailers().add(e.getKey(), e.getValue());
            }
            int grpc = grpcStatus(trailers);
            if (grpc >= 0) {
                t.grpcStatus = grpc;
            }
        }
        if (t.grpcStatus >= 0) {
            target.stats().grpcStatus(t.grpcStatus);
        }
        finished = true;
        io.vertx.core.Future<Void> written;
        if (last == null) {
            written = response.end();
        } else {
            moved();
            written = response.end(last);
        }
        if (endsWithConnection) {
            written.onComplete(v -> request.connection().close());
        }
    }

    /**
     * The answer broke off mid-way (the upstream reset it, or this side did: {@link #cutBy}): the client's answer
     * can only be reset, and the request counts with the status it began with and the flag for why, as Envoy's
     * access log has it; uncounted, a destination failing every answer part-way looked healthy.
     */
    @Override
    public void brokeOff(UpstreamTry t) {
        if (finished) {
            release(t, t.retry);
            return;
        }
        cancelRouteTimer();
        release(t, t.retry);
        finished = true;
        record(t.status, withFlag(cutBy != null ? cutBy : ResponseFlags.RESET));
        response.reset();
        over(); // an HTTP/1 response reset here closes without calling its close or end handler
    }

    /** The {@code grpc-status} in these headers, or -1 (none, or not a status). */
    private static int grpcStatus(io.netty.handler.codec.http.HttpHeaders headers) {
        return io.kshift.model.grpc.GrpcStatus.parse(headers.get("grpc-status")).orElse(-1);
    }

    private void record(int status) {
        record(status, flags);
    }

    /** The request counted against its destination, with these flags, and its time so far. */
    private void record(int status, String withFlags) {
        target.stats().request(status, withFlags, (System.nanoTime() - startedAt) / 1_000_000);
    }

    /** The exchange's flags so far and {@code flag}. */
    private String withFlag(String flag) {
        return flags == null ? flag : flags + "," + flag;
    }

    /**
     * A retry after {@code t}'s answer: {@code t}'s own retry slot is given back first, as Envoy frees a request's
     * previous retry before asking for the next (else with {@code maxRetries: 1} a second retry met the first's slot).
     */
    private boolean retryAfter(UpstreamTry t) {
        if (t.retry) {
            t.retry = false;
            target.activeRetries().decrementAndGet();
        }
        return retry(t.attempt);
    }

    private boolean retry(int attempt) {
        if (stream != null && body == null && !stream.replayable()) {
            return false; // a streamed body not kept cannot be sent again
        }
        if (done) {
            return false;
        }
        if (attempt >= route.retry().attempts()) {
            if (route.retry().attempts() > 0) {
                flags = withFlag(ResponseFlags.RETRY_LIMIT); // as Envoy marks a retriable answer it had to give back
            }
            return false;
        }
        long backoff = route.retry().backoffMillis(attempt, random);
        if (routeDeadline != Long.MAX_VALUE && System.nanoTime() + backoff * 1_000_000L >= routeDeadline) {
            return false; // the route's timeout would answer 504 first: the answer in hand goes back instead
        }
        if (!UpstreamTry.acquire(target.activeRetries(), target.pool().policy().retryLimit(
                target.activeRequests().get()))) {
            flags = withFlag(ResponseFlags.OVERFLOW); // the retry circuit breaker (maxRetries, retryBudget): UO
            return false;
        }
        if (stream != null && body == null) {
            stream.hold(); // the client waits for the retry: its body so far must still fit the kept copy then
        }
        context.setTimer(backoff, id -> forward(attempt + 1, true));
        return true;
    }

    @Override
    public void release(UpstreamTry t, boolean retry) {
        if (t != null) {
            if (t.released) {
                return;
            }
            t.released = true;
            if (t.timer >= 0) {
                vertx.cancelTimer(t.timer);
            }
            target.activeRequests().decrementAndGet();
            t.endpoint.closed();
            if (inFlight == t.call) {
                inFlight = null;
            }
        }
        if (retry) {
            target.activeRetries().decrementAndGet();
        }
    }

    private void overflow() {
        response.putHeader("x-envoy-overloaded", "true");
        respond(503, "upstream connect error or disconnect/reset before headers. reset reason: overflow",
                ResponseFlags.OVERFLOW);
    }

    private void respond(int status, String text, String flag) {
        if (!done) {
            answer(status, text, flag);
        }
    }

    /**
     * The route's (and the chosen destination's) response header edits on the proxy's own answer, as Envoy's local
     * replies get them once a route is chosen: a Strict-Transport-Security or Cache-Control the route sets is on its
     * 503s and 504s too.
     */
    private void localReplyEdits() {
        HeaderEdits.applyTo(response.headers(), route.responseEdits(),
                target != null ? target.responseEdits() : HeaderEdits.NONE, route.weighted());
    }

    private void corsHeaders() {
        LocalReplies.corsHeaders(request, response, route.cors(), corsOrigin);
    }

    /** The proxy's own answer (with its flag), or a reset once the upstream's answer has begun. */
    /** The route timer and a fault delay's: an exchange answered (408, 413) or abandoned during a delay is let go. */
    private void cancelTimers() {
        cancelRouteTimer();
        if (delayTimer >= 0) {
            vertx.cancelTimer(delayTimer);
            delayTimer = -1;
        }
    }

    private void answer(int status, String text, String flag) {
        done = true;
        cancelTimers();
        finished = true;
        if (response.headWritten()) {
            response.reset();
            over(); // an HTTP/1 response reset here closes without calling its close or end handler
            return;
        }
        if (headCopied) {
            response.headers().clear(); // the upstream's head was taken but not sent: none of it describes this answer
        }
        String all = withFlag(flag);
        localReplyEdits();
        corsHeaders();
        if (RequestStream.isGrpc(request)) {
            // A gRPC client reads the status from grpc-status (HTTP 200, trailers-only), as Envoy answers it, and
            // telemetry counts the call's gRPC status as for an upstream's answer.
            int code = io.kshift.model.grpc.GrpcStatus.fromHttp(status);
            LocalReplies.grpc(response, code, text, all);
            if (target != null) {
                record(200, all);
                target.stats().grpcStatus(code);
            }
            return;
        }
        LocalReplies.text(response, status, all, text);
        if (target != null) {
            record(status, all);
        }
    }

    /**
     * The client went away. A begun answer is reset and counted by {@link #brokeOff}; before one began, the request
     * ends here and counts as Envoy's does, status 0 and {@code DC}.
     */
    private void abandon() {
        if (finished) {
            return;
        }
        done = true;
        cancelTimers();
        cutBy = ResponseFlags.DOWNSTREAM_DISCONNECT;
        if (!headCopied) {
            finished = true;
            if (target != null) {
                record(0, withFlag(cutBy));
            }
        }
        if (inFlight != null) {
            inFlight.reset();
        }
    }

    /**
     * The exchange is over (answered or abandoned): its body bytes go back to the node's budget and its idle timer
     * stops. The body stays referenced (a try still waiting for a connection sends it after a reset, and fails).
     */
    private void over() {
        if (counted) {
            counted = false;
            limits.inFlight().decrement();
        }
        limits.budget().give(budgeted);
        budgeted = 0;
        if (stream != null) {
            if (!stream.ended() && request.version() != HttpVersion.HTTP_2 && !lingering) {
                lingering = true; // over() runs again when the connection closes
                // Answered before the client sent its whole body (413, a fault, an upstream error): as Envoy, the
                // HTTP/1 connection goes, so nobody streams on into a void; after a linger, not at once, since
                // closing a socket with unread bytes resets it and the client could lose the answer.
                context.setTimer(LINGER_MILLIS, id -> {
                    if (!stream.ended()) {
                        request.connection().close();
                    }
                });
            }
            stream.release();
        }
        if (idle != null) {
            idle.stop();
        }
    }

    private void moved() {
        if (idle != null) {
            idle.moved();
        }
    }

    /**
     * Nothing moved for the stream idle timeout: 408 {@code SI} if the answer has not begun (its upstream headers, if
     * any, are dropped), else a reset as Envoy does. An HTTP/1 connection is closed too (the client may be part-way
     * through a body nobody will read), after its answer ({@link DelayedClose}); on HTTP/2 only this stream ends.
     */
    private void idleTimeout() {
        if (finished) {
            return;
        }
        UpstreamCall pending = inFlight;
        boolean answering = response.headWritten();
        if (answering && target != null) {
            // answer() only resets a begun answer; the request still counts, with its flag.
            record(response.getStatusCode(), ResponseFlags.STREAM_IDLE);
        } else {
            response.headers().clear();
        }
        answer(408, "stream timeout", ResponseFlags.STREAM_IDLE);
        if (!answering && request.version() != HttpVersion.HTTP_2) {
            DelayedClose.close(request.connection());
        }
        if (pending != null) {
            pending.reset();
        }
    }

    @Override
    public void writable() {
        if (stream != null) {
            stream.writable();
        }
    }

    private void cancelRouteTimer() {
        if (routeTimer >= 0) {
            vertx.cancelTimer(routeTimer);
            routeTimer = -1;
        }
    }
}
