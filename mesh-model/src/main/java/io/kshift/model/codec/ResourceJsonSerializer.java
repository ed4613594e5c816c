package io.kshift.model.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import io.kshift.model.resource.Resource;
import io.kshift.model.secret.SecretSpec;
import java.io.IOException;

/**
 * Writes a resource as Kubernetes does: {@code apiVersion}, {@code kind}, {@code metadata}, then {@code spec}, except
 * a Secret, whose {@code type}, {@code data} and {@code immutable} sit at the top level, and a ConfigMap, whose
 * {@code data}, {@code binaryData} and {@code immutable} do. The one shape for the bus,
 * GET answers and diffs; {@link ResourceReader} reads it back.
 */
public final class ResourceJsonSerializer extends JsonSerializer<Resource> {
    @Override
    public void serialize(Resource r, JsonGenerator g, SerializerProvider provider) throws IOException {
        g.writeStartObject();
        if (r.apiVersion() != null) {
            g.writeStringField("apiVersion", r.apiVersion());
        }
        if (r.kind() != null) {
            g.writeStringField("kind", r.kind());
        }
        if (r.metadata() != null) {
            provider.defaultSerializeField("metadata", r.metadata(), g);
        }
        if (r.spec() instanceof SecretSpec secret) {
            g.writeStringField("type", secret.type());
            if (!secret.data().isEmpty()) {
                provider.defaultSerializeField("data", new java.util.TreeMap<>(secret.data()), g);
            }
            if (secret.immutable() != null) {
                g.writeBooleanField("immutable", secret.immutable());
            }
        } else if (r.spec() instanceof io.kshift.model.k8s.ConfigMapSpec map) {
            if (!map.data().isEmpty()) {
                provider.defaultSerializeField("data", new java.util.TreeMap<>(map.data()), g);
            }
            if (!map.binaryData().isEmpty()) {
                provider.defaultSerializeField("binaryData", new java.util.TreeMap<>(map.binaryData()), g);
            }
            if (map.immutable() != null) {
                g.writeBooleanField("immutable", map.immutable());
            }
        } else if (r.spec() != null) {
            provider.defaultSerializeField("spec", r.spec(), g);
        }
        g.writeEndObject();
    }
}
