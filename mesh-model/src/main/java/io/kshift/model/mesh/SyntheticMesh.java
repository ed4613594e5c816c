package io.kshift.model.mesh;

/**
 * A mesh of many alike services as YAML, the way an operator writes one: per service a Service, v1 and v2
 * WorkloadEntries, a DestinationRule with both subsets and a VirtualService splitting between them. Tests and
 * benchmarks load it, and services run their own change path over it at start so the JIT has compiled that path
 * before the first real change of thousands of resources arrives.
 */
public final class SyntheticMesh {
    private SyntheticMesh() {
    }

    /**
     * The resources of YAML this code (or a test) wrote, read as a request body would be; a document that does not
     * read is a bug in the writer, so it throws rather than reporting.
     */
    public static java.util.List<io.kshift.model.resource.Resource> parse(String yaml) {
        try {
            var parsed = io.kshift.model.codec.ResourceReader.readBody(
                    yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8), io.kshift.model.codec.BodyFormat.YAML);
            if (!parsed.ok()) {
                throw new IllegalArgumentException(parsed.errors().toString());
            }
            return parsed.resources();
        } catch (io.kshift.model.codec.BodySyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Services {@code svc-from} … {@code svc-(from+count-1)} in {@code namespace}, each 90/10. */
    public static String services(String namespace, int from, int count) {
        StringBuilder out = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            // Separators between documents only: an empty last document is refused (issue 15 has kubectl's rule).
            out.append(i == from ? "" : "---\n").append(service(namespace, i, 90, "127.0.0.1"));
        }
        return out.toString();
    }

    /** Service {@code svc-i}: its v1 workload at {@code v1Address}, port 20000+i (v2: 40000+i, 127.0.0.1). */
    public static String service(String namespace, int i, int v1Weight, String v1Address) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %1$s, namespace: %5$s}
                spec: {selector: {app: %1$s}, ports: [{name: http, port: 8000}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: %1$s-v1, namespace: %5$s}
                spec: {address: %4$s, labels: {app: %1$s, version: v1}, ports: {http: %2$d}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: %1$s-v2, namespace: %5$s}
                spec: {address: 127.0.0.1, labels: {app: %1$s, version: v2}, ports: {http: %3$d}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: %1$s, namespace: %5$s}
                spec: {host: %1$s, subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]}
                ---
                """.formatted("svc-" + i, 20000 + i, 40000 + i, v1Address, namespace)
                + virtualService(namespace, i, v1Weight);
    }

    /** Service {@code svc-i}'s VirtualService: {@code v1Weight} to v1, the rest to v2. */
    public static String virtualService(String namespace, int i, int v1Weight) {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: %1$s, namespace: %4$s}
                spec:
                  hosts: [%1$s]
                  http:
                  - route:
                    - {destination: {host: %1$s, subset: v1}, weight: %2$d}
                    - {destination: {host: %1$s, subset: v2}, weight: %3$d}
                """.formatted("svc-" + i, v1Weight, 100 - v1Weight, namespace);
    }
}
