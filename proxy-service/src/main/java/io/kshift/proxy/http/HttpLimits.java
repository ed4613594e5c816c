package io.kshift.proxy.http;

/**
 * What one request may take on this node: its body's size ({@code kshift.proxy.http.max-request-body}, over it 413),
 * how much of a streamed body is kept for retries and mirrors ({@code kshift.proxy.http.retry-buffer}, Envoy's 1 MiB
 * request buffer limit: a longer body is relayed, not retried), the node's budget for held bodies
 * ({@code kshift.proxy.http.buffer-budget}; {@link BodyBudget}) and how long its stream may stand still
 * ({@code kshift.proxy.http.stream-idle-timeout}, Envoy's 5 min; 0 = never), and the node's exchanges not over yet
 * ({@code inFlight}: what a shutdown drains, whatever route table they were routed by).
 */
record HttpLimits(long maxBody, long retryBuffer, BodyBudget budget, long streamIdleMillis,
                  java.util.concurrent.atomic.LongAdder inFlight) {
}
