package io.kshift.model.routing;

import io.kshift.model.resource.ResourceKey;
import java.util.List;

/** A route attached to a listener: where it is written ({@code source}, {@code field}) and its targets. */
public record BoundRoute(ResourceKey source, String field, List<WeightedTarget> targets) {
}
