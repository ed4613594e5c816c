package io.kshift.config.change;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** When the parser's warm-up may stop: the JIT has settled when the last three rounds agree. */
class ParserWarmUpTest {
    @Test
    void roundsStillFallingAreNotSettled() {
        assertThat(ParserWarmUp.settled(List.of(2100L, 1900L, 2000L, 800L, 300L))).isFalse();
        assertThat(ParserWarmUp.settled(List.of(2100L, 90L, 60L))).isFalse();
    }

    @Test
    void threeRoundsWithinAQuarterOfEachOtherAreSettled() {
        assertThat(ParserWarmUp.settled(List.of(2100L, 900L, 60L, 58L, 70L))).isTrue();
        assertThat(ParserWarmUp.settled(List.of(2000L, 2000L, 2100L))).as("slow but flat: nothing left to compile")
                .isTrue();
    }

    @Test
    void fewerThanThreeRoundsSayNothing() {
        assertThat(ParserWarmUp.settled(List.of())).isFalse();
        assertThat(ParserWarmUp.settled(List.of(50L, 50L))).isFalse();
    }

    @Test
    void roundsUnderAMillisecondDoNotDivideByZero() {
        assertThat(ParserWarmUp.settled(List.of(0L, 0L, 1L))).isTrue();
        assertThat(ParserWarmUp.settled(List.of(0L, 0L, 3L))).isFalse();
    }
}
