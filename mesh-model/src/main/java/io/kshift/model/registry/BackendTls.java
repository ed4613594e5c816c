package io.kshift.model.registry;

import io.kshift.model.resource.ResourceKey;
import java.util.List;

/**
 * TLS a BackendTLSPolicy has the proxies originate toward a destination: {@code hostname} is the SNI and, without
 * {@code dnsNames} or {@code uris}, the name the backend's certificate must carry; otherwise it must carry one of
 * those. Its certificate must chain to the CA bundles {@code caBundles} (ConfigMaps or Secrets holding
 * {@code ca.crt}, in the policy's namespace) or, {@code systemCas} ({@code wellKnownCACertificates: System}), to the
 * system's trusted CAs; neither means nothing is trusted. {@code policy}: the BackendTLSPolicy it comes from.
 */
public record BackendTls(ResourceKey policy, String hostname, List<ResourceKey> caBundles, boolean systemCas,
                         List<String> dnsNames, List<String> uris) {
    public BackendTls {
        caBundles = List.copyOf(caBundles);
        dnsNames = List.copyOf(dnsNames);
        uris = List.copyOf(uris);
    }
}
