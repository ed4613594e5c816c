package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.gateway.SessionPersistence;
import io.kshift.model.registry.HostPort;
import io.kshift.model.registry.ResolvedDestination;
import io.kshift.model.routing.HttpBindings.RuleSession;
import io.kshift.proxy.routing.Destinations;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A session names an endpoint of a route's targets, the same on every node, until one of its timeouts runs out. */
class SessionAffinityTest {
    private static final Destinations DESTINATIONS = new Destinations(new java.util.Random(1), System::nanoTime,
            io.kshift.proxy.telemetry.Telemetry.detached());

    private static HttpTarget target(String service, String... addresses) {
        ResolvedDestination d = new ResolvedDestination(service, null, "v1", java.util.Arrays.stream(addresses)
                .map(a -> new HostPort(a, 80)).toList(), null, java.time.Duration.ofSeconds(1), null, null, "shop", 80,
                null, null, false, null);
        return new HttpTarget(d, 1, DESTINATIONS.shared(d), HeaderEdits.NONE, HeaderEdits.NONE, null, null);
    }

    private static final List<HttpTarget> TARGETS = List.of(target("a", "10.0.0.1", "10.0.0.2"),
            target("b", "10.0.0.3"));

    private static RuleSession cookie(String absolute, String idle, boolean permanent, String path) {
        return new RuleSession(new SessionPersistence(null, absolute, idle, null, new SessionPersistence.CookieConfig(
                permanent ? SessionPersistence.LifetimeType.Permanent : SessionPersistence.LifetimeType.Session)),
                path, "s");
    }

    private static String value(String setCookie) {
        return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
    }

    @Test
    void aSessionNamesTheEndpointThatAnsweredOnAnyNode() {
        SessionAffinity one = SessionAffinity.of(cookie(null, null, false, "/"), TARGETS);
        String set = one.answer(TARGETS.get(0), 3, null, 1000);
        assertThat(set).startsWith("s=").endsWith("; Path=/; HttpOnly");
        // Another node's table: made again from the same targets, listed in another order.
        SessionAffinity other = SessionAffinity.of(cookie(null, null, false, "/"), List.of(TARGETS.get(1),
                TARGETS.get(0)));
        var there = other.find(value(set), 2000);
        assertThat(List.of(there.target(), there.endpoint(), (int) there.start())).containsExactly(1, 1, 1000);
        var here = one.find(value(set), 2000);
        assertThat(List.of(here.target(), here.endpoint())).containsExactly(0, 1);
        assertThat(one.answer(TARGETS.get(0), 1, here, 2000)).as("it holds").isNull();
        assertThat(one.find("nonsense", 1)).isNull();
        assertThat(one.find("ffff.1.1", 1)).as("no such endpoint").isNull();
    }

    @Test
    void twoBackendRefsToOneServiceKeepOneSession() {
        HttpTarget twice = target("a", "10.0.0.1", "10.0.0.2");
        List<HttpTarget> targets = List.of(TARGETS.get(0), twice);
        SessionAffinity s = SessionAffinity.of(cookie(null, null, false, "/"), targets);
        var pin = s.find(value(s.answer(twice, 0, null, 10)), 20);
        assertThat(s.answer(twice, 0, pin, 30)).as("served by the other ref to the same endpoint").isNull();
    }

    @Test
    void timeoutsEndSessionsAndAPermanentCookieLastsItsAbsoluteTimeout() {
        SessionAffinity both = SessionAffinity.of(cookie("1h", "10m", true, "/app"), TARGETS);
        String set = both.answer(TARGETS.get(1), 0, null, 1000);
        assertThat(set).endsWith("; Path=/app; HttpOnly; Max-Age=3600");
        var pin = both.find(value(set), 1000 + 599);
        assertThat(pin).isNotNull();
        String refreshed = both.answer(TARGETS.get(1), 0, pin, 1000 + 599);
        assertThat(refreshed).as("an idle timeout moves the last use on").endsWith("; Max-Age=3001");
        assertThat(both.find(value(refreshed), 1000 + 1100)).as("used 501 s ago").isNotNull();
        assertThat(both.find(value(set), 1000 + 600)).as("idle 10 minutes").isNull();
        assertThat(both.find(value(refreshed), 1000 + 3600)).as("an hour from its start").isNull();
        SessionAffinity header = SessionAffinity.of(new RuleSession(new SessionPersistence("x-s", "0s", null,
                SessionPersistence.Type.Header, null), "/", "x-s"), TARGETS);
        assertThat(header.answerHeader()).isEqualTo("x-s");
        String plain = header.answer(TARGETS.get(0), 0, null, 5);
        assertThat(plain).matches("[0-9a-f]+\\.5\\.5");
        assertThat(header.find(plain, 1_000_000)).as("no timeout (0s is none): no end").isNotNull();
    }
}
