package io.kshift.model.auth;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one caller may do, read from its verified token: a role and, for changes, the namespaces it may touch
 * ({@code everyNamespace}, or those in {@code namespaces}). The denials say what was missing, for the 403 answer.
 */
public record Grant(String subject, Optional<Role> role, Set<String> namespaces, boolean everyNamespace) {
    /** The subject of a token that names none. */
    public static final String NO_SUBJECT = "(no subject)";

    public Grant {
        namespaces = Set.copyOf(namespaces);
    }

    /** {@code namespaces} empty or null: every namespace (a token without the claim). */
    public static Grant of(String subject, Collection<String> groups, Collection<String> namespaces) {
        boolean every = namespaces == null || namespaces.isEmpty();
        return new Grant(subject == null || subject.isBlank() ? NO_SUBJECT : subject, Role.highest(groups),
                every ? Set.of() : Set.copyOf(namespaces), every);
    }

    /**
     * From a verified token's claims as a JWT library hands them out: {@code namespacesClaim} may be any
     * collection (a JSON array's elements print as quoted strings) or absent.
     */
    public static Grant fromClaims(String subject, Collection<String> groups, Object namespacesClaim) {
        if (namespacesClaim == null) {
            return of(subject, groups == null ? Set.of() : groups, null);
        }
        // Present: it limits. One that is empty or unreadable limits to nothing rather than opening everything.
        java.util.List<String> namespaces = new java.util.ArrayList<>();
        if (namespacesClaim instanceof Collection<?> c) {
            for (Object o : c) {
                String s = String.valueOf(o);
                namespaces.add(s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s);
            }
        } else if (namespacesClaim instanceof String s && !s.isBlank()) {
            namespaces.add(s);
        }
        return new Grant(subject == null || subject.isBlank() ? NO_SUBJECT : subject,
                Role.highest(groups == null ? Set.of() : groups), Set.copyOf(namespaces), false);
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

    /** Whether the caller may read resources of {@code namespace}: admins and unlimited tokens read every one. */
    public boolean reads(String namespace) {
        return readsAll() || namespaces.contains(namespace);
    }

    /**
     * Whether the caller may read the resource of kind {@code kind} ({@code Namespace}, {@code VirtualService}, ...)
     * named {@code namespace/name}. A Namespace object is cluster-scoped (kept under namespace {@code default}): it is
     * read by tokens for the namespace it is, not by every token for {@code default}.
     */
    public boolean reads(String kind, String namespace, String name) {
        return "Namespace".equals(kind) ? readsAll() || namespaces.contains(name) : reads(namespace);
    }

    /** Whether the caller reads every namespace (an admin, or a token that names none). */
    public boolean readsAll() {
        return role.filter(r -> r == Role.ADMIN).isPresent() || everyNamespace;
    }

    /** Empty when the caller may change resources in {@code namespace}; otherwise why not. */
    public Optional<String> denialToChange(String namespace) {
        Optional<String> noRole = denial(Role.EDITOR);
        if (noRole.isPresent()) {
            return noRole;
        }
        if (role.get() == Role.ADMIN || everyNamespace || namespaces.contains(namespace)) {
            return Optional.empty();
        }
        return Optional.of("the token of '" + subject + "' may change namespaces " + new TreeSet<>(namespaces)
                + ", not " + namespace);
    }
}
