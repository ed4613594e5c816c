package io.kshift.model.gateway;

import io.kshift.model.Lists;
import jakarta.validation.Valid;
import java.util.List;
import java.util.Map;

/**
 * A Gateway API listener's {@code tls}: {@code Terminate} (the default: the proxy holds the certificates named by
 * {@code certificateRefs}, picked by SNI) or {@code Passthrough} (routed by SNI, bytes untouched). {@code options}
 * are implementation-specific; kshift defines none.
 */
public record ListenerTls(Mode mode, List<@Valid SecretObjectReference> certificateRefs, Map<String, String> options) {
    public enum Mode { Terminate, Passthrough }

    public ListenerTls {
        certificateRefs = Lists.copy(certificateRefs);
        options = Lists.copy(options);
    }

    public Mode effectiveMode() {
        return mode == null ? Mode.Terminate : mode;
    }
}
