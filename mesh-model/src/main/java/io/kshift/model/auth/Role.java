package io.kshift.model.auth;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * What a token lets its holder do, each role including the ones before it: {@code viewer} reads, {@code editor}
 * applies and deletes (in its namespaces), {@code admin} does everything, rollback included. A token names its role
 * in the standard {@code groups} claim, so an identity provider's groups can carry it.
 */
public enum Role {
    VIEWER, EDITOR, ADMIN;

    public String claimValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean includes(Role other) {
        return compareTo(other) >= 0;
    }

    public static Optional<Role> parse(String value) {
        for (Role r : values()) {
            if (r.claimValue().equals(value)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** The strongest role among a token's groups; groups that are no kshift role are ignored. */
    public static Optional<Role> highest(Collection<String> groups) {
        return groups.stream().map(Role::parse).flatMap(Optional::stream).max(Enum::compareTo);
    }
}
