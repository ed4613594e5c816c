package io.kshift.model.event;

/**
 * One finding about a change: the resource ({@code VirtualService default/tcp-echo}), the field path
 * ({@code spec.tcp[0].route[1].weight}) and why.
 */
public record ValidationMessage(String resource, String field, String message) {
    @Override
    public String toString() {
        return resource + ": " + field + ": " + message;
    }
}
