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
 * every field of VirtualService, DestinationRule, Gateway, ServiceEntry and WorkloadEntry, at every depth, must be a
 * field of kshift's model or declared not supported with a reason ({@link NotSupported}), so a user never gets
 * "unknown field" for a real one, and a field added upstream fails here first.
 */
class IstioSchemaTest {
    static final Path TYPES = Path.of("target", "istio-models", "package", "networking.istio.io", "v1");

    @Test
    void everyUpstreamFieldIsModelledOrDeclaredNotSupported() throws Exception {
        List<String> missing = new ArrayList<>();
        walk(spec("VirtualService"), VirtualServiceSpec.class, "VirtualService.spec", missing);
        walk(spec("DestinationRule"), DestinationRuleSpec.class, "DestinationRule.spec", missing);
        walk(spec("Gateway"), GatewaySpec.class, "Gateway.spec", missing);
        walk(spec("ServiceEntry"), ServiceEntrySpec.class, "ServiceEntry.spec", missing);
        walk(spec("WorkloadEntry"), WorkloadEntrySpec.class, "WorkloadEntry.spec", missing);
        assertThat(missing).as("upstream fields neither modelled nor declared not supported").isEmpty();
    }

    @Test
    void theReaderFindsNestedFields() throws Exception {
        TsSchema.Node vs = spec("VirtualService");
        assertThat(vs.fields()).containsKeys("hosts", "gateways", "http", "tcp", "tls");
        TsSchema.Node http = vs.fields().get("http");
        assertThat(http.fields()).containsKeys("match", "route", "redirect", "directResponse", "corsPolicy");
        assertThat(http.fields().get("match").fields().get("headers").mapValue().fields())
                .containsKeys("exact", "prefix", "regex");
    }

    static TsSchema.Node spec(String kind) throws Exception {
        Path file = TYPES.resolve(kind + ".d.ts");
        assertThat(file).as("downloaded by the build (mesh-model/pom.xml, istio-models)").exists();
        return TsSchema.parseInterface(Files.readString(file), "I" + kind).fields().get("spec");
    }

    private static void walk(TsSchema.Node upstream, Class<?> ours, String path, List<String> missing) {
        upstream.fields().forEach((name, node) -> {
            RecordComponent component = ModelFields.component(ours, name);
            if (component == null) {
                if (NotSupported.reason(ours, name).isEmpty()) {
                    missing.add(path + "." + name + " (" + ours.getSimpleName() + ")");
                }
                return;
            }
            TsSchema.Node element = node.element();
            Class<?> ourElement = ModelFields.element(component);
            if (!element.fields().isEmpty() && ourElement.isRecord()) {
                walk(element, ourElement, path + "." + name, missing);
            }
        });
    }
}
