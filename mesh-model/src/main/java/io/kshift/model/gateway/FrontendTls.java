package io.kshift.model.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.kshift.model.Lists;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Optional;

/**
 * {@code spec.tls.frontend}: client certificate validation for every HTTPS listener of the Gateway ({@code default}),
 * or for those on one port ({@code perPort}, which replaces the default there). Per port, not per listener, because
 * a connection is reused across the listeners of its port (GEP-91): validation per hostname could be bypassed.
 */
public record FrontendTls(@JsonProperty("default") @Valid Config defaults, List<@Valid PortConfig> perPort) {
    public FrontendTls {
        perPort = Lists.copy(perPort);
    }

    /** The index of {@code port}'s {@code perPort} entry, or -1 when the default applies there. */
    public int perPortIndex(int port) {
        for (int i = 0; i < perPort.size(); i++) {
            if (perPort.get(i).port() != null && perPort.get(i).port() == port) {
                return i;
            }
        }
        return -1;
    }

    /** What applies on {@code port}: its {@code perPort} entry, else the default; empty when neither validates. */
    public Optional<Validation> validationFor(int port) {
        int i = perPortIndex(port);
        return i < 0 ? Optional.ofNullable(defaults).map(Config::validation)
                : Optional.ofNullable(perPort.get(i).tls()).map(Config::validation);
    }

    /** A TLS configuration of the frontend: its client validation. */
    public record Config(@Valid Validation validation) {
    }

    /** The configuration for one port's HTTPS listeners. */
    public record PortConfig(@NotNull(message = "is required") Integer port, @Valid Config tls) {
    }

    /**
     * {@code caCertificateRefs}: the CA bundles (ConfigMaps, or Secrets, with {@code ca.crt}) client certificates must
     * chain to; {@code mode}: {@code AllowValidOnly} (the default: a valid certificate is required) or
     * {@code AllowInsecureFallback} (a certificate is asked for, and a connection without one, or with one that does
     * not validate, is let through: the backend decides).
     */
    public record Validation(List<@Valid CaCertificateRef> caCertificateRefs, Mode mode) {
        public enum Mode { AllowValidOnly, AllowInsecureFallback }

        public Validation {
            caCertificateRefs = Lists.copy(caCertificateRefs);
        }

        public Mode effectiveMode() {
            return mode == null ? Mode.AllowValidOnly : mode;
        }
    }

    /** Gateway API's {@code ObjectReference}: a CA bundle's group (core: empty), kind, name and namespace. */
    public record CaCertificateRef(String group, @NotNull(message = "is required") String kind,
                                   @NotNull(message = "is required") String name, String namespace) {
        /** The core kind it names ({@code ConfigMap} or {@code Secret}), or empty for any other group or kind. */
        public Optional<String> coreKind() {
            boolean core = group == null || group.isEmpty() || "core".equals(group);
            return core && ("ConfigMap".equals(kind) || "Secret".equals(kind)) ? Optional.of(kind) : Optional.empty();
        }
    }
}
