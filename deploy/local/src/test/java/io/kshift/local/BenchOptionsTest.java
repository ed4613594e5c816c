package io.kshift.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kshift.local.proxybench.ProxyBench;
import org.junit.jupiter.api.Test;

/** {@code ./kshift bench proxy ...}: flags and valued options in any order. */
class BenchOptionsTest {
    @Test
    void defaultsAreTheReadmesRun() {
        assertThat(KshiftCli.proxyOptions(new String[] {"proxy"})).isEqualTo(ProxyBench.Options.defaults());
    }

    @Test
    void coldIsOneUnwarmedRunAndKeepsOtherOptionsWhereverItStands() {
        ProxyBench.Options cold = KshiftCli.proxyOptions(
                new String[] {"proxy", "--secs", "5", "--cold", "--idle", "10"});
        assertThat(cold.cold()).isTrue();
        assertThat(cold.reps()).isEqualTo(1);
        assertThat(cold.seconds()).isEqualTo(5);
        assertThat(cold.idle()).isEqualTo(10);
        assertThat(cold.connections()).isEqualTo(ProxyBench.Options.defaults().connections());
    }

    @Test
    void onlyPicksScenariosInItsOrder() {
        assertThat(KshiftCli.proxyOptions(new String[] {"proxy", "--cold", "--only", "http,conn"}).scenarios())
                .containsExactly("http", "conn");
    }

    @Test
    void anythingElseIsRefusedNotDropped() {
        for (String[] bad : new String[][] {{"proxy", "5", "--secs", "5"}, {"proxy", "--secs"},
                {"proxy", "--sec", "5"}, {"proxy", "--cold", "--reps", "3"}, {"proxy", "--cold", "--warm", "1"},
                {"proxy", "--only", "http,ftp"}}) {
            assertThatThrownBy(() -> KshiftCli.proxyOptions(bad)).as(String.join(" ", bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("bench proxy:");
        }
    }

    @Test
    void warmRunsTakeTheirOptions() {
        ProxyBench.Options o = KshiftCli.proxyOptions(new String[] {"proxy", "--reps", "5", "--warm", "2"});
        assertThat(o.cold()).isFalse();
        assertThat(o.reps()).isEqualTo(5);
        assertThat(o.warmSeconds()).isEqualTo(2);
    }

    /** bench scale and up take their own options and refuse the rest (a typo was silently dropped). */
    @Test
    void scaleAndUpRefuseWhatTheyDoNotTake() {
        KshiftCli.scaleOptions(java.util.List.of("4000", "--keep"));
        KshiftCli.scaleOptions(java.util.List.of());
        for (var bad : java.util.List.of(java.util.List.of("--kep"), java.util.List.of("2000", "4000"),
                java.util.List.of("--services", "20"))) {
            assertThatThrownBy(() -> KshiftCli.scaleOptions(bad)).as(bad.toString())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("bench scale:");
        }
        assertThat(KshiftCli.brokers(new String[] {"up", "--brokers", "3"})).isEqualTo(3);
        assertThat(KshiftCli.brokers(new String[] {"up", "--brokers=1"})).isEqualTo(1);
        assertThat(KshiftCli.brokers(new String[] {"up"})).isNull();
        assertThatThrownBy(() -> KshiftCli.brokers(new String[] {"up", "--broker", "3"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an option of up");
        assertThatThrownBy(() -> KshiftCli.brokers(new String[] {"up", "--brokers", "2"}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
