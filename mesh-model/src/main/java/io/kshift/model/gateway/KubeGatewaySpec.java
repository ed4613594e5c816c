package io.kshift.model.gateway;

import io.kshift.model.Lists;
import io.kshift.model.resource.ResourceSpec;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.util.List;

/**
 * Gateway API {@code Gateway}: named listeners, each a port and protocol that routes attach to;
 * {@code allowedListeners}: which namespaces' ListenerSets may add listeners (kshift serves no ListenerSets, so none
 * do: the validator says so); {@code tls}: client certificate validation on its HTTPS ports ({@link GatewayTls}).
 */
public record KubeGatewaySpec(@NotBlank(message = "is required") String gatewayClassName,
                              List<@Valid Listener> listeners, @Valid AllowedListeners allowedListeners,
                              @Valid GatewayTls tls, @Valid Infrastructure infrastructure)
        implements ResourceSpec {
    public KubeGatewaySpec {
        listeners = Lists.copy(listeners);
    }

    public KubeGatewaySpec(String gatewayClassName, List<Listener> listeners) {
        this(gatewayClassName, listeners, null, null, null);
    }

    /**
     * {@code infrastructure}: labels and annotations for what an implementation creates per Gateway (its Service, its
     * Deployment). kshift's proxies are one shared fleet and create nothing per Gateway, so they label nothing; its
     * {@code parametersRef} is not served.
     */
    public record Infrastructure(@io.kshift.model.constraint.LabelMap java.util.Map<String, String> labels,
                                 java.util.Map<String, String> annotations) {
        public Infrastructure {
            labels = io.kshift.model.Lists.copy(labels);
            annotations = io.kshift.model.Lists.copy(annotations);
        }
    }

    public record AllowedListeners(@Valid ListenerNamespaces namespaces) {
    }

    /** {@code from}: None (the default), Same, All, or Selector with {@code selector}. */
    public record ListenerNamespaces(From from, @Valid LabelSelector selector) {
        public enum From { All, Same, Selector, None }
    }
}
