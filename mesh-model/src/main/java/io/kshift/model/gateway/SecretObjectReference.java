package io.kshift.model.gateway;

import jakarta.validation.constraints.NotBlank;

/** A reference to a Secret ({@code kind} Secret in the core group unless named otherwise), from a listener's tls. */
public record SecretObjectReference(String group, String kind, @NotBlank(message = "is required") String name,
                                    String namespace) {
    /** Whether it names a core Secret (the only kind kshift holds certificates in). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isSecret() {
        return (kind == null || "Secret".equals(kind)) && (group == null || group.isEmpty() || "core".equals(group));
    }
}
