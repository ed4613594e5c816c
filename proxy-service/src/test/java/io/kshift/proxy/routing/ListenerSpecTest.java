package io.kshift.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.proxy.tls.ServerTls;
import io.kshift.proxy.tls.TlsPortTable;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a TLS port must be reopened: a server name whose chain holds clients differently, never a route change. */
class ListenerSpecTest {
    private static final ServerTls SIMPLE = new ServerTls(List.of(), null, List.of("TLSv1.3"));
    private static final ServerTls MUTUAL = new ServerTls(List.of(), "ca", io.kshift.model.routing.TlsBindings.ClientAuth.REQUIRE,
            List.of("TLSv1.3"));
    private static final TlsPortTable.SniRoute ROUTE = new TlsPortTable.SniRoute(List.of("*"), null);

    private static TlsPortTable.Chain chain(ServerTls termination, String... names) {
        return new TlsPortTable.Chain(List.of(names), termination, List.of(ROUTE));
    }

    private static ListenerSpec port(TlsPortTable.Chain... chains) {
        return ListenerSpec.tls(new TlsPortTable(8443, List.of(chains)));
    }

    @Test
    void aNameWhoseRuleChangesReopensWhateverElseChangedWithIt() {
        ListenerSpec running = port(chain(SIMPLE, "a.example.com"));
        assertThat(port(chain(SIMPLE, "a.example.com"), chain(SIMPLE, "b.example.com")).reopens(running))
                .as("a chain added").isFalse();
        assertThat(port(chain(MUTUAL, "b.example.com", "a.example.com")).reopens(running))
                .as("asking for certificates, with its hosts edited in the same change").isTrue();
        assertThat(port(chain(SIMPLE, "A.example.com")).reopens(running)).as("names ignore case").isFalse();
    }

    @Test
    void aChainAddedThenMadeMutualReopensAndANameRemovedIsForgotten() {
        ListenerSpec opened = port(chain(SIMPLE, "a.example.com"));
        ListenerSpec added = port(chain(SIMPLE, "a.example.com"), chain(SIMPLE, "b.example.com"));
        assertThat(added.reopens(opened)).isFalse();
        ListenerSpec running = added.remembering(opened);
        assertThat(port(chain(SIMPLE, "a.example.com"), chain(MUTUAL, "b.example.com")).reopens(running)).isTrue();
        ListenerSpec removed = port(chain(SIMPLE, "a.example.com")).remembering(running);
        assertThat(removed.chainRules()).as("bounded by the port's names").containsOnlyKeys("a.example.com");
    }

    @Test
    void aChainWhoseCertificatesDidNotLoadKeepsItsRuleAndReopensNothing() {
        ListenerSpec running = port(chain(SIMPLE, "a.example.com"), chain(SIMPLE, "b.example.com"));
        ListenerSpec broken = port(chain(SIMPLE, "a.example.com"),
                new TlsPortTable.Chain(List.of("b.example.com"), null, List.of()));
        assertThat(broken.reopens(running)).as("a Secret that will not load cuts nobody").isFalse();
        running = broken.remembering(running);
        assertThat(port(chain(SIMPLE, "a.example.com"), chain(SIMPLE, "b.example.com")).reopens(running))
                .as("fixed as it was").isFalse();
        assertThat(port(chain(SIMPLE, "a.example.com"), chain(MUTUAL, "b.example.com")).reopens(running))
                .as("fixed as MUTUAL: b's connections came in without certificates").isTrue();
    }
}
