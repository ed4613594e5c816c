package io.kshift.model.istio;

import io.kshift.model.Lists;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.List;

/** A TLS match: SNI names (exact or {@code *.} wildcard), optionally the listener port and which gateways. */
public record TlsMatchAttributes(List<String> sniHosts,
                                 @Min(value = 1, message = "must be a port number between 1 and 65535")
                                 @Max(value = 65535, message = "must be a port number between 1 and 65535")
                                 Integer port,
                                 List<String> gateways) {
    public TlsMatchAttributes {
        sniHosts = Lists.copy(sniHosts);
        gateways = Lists.copy(gateways);
    }
}
