package io.kshift.model.gateway;

import io.kshift.model.Lists;
import io.kshift.model.resource.ResourceSpec;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Map;

/**
 * Gateway API {@code BackendTLSPolicy} (v1, GEP-1897): proxies speak TLS to the targeted Services (or one named port
 * of each, {@code sectionName}), sending {@code validation.hostname} as SNI and checking the backend's certificate
 * against the CA bundles named (core ConfigMaps or Secrets holding {@code ca.crt}) or the system's trusted CAs, for
 * that hostname or, when {@code subjectAltNames} are given, for one of them instead.
 */
public record BackendTlsPolicySpec(List<@Valid TargetRef> targetRefs,
                                   @NotNull(message = "is required") @Valid Validation validation,
                                   Map<String, String> options) implements ResourceSpec {
    public BackendTlsPolicySpec {
        targetRefs = Lists.copy(targetRefs);
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    /** A local object the policy applies to; {@code sectionName}: one of its ports, by name. */
    public record TargetRef(@NotNull(message = "is required") String group,
                            @NotBlank(message = "is required") String kind,
                            @NotBlank(message = "is required") String name,
                            String sectionName) {
        /** Whether it names a core Service, the one kind of target served. */
        public boolean service() {
            return (group == null || group.isEmpty() || "core".equals(group)) && "Service".equals(kind);
        }
    }

    /**
     * How the backend's certificate is checked: against {@code caCertificateRefs} or the system's CAs
     * ({@code wellKnownCACertificates: System}; exactly one of the two), for {@code hostname} (also the SNI) or,
     * given, for one of {@code subjectAltNames}.
     */
    public record Validation(List<@Valid CaRef> caCertificateRefs, String wellKnownCACertificates,
                             @NotBlank(message = "is required") String hostname,
                             List<@Valid SubjectAltName> subjectAltNames) {
        public Validation {
            caCertificateRefs = Lists.copy(caCertificateRefs);
            subjectAltNames = Lists.copy(subjectAltNames);
        }
    }

    /** A CA bundle in the policy's namespace: a core ConfigMap (the API's Core support) or Secret. */
    public record CaRef(@NotNull(message = "is required") String group,
                        @NotBlank(message = "is required") String kind,
                        @NotBlank(message = "is required") String name) {
        /** {@code ConfigMap} or {@code Secret} for a core group, else null (a kind that cannot be read). */
        public String coreKind() {
            boolean core = group == null || group.isEmpty() || "core".equals(group);
            return core && ("ConfigMap".equals(kind) || "Secret".equals(kind)) ? kind : null;
        }

        /** The bundle in the policy's {@code namespace}; for a kind {@link #coreKind} reads. */
        public io.kshift.model.resource.ResourceKey key(String namespace) {
            return new io.kshift.model.resource.ResourceKey("Secret".equals(coreKind())
                    ? io.kshift.model.resource.Kind.SECRET : io.kshift.model.resource.Kind.CONFIG_MAP, namespace, name);
        }
    }

    /** A name the backend's certificate may carry: {@code type} {@code Hostname} (DNS) or {@code URI}. */
    public record SubjectAltName(@NotBlank(message = "is required") String type, String hostname, String uri) {
    }
}
