package io.kshift.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.resource.Kind;
import io.kshift.model.resource.ResourceKey;
import io.kshift.proxy.routing.ListenerRoute;
import io.kshift.proxy.routing.WeightedPicker;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A chain's routes are chosen by SNI as chains are: the most specific name wins, whatever the routes' order. */
class TlsPortTableTest {
    static ListenerRoute route(String name) {
        return new ListenerRoute(443, new ResourceKey(Kind.VIRTUAL_SERVICE, "default", name), List.of(),
                WeightedPicker.SINGLE);
    }

    final ListenerRoute wild = route("wild");
    final ListenerRoute deeper = route("deeper");
    final ListenerRoute admin = route("admin");
    final ListenerRoute rest = route("rest");
    // In merge order (oldest first): the broad routes come before the specific ones.
    final TlsPortTable.Chain chain = new TlsPortTable.Chain(List.of("*"), null, List.of(
            new TlsPortTable.SniRoute(List.of("*"), rest),
            new TlsPortTable.SniRoute(List.of("*.example.com"), wild),
            new TlsPortTable.SniRoute(List.of("*.eu.example.com"), deeper),
            new TlsPortTable.SniRoute(List.of("other.org", "admin.example.com"), admin)));

    @Test
    void theMostSpecificSniHostWinsOverAnOlderBroaderRoute() {
        assertThat(chain.route("admin.example.com")).contains(admin);
        assertThat(chain.route("ADMIN.example.com")).as("names are case-insensitive").contains(admin);
        assertThat(chain.route("shop.eu.example.com")).contains(deeper);
        assertThat(chain.route("shop.example.com")).contains(wild);
        assertThat(chain.route("example.net")).contains(rest);
        assertThat(chain.route(null)).as("no SNI: only * takes it").contains(rest);
    }

    @Test
    void aRouteWithoutADestinationHereTakesItsNamesAndServesNothing() {
        TlsPortTable.Chain gone = new TlsPortTable.Chain(List.of("*"), null, List.of(
                new TlsPortTable.SniRoute(List.of("*"), rest),
                new TlsPortTable.SniRoute(List.of("pay.example.com"), null)));
        assertThat(gone.route("pay.example.com")).as("closed, not sent to the catch-all").isEmpty();
        assertThat(gone.route("shop.example.com")).contains(rest);
    }

    @Test
    void amongEquallySpecificRoutesTheFirstWins() {
        ListenerRoute newer = route("newer");
        TlsPortTable.Chain twice = new TlsPortTable.Chain(List.of("*"), null, List.of(
                new TlsPortTable.SniRoute(List.of("*.example.com"), wild),
                new TlsPortTable.SniRoute(List.of("*.example.com"), newer)));
        assertThat(twice.route("a.example.com")).contains(wild);
        assertThat(twice.route("a.example.org")).isEmpty();
    }
}
