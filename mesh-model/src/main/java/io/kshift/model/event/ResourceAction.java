package io.kshift.model.event;

/** What a change did to one resource, in kubectl's words. */
public record ResourceAction(String kind, String namespace, String name, Action action) {
    public enum Action {
        CREATED, CONFIGURED, UNCHANGED, DELETED, NOT_FOUND
    }
}
