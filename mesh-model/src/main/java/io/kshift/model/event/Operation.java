package io.kshift.model.event;

/**
 * What a change does: APPLY creates or replaces each resource, DELETE removes each named resource, REPLACE makes the
 * whole config exactly these resources (a rollback to an earlier generation).
 */
public enum Operation {
    APPLY, DELETE, REPLACE
}
