package io.kshift.model.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Istio Gateway server hosts with a namespace: which VirtualServices' hosts a server admits. */
class HttpBindingsTest {
    @Test
    void aServerHostsNamespaceAdmitsOnlyThatNamespacesVirtualServices() {
        List<String> server = List.of("shop/*.shop.com", "./admin.example.com", "*/api.example.com");
        List<String> hosts = List.of("www.shop.com", "admin.example.com", "api.example.com");
        assertThat(HttpBindings.admitted(hosts, server, "shop", "ingress"))
                .containsExactly("www.shop.com", "api.example.com");
        assertThat(HttpBindings.admitted(hosts, server, "ingress", "ingress")).as("./ is the Gateway's namespace")
                .containsExactly("admin.example.com", "api.example.com");
        assertThat(HttpBindings.admitted(hosts, server, "other", "ingress")).containsExactly("api.example.com");
        assertThat(HttpBindings.admitted(List.of("*"), List.of("shop/*"), "other", "ingress"))
                .as("no server host open to the namespace: nothing, not everything").isEmpty();
        assertThat(HttpBindings.admitted(List.of("web"), List.of("web"), "any", "ingress")).containsExactly("web");
        assertThat(HttpBindings.admitted(List.of("*.example.com"), List.of("shop.example.com", "api.other.org"), "any",
                "ingress")).as("a route wildcard broader than the server's host serves that host")
                .containsExactly("shop.example.com");
        assertThat(HttpBindings.admitted(List.of("*"), List.of("a.example.com", "*.b.example.com"), "any", "ingress"))
                .containsExactly("a.example.com", "*.b.example.com");
        assertThat(HttpBindings.admitted(List.of("*.example.com"), List.of("*.shop.example.com"), "any", "ingress"))
                .containsExactly("*.shop.example.com");
    }

    @Test
    void aGatewayApiRouteServesTheIntersectionOfItsHostnamesAndTheListeners() {
        assertThat(HttpBindings.intersection(List.of("*.example.com", "blog.example.org"), "shop.example.com"))
                .as("a route wildcard covering the listener's name serves that name").containsExactly("shop.example.com");
        assertThat(HttpBindings.intersection(List.of("a.example.com", "b.other.org"), "*.example.com"))
                .containsExactly("a.example.com");
        assertThat(HttpBindings.intersection(List.of(), "shop.example.com")).containsExactly("shop.example.com");
        assertThat(HttpBindings.intersection(List.of("x.org"), null)).containsExactly("x.org");
        assertThat(HttpBindings.meets(List.of("blog.example.org"), "shop.example.com")).isFalse();
    }
}
