package io.kshift.model.status;

/**
 * A condition the validator found not to hold for a resource, as Kubernetes controllers report them:
 * {@code type} ({@link #ACCEPTED}, {@link #RESOLVED_REFS}, {@link #PROGRAMMED}), a CamelCase {@code reason}, the
 * {@code field} it concerns ({@code spec.parentRefs[0].name}: a route's first parent) and a sentence for people.
 * Snapshots carry only these; every condition not noted holds ({@link ResourceStatus}).
 */
public record StatusNote(String type, String reason, String field, String message) {
    public static final String ACCEPTED = "Accepted";
    public static final String RESOLVED_REFS = "ResolvedRefs";
    public static final String PROGRAMMED = "Programmed";

    /** A parent (Gateway, Service) that does not exist. */
    public static StatusNote noMatchingParent(String field, String message) {
        return new StatusNote(ACCEPTED, "NoMatchingParent", field, message);
    }

    /** A parent that exists but whose listeners do not take the route (namespace, kind, name, port). */
    public static StatusNote notAllowedByListeners(String field, String message) {
        return new StatusNote(ACCEPTED, "NotAllowedByListeners", field, message);
    }
}
