package io.kshift.validator.rules;

import io.kshift.model.gateway.FrontendTls;
import io.kshift.model.gateway.KubeGatewaySpec;
import io.kshift.model.gateway.Listener;
import io.kshift.model.gateway.ReferenceGrantSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A Gateway API Gateway's client certificate validation ({@code spec.tls.frontend}, GEP-91): each validation names
 * at least one CA bundle, each a core ConfigMap or Secret (no other kind can be read), one in another namespace only
 * where a ReferenceGrant there allows Gateways from this one to refer to it; a port has at most one {@code perPort}
 * entry. Whether each bundle exists and reads is checked with the TLS chain that uses it ({@link TlsRules}), so a
 * bundle deleted from under a Gateway is refused the same way.
 */
final class FrontendTlsRules {
    private FrontendTlsRules() {
    }

    static void check(MeshConfig config, Resource gw, Findings findings) {
        KubeGatewaySpec spec = gw.specAs(KubeGatewaySpec.class);
        if (spec.tls() == null || spec.tls().frontend() == null) {
            return;
        }
        FrontendTls frontend = spec.tls().frontend();
        Set<Integer> https = spec.listeners().stream().filter(l -> "HTTPS".equalsIgnoreCase(l.protocol()))
                .map(Listener::port).collect(Collectors.toSet());
        if (https.isEmpty()) {
            findings.warn(gw.key(), "spec.tls.frontend", "validates clients on HTTPS listeners, and this Gateway has"
                    + " none: nothing is validated");
        }
        if (frontend.defaults() != null) {
            validation(config, gw, frontend.defaults().validation(), "spec.tls.frontend.default", findings);
        }
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < frontend.perPort().size(); i++) {
            FrontendTls.PortConfig p = frontend.perPort().get(i);
            String at = "spec.tls.frontend.perPort[" + i + "]";
            if (p.port() == null) {
                continue; // reported as required by the model's constraints
            }
            if (p.port() < 1 || p.port() > 65535) {
                findings.error(gw.key(), at + ".port", "must be between 1 and 65535");
            } else if (!seen.add(p.port())) {
                findings.error(gw.key(), at + ".port", "port " + p.port() + " has an entry already; one per port");
            } else if (!https.isEmpty() && !https.contains(p.port())) {
                findings.warn(gw.key(), at + ".port", "no HTTPS listener of this Gateway is on port " + p.port()
                        + ": nothing is validated there");
            }
            if (p.tls() == null) {
                findings.error(gw.key(), at + ".tls", "is required: the validation for port " + p.port());
            } else {
                validation(config, gw, p.tls().validation(), at + ".tls", findings);
            }
        }
    }

    private static void validation(MeshConfig config, Resource gw, FrontendTls.Validation v, String field,
                                   Findings findings) {
        String at = field + ".validation";
        if (v == null) {
            findings.warn(gw.key(), field, "has no validation: clients are not asked for certificates"
                    + (field.contains("perPort") ? " on this port (the default does not apply here)" : ""));
            return;
        }
        if (v.caCertificateRefs().isEmpty()) {
            findings.error(gw.key(), at + ".caCertificateRefs", "at least one CA bundle is required");
        }
        for (int i = 0; i < v.caCertificateRefs().size(); i++) {
            FrontendTls.CaCertificateRef ref = v.caCertificateRefs().get(i);
            String where = at + ".caCertificateRefs[" + i + "]";
            if (ref.coreKind().isEmpty()) {
                findings.error(gw.key(), where + ".kind", "a CA bundle is read from a core ConfigMap or Secret"
                        + " (its ca.crt), not " + (ref.group() == null || ref.group().isEmpty() ? ""
                        : ref.group() + "/") + ref.kind());
            } else if (ref.namespace() != null && !ref.namespace().equals(gw.namespace())
                    && config.ofKind(Kind.REFERENCE_GRANT).stream().filter(g -> g.namespace().equals(ref.namespace()))
                    .noneMatch(g -> g.specAs(ReferenceGrantSpec.class).allowsCore("Gateway", gw.namespace(),
                            ref.kind(), ref.name()))) {
                findings.error(gw.key(), where + ".namespace", ref.kind() + " " + ref.namespace() + "/" + ref.name()
                        + " is in another namespace: a ReferenceGrant in " + ref.namespace() + " must allow Gateways"
                        + " from namespace " + gw.namespace() + " to refer to it");
            }
        }
        if (v.effectiveMode() == FrontendTls.Validation.Mode.AllowInsecureFallback) {
            findings.warn(gw.key(), at + ".mode", "AllowInsecureFallback lets clients through without a valid"
                    + " certificate (none, or one that does not chain to these CAs): the backend must decide whom"
                    + " to serve, checking the certificate in the x-forwarded-client-cert header the proxies set (its"
                    + " Cert; no names are sent for certificates the proxy did not verify; absent: none presented;"
                    + " as the proxies' default SANITIZE_SET and APPEND_FORWARD modes send it)");
        }
    }
}
