package io.kshift.model.registry;

import io.kshift.model.istio.LoadBalancerSettings.SimpleLb;
import java.time.Duration;
import java.util.List;

/**
 * A route destination made concrete: the service and subset it names, its endpoints, the version they run
 * (their {@code version} label, for telemetry and demo output) and the DestinationRule policy toward them.
 */
public record ResolvedDestination(String service, String subset, String version, List<HostPort> endpoints,
                                  SimpleLb loadBalancer, Duration connectTimeout, Duration maxConnectionDuration) {
}
