package io.kshift.model;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.resource.Resource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Tests' mesh of many services: Service, v1/v2 WorkloadEntries, DestinationRule and a 90/10 VirtualService each. */
public final class ScaleFixtures {
    private ScaleFixtures() {
    }

    public static List<Resource> services(int n) {
        List<Resource> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.addAll(service(i, 90, "127.0.0.1"));
        }
        return out;
    }

    /** Service {@code svc-i}: its v1 workload at {@code v1Address}, port 20000+i (v2: 40000+i, 127.0.0.1). */
    public static List<Resource> service(int i, int v1Weight, String v1Address) {
        String s = "svc-" + i;
        return parse("""
                apiVersion: v1
                kind: Service
                metadata: {name: %1$s, namespace: scale}
                spec: {selector: {app: %1$s}, ports: [{name: http, port: 8000}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: %1$s-v1, namespace: scale}
                spec: {address: %4$s, labels: {app: %1$s, version: v1}, ports: {http: %2$d}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: %1$s-v2, namespace: scale}
                spec: {address: 127.0.0.1, labels: {app: %1$s, version: v2}, ports: {http: %3$d}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: %1$s, namespace: scale}
                spec: {host: %1$s, subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]}
                ---
                """.formatted(s, 20000 + i, 40000 + i, v1Address) + virtualService(i, v1Weight));
    }

    public static String virtualService(int i, int v1Weight) {
        String s = "svc-" + i;
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: %1$s, namespace: scale}
                spec:
                  hosts: [%1$s]
                  http:
                  - route:
                    - {destination: {host: %1$s, subset: v1}, weight: %2$d}
                    - {destination: {host: %1$s, subset: v2}, weight: %3$d}
                """.formatted(s, v1Weight, 100 - v1Weight);
    }

    public static List<Resource> parse(String yaml) {
        try {
            var parsed = ResourceReader.readBody(yaml.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
            if (!parsed.ok()) {
                throw new IllegalArgumentException(parsed.errors().toString());
            }
            return parsed.resources();
        } catch (io.kshift.model.codec.BodySyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
