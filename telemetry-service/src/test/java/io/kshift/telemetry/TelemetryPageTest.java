package io.kshift.telemetry;

import static io.kshift.testkit.Api.asAdmin;
import static io.restassured.RestAssured.given;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.model.auth.Role;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshTopics;
import io.kshift.testkit.Bus;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The live page in a real headless Chromium (Debian's package; {@code .ci/run} installs it): with a service's
 * windows in the stores, the page shows each version's observed share, a chart, and says why weights and proxies
 * are missing when config-service is away.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class TelemetryPageTest {
    @TestHTTPResource("/")
    URL page;

    @Test
    void showsTheObservedSplitPerVersion() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(HeadlessChromium.BINARY), "no Chromium at " + HeadlessChromium.BINARY
                + " (.ci/run installs Debian's chromium package)");
        String name = "page-" + UUID.randomUUID().toString().substring(0, 8);
        String service = name + ".default.svc.cluster.local";
        Instant start = Reports.freshWindow();
        // A version label with markup (the validator refuses such labels; anything on the bus is still text here).
        String hostile = "<img src=x onerror=\"document.title='pwned'\">";
        for (int second = 1; second <= 5; second++) {
            send(Reports.report("proxy-1", start.plusSeconds(second), service, List.of(
                    Reports.http("v1", false, java.util.Map.of("200", 9L), 12), Reports.http("v2", false,
                            java.util.Map.of("200", 1L), 30), Reports.http(hostile, true, java.util.Map.of("200", 1L), 5))));
        }
        send(Reports.report("proxy-1", start.plusSeconds(12), service, List.of()));
        await().atMost(Duration.ofSeconds(30)).until(() -> asAdmin()
                .get("/api/v1/telemetry/default/" + name + "?window=10s&last=6").statusCode() == 200);

        // Without a session the page is not served; the sign-in page trades a token (in the fragment) for one.
        given().get("/").then().statusCode(401);
        // The cookie goes to every port of the host: only a viewer token becomes one.
        asAdmin().post("/api/v1/session").then().statusCode(403);
        String next = java.net.URLEncoder.encode("/?namespace=default&service=" + name, StandardCharsets.UTF_8);
        String signIn = page + "login.html#next=" + next + "&token=" + TestIssuer.token("page-viewer", Role.VIEWER);
        try (HeadlessChromium browser = new HeadlessChromium(signIn)) {
            String[] rows = new String[1];
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                rows[0] = browser.evaluate("document.querySelector('#split tbody').innerHTML");
                assertThat(rows[0]).as("page status: %s", browser.evaluate("document.getElementById('status').textContent"
                        + " + ' | ' + location.href")).containsPattern(
                        "data-version=\"v1\"[^>]*>\\s*<td>v1</td>\\s*<td class=\"share\">90\\.0%</td>");
            });
            assertThat(rows[0]).containsPattern(
                    "data-version=\"v2\"[^>]*>\\s*<td>v2</td>\\s*<td class=\"share\">10\\.0%</td>");
            assertThat(browser.evaluate("document.getElementById('status').textContent")).contains("windows of 10s");
            assertThat(browser.evaluate("location.pathname + location.search"))
                    .isEqualTo("/?namespace=default&service=" + name);
            assertThat(browser.evaluate("document.querySelector('#split tbody').textContent")).contains(hostile);
            assertThat(browser.evaluate("String(document.querySelectorAll('#split img').length)")).isEqualTo("0");
            assertThat(browser.evaluate("document.title")).isNotEqualTo("pwned");
            assertThat(browser.evaluate("document.cookie")).as("the session cookie is HttpOnly").doesNotContain("kshift-token");
            assertThat(browser.evaluate("document.querySelector('#proxies tbody').textContent"))
                    .contains("config-service at http://127.0.0.1:1 unavailable");
            assertThat(browser.evaluate("document.getElementById('chart').getContext('2d')"
                    + ".getImageData(0, 0, 900, 260).data.some(x => x !== 0)")).as("the chart was drawn").isEqualTo("true");
        }
    }

    static void send(io.kshift.model.event.TelemetryReport report) {
        Bus.send(MeshTopics.TELEMETRY_RAW, report.namespace() + "/" + report.service(), EventCodec.encode(report));
    }
}
