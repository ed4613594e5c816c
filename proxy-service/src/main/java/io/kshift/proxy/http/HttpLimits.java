package io.kshift.proxy.http;

/**
 * What one request may take on this node: its body's size ({@code kshift.proxy.http.max-request-body}, over it 413),
 * the node's budget for buffered bodies ({@code kshift.proxy.http.buffer-budget}, over it 503 OM) and how long its
 * stream may stand still ({@code kshift.proxy.http.stream-idle-timeout}, Envoy's 5 min; 0 = never).
 */
record HttpLimits(long maxBody, BodyBudget budget, long streamIdleMillis) {
}
