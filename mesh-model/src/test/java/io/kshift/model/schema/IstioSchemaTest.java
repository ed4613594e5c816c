package io.kshift.model.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.NotSupported;
import io.kshift.model.istio.DestinationRuleSpec;
import io.kshift.model.istio.GatewaySpec;
import io.kshift.model.istio.ServiceEntrySpec;
import io.kshift.model.istio.VirtualServiceSpec;
import io.kshift.model.istio.WorkloadEntrySpec;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Istio's networking v1 schema as its published CRDs define it: the build downloads {@code @kubernetes-models/istio}
 * from the npm registry (TypeScript declarations generated from Istio's CRDs; pom.xml, {@code istio-models}) and
 * every field of VirtualService, DestinationRule, Gateway, ServiceEntry, WorkloadEntry and Sidecar, at every depth, must be a
 * field of kshift's model or declared not supported with a reason ({@link NotSupported}), so a user never gets
 * "unknown field" for a real one, and a field added upstream fails here first.
 */
class IstioSchemaTest {
    static final Path TYPES = Path.of("target", "istio-models", "package", "networking.istio.io", "v1");

    @Test
    void everyUpstreamFieldIsModelledOrDeclaredNotSupported() throws Exception {
        List<String> missing = new ArrayList<>();
        java.util.Set<String> declaredSeen = new java.util.HashSet<>();
        walk(spec("VirtualService"), VirtualServiceSpec.class, "VirtualService.spec", missing, declaredSeen);
        walk(spec("DestinationRule"), DestinationRuleSpec.class, "DestinationRule.spec", missing, declaredSeen);
        walk(spec("Gateway"), GatewaySpec.class, "Gateway.spec", missing, declaredSeen);
        walk(spec("ServiceEntry"), ServiceEntrySpec.class, "ServiceEntry.spec", missing, declaredSeen);
        walk(spec("WorkloadEntry"), WorkloadEntrySpec.class, "WorkloadEntry.spec", missing, declaredSeen);
        walk(spec("Sidecar"), io.kshift.model.istio.SidecarSpec.class, "Sidecar.spec", missing, declaredSeen);
        assertThat(missing).as("upstream fields neither modelled nor declared not supported").isEmpty();
        // And the other way: every Istio field declared not supported is one the schema has and the model lacks.
        List<String> stale = new ArrayList<>();
        for (Class<?> type : NotSupported.types()) {
            if (type.getPackageName().equals(VirtualServiceSpec.class.getPackageName())) {
                for (String field : NotSupported.fields(type)) {
                    if (!declaredSeen.contains(type.getName() + "#" + field)
                            || ModelFields.component(type, field) != null) {
                        stale.add(type.getSimpleName() + "." + field);
                    }
                }
            }
        }
        assertThat(stale).as("declared not supported but not an upstream field the model lacks").isEmpty();
    }

    /** The reader sees each kind's tree, not an empty one (a test of nothing would pass). */
    @Test
    void theReaderFindsNestedFields() throws Exception {
        TsSchema.Node vs = spec("VirtualService");
        assertThat(vs.fields()).containsKeys("hosts", "gateways", "http", "tcp", "tls");
        TsSchema.Node http = vs.fields().get("http");
        assertThat(http.fields()).containsKeys("match", "route", "redirect", "directResponse", "corsPolicy");
        assertThat(http.fields().get("match").fields().get("headers").mapValue().fields())
                .containsKeys("exact", "prefix", "regex");
        assertThat(spec("DestinationRule").fields().get("trafficPolicy").fields().get("connectionPool").fields()
                .get("http").fields()).containsKeys("http1MaxPendingRequests", "maxRetries", "idleTimeout");
        assertThat(spec("DestinationRule").fields().get("subsets").fields()).containsKeys("name", "labels");
        assertThat(spec("Gateway").fields().get("servers").fields().get("port").fields())
                .containsKeys("number", "protocol", "name");
        assertThat(spec("ServiceEntry").fields().get("endpoints").fields()).containsKeys("address", "ports");
        assertThat(spec("WorkloadEntry").fields()).containsKeys("address", "ports", "labels");
        assertThat(spec("Sidecar").fields().get("egress").fields()).containsKeys("hosts", "port", "captureMode");
    }

    static TsSchema.Node spec(String kind) throws Exception {
        Path file = TYPES.resolve(kind + ".d.ts");
        assertThat(file).as("downloaded by the build (mesh-model/pom.xml, istio-models)").exists();
        return TsSchema.parseInterface(Files.readString(file), "I" + kind).fields().get("spec");
    }

    private static void walk(TsSchema.Node upstream, Class<?> ours, String path, List<String> missing,
                             java.util.Set<String> declaredSeen) {
        upstream.fields().forEach((name, node) -> {
            RecordComponent component = ModelFields.component(ours, name);
            if (component == null) {
                if (NotSupported.reason(ours, name).isEmpty()) {
                    missing.add(path + "." + name + " (" + ours.getSimpleName() + ")");
                } else {
                    declaredSeen.add(ours.getName() + "#" + name);
                }
                return;
            }
            TsSchema.Node element = node.element();
            Class<?> ourElement = ModelFields.element(component);
            if (!element.fields().isEmpty() && ourElement.isRecord()) {
                walk(element, ourElement, path + "." + name, missing, declaredSeen);
            }
        });
    }
}
