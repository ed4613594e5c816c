package io.kshift.model.istio;

import io.kshift.model.Lists;
import io.kshift.model.constraint.LabelMap;
import io.kshift.model.resource.ResourceSpec;
import jakarta.validation.Valid;
import java.util.List;
import java.util.Map;

/** Istio {@code Gateway}: the ports a proxy listens on, by protocol. */
public record GatewaySpec(@LabelMap Map<String, String> selector, List<@Valid Server> servers) implements ResourceSpec {
    public GatewaySpec {
        selector = Lists.copy(selector);
        servers = Lists.copy(servers);
    }
}
