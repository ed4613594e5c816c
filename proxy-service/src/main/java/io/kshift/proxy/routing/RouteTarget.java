package io.kshift.proxy.routing;

import io.kshift.model.registry.ResolvedDestination;

/** A weighted destination of a listener route: what it is (service, subset, version) and its endpoints. */
public record RouteTarget(ResolvedDestination destination, int weight, EndpointPicker endpoints) {
}
