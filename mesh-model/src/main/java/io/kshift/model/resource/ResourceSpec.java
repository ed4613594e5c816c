package io.kshift.model.resource;

/** Marker for the typed {@code spec} of a resource kind; the kind decides the concrete type. */
public interface ResourceSpec {
}
