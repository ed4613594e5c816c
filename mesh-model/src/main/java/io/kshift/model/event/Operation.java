package io.kshift.model.event;

/** What a change does to the named resources: create-or-replace them, or delete them. */
public enum Operation {
    APPLY, DELETE
}
