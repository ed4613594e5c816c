package io.kshift.model.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.kshift.model.codec.NotSupported;
import io.kshift.model.gateway.HttpRouteSpec;
import io.kshift.model.gateway.KubeGatewaySpec;
import io.kshift.model.gateway.TcpRouteSpec;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Gateway API's schema as its published CRDs define it (fabric8's model, generated from them, is a test
 * dependency resolved by the build): every field of Gateway, HTTPRoute, GRPCRoute, TCPRoute, TLSRoute, UDPRoute,
 * ReferenceGrant and BackendTLSPolicy, at every depth, is either a field of kshift's model or declared not supported
 * with a reason ({@link NotSupported}), so a user never gets "unknown field" for a real one, and a field added
 * upstream fails here first.
 */
class UpstreamSchemaTest {
    private static final String UPSTREAM = "io.fabric8.kubernetes.api.model.gatewayapi";

    @Test
    void everyUpstreamFieldIsModelledOrDeclaredNotSupported() {
        List<String> missing = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        walk(io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpec.class, KubeGatewaySpec.class, "Gateway.spec",
                missing, seen);
        walk(io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteSpec.class, HttpRouteSpec.class,
                "HTTPRoute.spec", missing, seen);
        walk(io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.TCPRouteSpec.class, TcpRouteSpec.class,
                "TCPRoute.spec", missing, seen);
        walk(io.fabric8.kubernetes.api.model.gatewayapi.v1alpha3.TLSRouteSpec.class,
                io.kshift.model.gateway.TlsRouteSpec.class, "TLSRoute.spec", missing, seen);
        walk(io.fabric8.kubernetes.api.model.gatewayapi.v1alpha2.UDPRouteSpec.class,
                io.kshift.model.gateway.UdpRouteSpec.class, "UDPRoute.spec", missing, seen);
        walk(io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteSpec.class,
                io.kshift.model.gateway.GrpcRouteSpec.class, "GRPCRoute.spec", missing, seen);
        walk(io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrantSpec.class,
                io.kshift.model.gateway.ReferenceGrantSpec.class, "ReferenceGrant.spec", missing, seen);
        walk(io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendTLSPolicySpec.class,
                io.kshift.model.gateway.BackendTlsPolicySpec.class, "BackendTLSPolicy.spec", missing, seen);
        assertThat(missing).as("upstream fields neither modelled nor declared not supported").isEmpty();
    }

    private static void walk(Class<?> upstream, Class<?> ours, String path, List<String> missing, Set<String> seen) {
        if (!seen.add(upstream.getName() + "->" + ours.getName())) {
            return;
        }
        List<BeanPropertyDefinition> properties = ModelFields.MAPPER.getSerializationConfig()
                .introspect(ModelFields.MAPPER.constructType(upstream)).findProperties();
        for (BeanPropertyDefinition p : properties) {
            String name = p.getName();
            RecordComponent component = ModelFields.component(ours, name);
            if (component == null) {
                if (NotSupported.reason(ours, name).isEmpty()) {
                    missing.add(path + "." + name + " (" + ours.getSimpleName() + ")");
                }
                continue;
            }
            Class<?> upstreamElement = ModelFields.element(p.getPrimaryType());
            Class<?> ourElement = ModelFields.element(component);
            if (upstreamElement.getName().startsWith(UPSTREAM) && ourElement.isRecord()) {
                walk(upstreamElement, ourElement, path + "." + name, missing, seen);
            }
        }
    }
}
