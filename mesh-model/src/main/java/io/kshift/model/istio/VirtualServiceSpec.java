package io.kshift.model.istio;

import io.kshift.model.Lists;
import io.kshift.model.resource.ResourceSpec;
import jakarta.validation.Valid;
import java.util.List;

/** Istio {@code VirtualService} spec: {@code http}, {@code tcp} and {@code tls} (by SNI) routes. */
public record VirtualServiceSpec(
        List<String> hosts,
        List<String> gateways,
        List<@Valid TcpRoute> tcp,
        List<@Valid HttpRoute> http,
        List<@Valid TlsRoute> tls,
        @io.kshift.model.constraint.ExportTo List<String> exportTo) implements ResourceSpec {

    /** The implicit gateway name of the sidecar mesh. */
    public static final String MESH_GATEWAY = "mesh";

    public VirtualServiceSpec {
        hosts = Lists.copy(hosts);
        gateways = Lists.copy(gateways);
        tcp = Lists.copy(tcp);
        http = Lists.copy(http);
        tls = Lists.copy(tls);
        exportTo = Lists.copy(exportTo);
    }
}
