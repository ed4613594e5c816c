package io.kshift.model.auth;

import java.util.Map;

/**
 * Which role an API request needs: reads need {@code viewer}; a write needs the role its path names, and any
 * write a service does not name needs {@code admin}, so a new endpoint is closed until someone opens it.
 */
public final class RequestRoles {
    private RequestRoles() {
    }

    /** What the 403 answer says when {@code principal} may not make this request; empty when it may. */
    public static java.util.Optional<Map<String, String>> denial(java.security.Principal principal, String method,
                                                                 String path, Map<String, Role> writes) {
        Role needed = needed(method, path, writes);
        return Grant.of(principal).denial(needed).map(why -> Map.of("message", why, "needed", needed.claimValue()));
    }

    public static Role needed(String method, String path, Map<String, Role> writes) {
        if (method.equals("GET") || method.equals("HEAD")) {
            return Role.VIEWER;
        }
        String normalized = path.startsWith("/") ? path : "/" + path;
        while (normalized.length() > 1 && normalized.endsWith("/")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        return writes.getOrDefault(normalized, Role.ADMIN);
    }
}
