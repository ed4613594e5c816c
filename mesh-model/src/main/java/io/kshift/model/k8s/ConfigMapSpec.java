package io.kshift.model.k8s;

import io.kshift.model.Lists;
import io.kshift.model.resource.ResourceSpec;
import java.util.Map;
import java.util.Optional;

/**
 * Core {@code v1 ConfigMap}: {@code data} (text) and {@code binaryData} (base64), written at the top level of the
 * object as Kubernetes writes it. kshift reads one entry of it: {@code ca.crt}, the CA bundle a Gateway API
 * Gateway's HTTPS ports validate client certificates with. Public by nature: it travels and shows as written.
 */
public record ConfigMapSpec(Map<String, String> data, Map<String, String> binaryData, Boolean immutable)
        implements ResourceSpec {
    public static final String CA_CERT = "ca.crt";

    public ConfigMapSpec {
        data = Lists.copy(data);
        binaryData = Lists.copy(binaryData);
    }

    /** An entry's text: from {@code data}, else {@code binaryData} decoded as ASCII (PEM); empty when absent. */
    public Optional<String> text(String entry) {
        String v = data.get(entry);
        if (v != null) {
            return Optional.of(v);
        }
        String b = binaryData.get(entry);
        return b == null ? Optional.empty() : Optional.of(new String(java.util.Base64.getMimeDecoder().decode(b),
                java.nio.charset.StandardCharsets.US_ASCII));
    }
}
