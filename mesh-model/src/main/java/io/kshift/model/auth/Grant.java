package io.kshift.model.auth;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one caller may do, read from its verified token: a role and, for changes, the namespaces it may touch
 * (empty: all). The denials say what was missing, for the 403 answer.
 */
public record Grant(String subject, Optional<Role> role, Set<String> namespaces) {
    public Grant {
        namespaces = Set.copyOf(namespaces);
    }

    public static Grant of(String subject, Collection<String> groups, Collection<String> namespaces) {
        return new Grant(subject == null || subject.isBlank() ? "(no subject)" : subject, Role.highest(groups),
                namespaces == null ? Set.of() : Set.copyOf(namespaces));
    }

    /**
     * From a verified token's claims as a JWT library hands them out: {@code namespacesClaim} may be any
     * collection (a JSON array's elements print as quoted strings) or absent.
     */
    public static Grant fromClaims(String subject, Collection<String> groups, Object namespacesClaim) {
        java.util.List<String> namespaces = new java.util.ArrayList<>();
        if (namespacesClaim instanceof Collection<?> c) {
            for (Object o : c) {
                String s = String.valueOf(o);
                namespaces.add(s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s);
            }
        } else if (namespacesClaim instanceof String s && !s.isBlank()) {
            namespaces.add(s);
        }
        return of(subject, groups == null ? Set.of() : groups, namespaces);
    }

    /** The grant of a request's authenticated principal: a verified JWT's claims, or nothing for anything else. */
    public static Grant of(java.security.Principal principal) {
        if (principal instanceof org.eclipse.microprofile.jwt.JsonWebToken jwt) {
            return fromClaims(jwt.getName(), jwt.getGroups(), jwt.getClaim(TokenClaims.NAMESPACES));
        }
        return of(principal == null ? null : principal.getName(), Set.of(), Set.of());
    }

    /** Empty when the caller has {@code needed} or a stronger role; otherwise why not. */
    public Optional<String> denial(Role needed) {
        if (role.isPresent() && role.get().includes(needed)) {
            return Optional.empty();
        }
        return Optional.of("this needs role " + needed.claimValue() + (needed == Role.ADMIN ? "" : " or stronger")
                + "; the token of '" + subject + "' has " + role.map(r -> "role " + r.claimValue())
                .orElse("no kshift role (groups claim: viewer, editor or admin)"));
    }

    /** Empty when the caller may change resources in {@code namespace}; otherwise why not. */
    public Optional<String> denialToChange(String namespace) {
        Optional<String> noRole = denial(Role.EDITOR);
        if (noRole.isPresent()) {
            return noRole;
        }
        if (role.get() == Role.ADMIN || namespaces.isEmpty() || namespaces.contains(namespace)) {
            return Optional.empty();
        }
        return Optional.of("the token of '" + subject + "' may change namespaces " + new TreeSet<>(namespaces)
                + ", not " + namespace);
    }
}
