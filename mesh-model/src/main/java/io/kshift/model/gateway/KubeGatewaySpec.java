package io.kshift.model.gateway;

import io.kshift.model.Lists;
import io.kshift.model.resource.ResourceSpec;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.util.List;

/** Gateway API {@code Gateway}: named listeners, each a port and protocol that routes attach to. */
public record KubeGatewaySpec(@NotBlank(message = "is required") String gatewayClassName,
                              List<@Valid Listener> listeners) implements ResourceSpec {
    public KubeGatewaySpec {
        listeners = Lists.copy(listeners);
    }
}
