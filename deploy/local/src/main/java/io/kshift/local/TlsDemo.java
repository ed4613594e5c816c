package io.kshift.local;

import io.kshift.samples.TcpEcho;
import io.kshift.samples.tls.DemoPki;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * {@code ./kshift demo tls}: HTTPS termination with a generated certificate (Istio's secure ingress task), then a
 * TLS passthrough split by SNI to backends that terminate TLS themselves. The certificates come from a throw-away
 * CA written to {@code .kshift/demo-tls/}, so every step can be repeated with curl and openssl; the private key goes
 * to the fleet only as a Secret, which config-service seals before Kafka.
 */
public final class TlsDemo {
    static final int HTTPS_PORT = 31443;
    static final int PASSTHROUGH_PORT = 31444;
    static final String HTTPBIN_HOST = "httpbin.example.com";
    static final String ECHO_HOST = "tcp-echo.example.com";
    private final FleetLayout layout;
    private final PrintStream out;
    private final KshiftClient client;
    private final ChangeStep changes;
    private final List<DemoScenario.Step> steps = new ArrayList<>();

    public TlsDemo(FleetLayout layout, PrintStream out) {
        this.layout = layout;
        this.out = out;
        this.client = new KshiftClient(layout);
        this.changes = new ChangeStep(layout, client, out);
    }

    public List<DemoScenario.Step> run() {
        Path dir = layout.workDir().resolve("demo-tls");
        DemoPki pki = DemoPki.create("kshift demo CA");
        DemoPki.Issued httpbin = pki.issue(HTTPBIN_HOST);
        DemoPki.Issued echo = pki.issue(ECHO_HOST);
        write(dir.resolve("ca.crt"), pki.caPem());
        write(dir.resolve("httpbin.crt"), httpbin.certPem());
        write(dir.resolve("httpbin.key"), httpbin.keyPem());
        byte[] secret = secret("httpbin-credential", httpbin).getBytes(StandardCharsets.UTF_8);
        write(dir.resolve("httpbin-credential.yaml"), new String(secret, StandardCharsets.UTF_8));

        banner("Clean slate: remove what an earlier run left (config outlives ./kshift down)");
        changes.run("delete", "samples/tls/tcp-echo-passthrough-all-v1.yaml", sample("tcp-echo-passthrough-all-v1.yaml"),
                false, ChangeStep.ANY_VERDICT);
        changes.run("delete", "samples/tls/httpbin-https.yaml", sample("httpbin-https.yaml"), false,
                ChangeStep.ANY_VERDICT);
        changes.run("delete", ".kshift/demo-tls/httpbin-credential.yaml", secret, false, ChangeStep.ANY_VERDICT);

        banner("HTTPS termination: httpbin, then a gateway on port " + HTTPS_PORT
                + " naming a certificate that is not there yet");
        change("apply", "samples/httpbin/httpbin-services.yaml", Samples.read(layout, "samples/httpbin",
                "httpbin-services.yaml", Map.of("http: 9011", "http: " + layout.httpV1Port(), "http: 9012",
                        "http: " + layout.httpV2Port())), true);
        changes.run("apply", "samples/tls/httpbin-https.yaml", sample("httpbin-https.yaml"), false,
                java.util.Set.of(422));
        banner("The certificate as a Secret (generated CA and certificate in .kshift/demo-tls/)");
        change("apply", ".kshift/demo-tls/httpbin-credential.yaml", secret, true);
        out.println("$ ./kshift get secret default/httpbin-credential   # the key is sealed on Kafka, redacted here");
        String key = client.get(layout.configUrl() + "/api/v1/resources/secrets/default/httpbin-credential").body()
                .path("data").path("tls.key").asText();
        out.println("  data.tls.key: " + key);
        change("apply", "samples/tls/httpbin-https.yaml", sample("httpbin-https.yaml"), true);
        out.printf("$ curl --cacert .kshift/demo-tls/ca.crt --resolve %s:%d:%s https://%s:%d/get%n", HTTPBIN_HOST,
                HTTPS_PORT, layout.host(), HTTPBIN_HOST, HTTPS_PORT);
        Map<String, Integer> https = new TreeMap<>();
        for (int i = 0; i < 10; i++) {
            https.merge(httpsGet(pki.trustingContext()), 1, Integer::sum);
        }
        out.println("  10 HTTPS requests, certificate verified against the demo CA: " + https);
        steps.add(new DemoScenario.Step("https termination", 0, https, "10 answered by httpbin over verified TLS",
                https.keySet().stream().allMatch(v -> v.startsWith("200 v"))
                        && https.values().stream().mapToInt(Integer::intValue).sum() == 10));

        banner("TLS passthrough by SNI: backends that speak TLS themselves, split 100/0 then 80/20");
        try (TcpEcho v1 = TcpEcho.startTls(layout.host(), 0, "one", pki.sslContext(echo));
             TcpEcho v2 = TcpEcho.startTls(layout.host(), 0, "two", pki.sslContext(echo))) {
            Map<String, String> ports = Map.of("tls: 9021", "tls: " + v1.port(), "tls: 9022", "tls: " + v2.port());
            change("apply", "samples/tls/tcp-echo-tls-services.yaml", Samples.read(layout, "samples/tls",
                    "tcp-echo-tls-services.yaml", ports), true);
            change("apply", "samples/tls/tcp-echo-passthrough-all-v1.yaml", sample("tcp-echo-passthrough-all-v1.yaml"),
                    true);
            steps.add(DemoScenario.Step.only("passthrough all to v1", connections("all to v1", pki, 20), "one", 20));
            change("apply", "samples/tls/tcp-echo-passthrough-20-v2.yaml", sample("tcp-echo-passthrough-20-v2.yaml"),
                    true);
            steps.add(DemoScenario.Step.split("passthrough 80/20", connections("80/20", pki, 100), "one", "two", 100,
                    10, 30));
            banner("Clean up");
            change("delete", "samples/tls/tcp-echo-passthrough-all-v1.yaml", sample("tcp-echo-passthrough-all-v1.yaml"),
                    true);
            change("delete", "samples/tls/tcp-echo-tls-services.yaml", Samples.read(layout, "samples/tls",
                    "tcp-echo-tls-services.yaml", ports), true);
            change("delete", "samples/tls/httpbin-https.yaml", sample("httpbin-https.yaml"), true);
            change("delete", ".kshift/demo-tls/httpbin-credential.yaml", secret, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(steps);
    }

    private Map<String, Integer> connections(String name, DemoPki pki, int n) {
        out.printf("$ for i in $(seq %d); do echo hello | openssl s_client -quiet -CAfile .kshift/demo-tls/ca.crt"
                + " -servername %s -connect %s:%d; done%n", n, ECHO_HOST, layout.host(), PASSTHROUGH_PORT);
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            try (SSLSocket s = tls(pki.trustingContext(), PASSTHROUGH_PORT, ECHO_HOST)) {
                s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
                counts.merge(line == null ? "(closed)" : line.split(" ")[0], 1, Integer::sum);
            } catch (IOException e) {
                counts.merge("(failed: " + e.getMessage() + ")", 1, Integer::sum);
            }
        }
        out.printf("  %s: %s of %d TLS connections (each verified the backend's own certificate for %s)%n", name,
                counts, n, ECHO_HOST);
        return counts;
    }

    /** One HTTPS GET through the gateway with SNI and Host {@code httpbin.example.com}; the backend's version. */
    private String httpsGet(SSLContext trust) {
        try (SSLSocket s = tls(trust, HTTPS_PORT, HTTPBIN_HOST)) {
            s.getOutputStream().write(("GET /get HTTP/1.1\r\nHost: " + HTTPBIN_HOST + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            String version = "?";
            for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
                if (h.toLowerCase(java.util.Locale.ROOT).startsWith("x-echo-version:")) {
                    version = h.substring(h.indexOf(':') + 1).trim();
                }
            }
            return (status == null ? "(closed)" : status.split(" ")[1]) + " " + version;
        } catch (IOException e) {
            return "(failed: " + e.getMessage() + ")";
        }
    }

    private SSLSocket tls(SSLContext trust, int port, String sni) throws IOException {
        return DemoPki.connect(trust, layout.host(), port, sni);
    }

    static String secret(String name, DemoPki.Issued issued) {
        Base64.Encoder b64 = Base64.getEncoder();
        return """
                # Generated by ./kshift demo tls (a throw-away demo CA; not for real use).
                apiVersion: v1
                kind: Secret
                metadata:
                  name: %s
                type: kubernetes.io/tls
                data:
                  tls.crt: %s
                  tls.key: %s
                """.formatted(name, b64.encodeToString(issued.certBytes()), b64.encodeToString(issued.keyBytes()));
    }

    private byte[] sample(String file) {
        return Samples.read(layout, "samples/tls", file, Map.of());
    }

    private void change(String verb, String shown, byte[] yaml, boolean sync) {
        changes.run(verb, shown, yaml, sync);
    }

    private void banner(String title) {
        out.println();
        out.println("== " + title);
    }

    private static void write(Path file, String text) {
        try {
            BusCredentials.writePrivate(file, w -> w.write(text));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
