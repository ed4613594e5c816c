package io.kshift.model.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ListenerTest {
    private static Listener listener(Listener.AllowedRoutes allowed) {
        return new Listener("l", null, 9000, "TCP", allowed);
    }

    @Test
    void kindsListedAreTheOnlyOnesThatAttachAndNoneListedMeansEveryKind() {
        assertThat(listener(null).admitsKind("TCPRoute")).isTrue();
        assertThat(listener(new Listener.AllowedRoutes(null, List.of())).admitsKind("HTTPRoute")).isTrue();
        Listener tcpOnly = listener(new Listener.AllowedRoutes(null,
                List.of(new Listener.RouteGroupKind(null, "TCPRoute"))));
        assertThat(tcpOnly.admitsKind("TCPRoute")).isTrue();
        assertThat(tcpOnly.admitsKind("HTTPRoute")).isFalse();
        Listener otherGroup = listener(new Listener.AllowedRoutes(null,
                List.of(new Listener.RouteGroupKind("example.com", "TCPRoute"))));
        assertThat(otherGroup.admitsKind("TCPRoute")).isFalse();
        Listener gatewayApiGroup = listener(new Listener.AllowedRoutes(null,
                List.of(new Listener.RouteGroupKind("gateway.networking.k8s.io", "TCPRoute"))));
        assertThat(gatewayApiGroup.admitsKind("TCPRoute")).isTrue();
    }

    @Test
    void namespacesSameAllAndSelectorWhichSelectsNothingHere() {
        assertThat(listener(null).admitsNamespace("gw", "gw")).isTrue();
        assertThat(listener(null).admitsNamespace("gw", "other")).isFalse();
        Listener all = listener(new Listener.AllowedRoutes(new Listener.RouteNamespaces(Listener.From.All, null), null));
        assertThat(all.admitsNamespace("gw", "other")).isTrue();
        Listener selector = listener(new Listener.AllowedRoutes(new Listener.RouteNamespaces(Listener.From.Selector,
                java.util.Map.of("matchLabels", java.util.Map.of("a", "b"))), null));
        assertThat(selector.admitsNamespace("gw", "gw")).isFalse();
    }
}
