package io.kshift.local;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A mesh of N services for the scale benchmark, as a real one looks: per service a Service, a WorkloadEntry per
 * version (v1, v2), a DestinationRule with both subsets and a mesh VirtualService sending 90/10 — five resources
 * per service, in namespace {@value #NAMESPACE}. The workloads' ports are never called: the benchmark measures
 * config, and its probes go through the seed gateways.
 */
final class ScaleMesh {
    static final String NAMESPACE = "kshift-scale";
    static final int BATCH = 900;

    private ScaleMesh() {
    }

    /** All 5·N resources, in batches of at most {@value #BATCH} (each one POST). */
    static List<byte[]> batches(int services) {
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < services; i++) {
            docs.addAll(service(i));
        }
        List<byte[]> out = new ArrayList<>();
        for (int from = 0; from < docs.size(); from += BATCH) {
            out.add(String.join("---\n", docs.subList(from, Math.min(docs.size(), from + BATCH)))
                    .getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    static List<String> service(int i) {
        String name = "svc-" + i;
        String ns = NAMESPACE;
        return List.of("""
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: %s}
                spec: {selector: {app: %s}, ports: [{name: http, port: 8000}]}
                """.formatted(name, ns, name),
                workload(name, "v1", 20000 + i % 20000), workload(name, "v2", 40000 + i % 20000),
                """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: %s, namespace: %s}
                spec:
                  host: %s
                  subsets:
                  - {name: v1, labels: {version: v1}}
                  - {name: v2, labels: {version: v2}}
                """.formatted(name, ns, name),
                virtualService(i, 90));
    }

    /** Service {@code i}'s VirtualService with {@code v1Weight} to v1 and the rest to v2. */
    static String virtualService(int i, int v1Weight) {
        String name = "svc-" + i;
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: %s, namespace: %s}
                spec:
                  hosts: [%s]
                  http:
                  - route:
                    - {destination: {host: %s, subset: v1}, weight: %d}
                    - {destination: {host: %s, subset: v2}, weight: %d}
                """.formatted(name, NAMESPACE, name, name, v1Weight, name, 100 - v1Weight);
    }

    private static String workload(String service, String version, int port) {
        return """
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: %s-%s, namespace: %s}
                spec: {address: 127.0.0.1, labels: {app: %s, version: %s}, ports: {http: %d}}
                """.formatted(service, version, NAMESPACE, service, version, port);
    }
}
