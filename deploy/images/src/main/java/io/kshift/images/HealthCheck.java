package io.kshift.images;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A container health check for images with no shell and no curl: {@code java -cp /opt/kshift/health
 * io.kshift.images.HealthCheck http://localhost:8080/q/health/ready} exits 0 when the URL answers 2xx, 1 otherwise.
 * docker-compose runs it; Kubernetes probes the same endpoints with httpGet.
 */
public final class HealthCheck {
    private HealthCheck() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: HealthCheck <url>");
            System.exit(2);
        }
        try {
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                    // HTTP/1.1, as kubelet's probes: Java's default h2c upgrade would load HTTP/2 into a proxy.
                    .version(HttpClient.Version.HTTP_1_1).build()
                    .send(HttpRequest.newBuilder(URI.create(args[0])).timeout(Duration.ofSeconds(3)).build(),
                            HttpResponse.BodyHandlers.ofString());
            boolean healthy = response.statusCode() / 100 == 2;
            if (!healthy) {
                System.err.println(args[0] + " answered " + response.statusCode() + ": " + response.body());
            }
            System.exit(healthy ? 0 : 1);
        } catch (Exception e) {
            System.err.println(args[0] + ": " + e);
            System.exit(1);
        }
    }
}
