package io.kshift.local.proxybench;

/**
 * The benchmark's own routes on the fleet: a gateway with TCP line, TCP raw, HTTP and HTTPS ports (the HTTPS one
 * terminating with the run's generated certificate, as a Secret), 80/20 to v1/v2 each.
 */
final class BenchMesh {
    static final String NAMESPACE = "kshift-bench";

    private BenchMesh() {
    }

    /** {@code n} ports free now, as the fleet's own layout picks them. */
    static int[] freePorts(int n) {
        return io.kshift.local.FleetLayout.freePorts(n).stream().mapToInt(Integer::intValue).toArray();
    }

    static String yaml(int[] gateway, int[] line, int[] raw, int[] http, io.kshift.samples.tls.DemoPki.Issued cert) {
        StringBuilder y = new StringBuilder();
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        y.append("""
                apiVersion: v1
                kind: Secret
                metadata: {name: pb-cert, namespace: %s}
                type: kubernetes.io/tls
                data: {tls.crt: %s, tls.key: %s}
                ---
                """.formatted(NAMESPACE, b64.encodeToString(cert.certBytes()), b64.encodeToString(cert.keyBytes())));
        service(y, "pb-line", "tcp", 7000, line);
        service(y, "pb-raw", "tcp", 7001, raw);
        service(y, "pb-http", "http", 7002, http);
        y.append("""
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: pb-gw, namespace: %1$s}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                  - {port: {number: %2$d, name: tcp-line, protocol: TCP}, hosts: ["*"]}
                  - {port: {number: %3$d, name: tcp-raw, protocol: TCP}, hosts: ["*"]}
                  - {port: {number: %4$d, name: http, protocol: HTTP}, hosts: ["*"]}
                  - {port: {number: %5$d, name: https, protocol: HTTPS}, hosts: ["*"],
                     tls: {mode: SIMPLE, credentialName: pb-cert}}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: pb-tcp, namespace: %1$s}
                spec:
                  hosts: ["*"]
                  gateways: [pb-gw]
                  tcp:
                  - match: [{port: %2$d}]
                    route:
                    - {destination: {host: pb-line, port: {number: 7000}, subset: v1}, weight: 80}
                    - {destination: {host: pb-line, port: {number: 7000}, subset: v2}, weight: 20}
                  - match: [{port: %3$d}]
                    route:
                    - {destination: {host: pb-raw, port: {number: 7001}, subset: v1}, weight: 80}
                    - {destination: {host: pb-raw, port: {number: 7001}, subset: v2}, weight: 20}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: pb-http, namespace: %1$s}
                spec:
                  hosts: ["*"]
                  gateways: [pb-gw]
                  http:
                  - route:
                    - {destination: {host: pb-http, port: {number: 7002}, subset: v1}, weight: 80}
                    - {destination: {host: pb-http, port: {number: 7002}, subset: v2}, weight: 20}
                """.formatted(NAMESPACE, gateway[0], gateway[1], gateway[2], gateway[3]));
        return y.toString();
    }

    private static void service(StringBuilder y, String name, String portName, int port, int[] endpoints) {
        y.append("""
                apiVersion: v1
                kind: Service
                metadata: {name: %1$s, namespace: %2$s, labels: {app: %1$s}}
                spec: {ports: [{name: %3$s, port: %4$d}], selector: {app: %1$s}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: %1$s, namespace: %2$s}
                spec: {host: %1$s, subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]}
                ---
                """.formatted(name, NAMESPACE, portName, port));
        for (int v = 0; v < endpoints.length; v++) {
            y.append("""
                    apiVersion: networking.istio.io/v1
                    kind: WorkloadEntry
                    metadata: {name: %1$s-v%2$d, namespace: %3$s}
                    spec: {address: 127.0.0.1, ports: {%4$s: %5$d}, labels: {app: %1$s, version: v%2$d}}
                    ---
                    """.formatted(name, v + 1, NAMESPACE, portName, endpoints[v]));
        }
    }
}
