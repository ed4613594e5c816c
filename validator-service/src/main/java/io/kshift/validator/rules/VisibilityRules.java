package io.kshift.validator.rules;

import io.kshift.model.constraint.ExportTo;
import io.kshift.model.istio.SidecarSpec;
import io.kshift.model.istio.VirtualServiceSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import io.kshift.model.routing.Exports;
import io.kshift.model.routing.GatewaySelection;
import io.kshift.model.routing.NodeScope;
import io.kshift.model.routing.SidecarScope;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * Who sees what: {@code exportTo} lists (a Service's annotation is checked here, the specs' fields by their
 * constraint) and Sidecars, as Istio checks them: a Sidecar says something, egress listeners are one catch-all,
 * {@code ALLOW_ANY} is not served, and a namespace has at most one Sidecar without a selector.
 */
final class VisibilityRules {
    private VisibilityRules() {
    }

    static void check(MeshConfig config, SortedSet<ResourceKey> touched, Findings findings) {
        for (ResourceKey key : touched) {
            config.get(key).ifPresent(r -> {
                switch (key.kind()) {
                    case SERVICE -> serviceAnnotation(r, findings);
                    case SIDECAR -> sidecar(config, r, findings);
                    default -> {
                    }
                }
                ownNamespaceTwice(r, findings);
                hiddenFromNodes(r, findings);
            });
        }
    }

    private static void serviceAnnotation(Resource r, Findings findings) {
        String value = r.metadata().annotations().get(Exports.SERVICE_ANNOTATION);
        if (value != null) {
            String problem = ExportTo.Check.problem(Exports.annotation(value), true);
            if (problem != null) {
                findings.error(r.key(), "metadata.annotations[" + Exports.SERVICE_ANNOTATION + "]", problem);
            }
        }
    }

    /** {@code .} and the resource's own namespace say the same twice, which Istio refuses. */
    private static void ownNamespaceTwice(Resource r, Findings findings) {
        List<String> exportTo = Exports.of(r);
        if (exportTo.contains(".") && exportTo.contains(r.namespace())) {
            findings.error(r.key(), r.type() == Kind.SERVICE ? "metadata.annotations["
                    + Exports.SERVICE_ANNOTATION + "]" : "spec.exportTo", "'.' and '" + r.namespace()
                    + "' both name this resource's own namespace");
        }
    }

    /**
     * A resource not exported to the namespace proxy nodes run as (unless configured otherwise, Istio's ingress
     * gateway's) is one they do not see: a VirtualService exported only to {@code .} of an app namespace is what
     * Istio users trip on. Said, not refused: nodes may be configured to run as that namespace.
     */
    private static void hiddenFromNodes(Resource r, Findings findings) {
        List<String> exportTo = Exports.of(r);
        if (exportTo.isEmpty() || Exports.exportedTo(exportTo, r.namespace(), NodeScope.DEFAULT_NAMESPACE)
                || (r.type() == Kind.VIRTUAL_SERVICE
                && io.kshift.model.routing.Delegation.isDelegate(r.specAs(VirtualServiceSpec.class)))) {
            return;
        }
        findings.warn(r.key(), r.type() == Kind.SERVICE ? "metadata.annotations[" + Exports.SERVICE_ANNOTATION
                + "]" : "spec.exportTo", "not exported to namespace " + NodeScope.DEFAULT_NAMESPACE + ", which proxy"
                + " nodes run as unless configured otherwise (kshift.proxy.namespace, as Istio's ingress gateway):"
                + " such nodes neither serve nor apply it; add " + NodeScope.DEFAULT_NAMESPACE + " to serve it there");
    }

    private static void sidecar(MeshConfig config, Resource r, Findings findings) {
        SidecarSpec spec = r.specAs(SidecarSpec.class);
        if (spec.egress().isEmpty() && spec.outboundTrafficPolicy() == null) {
            findings.error(r.key(), "spec", "says nothing: list the hosts the mesh port may reach in"
                    + " egress[0].hosts");
        }
        if (spec.egress().size() > 1) {
            findings.error(r.key(), "spec.egress[1]", "not supported: one egress listener, without port, serves the"
                    + " node's mesh port; list every host in egress[0].hosts");
        }
        if (spec.outboundTrafficPolicy() != null
                && spec.outboundTrafficPolicy().mode() == SidecarSpec.OutboundTrafficPolicy.Mode.ALLOW_ANY) {
            findings.error(r.key(), "spec.outboundTrafficPolicy.mode", "not supported: ALLOW_ANY passes unknown"
                    + " hosts through to their original destination, which the mesh port does not have (clients"
                    + " address it, not the host); REGISTRY_ONLY is what it does");
        }
        if (spec.workloadSelector() != null && spec.workloadSelector().labels().isEmpty()) {
            findings.error(r.key(), "spec.workloadSelector.labels", "at least one label is required; leave"
                    + " workloadSelector out to apply to the whole namespace");
            return;
        }
        Map<String, String> selector = SidecarScope.selector(r);
        for (Resource other : config.ofKind(Kind.SIDECAR)) {
            if (other.key().equals(r.key()) || !other.namespace().equals(r.namespace())) {
                continue;
            }
            Map<String, String> theirs = SidecarScope.selector(other);
            if (selector == null && theirs == null) {
                findings.error(r.key(), "spec.workloadSelector", other.key() + " already applies to"
                        + " the whole namespace " + r.namespace() + "; a namespace has at most one Sidecar without"
                        + " workloadSelector");
            } else if (selector != null && theirs != null && GatewaySelection.together(selector, theirs)) {
                findings.warn(r.key(), "spec.workloadSelector", other.key() + " may select the same"
                        + " nodes; where both do, the older one applies");
            }
        }
    }
}
