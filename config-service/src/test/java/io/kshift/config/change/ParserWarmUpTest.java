package io.kshift.config.change;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** When the parser's warm-up may stop: the last three rounds are all within a quarter of the best one. */
class ParserWarmUpTest {
    @Test
    void aRoundReadsTheSyntheticBodyAndWritesAndReadsWhatComesBackForIt() throws Exception {
        // The warm-up logs and stops on any exception: a round that broke would warm nothing, silently.
        assertThat(ParserWarmUp.round(io.kshift.model.mesh.SyntheticMesh.services("kshift-warmup", 0, 180)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8))).as("resources in the answer").isEqualTo(900);
    }

    @Test
    void roundsStillFallingAreNotSettled() {
        assertThat(ParserWarmUp.settled(List.of(2100L, 1900L, 2000L, 800L, 300L))).isFalse();
        assertThat(ParserWarmUp.settled(List.of(2100L, 90L, 60L))).isFalse();
    }

    @Test
    void slowFlatRoundsAfterAFasterOneAreNotSettled() {
        // Close to each other, but three times the best: the fast path exists and is not what runs.
        assertThat(ParserWarmUp.settled(List.of(4786L, 506L, 158L, 421L, 474L, 513L))).isFalse();
        assertThat(ParserWarmUp.settled(List.of(2000L, 2000L, 2100L))).as("flat from the start").isTrue();
    }

    @Test
    void threeRoundsNearTheBestAreSettled() {
        assertThat(ParserWarmUp.settled(List.of(2100L, 900L, 60L, 58L, 70L, 64L))).isTrue();
        assertThat(ParserWarmUp.settled(List.of(2100L, 900L, 60L, 58L, 73L))).as("73 > 58 * 1.25").isFalse();
    }

    @Test
    void fewerThanThreeRoundsSayNothing() {
        assertThat(ParserWarmUp.settled(List.of())).isFalse();
        assertThat(ParserWarmUp.settled(List.of(50L, 50L))).isFalse();
    }

    @Test
    void roundsUnderAUnitDoNotDivideByZero() {
        assertThat(ParserWarmUp.settled(List.of(0L, 0L, 1L))).isTrue();
        assertThat(ParserWarmUp.settled(List.of(0L, 0L, 3L))).isFalse();
    }
}
