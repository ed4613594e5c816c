package io.kshift.model.istio;

import io.kshift.model.Lists;
import io.kshift.model.resource.ResourceSpec;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import java.util.List;

/**
 * Istio {@code Sidecar}: which hosts the proxies of a namespace (those its {@code workloadSelector} selects, or all
 * of them) reach through the mesh port ({@code egress[].hosts}, {@code namespace/dnsName}). kshift honours it for
 * mesh routing on nodes of that namespace ({@code kshift.proxy.namespace}); gateway ports ignore it, as Istio's
 * gateways do.
 */
public record SidecarSpec(
        @Valid WorkloadSelector workloadSelector,
        List<@Valid EgressListener> egress,
        @Valid OutboundTrafficPolicy outboundTrafficPolicy) implements ResourceSpec {

    public SidecarSpec {
        egress = Lists.copy(egress);
    }

    /** The hosts one egress listener imports. */
    public record EgressListener(@NotEmpty(message = "is required: at least one namespace/dnsName") List<
            @Pattern(regexp = HOST, message = "must be namespace/dnsName: the namespace '*', '.', '~' or a name; the"
                    + " name '*', '*.suffix' or a fully qualified host") String> hosts) {
        public EgressListener {
            hosts = Lists.copy(hosts);
        }
    }

    /**
     * {@code REGISTRY_ONLY}: only known hosts are reached, which is what the mesh port does; {@code ALLOW_ANY} is
     * refused by the validator (the mesh port has no original destination to pass unknown hosts through to).
     */
    public record OutboundTrafficPolicy(Mode mode) {
        public enum Mode { REGISTRY_ONLY, ALLOW_ANY }
    }

    static final String HOST = "(\\*|\\.|~|[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)/"
            + "(\\*|(\\*\\.)?[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*)";
}
