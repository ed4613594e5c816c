package io.kshift.proxy.http;

/**
 * Connections to one endpoint, owned by one event loop (every method runs on it): {@link EndpointPool} for
 * HTTP/1.1, {@link Http2EndpointPool} for HTTP/2. Calls come in by {@link #acquire}; the rest is what an
 * {@link UpstreamConnection} tells the pool that made it.
 */
interface UpstreamPool {
    /** Sends the call on a connection now or when one is free. */
    void acquire(UpstreamCall call);

    /** The connection carried its call to the end and may carry another. */
    void release(UpstreamConnection c);

    /** The connection (or HTTP/2 stream) closed. */
    void closed(UpstreamConnection c);

    /** A call waiting for a connection was reset. */
    void cancel(UpstreamCall call);

    /** Its policy is retired: idle connections close now, busy ones once their calls (and those waiting) are done. */
    void drain();
}
