package io.kshift.model.istio;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** A DestinationRule's policy for one port of its host: each field it sets overrides the policy's own. */
public record PortTrafficPolicy(@NotNull(message = "is required") @Valid PortSelector port,
                                @Valid LoadBalancerSettings loadBalancer, @Valid ConnectionPoolSettings connectionPool,
                                @Valid OutlierDetection outlierDetection, ClientTlsSettings tls) {
}
