package io.kshift.model.istio;

import jakarta.validation.Valid;

/** The traffic policy parts the TCP proxy applies: endpoint load balancing and the TCP connection pool. */
public record TrafficPolicy(@Valid LoadBalancerSettings loadBalancer, @Valid ConnectionPoolSettings connectionPool) {
}
