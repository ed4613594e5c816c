package io.kshift.model.istio;

import io.kshift.model.Lists;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.List;

/** A TCP match: the listener port and, optionally, which gateways it applies to. */
public record L4MatchAttributes(
        @Min(value = 1, message = "must be a port number between 1 and 65535")
        @Max(value = 65535, message = "must be a port number between 1 and 65535") Integer port,
        List<String> gateways) {
    public L4MatchAttributes {
        gateways = Lists.copy(gateways);
    }
}
